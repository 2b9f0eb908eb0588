// The proxy's metrics fold per-request cells into prom-client when read: a scrape must show exactly
// what one inc()/observe() per request would have produced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { ProxyMetrics } from './metrics';
import type { RuleIR } from './ir';

const rule = (route: string) => ({ route }) as RuleIR;

/** The exposition text with each histogram _sum rounded: a batch adds in another order (last-bit float differences). */
const text = async (r: client.Registry) => (await r.metrics()).replace(/(_sum\{[^}]*\}) (\S+)/g, (_, k: string, v: string) => `${k} ${Number(v).toFixed(9)}`);

test('folded counters and histograms read as per-request inc/observe would', async () => {
  const reg = new client.Registry();
  const m = new ProxyMetrics(reg);
  const ref = new client.Registry();
  const refCount = new client.Counter({ name: 'proxy_requests_total', help: 'Requests by route, backend and status code.', labelNames: ['route', 'backend', 'code'], registers: [ref] });
  const refLat = new client.Histogram({
    name: 'proxy_request_duration_seconds',
    help: 'Request latency through the proxy, by route.',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [ref],
  });
  new client.Gauge({ name: 'proxy_snapshot_generation', help: 'Generation of the routing snapshot being served.', registers: [ref] });
  new client.Gauge({ name: 'proxy_upstream_pools', help: 'Upstream connection pools open.', registers: [ref] });
  const routes = [rule('a/r/0'), rule('b/r/1'), null];
  const backends = ['x', 'y', ''];
  const codes = [200, 404, 502, 499];
  // latencies on and around every bound, and above the last one
  const lat = [0, 0.25, 0.5, 0.75, 1, 2, 2.5, 4, 5, 10, 16, 25, 50, 64, 100, 250, 500, 1000, 2500, 5000, 10000, 16384];
  const observe = (i: number) => {
    const r = routes[i % 3];
    const b = backends[(i >> 1) % 3];
    const s = codes[(i >> 2) % 4];
    const ms = lat[i % lat.length];
    m.observe(r, b, s, ms);
    refCount.inc({ route: r ? r.route : '', backend: b, code: String(s) });
    refLat.observe({ route: r ? r.route : '' }, ms / 1000);
  };
  for (let i = 0; i < 500; i++) observe(i);
  assert.equal(await text(reg), await text(ref));
  // a second batch lands on the series the first one made; a read with nothing new changes nothing
  for (let i = 0; i < 333; i++) observe(i * 7);
  assert.equal(await text(reg), await text(ref));
  assert.equal(await text(reg), await text(ref));
  assert.deepEqual(await m.requests.get(), await refCount.get());
  const round = (d: client.MetricObjectWithValues<client.MetricValue<string>>) => ({ ...d, values: d.values.map((v) => ({ ...v, value: Math.round(v.value * 1e9) / 1e9 })) });
  assert.deepEqual(round(await m.latency.get()), round(await refLat.get()));
});
