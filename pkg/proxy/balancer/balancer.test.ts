import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer, type Balancer } from './balancer';
import { startRequest, finishRequest, type EndpointState } from './endpoint_state';
import { ctx, ep, lb, seeded, states, tally } from './testutil';

const deps = (now = 0, seed = 1) => ({ now: () => now, rand: seeded(seed) });
const ids = (b: Balancer, n: number, c = ctx()) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(b.pick(c)?.ep.host ?? 'null');
  return out;
};

test('round-robin: 3:1 is exactly 75/25 over every 4 picks, interleaved', () => {
  const b = createBalancer(lb('round-robin'), states([ep('a', 3), ep('b', 1)]), deps());
  const seq = ids(b, 400);
  for (let i = 0; i < 400; i += 4) {
    const win = seq.slice(i, i + 4);
    assert.equal(win.filter((x) => x === 'a').length, 3, `window ${i}: ${win}`);
    assert.equal(win.filter((x) => x === 'b').length, 1);
  }
  assert.deepEqual(seq.slice(0, 4), ['a', 'a', 'b', 'a']);
});

test('round-robin: nginx smooth sequence for 5:1:1', () => {
  const b = createBalancer(lb('round-robin'), states([ep('a', 5), ep('b', 1), ep('c', 1)]), deps());
  assert.deepEqual(ids(b, 14), ['a', 'a', 'b', 'a', 'c', 'a', 'a', 'a', 'a', 'b', 'a', 'c', 'a', 'a']);
});

test('round-robin: equal weights rotate', () => {
  const b = createBalancer(lb('round-robin'), states([ep('a'), ep('b'), ep('c')]), deps());
  assert.deepEqual(ids(b, 6), ['a', 'b', 'c', 'a', 'b', 'c']);
});

test('weight 0 never receives traffic, with every algorithm', () => {
  for (const l of [
    lb('round-robin'),
    lb('least-connections'),
    lb('random'),
    lb('consistent-hash', { hashOn: 'ip' }),
    lb('round-robin', { loadAware: true }),
  ]) {
    const st = states([ep('a', 0), ep('b', 2), ep('c', 0)]);
    const b = createBalancer(l, st, deps());
    for (let i = 0; i < 500; i++) assert.equal(b.pick(ctx({ clientIP: `10.0.${i >> 8}.${i & 255}` }))!.ep.host, 'b', l.algorithm);
    const allZero = createBalancer(l, states([ep('a', 0), ep('b', 0)]), deps());
    assert.equal(allZero.pick(ctx()), null);
  }
});

test('no endpoints → null', () => {
  for (const a of ['round-robin', 'least-connections', 'random', 'consistent-hash'] as const) {
    assert.equal(createBalancer(lb(a, { hashOn: 'ip' }), [], deps()).pick(ctx()), null);
  }
});

test('unavailable endpoints are skipped: unhealthy, ejected, breaker open, at hard limit', () => {
  const now = 1000;
  const cb = { maxConnections: 2, consecutiveFailures: 1, openMs: 5000 };
  for (const algorithm of ['round-robin', 'least-connections', 'random', 'consistent-hash'] as const) {
    const st = states([ep('a'), ep('b'), ep('c'), ep('d'), ep('e')], { circuitBreaker: cb });
    const [a, b, c, d] = st as [EndpointState, EndpointState, EndpointState, EndpointState, EndpointState];
    a.healthy = false;
    b.ejectedUntil = now + 1;
    finishRequest(c, true, now); // breaker opens
    d.active = 2; // at the hard limit
    const bal = createBalancer(lb(algorithm, { hashOn: 'ip' }), st, deps(now));
    let k = 0;
    const t = tally(() => bal.pick(ctx({ clientIP: `ip${k++}` })), 200);
    assert.deepEqual(Object.keys(t), ['e:80'], algorithm);
    st[4]!.active = 2;
    assert.equal(bal.pick(ctx()), null, `${algorithm}: all unavailable`);
  }
});

test('ejection ends at ejectedUntil', () => {
  const st = states([ep('a')]);
  st[0]!.ejectedUntil = 500;
  let now = 499;
  const b = createBalancer(lb('round-robin'), st, { now: () => now, rand: Math.random });
  assert.equal(b.pick(ctx()), null);
  now = 500;
  assert.equal(b.pick(ctx()), st[0]);
});

test('soft limit: above it only when nothing is below it', () => {
  for (const algorithm of ['round-robin', 'least-connections', 'random', 'consistent-hash'] as const) {
    const st = states([ep('a', 10), ep('b', 1)], { circuitBreaker: { softLimit: 3, maxConnections: 5 } });
    st[0]!.active = 3; // at soft
    const b = createBalancer(lb(algorithm, { hashOn: 'ip' }), st, deps());
    let k = 0;
    const t = tally(() => b.pick(ctx({ clientIP: `c${k++}` })), 100);
    assert.deepEqual(t, { 'b:80': 100 }, algorithm);
    st[1]!.active = 3;
    const t2 = tally(() => b.pick(ctx({ clientIP: `c${k++}` })), 100);
    assert.ok((t2['a:80'] ?? 0) > 0, `${algorithm}: both above soft → both used`);
    st[0]!.active = 5;
    st[1]!.active = 5;
    assert.equal(b.pick(ctx()), null, `${algorithm}: hard limit`);
  }
});

test('exclude: a retry avoids the endpoint that failed, unless it is the only one', () => {
  for (const algorithm of ['round-robin', 'least-connections', 'random', 'consistent-hash'] as const) {
    const st = states([ep('a'), ep('b'), ep('c')]);
    const b = createBalancer(lb(algorithm, { hashOn: 'ip' }), st, deps());
    for (let i = 0; i < 50; i++) {
      const first = b.pick(ctx({ clientIP: `k${i}` }))!;
      const second = b.pick(ctx({ clientIP: `k${i}`, exclude: first }))!;
      assert.notEqual(second, first, algorithm);
    }
    st[1]!.healthy = false;
    st[2]!.healthy = false;
    assert.equal(b.pick(ctx({ exclude: st[0] })), st[0], `${algorithm}: only one left`);
    st[0]!.healthy = false;
    assert.equal(b.pick(ctx({ exclude: st[0] })), null);
  }
});

test('least-connections: lowest active/weight', () => {
  const st = states([ep('a', 1), ep('b', 2), ep('c', 1)]);
  const b = createBalancer(lb('least-connections'), st, deps());
  st[0]!.active = 2;
  st[1]!.active = 3; // 1.5
  st[2]!.active = 1; // 1
  assert.equal(b.pick(ctx()), st[2]);
  st[2]!.active = 4;
  assert.equal(b.pick(ctx()), st[1]);
});

test('least-connections: ties are shared round-robin, not always the first', () => {
  const b = createBalancer(lb('least-connections'), states([ep('a'), ep('b'), ep('c')]), deps());
  assert.deepEqual(ids(b, 6), ['a', 'b', 'c', 'a', 'b', 'c']);
  // idle endpoints share by weight
  const w = createBalancer(lb('least-connections'), states([ep('a', 3), ep('b', 1)]), deps());
  assert.deepEqual(ids(w, 8), ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
});

test('least-connections: requests in flight steer new ones away', () => {
  const st = states([ep('a'), ep('b')]);
  const b = createBalancer(lb('least-connections'), st, deps());
  const x = b.pick(ctx())!;
  startRequest(x);
  const y = b.pick(ctx())!;
  assert.notEqual(y, x);
  startRequest(y);
  startRequest(b.pick(ctx())!);
  assert.deepEqual(st.map((s) => s.active).sort(), [1, 2]);
});

test('random: weighted, deterministic with the injected rand', () => {
  const mk = () => createBalancer(lb('random'), states([ep('a', 3), ep('b', 1)]), deps(0, 42));
  const b1 = mk();
  const b2 = mk();
  assert.deepEqual(ids(b1, 50), ids(b2, 50));
  const many = tally(() => b1.pick(ctx()), 40_000);
  assert.ok(Math.abs(many['a:80']! / 40_000 - 0.75) < 0.01, JSON.stringify(many));
  // rand → the boundaries
  const st = states([ep('a', 1), ep('b', 0), ep('c', 1)]);
  let r = 0;
  const edge = createBalancer(lb('random'), st, { now: () => 0, rand: () => r });
  assert.equal(edge.pick(ctx())!.ep.host, 'a');
  r = 0.4999;
  assert.equal(edge.pick(ctx())!.ep.host, 'a');
  r = 0.5;
  assert.equal(edge.pick(ctx())!.ep.host, 'c');
  r = 0.9999999999999999;
  assert.equal(edge.pick(ctx())!.ep.host, 'c');
});

test('consistent-hash: the same key always lands on the same endpoint; keys spread evenly', () => {
  const b = createBalancer(lb('consistent-hash', { hashOn: 'ip' }), states([ep('a'), ep('b'), ep('c'), ep('d')]), deps());
  const t: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) {
    const ip = `192.168.${i >> 8}.${i & 255}`;
    const s = b.pick(ctx({ clientIP: ip }))!;
    assert.equal(b.pick(ctx({ clientIP: ip })), s);
    t[s.ep.host] = (t[s.ep.host] ?? 0) + 1;
  }
  for (const k of ['a', 'b', 'c', 'd']) assert.ok(t[k]! > 2000 && t[k]! < 3000, JSON.stringify(t));
});

test('consistent-hash: weights shape the share of keys', () => {
  const b = createBalancer(lb('consistent-hash', { hashOn: 'path' }), states([ep('a', 3), ep('b', 1)]), deps());
  let k = 0;
  const t = tally(() => b.pick(ctx({ path: `/p/${k++}` })), 20_000);
  const share = t['a:80']! / 20_000;
  assert.ok(share > 0.72 && share < 0.78, `a share ${share}`);
});

test('consistent-hash: removing 1 of 5 endpoints moves only its keys', () => {
  const five = states([ep('a'), ep('b'), ep('c'), ep('d'), ep('e')]);
  const before = createBalancer(lb('consistent-hash', { hashOn: 'header', hashKey: 'x-user' }), five, deps());
  const four = five.filter((s) => s.ep.host !== 'c');
  const after = createBalancer(lb('consistent-hash', { hashOn: 'header', hashKey: 'x-user' }), four, deps());
  let kept = 0;
  for (let i = 0; i < 10_000; i++) {
    const c = ctx({ headers: { 'x-user': `user-${i}` } });
    const x = before.pick(c)!;
    const y = after.pick(c)!;
    if (x.ep.id === y.ep.id) kept++;
    else assert.equal(x.ep.host, 'c', `key user-${i} moved from ${x.ep.host} to ${y.ep.host}`);
  }
  assert.ok(kept >= 7500, `kept ${kept}`);
});

test('consistent-hash: an unavailable owner sends its keys to their next endpoint, consistently, and back', () => {
  const st = states([ep('a'), ep('b'), ep('c'), ep('d'), ep('e')]);
  const b = createBalancer(lb('consistent-hash', { hashOn: 'cookie', hashKey: 'sid' }), st, deps());
  const c3 = states([ep('a'), ep('b'), ep('d'), ep('e')]);
  const without = createBalancer(lb('consistent-hash', { hashOn: 'cookie', hashKey: 'sid' }), c3, deps());
  const owners = new Map<string, string>();
  for (let i = 0; i < 2000; i++) owners.set(`s${i}`, b.pick(ctx({ cookies: { sid: `s${i}` } }))!.ep.host);
  st[2]!.healthy = false;
  for (let i = 0; i < 2000; i++) {
    const c = ctx({ cookies: { sid: `s${i}` } });
    const now = b.pick(c)!.ep.host;
    if (owners.get(`s${i}`) !== 'c') assert.equal(now, owners.get(`s${i}`));
    else {
      assert.notEqual(now, 'c');
      assert.equal(b.pick(c)!.ep.host, now, 'stable fallback');
      assert.equal(without.pick(c)!.ep.host, now, 'fallback = where the key goes if c is removed');
    }
  }
  st[2]!.healthy = true;
  for (let i = 0; i < 2000; i++) assert.equal(b.pick(ctx({ cookies: { sid: `s${i}` } }))!.ep.host, owners.get(`s${i}`));
});

test('consistent-hash: no key → round-robin; no hashOn → round-robin', () => {
  const b = createBalancer(lb('consistent-hash', { hashOn: 'header', hashKey: 'x-k' }), states([ep('a'), ep('b')]), deps());
  assert.deepEqual(ids(b, 4), ['a', 'b', 'a', 'b']);
  const none = createBalancer(lb('consistent-hash'), states([ep('a'), ep('b')]), deps());
  assert.deepEqual(ids(none, 4), ['a', 'b', 'a', 'b']);
});

test('consistent-hash: slots respected; the table is built once', () => {
  const b = createBalancer(lb('consistent-hash', { hashOn: 'ip', slots: 7 }), states([ep('a'), ep('b')]), deps()) as Balancer & {
    table: Int32Array;
  };
  assert.equal(b.table.length, 7);
  const dflt = createBalancer(lb('consistent-hash', { hashOn: 'ip', slots: 0 }), states([ep('a')]), deps()) as Balancer & {
    table: Int32Array;
  };
  assert.equal(dflt.table.length, 10_000);
});

test('loadAware: own region first, then lowest active/softLimit/weight', () => {
  const st = states([ep('us1', 1, 'us'), ep('sa1', 1, 'sa'), ep('sa2', 2, 'sa'), ep('eu1', 5, 'eu')], {
    circuitBreaker: { softLimit: 10, maxConnections: 15 },
  });
  const [us1, sa1, sa2, eu1] = st as [EndpointState, EndpointState, EndpointState, EndpointState];
  const b = createBalancer(lb('round-robin', { loadAware: true, preferRegion: 'sa' }), st, deps());
  sa1.active = 3; // 3/10/1 = 0.3
  sa2.active = 5; // 5/10/2 = 0.25
  assert.equal(b.pick(ctx()), sa2);
  sa2.active = 7; // 0.35
  assert.equal(b.pick(ctx()), sa1);
  // sa over soft, but still own region: the region tier comes first (the original's region score dominates)
  sa1.active = 12;
  sa2.active = 12;
  assert.equal(b.pick(ctx()), sa2); // 12/10/2 = 0.6 < 1.2
  // own region at hard limit → other regions, lowest load
  sa1.active = 15;
  sa2.active = 15;
  us1.active = 1; // 0.1
  eu1.active = 4; // 4/10/5 = 0.08
  assert.equal(b.pick(ctx()), eu1);
  us1.active = 0;
  assert.equal(b.pick(ctx()), us1);
});

test('loadAware: soft limit default 100; the hard limit is never exceeded', () => {
  const st = states([ep('x', 1, 'sa'), ep('y', 2, 'us')], { circuitBreaker: { maxConnections: 150 } });
  const b = createBalancer(lb('round-robin', { loadAware: true, preferRegion: 'sa' }), st, deps());
  let n = 0;
  for (;;) {
    const s = b.pick(ctx());
    if (s === null) break;
    startRequest(s);
    n++;
    assert.ok(s.active <= 150);
    if (n > 1000) assert.fail('no limit');
  }
  assert.equal(n, 300);
  assert.deepEqual(st.map((s) => s.active), [150, 150]);
  finishRequest(st[1]!, false, 0);
  assert.equal(b.pick(ctx()), st[1]);
});

test('loadAware: requests spread by weight across a tier as they pile up', () => {
  const st = states([ep('a', 1, 'sa'), ep('b', 3, 'sa')], { circuitBreaker: { softLimit: 100, maxConnections: 1000 } });
  const b = createBalancer(lb('round-robin', { loadAware: true, preferRegion: 'sa' }), st, deps());
  for (let i = 0; i < 400; i++) startRequest(b.pick(ctx())!);
  assert.deepEqual(st.map((s) => s.active), [100, 300]);
});

test('preferRegion without endpoints in it: every endpoint is tier 2', () => {
  const b = createBalancer(lb('round-robin', { loadAware: true, preferRegion: 'ap' }), states([ep('a', 1, 'us'), ep('b', 1, 'eu')]), deps());
  assert.deepEqual(ids(b, 4).sort(), ['a', 'a', 'b', 'b']);
});
