// The DNS cache the proxy uses: the pure policy (policy.ts) + a resolver (resolver.ts) + ONE
// unref'd timer armed to the policy's next deadline. One DnsCache per Backend (manager.ts).
//
//   const r = cache.lookup(host, port);          // per request
//   const addrs = Array.isArray(r) ? r : await r; // a hit is returned synchronously (a Map lookup)
//   ... the balancer picks an address of `host` → cache.markUsed(host, port)
//
// A hit returns the cached, frozen array itself (never mutate it; its identity changes only when the
// address list changes). Failures reject with DnsCacheError: 'OVERFLOW' ("DNS cache overflow"),
// 'RESOLUTION_FAILURE' or 'TIMEOUT' (both "DNS resolution failure": answer 503 with err.message).
import type { PendingBudget } from './pending';
import client from 'prom-client';
import type { DnsCacheIR } from './config';
import {
  DnsCachePolicy,
  type DnsCacheStats,
  type FailureReason,
  type HostInspect,
  type LoadResult,
  type ResolverPort,
  type Settled,
} from './policy';
import { SystemResolver } from './resolver';

export type DnsErrorCode = 'OVERFLOW' | 'RESOLUTION_FAILURE' | 'TIMEOUT';

export class DnsCacheError extends Error {
  constructor(readonly code: DnsErrorCode) {
    super(code === 'OVERFLOW' ? 'DNS cache overflow' : 'DNS resolution failure');
    this.name = 'DnsCacheError';
  }
}

function failureError(reason: FailureReason): DnsCacheError {
  return new DnsCacheError(reason === 'timeout' ? 'TIMEOUT' : 'RESOLUTION_FAILURE');
}

function unwrap(s: Settled): string[] {
  if (s.status === 'hit') return s.addresses;
  throw failureError(s.reason);
}

/** A resolver the cache may close (SystemResolver is one). */
export type CacheResolver = ResolverPort & { close?(): void; setQueryTimeout?(ms: number): void };

export interface DnsCacheOptions {
  /** the Backend's name: the `backend` label of the metrics */
  name?: string;
  /** default: a SystemResolver with `servers` and `hostsFile` */
  resolver?: CacheResolver;
  /** DNS servers (`--dns-server`), e.g. ['127.0.0.1:5353']; default the system's */
  servers?: string[];
  /** default /etc/hosts; null: none */
  hostsFile?: string | null;
  /** monotonic ms; default performance.timeOrigin + performance.now() */
  clock?: () => number;
  /** the process-wide cap on first lookups in flight (shared by every cache) */
  pending?: PendingBudget;
}

export interface DnsCacheInspect {
  name: string;
  config: DnsCacheIR;
  stats: DnsCacheStats;
  hosts: HostInspect[];
}

const monotonicNow = (): number => performance.timeOrigin + performance.now();
const MAX_DELAY = 2 ** 31 - 1;

/** Every open DnsCache (registerDnsMetrics' default source). */
const live = new Set<DnsCache>();

export class DnsCache {
  readonly name: string;
  private readonly policy: DnsCachePolicy;
  private readonly resolver: CacheResolver;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;
  private closed = false;

  constructor(config: DnsCacheIR, opts: DnsCacheOptions = {}) {
    this.name = opts.name ?? '';
    this.clock = opts.clock ?? monotonicNow;
    this.resolver =
      opts.resolver ??
      new SystemResolver({ servers: opts.servers, hostsFile: opts.hostsFile, queryTimeoutMs: config.queryTimeoutMs });
    this.policy = new DnsCachePolicy(config, {
      clock: this.clock,
      resolver: this.resolver,
      onSchedule: () => this.arm(),
      pending: opts.pending,
    });
    live.add(this);
  }

  get config(): Readonly<DnsCacheIR> {
    return this.policy.config;
  }

  /**
   * The addresses of host:port: the cached array synchronously on a hit, else a promise (the first
   * lookup of a host, shared by concurrent callers). Rejects with DnsCacheError. `host` as in the
   * authority (case, a trailing dot and [v6] brackets are normalized); `port` the authority's or the
   * Backend's default (80, 443 for tls/h2).
   */
  lookup(host: string, port: number): Promise<string[]> | string[] {
    const r: LoadResult = this.policy.resolve(host, port);
    switch (r.status) {
      case 'hit':
        return r.addresses;
      case 'pending':
        return r.promise.then(unwrap);
      case 'overflow':
        return Promise.reject(new DnsCacheError('OVERFLOW'));
      default:
        return Promise.reject(failureError(r.reason));
    }
  }

  /** The raw policy answer, for callers that prefer no promise/exception (status 'hit' | 'pending' | 'overflow' | 'failure'). */
  resolve(host: string, port: number): LoadResult {
    return this.policy.resolve(host, port);
  }

  /** The cached addresses, if any; never starts a lookup. */
  peek(host: string, port: number): string[] | undefined {
    return this.policy.peek(host, port);
  }

  /** The balancer picked this host for a request (hostTTL counts from the last such use). */
  markUsed(host: string, port: number): void {
    this.policy.markUsed(host, port);
  }

  /**
   * Apply a new config in place. Returns false (and changes nothing) when the lookup family differs:
   * the cached answers belong to the old family, so the caller replaces the cache.
   */
  reconfigure(config: DnsCacheIR): boolean {
    if (config.lookupFamily !== this.policy.config.lookupFamily) return false;
    this.policy.reconfigure(config);
    this.resolver.setQueryTimeout?.(config.queryTimeoutMs);
    return true;
  }

  stats(): DnsCacheStats {
    return this.policy.stats();
  }

  inspect(): DnsCacheInspect {
    // times are the cache clock's: by default monotonic epoch milliseconds (timeOrigin + now())
    return { name: this.name, config: { ...this.policy.config }, stats: this.policy.stats(), hosts: this.policy.inspect(this.clock()) };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stop the timer, cancel lookups in flight (their waiters get RESOLUTION_FAILURE), forget every host. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.policy.close();
    this.resolver.close?.();
  }

  private arm(): void {
    if (this.closed) return;
    const d = this.policy.nextDeadline();
    if (d === null) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.armedAt = Infinity;
      return;
    }
    if (this.timer && this.armedAt <= d) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.min(MAX_DELAY, Math.max(0, Math.ceil(d - this.clock())));
    this.armedAt = d;
    this.timer = setTimeout(this.onTimer, delay);
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.armedAt = Infinity;
    if (this.closed) return;
    this.policy.tick(this.clock());
    this.arm();
  };
}

/** Something that lists caches with their backend names (the manager is one). */
export interface DnsCacheSource {
  caches(): Iterable<DnsCache>;
}

const METRIC_DEFS = [
  ['queries', 'switchyard_dns_cache_queries_total', 'DNS lookups started (first lookups and refreshes).'],
  ['successes', 'switchyard_dns_cache_query_successes_total', 'DNS lookups that returned at least one address.'],
  ['failures', 'switchyard_dns_cache_query_failures_total', 'DNS lookups that failed, timed out or returned no address.'],
  ['timeouts', 'switchyard_dns_cache_query_timeouts_total', 'DNS lookups cancelled by dnsQueryTimeout.'],
  ['evictions', 'switchyard_dns_cache_host_evictions_total', 'Hosts removed after being unused for hostTTL.'],
  ['overflows', 'switchyard_dns_cache_host_overflows_total', 'New hosts refused because the cache held maxHosts.'],
  ['addressChanges', 'switchyard_dns_cache_address_changes_total', 'Refreshes whose ordered address list differed.'],
] as const;

/**
 * Register the DNS cache metrics on `registry` (once per registry; later calls are no-ops), labelled
 * {backend}. They read the caches' counters at scrape time; default source: every open DnsCache.
 */
export function registerDnsMetrics(registry: client.Registry, source?: DnsCacheSource): void {
  if (registry.getSingleMetric('switchyard_dns_cache_hosts')) return;
  const caches = (): Iterable<DnsCache> => (source ? source.caches() : live);
  for (const [field, name, help] of METRIC_DEFS) {
    new client.Counter({
      name,
      help,
      labelNames: ['backend'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of caches()) if (!c.isClosed) this.inc({ backend: c.name }, c.stats()[field]);
      },
    });
  }
  new client.Gauge({
    name: 'switchyard_dns_cache_hosts',
    help: 'Hosts in the DNS cache (resolving, failed and IP literals included).',
    labelNames: ['backend'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of caches()) if (!c.isClosed) this.inc({ backend: c.name }, c.stats().hosts);
    },
  });
}
