// The registry context writes run with: the same as the server's, with a store that gives
// guaranteedUpdate the watch cache's object (watchcache/cached_store.ts), one per resource.
import type { RegistryContext } from '../../registry/generic/context';
import type { Resource } from '../../registry/resource';
import type { ServerContext } from '../context';
import { CachedExistingStore } from '../watchcache/cached_store';
import type { Cacher } from '../watchcache/cacher';

const byCacher = new WeakMap<Cacher, { base: RegistryContext; ctx: RegistryContext }>();

export function registryFor(ctx: ServerContext, r: Resource): RegistryContext {
  const cacher = ctx.cacherFor(r);
  const hit = byCacher.get(cacher);
  if (hit && hit.base === ctx.registry) return hit.ctx;
  const reg: RegistryContext = { ...ctx.registry, store: new CachedExistingStore(ctx.registry.store, (key) => cacher.objectFor(key)) };
  byCacher.set(cacher, { base: ctx.registry, ctx: reg });
  return reg;
}
