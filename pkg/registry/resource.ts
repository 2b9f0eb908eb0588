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
  /** `<prefix>/<group>/<plural>/` */
  keyPrefix: string;
  crd: CustomResourceDefinition;
}

export function resourceFromCRD(crd: CustomResourceDefinition, strategy: Strategy, etcdPrefix: string): Resource {
  const names = crdNames(crd);
  const storage = storageVersion(crd);
  const served = servedVersions(crd).sort((a, b) => (a.storage === b.storage ? 0 : a.storage ? -1 : 1));
  const versions = served.map((v) => {
    const schema = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    return { name: v.name, schema, validate: compileSchema(schema), printerColumns: v.additionalPrinterColumns ?? [] };
  });
  const group = crd.spec.group;
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
    keyPrefix: `${etcdPrefix.replace(/\/+$/, '')}/${group}/${names.plural}/`,
    crd,
  };
}

export function servedVersion(r: Resource, version: string): ServedVersion | undefined {
  return r.versions.find((v) => v.name === version);
}

export const apiVersionOf = (r: Resource, version: string) => `${r.group}/${version}`;
