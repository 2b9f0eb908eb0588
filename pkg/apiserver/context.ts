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
  /** resolves when the server begins shutting down: watches end with a final bookmark */
  closing: { closed: boolean; onClose(fn: () => void): void };
}
