// The proxy's HostResolver over the per-Backend DNS caches.
import type { HostResolver } from '../proxy/resolve';
import type { DnsCacheManager } from '../dns/manager';
import { DnsCacheError } from '../dns/cache';

export function cacheResolver(manager: DnsCacheManager): HostResolver {
  return {
    resolve(backend, host, port) {
      const cache = manager.get(backend);
      if (!cache) return Promise.reject(new DnsCacheError('RESOLUTION_FAILURE'));
      return cache.lookup(host, port);
    },
    used(backend, host, port) {
      manager.get(backend)?.markUsed(host, port);
    },
  };
}
