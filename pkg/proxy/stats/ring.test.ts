import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BOUNDS_MS, latencyBucket, NO_ROUTE_KEY, OTHER_KEY, ProxyStats, quantile, SeriesRing } from './ring';

const T0 = 1_700_000_000_000; // a multiple of 10 s

test('latencyBucket: bounds are inclusive upper edges; above the last goes to the overflow bucket', () => {
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(-3), 0);
  assert.equal(latencyBucket(Number.NaN), 0);
  assert.equal(latencyBucket(0.25), 0);
  assert.equal(latencyBucket(0.26), 1);
  assert.equal(latencyBucket(1), 2);
  assert.equal(latencyBucket(10_000), LATENCY_BOUNDS_MS.length - 1);
  assert.equal(latencyBucket(10_001), LATENCY_BOUNDS_MS.length);
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) assert.equal(latencyBucket(LATENCY_BOUNDS_MS[i]!), i);
});

test('quantile: empty is null; interpolates within the bucket', () => {
  const h = new Uint32Array(LATENCY_BOUNDS_MS.length + 1);
  assert.equal(quantile(h, 0, 0.5), null);
  h[latencyBucket(12)] = 100; // (10, 15]
  const p50 = quantile(h, 0, 0.5)!;
  assert.ok(p50 > 10 && p50 <= 15, String(p50));
  assert.equal(quantile(h, 0, 1), 15);
  h[LATENCY_BOUNDS_MS.length] = 1000; // above 10 s
  assert.equal(quantile(h, 0, 0.99), 10_000);
});

test('ring: counts per 10 s bucket, errors, p50/p99 and totals over the window', () => {
  const r = new SeriesRing();
  for (let i = 0; i < 99; i++) r.record(T0 + 1000, false, 2);
  r.record(T0 + 2000, true, 900);
  r.record(T0 + 12_000, false, 30);
  const rep = r.report('x', T0 + 15_000);
  assert.equal(rep.requests.length, 90);
  assert.equal(rep.step, 10_000);
  assert.equal(rep.start, T0 + 10_000 - 89 * 10_000);
  assert.deepEqual(rep.requests.slice(-2), [100, 1]);
  assert.deepEqual(rep.errors.slice(-2), [1, 0]);
  assert.ok(rep.p50.at(-2)! > 1 && rep.p50.at(-2)! <= 2);
  assert.ok(rep.p99.at(-2)! > 1, 'p99 of 99×2 ms + 1×900 ms');
  assert.ok(rep.p50.at(-1)! > 25 && rep.p50.at(-1)! <= 40);
  assert.equal(rep.p50[0], null);
  assert.equal(rep.total.requests, 101);
  assert.equal(rep.total.errors, 1);
  assert.equal(rep.lastAt, T0 + 12_000);
});

test('ring: a slot is reset when the ring comes round; old buckets leave the window', () => {
  const r = new SeriesRing({ resolutionMs: 10_000, slots: 90 });
  r.record(T0, false, 1);
  r.record(T0, false, 1);
  // 15 minutes later the same slot is reused
  const later = T0 + 90 * 10_000;
  r.record(later, true, 5);
  const rep = r.report('x', later);
  assert.equal(rep.total.requests, 1);
  assert.equal(rep.total.errors, 1);
  assert.equal(rep.requests.at(-1), 1);
  // reading 15 minutes after the last request: nothing left, and the ring says idle
  const quiet = r.report('x', later + 90 * 10_000);
  assert.equal(quiet.total.requests, 0);
  assert.ok(r.idle(later + 90 * 10_000));
  assert.ok(!r.idle(later + 10_000));
});

test('ProxyStats: per route and per backend; unmatched and local answers; idle keys forgotten', () => {
  const s = new ProxyStats();
  s.observe('web', 'b1', 200, 3, T0);
  s.observe('web', 'b2', 503, 7, T0);
  s.observe('', '', 404, 0, T0);
  s.observe('web', '', 301, 0, T0);
  const rep = s.report(T0 + 1);
  assert.deepEqual(rep.routes.map((r) => [r.key, r.total.requests, r.total.errors]), [[NO_ROUTE_KEY, 1, 0], ['web', 3, 1]]);
  assert.deepEqual(rep.backends.map((r) => [r.key, r.total.requests, r.total.errors]), [['b1', 1, 0], ['b2', 1, 1]]);
  const gone = s.report(T0 + 16 * 60_000);
  assert.equal(gone.routes.length, 0);
  assert.equal(gone.backends.length, 0);
});

test('ProxyStats: keys past maxKeys share one series', () => {
  const s = new ProxyStats({ maxKeys: 2 });
  for (const r of ['a', 'b', 'c', 'd']) s.observe(r, '', 200, 1, T0);
  const keys = s.report(T0).routes.map((r) => [r.key, r.total.requests]);
  assert.deepEqual(keys, [[OTHER_KEY, 2], ['a', 1], ['b', 1]]);
});

test('ring: recording is cheap (1M records in well under 5 s)', () => {
  const s = new ProxyStats();
  const started = performance.now();
  for (let i = 0; i < 1_000_000; i++) s.observe('r', 'b', i % 50 === 0 ? 502 : 200, (i % 97) / 3, T0 + Math.floor(i / 10));
  const took = performance.now() - started;
  assert.ok(took < 5000, `took ${took} ms`); // ~150 ms on an idle core
  assert.equal(s.report(T0 + 100_000).routes[0]!.total.requests, 1_000_000);
});
