// A served resource: its names, versions and schemas (from crds/), its storage key prefix and its
// strategy. Everything the generic REST flows know about a kind comes from here.
import type { CustomResourceDefinition, JSONSchemaProps, PrinterColumn } from '../schema/types';
import { crdNames, servedVersions, storageVersion } from '../schema/crd_loader';
import { compileSchema, type ObjectValidator } from '../schema/validator';
import type { Strategy } from './strategy';
import type { GroupResource } from '../apierrors/errors';

export interface ServedVersion {
  name: string;
  schema: JSONSchemaProps;
  validate: ObjectValidator;
  printerColumns: PrinterColumn[];
}

export interface Resource {
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  gr: GroupResource;
  /** served versions, preferred (storage) first */
  versions: ServedVersion[];
  storageVersion: string;
  hasStatus: boolean;
  strategy: Strategy;
  /** `<prefix>/<group>/<plural>/` (`<prefix>/<plural>/` for the core group, as kube stores them) */
  keyPrefix: string;
  crd: CustomResourceDefinition;
  /** objects live in namespaces: keys `<keyPrefix><namespace>/<name>` */
  namespaced: boolean;
  /** the verbs served on the main resource (discovery lists them) */
  verbs: string[];
  /** set on a view of a namespaced resource scoped to one namespace (see inNamespace) */
  namespace?: string;
  /** the resource a namespace view was made from */
  base?: Resource;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function resourceFromCRD(crd: CustomResourceDefinition, strategy: Strategy, etcdPrefix: string): Resource {
  const names = crdNames(crd);
  const storage = storageVersion(crd);
  const served = servedVersions(crd).sort((a, b) => (a.storage === b.storage ? 0 : a.storage ? -1 : 1));
  const versions = served.map((v) => {
    const schema = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    return { name: v.name, schema, validate: compileSchema(schema), printerColumns: v.additionalPrinterColumns ?? [] };
  });
  const group = crd.spec.group;
  const prefix = etcdPrefix.replace(/\/+$/, '');
  return {
    group,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    singular: names.singular,
    shortNames: names.shortNames,
    categories: names.categories,
    gr: { group, resource: names.plural },
    versions,
    storageVersion: storage.name,
    hasStatus: !!storage.subresources?.status,
    strategy,
    keyPrefix: group ? `${prefix}/${group}/${names.plural}/` : `${prefix}/${names.plural}/`,
    crd,
    namespaced: crd.spec.scope === 'Namespaced',
    verbs: strategy.verbs ?? ALL_VERBS,
  };
}

export function servedVersion(r: Resource, version: string): ServedVersion | undefined {
  return r.versions.find((v) => v.name === version);
}

export const apiVersionOf = (r: Resource, version: string) => (r.group ? `${r.group}/${version}` : version);

/**
 * The resource seen from one namespace: the same kind, its keys under `<keyPrefix><namespace>/`, so
 * every generic flow (keys, lists, store watches) works on that namespace unchanged. Cheap: made
 * per request, never cached (a namespace name comes from the URL).
 */
export function inNamespace(r: Resource, namespace: string): Resource {
  const base = r.base ?? r;
  return { ...base, keyPrefix: `${base.keyPrefix}${namespace}/`, namespace, base };
}

/** The resource all views share (watch cache, metrics). */
export const baseOf = (r: Resource): Resource => r.base ?? r;
