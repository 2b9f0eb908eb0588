// Proxy metrics (prom-client). Label children are cached per (rule, backend, code) so the hot path
// does a Map lookup, not a label-hash per request.
import client from 'prom-client';
import type { RuleIR } from './ir';

export class ProxyMetrics {
  readonly requests: client.Counter<'route' | 'backend' | 'code'>;
  readonly latency: client.Histogram<'route'>;
  readonly generation: client.Gauge;
  readonly upstreamPools: client.Gauge;
  private readonly children = new Map<string, client.Counter.Internal>();
  private readonly latencyChildren = new Map<string, client.Histogram.Internal<'route'>>();

  constructor(registry: client.Registry) {
    this.requests = new client.Counter({ name: 'proxy_requests_total', help: 'Requests by route, backend and status code.', labelNames: ['route', 'backend', 'code'], registers: [registry] });
    this.latency = new client.Histogram({
      name: 'proxy_request_duration_seconds',
      help: 'Request latency through the proxy, by route.',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.generation = new client.Gauge({ name: 'proxy_snapshot_generation', help: 'Generation of the routing snapshot being served.', registers: [registry] });
    this.upstreamPools = new client.Gauge({ name: 'proxy_upstream_pools', help: 'Upstream connection pools open.', registers: [registry] });
  }

  observe(rule: RuleIR | null, backend: string, status: number, ms: number): void {
    const route = rule ? rule.route : '';
    const key = `${route}\u0000${backend}\u0000${status}`;
    let c = this.children.get(key);
    if (!c) {
      c = this.requests.labels({ route, backend, code: String(status) });
      this.children.set(key, c);
    }
    c.inc();
    let h = this.latencyChildren.get(route);
    if (!h) {
      h = this.latency.labels({ route });
      this.latencyChildren.set(route, h);
    }
    h.observe(ms / 1000);
  }
}
