// managedFields bookkeeping for the generic flows, over the pure field manager: which lists the
// kind's schema declares as maps or sets, who owns what after an Update, and server-side apply
// with kube's conflict error.
import type { KObject, ManagedFieldsEntry } from '../../../apis/meta/v1/types';
import { ApiError } from '../../apierrors/errors';
import type { JSONSchemaProps } from '../../schema/types';
import type { ListTypeAt } from '../../fieldmanager/fieldset';
import { listTypeAtFromSchema } from '../../fieldmanager/listtypes';
import { serverSideApply, formatConflictMessage, conflictCauses } from '../../fieldmanager/apply';
import { trackUpdate as track } from '../../fieldmanager/update';
import type { Resource } from '../resource';
import { apiVersionOf } from '../resource';
import { versionOf } from './admit';

const listTypeCache = new WeakMap<JSONSchemaProps, ListTypeAt>();

/** x-kubernetes-list-type declarations of a version's schema, read once. */
export function listTypesOf(schema: JSONSchemaProps): ListTypeAt {
  let fn = listTypeCache.get(schema);
  if (!fn) listTypeCache.set(schema, (fn = listTypeAtFromSchema(schema)));
  return fn;
}

export function trackUpdate(
  r: Resource,
  version: string,
  oldObj: KObject | null,
  newObj: KObject,
  manager: string | undefined,
  now: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  return track({
    oldObj,
    newObj,
    manager: manager || 'unknown',
    apiVersion: apiVersionOf(r, version),
    now,
    listTypeAt: listTypesOf(versionOf(r, version).schema),
    subresource,
  });
}

/** The object after applying `applied` for `manager`; 409 with every conflict unless forced. */
export function applyConfig(
  r: Resource,
  version: string,
  live: KObject | null,
  applied: KObject,
  manager: string,
  force: boolean,
  now: string,
  name: string,
  subresource?: string,
): KObject {
  const res = serverSideApply({
    subresource,
    live,
    applied,
    manager,
    force,
    apiVersion: apiVersionOf(r, version),
    now,
    listTypeAt: listTypesOf(versionOf(r, version).schema),
  });
  if (res.conflicts.length) {
    const versions: Record<string, string> = {};
    for (const e of live?.metadata.managedFields ?? []) if (e.manager && e.apiVersion) versions[e.manager] = e.apiVersion;
    throw new ApiError(409, 'Conflict', formatConflictMessage(res.conflicts, versions), {
      name,
      group: r.group,
      kind: r.plural,
      causes: conflictCauses(res.conflicts),
    });
  }
  return res.object;
}
