// One DnsCache per Backend name. A dynamicProxy Backend gets a cache with its DnsCacheIR; a Backend
// with FQDN endpoints (and no dynamicProxy) gets one with the defaults; a Backend with only IP
// endpoints gets none. A changed config is applied in place (same lookup family) or replaces the
// cache (family changed: the cached answers are for the old family); a Backend that goes away has
// its cache closed.
import type { DnsBackend, DnsCacheIR } from './config';
import { DEFAULT_DNS_MAX_PENDING, PendingBudget } from './pending';
import { DnsCache, type CacheResolver, type DnsCacheInspect, type DnsCacheSource } from './cache';

/** Apoxy's DynamicProxyDnsCacheConfig defaults. */
export const DEFAULT_DNS_CACHE_IR: Readonly<DnsCacheIR> = Object.freeze({
  lookupFamily: 'auto',
  refreshRateMs: 60_000,
  minRefreshRateMs: 5_000,
  queryTimeoutMs: 5_000,
  hostTTLMs: 300_000,
  maxHosts: 1024,
});

export interface DnsCacheManagerOptions {
  /** `--dns-server` (parseDnsServers); default the system's servers */
  servers?: string[];
  /** default /etc/hosts; null: none */
  hostsFile?: string | null;
  /** monotonic ms clock for every cache (tests) */
  clock?: () => number;
  /** first lookups in flight at once across every cache (--dns-max-pending); default 1024 */
  maxPending?: number;
  /** resolver per cache (tests); default a SystemResolver per cache */
  resolverFactory?: (backend: string, config: DnsCacheIR) => CacheResolver;
}

function sameIR(a: DnsCacheIR, b: DnsCacheIR): boolean {
  return (
    a.lookupFamily === b.lookupFamily &&
    a.refreshRateMs === b.refreshRateMs &&
    a.minRefreshRateMs === b.minRefreshRateMs &&
    a.queryTimeoutMs === b.queryTimeoutMs &&
    a.hostTTLMs === b.hostTTLMs &&
    a.maxHosts === b.maxHosts
  );
}

/** The DNS cache config a Backend needs, or undefined when it resolves nothing. */
export function dnsCacheConfigFor(backend: DnsBackend): DnsCacheIR | undefined {
  if (backend.dynamicProxy) return backend.dynamicProxy;
  return backend.endpoints.some((e) => !e.isIP) ? { ...DEFAULT_DNS_CACHE_IR } : undefined;
}

export class DnsCacheManager implements DnsCacheSource {
  private readonly byBackend = new Map<string, DnsCache>();
  private closed = false;
  /** one budget for the process: every cache's first lookups share it */
  readonly pending: PendingBudget;

  constructor(private readonly opts: DnsCacheManagerOptions = {}) {
    this.pending = new PendingBudget(opts.maxPending ?? DEFAULT_DNS_MAX_PENDING);
  }

  /** The cache of a Backend, if it has one. */
  get(backend: string): DnsCache | undefined {
    return this.byBackend.get(backend);
  }

  /**
   * Make `backend`'s cache match `config`: create, reconfigure in place, replace (lookup family
   * changed) or, with undefined, close and remove it. Returns the cache now in use.
   */
  apply(backend: string, config: DnsCacheIR | undefined): DnsCache | undefined {
    if (this.closed) throw new Error('DnsCacheManager is closed');
    const cur = this.byBackend.get(backend);
    if (config === undefined) {
      if (cur) {
        this.byBackend.delete(backend);
        cur.close();
      }
      return undefined;
    }
    if (cur) {
      if (sameIR(cur.config, config)) return cur;
      if (cur.reconfigure(config)) return cur;
      cur.close();
    }
    const cache = new DnsCache(config, {
      name: backend,
      pending: this.pending,
      servers: this.opts.servers,
      hostsFile: this.opts.hostsFile,
      clock: this.opts.clock,
      resolver: this.opts.resolverFactory?.(backend, config),
    });
    this.byBackend.set(backend, cache);
    return cache;
  }

  /** Reconcile with a routing snapshot's backends: every Backend that needs a cache has one, the rest none. */
  sync(backends: Record<string, DnsBackend>): void {
    for (const name of [...this.byBackend.keys()]) {
      if (!Object.prototype.hasOwnProperty.call(backends, name)) this.apply(name, undefined);
    }
    for (const [name, b] of Object.entries(backends)) this.apply(name, dnsCacheConfigFor(b));
  }

  /** Remove one backend's cache (the Backend went away). */
  remove(backend: string): void {
    this.apply(backend, undefined);
  }

  names(): string[] {
    return [...this.byBackend.keys()];
  }

  caches(): Iterable<DnsCache> {
    return this.byBackend.values();
  }

  /** For the web console: every cache's config, counters and hosts. */
  inspect(): Record<string, DnsCacheInspect> {
    const out: Record<string, DnsCacheInspect> = {};
    for (const [name, c] of this.byBackend) out[name] = c.inspect();
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.byBackend.values()) c.close();
    this.byBackend.clear();
  }
}
