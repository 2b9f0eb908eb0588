// Where a LIST is read from: the resource's watch cache when kube would serve it there (see
// watchcache/list_plan.ts) and the cache can be as fresh as asked, else storage. Both paths
// filter with the same predicate (listopts.ts) and return items in key order; the cache's items
// are its frozen objects, so everything after this point must copy, never mutate.
import type { ListOptions } from '../../storage/interface';
import type { Resource } from '../../registry/resource';
import { apiVersionOf } from '../../registry/resource';
import { toVersion } from '../../registry/generic/admit';
import { listObjects, type ObjectList } from '../../registry/generic/read';
import type { ServerContext } from '../context';
import { planList } from '../watchcache/list_plan';

export async function listFor(ctx: ServerContext, r: Resource, version: string, opts: ListOptions): Promise<ObjectList> {
  const cacher = ctx.cacherFor(r);
  // the watch cache must cover the revision this list answers at (see server.ts)
  await cacher.start();
  const plan = planList(opts);
  if (plan.from === 'cache') {
    const cached = await cacher.list(plan.freshness, opts.predicate);
    if (cached) {
      return {
        apiVersion: apiVersionOf(r, version),
        kind: r.listKind,
        metadata: { resourceVersion: String(cached.revision) },
        items: cached.items.map((o) => toVersion(r, o, version)),
      };
    }
  }
  return listObjects(ctx.registry, r, version, opts);
}
