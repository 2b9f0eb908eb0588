// Reads the CustomResourceDefinitions in <repo>/crds (the schema source of truth) and answers
// questions about them. The only I/O in pkg/schema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CRDNames, CRDVersion, CustomResourceDefinition, JSONSchemaProps } from './types';

/**
 * The repository root: $SWITCHYARD_REPO_ROOT if set, else the nearest ancestor of this file
 * (src pkg/schema/ or compiled dist/pkg/schema/) that holds both package.json and crds/.
 */
export function repoRoot(): string {
  const fromEnv = process.env.SWITCHYARD_REPO_ROOT;
  if (fromEnv) return resolve(fromEnv);
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'crds'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  return process.cwd();
}

export function defaultCRDDir(): string {
  return join(repoRoot(), 'crds');
}

/** The built-in kinds' schemas (Namespace, Secret, ConfigMap), in CRD form with group "". */
export function builtinSchemaDir(): string {
  return join(repoRoot(), 'schemas');
}

/** Parse every *.yaml / *.yml / *.json file of `dir` (multi-document YAML allowed), sorted by file name. */
export function loadCRDs(dir: string = defaultCRDDir()): CustomResourceDefinition[] {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort();
  const crds: CustomResourceDefinition[] = [];
  for (const f of files) {
    const path = join(dir, f);
    crds.push(...parseCRDs(readFileSync(path, 'utf8'), path));
  }
  return crds;
}

/** Parse CRD documents from YAML (or JSON) text; `source` names it in errors. Empty documents are skipped. */
export function parseCRDs(text: string, source = '<input>'): CustomResourceDefinition[] {
  const out: CustomResourceDefinition[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
    const obj = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (obj === null || obj === undefined) continue;
    out.push(checkCRD(obj, source));
  }
  return out;
}

function checkCRD(obj: unknown, source: string): CustomResourceDefinition {
  const o = obj as Partial<CustomResourceDefinition>;
  const fail = (why: string): never => {
    throw new Error(`${source}: not a usable apiextensions.k8s.io/v1 CustomResourceDefinition: ${why}`);
  };
  if (typeof obj !== 'object' || Array.isArray(obj)) fail('not an object');
  if (o.apiVersion !== 'apiextensions.k8s.io/v1' || o.kind !== 'CustomResourceDefinition') fail('wrong apiVersion/kind');
  const spec = o.spec;
  if (!spec || typeof spec.group !== 'string') fail('spec.group missing');
  if (!spec!.names?.plural || !spec!.names?.kind) fail('spec.names.plural/kind missing');
  if (spec!.scope !== 'Cluster' && spec!.scope !== 'Namespaced') fail('spec.scope must be Cluster or Namespaced');
  if (!Array.isArray(spec!.versions) || spec!.versions.length === 0) fail('spec.versions empty');
  if (spec!.versions.filter((v) => v.storage).length !== 1) fail('exactly one version must be the storage version');
  for (const v of spec!.versions) if (!v.schema?.openAPIV3Schema) fail(`version ${v.name} has no schema.openAPIV3Schema`);
  // the core group's kinds (schemas/) are named by their plural alone
  const want = spec!.group ? `${spec!.names.plural}.${spec!.group}` : spec!.names.plural;
  if (o.metadata?.name !== want) fail('metadata.name must be <plural>.<group> (<plural> for the core group)');
  return o as CustomResourceDefinition;
}

export const crdGroup = (crd: CustomResourceDefinition): string => crd.spec.group;
export const crdScope = (crd: CustomResourceDefinition): 'Cluster' | 'Namespaced' => crd.spec.scope;
export const crdVersions = (crd: CustomResourceDefinition): CRDVersion[] => crd.spec.versions;

/** names with kube's defaults filled in: singular = lowercased kind, listKind = kind + "List". */
export function crdNames(crd: CustomResourceDefinition): Required<Pick<CRDNames, 'plural' | 'singular' | 'kind' | 'listKind' | 'shortNames' | 'categories'>> {
  const n = crd.spec.names;
  return {
    plural: n.plural,
    singular: n.singular || n.kind.toLowerCase(),
    kind: n.kind,
    listKind: n.listKind || `${n.kind}List`,
    shortNames: n.shortNames ?? [],
    categories: n.categories ?? [],
  };
}

export function storageVersion(crd: CustomResourceDefinition): CRDVersion {
  return crd.spec.versions.find((v) => v.storage)!;
}

export function servedVersions(crd: CustomResourceDefinition): CRDVersion[] {
  return crd.spec.versions.filter((v) => v.served);
}

export function crdVersion(crd: CustomResourceDefinition, version: string): CRDVersion | undefined {
  return crd.spec.versions.find((v) => v.name === version);
}

export function versionSchema(crd: CustomResourceDefinition, version: string): JSONSchemaProps | undefined {
  return crdVersion(crd, version)?.schema?.openAPIV3Schema;
}

/** The CRD of `group` whose plural, singular, kind or a short name is `name` (kind match is exact, the rest lowercase). */
export function findCRD(crds: CustomResourceDefinition[], group: string, name: string): CustomResourceDefinition | undefined {
  const lower = name.toLowerCase();
  return crds.find((c) => {
    if (c.spec.group !== group) return false;
    const n = crdNames(c);
    return n.kind === name || n.plural === lower || n.singular === lower || n.shortNames.includes(lower);
  });
}
