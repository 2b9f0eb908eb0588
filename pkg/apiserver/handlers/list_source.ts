// Where a LIST is read from: the resource's watch cache when kube would serve it there (see
// watchcache/list_plan.ts) and the cache can be as fresh as asked, else storage. Both paths
// filter with the same predicate (listopts.ts) and return items in key order; the cache's items
// are its frozen objects, so everything after this point must copy, never mutate.
import type { KObject } from '../../../apis/meta/v1/types';
import type { ListOptions } from '../../storage/interface';
import type { Resource } from '../../registry/resource';
import { apiVersionOf } from '../../registry/resource';
import { toVersion } from '../../registry/generic/admit';
import { listObjects, type ObjectList } from '../../registry/generic/read';
import type { ServerContext } from '../context';
import { planList } from '../watchcache/list_plan';
import { listJSON } from '../watchcache/serialized';

export interface ListAnswer {
  list: ObjectList;
  /** served from the watch cache: its own objects (storage version), for listJSON */
  cached?: readonly KObject[];
}

export async function listFor(ctx: ServerContext, r: Resource, version: string, opts: ListOptions): Promise<ListAnswer> {
  const cacher = ctx.cacherFor(r);
  // the watch cache must cover the revision this list answers at (see server.ts)
  await cacher.start();
  const plan = planList(opts);
  if (plan.from === 'cache') {
    // the store unreachable while asking its revision: storage answers (and words the error)
    const hit = await cacher.list(plan.freshness, opts.predicate).catch(() => undefined);
    if (hit) {
      const list: ObjectList = {
        apiVersion: apiVersionOf(r, version),
        kind: r.listKind,
        metadata: { resourceVersion: String(hit.revision) },
        items: hit.items.map((o) => toVersion(r, o, version)),
      };
      return { list, cached: hit.items };
    }
  }
  return { list: await listObjects(ctx.registry, r, version, opts) };
}

/** The JSON text of a list answered from the cache: each object's JSON is made once and reused. */
export function cachedListJSON(list: ObjectList, cached: readonly KObject[]): string {
  return listJSON(list.apiVersion, list.kind, list.metadata, cached, list.apiVersion);
}
