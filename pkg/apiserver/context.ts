// What every handler is given: the registry context, the served resources, their watch caches.
import type { RegistryContext } from '../registry/generic/context';
import type { Resource } from '../registry/resource';
import type { Cacher } from './watchcache/cacher';
import type { Logger } from '../log/logger';

export interface ServerContext {
  registry: RegistryContext;
  resources: Resource[];
  cacherFor(r: Resource): Cacher;
  log: Logger;
  /**
   * runs `fn` when the server begins shutting down (watches end with a final bookmark); the
   * returned function unregisters it (a watch that ended must not stay registered until shutdown)
   */
  closing: { closed: boolean; onClose(fn: () => void): () => void };
}
