// Proxy metrics (prom-client). prom-client hashes a request's labels on every inc()/observe() (a
// `labels(...)` child does too), which cost more than the rest of the bookkeeping per request. So
// the hot path only bumps plain numbers in cells found by route, backend and status (maps keyed by
// the rule's and backend's own strings: no key is built per request), and the cells are folded
// into the prom-client metrics when they are read (`collect`, run by every get()/registry.metrics()),
// so what a scrape sees is what per-request inc()/observe() calls would have produced.
import client from 'prom-client';
import type { RuleIR } from './ir';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BOUNDS = Float64Array.from(LATENCY_BUCKETS);

/** requests for one (route, backend, code) not yet folded into the counter */
interface CountCell {
  readonly labels: { route: string; backend: string; code: string };
  pending: number;
}

/** one route's latencies not yet folded into the histogram */
class LatencyCell {
  /** per bucket of LATENCY_BUCKETS (index = first bound ≥ the value); above the last: only count and sum */
  readonly buckets = new Float64Array(BOUNDS.length);
  sum = 0;
  count = 0;
  constructor(readonly route: string) {}
}

/** What prom-client 15 keeps per histogram series (its `hashMap` values). */
interface HistogramEntry {
  labels: Record<string, string | number>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

export class ProxyMetrics {
  readonly requests: client.Counter<'route' | 'backend' | 'code'>;
  readonly latency: client.Histogram<'route'>;
  readonly generation: client.Gauge;
  readonly upstreamPools: client.Gauge;
  /** route → backend → status → cell */
  private readonly counts = new Map<string, Map<string, Map<number, CountCell>>>();
  private readonly dirtyCounts: CountCell[] = [];
  private readonly latencies = new Map<string, LatencyCell>();
  private readonly dirtyLatencies: LatencyCell[] = [];

  /** refresh: runs before a read (proxy workers send their batched requests first: workers/pool.ts) */
  constructor(registry: client.Registry, refresh?: () => Promise<void>) {
    this.requests = new client.Counter({
      name: 'proxy_requests_total',
      help: 'Requests by route, backend and status code.',
      labelNames: ['route', 'backend', 'code'],
      registers: [registry],
      collect: refresh ? async () => (await refresh(), this.foldCounts()) : () => this.foldCounts(),
    });
    this.latency = new client.Histogram({
      name: 'proxy_request_duration_seconds',
      help: 'Request latency through the proxy, by route.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
      collect: refresh ? async () => (await refresh(), this.foldLatencies()) : () => this.foldLatencies(),
    });
    this.generation = new client.Gauge({ name: 'proxy_snapshot_generation', help: 'Generation of the routing snapshot being served.', registers: [registry] });
    this.upstreamPools = new client.Gauge({ name: 'proxy_upstream_pools', help: 'Upstream connection pools open.', registers: [registry] });
  }

  observe(rule: RuleIR | null, backend: string, status: number, ms: number): void {
    const route = rule ? rule.route : '';
    let byBackend = this.counts.get(route);
    if (byBackend === undefined) this.counts.set(route, (byBackend = new Map()));
    let byStatus = byBackend.get(backend);
    if (byStatus === undefined) byBackend.set(backend, (byStatus = new Map()));
    let c = byStatus.get(status);
    if (c === undefined) byStatus.set(status, (c = { labels: { route, backend, code: String(status) }, pending: 0 }));
    if (c.pending++ === 0) this.dirtyCounts.push(c);

    const v = ms / 1000;
    if (!Number.isFinite(v)) return;
    let l = this.latencies.get(route);
    if (l === undefined) this.latencies.set(route, (l = new LatencyCell(route)));
    if (l.count === 0) this.dirtyLatencies.push(l);
    l.count++;
    l.sum += v;
    for (let i = 0; i < BOUNDS.length; i++) {
      if (v <= BOUNDS[i]!) {
        l.buckets[i]!++;
        break;
      }
    }
  }

  private foldCounts(): void {
    const dirty = this.dirtyCounts;
    for (let i = 0; i < dirty.length; i++) {
      const c = dirty[i]!;
      this.requests.inc(c.labels, c.pending);
      c.pending = 0;
    }
    dirty.length = 0;
  }

  private foldLatencies(): void {
    const dirty = this.dirtyLatencies;
    if (dirty.length === 0) return;
    const map = (this.latency as unknown as { hashMap: Record<string, HistogramEntry> }).hashMap;
    const byRoute = new Map<string, HistogramEntry>();
    for (const e of Object.values(map)) byRoute.set(String(e.labels.route), e);
    for (let i = 0; i < dirty.length; i++) {
      const l = dirty[i]!;
      let e = byRoute.get(l.route);
      if (e === undefined) {
        this.latency.zero({ route: l.route });
        for (const x of Object.values(map)) if (x.labels.route === l.route) e = x;
        if (e === undefined) throw new Error('prom-client histogram: no series after zero()');
        byRoute.set(l.route, e);
      }
      e.count += l.count;
      e.sum += l.sum;
      for (let b = 0; b < BOUNDS.length; b++) {
        if (l.buckets[b] !== 0) e.bucketValues[LATENCY_BUCKETS[b]!] += l.buckets[b]!;
        l.buckets[b] = 0;
      }
      l.count = 0;
      l.sum = 0;
    }
    dirty.length = 0;
  }
}
