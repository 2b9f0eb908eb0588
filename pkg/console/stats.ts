// The console's one read-only JSON endpoint beyond the REST API: live proxy figures that no
// Kubernetes object holds. Traffic rings per route and per backend (pkg/proxy/stats), endpoint
// health (balancer EndpointState), the DNS caches, and facade state when a facade exposes it.
// Times are sent relative to the moment of the report (…InMs, …AgoMs), so the browser's clock
// never matters.
import type { Proxy } from '../proxy/proxy';
import type { DnsCacheManager } from '../dns/manager';
import type { SeriesReport } from '../proxy/stats/ring';

/** What the console reads of the proxy: the in-process one, or the main's side of its workers. */
export type ConsoleProxy = Pick<Proxy, 'now' | 'stats' | 'snapshot' | 'dataPlane'>;

/** What the endpoint reads. Filled in late: `serve` starts the proxy after the apiserver. */
export interface ConsoleSource {
  proxy?: ConsoleProxy;
  /** brings the figures up to date before a report (proxy workers send their batched requests) */
  refresh?: () => Promise<void>;
  dns?: DnsCacheManager;
  /** facade state (edgeProxy backends, registry routes, upstreams), when the facades expose it */
  facades?: () => unknown;
}

export interface EndpointReport {
  backend: string;
  id: string;
  host: string;
  port: number;
  weight: number;
  region: string | null;
  /** active health check verdict */
  healthy: boolean;
  /** passive ejection in force */
  ejected: boolean;
  ejectedForMs: number;
  ejections: number;
  breaker: 'closed' | 'open' | 'half-open' | null;
  breakerRetryInMs: number | null;
  breakerOpens: number;
  /** healthy ∧ not ejected ∧ breaker allows ∧ below the hard limit */
  status: 'healthy' | 'unhealthy' | 'ejected' | 'circuit-open' | 'at-limit';
  active: number;
  softLimit: number | null;
  hardLimit: number | null;
  activeHealthCheck: boolean;
  passiveHealthCheck: boolean;
  lastResult: 'success' | 'failure' | null;
  lastCheckedAgoMs: number | null;
}

export interface DnsHostReport {
  host: string;
  port: number;
  addresses: string[];
  state: string;
  ttlLeftMs: number | null;
  nextRefreshInMs: number | null;
  lastUsedAgoMs: number | null;
  failures: number;
  lastFailure: string | null;
}

export interface DnsCacheReport {
  backend: string;
  mode: 'dynamicProxy' | 'fqdn';
  config: Record<string, unknown>;
  hosts: DnsHostReport[];
  maxHosts: number;
  stats: Record<string, number>;
}

export interface StatsReport {
  kind: 'ProxyStats';
  /** false: this apiserver runs no proxy (`switchyard apiserver`): every list is empty */
  proxy: boolean;
  generatedAt: string;
  resolutionMs: number;
  windowMs: number;
  generation: number;
  routes: SeriesReport[];
  backends: SeriesReport[];
  endpoints: EndpointReport[];
  dns: DnsCacheReport[];
  facades: unknown;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const monotonicNow = (): number => performance.timeOrigin + performance.now();

export function emptyReport(): StatsReport {
  return {
    kind: 'ProxyStats',
    proxy: false,
    generatedAt: new Date().toISOString(),
    resolutionMs: 10_000,
    windowMs: 900_000,
    generation: 0,
    routes: [],
    backends: [],
    endpoints: [],
    dns: [],
    facades: null,
  };
}

export function buildReport(src: ConsoleSource, opts: { traffic?: boolean } = {}): StatsReport {
  const out = emptyReport();
  const p = src.proxy;
  if (src.facades) {
    try {
      out.facades = src.facades() ?? null;
    } catch {
      out.facades = null;
    }
  }
  if (!p) return out;
  out.proxy = true;
  const now = p.now();
  out.resolutionMs = p.stats.resolutionMs;
  out.windowMs = p.stats.windowMs;
  out.generation = p.snapshot.generation;
  if (opts.traffic !== false) {
    const t = p.stats.report(Date.now());
    out.routes = t.routes;
    out.backends = t.backends;
  }
  for (const [name, rt] of p.dataPlane.backends) {
    for (const s of rt.states) {
      const ejected = s.ejectedUntil > now;
      const breaker = s.breaker ? s.breaker.state : null;
      const atLimit = s.active >= s.hardLimit;
      out.endpoints.push({
        backend: name,
        id: s.ep.id,
        host: s.ep.host,
        port: s.ep.port,
        weight: s.ep.weight,
        region: s.ep.region ?? null,
        healthy: s.healthy,
        ejected,
        ejectedForMs: ejected ? s.ejectedUntil - now : 0,
        ejections: s.ejections,
        breaker,
        breakerRetryInMs: s.breaker && breaker === 'open' ? Math.max(0, s.breaker.retryAt - now) : null,
        breakerOpens: s.breaker?.opens ?? 0,
        status: !s.healthy ? 'unhealthy' : ejected ? 'ejected' : breaker === 'open' ? 'circuit-open' : atLimit ? 'at-limit' : 'healthy',
        active: s.active,
        softLimit: finite(s.softLimit),
        hardLimit: finite(s.hardLimit),
        activeHealthCheck: rt.ir.activeHealthCheck !== undefined,
        passiveHealthCheck: rt.ir.passiveHealthCheck !== undefined,
        lastResult: s.lastResult,
        lastCheckedAgoMs: s.lastCheckedAt > 0 ? Math.max(0, now - s.lastCheckedAt) : null,
      });
    }
  }
  if (src.dns) {
    const mono = monotonicNow();
    const backends = p.snapshot.backends;
    for (const [name, c] of Object.entries(src.dns.inspect())) {
      out.dns.push({
        backend: name,
        mode: backends[name]?.dynamicProxy ? 'dynamicProxy' : 'fqdn',
        config: { ...c.config },
        maxHosts: c.config.maxHosts,
        stats: { ...c.stats } as unknown as Record<string, number>,
        hosts: c.hosts.map((h) => ({
          host: h.host,
          port: h.port,
          addresses: h.addresses,
          state: h.state,
          ttlLeftMs: h.ttlLeftMs,
          nextRefreshInMs: h.nextRefreshAt === null ? null : Math.round(h.nextRefreshAt - mono),
          lastUsedAgoMs: h.lastUsedAt > 0 ? Math.max(0, Math.round(mono - h.lastUsedAt)) : null,
          failures: h.failures,
          lastFailure: h.lastFailure,
        })),
      });
    }
    out.dns.sort((a, b) => (a.backend < b.backend ? -1 : a.backend > b.backend ? 1 : 0));
  }
  return out;
}
