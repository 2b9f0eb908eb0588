import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DnsCacheIR } from './config';
import {
  DnsCachePolicy,
  keyOf,
  normalizeHost,
  type LoadResult,
  type QueryOutcome,
  type RecordType,
  type ResolverPort,
  type Settled,
} from './policy';
import { PendingBudget } from './pending';

interface Asked {
  host: string;
  type: RecordType;
  timeoutMs: number;
  answer: (o: QueryOutcome) => void;
}

/** A resolver port whose queries the test answers by hand (or through `auto`). */
class FakePort implements ResolverPort {
  asked: Asked[] = [];
  open: Asked[] = [];
  auto: ((host: string, type: RecordType) => QueryOutcome | undefined) | undefined;
  query(host: string, type: RecordType, timeoutMs: number): Promise<QueryOutcome> {
    return new Promise((resolve) => {
      const a: Asked = {
        host,
        type,
        timeoutMs,
        answer: (o) => {
          this.open = this.open.filter((x) => x !== a);
          resolve(o);
        },
      };
      this.asked.push(a);
      this.open.push(a);
      const o = this.auto?.(host, type);
      if (o) a.answer(o);
    });
  }
  /** answer the oldest open query */
  next(o: QueryOutcome): Asked {
    const a = this.open[0];
    assert.ok(a, 'no open query to answer');
    a.answer(o);
    return a;
  }
}

class Clock {
  t = 1_000_000;
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

const ok = (addresses: string[], ttlSec: number | null = 30): QueryOutcome => ({ kind: 'ok', addresses, ttlSec });
const EMPTY: QueryOutcome = { kind: 'empty' };
const TIMEOUT: QueryOutcome = { kind: 'timeout' };
const ERROR: QueryOutcome = { kind: 'error', message: 'SERVFAIL' };

const BASE: DnsCacheIR = {
  lookupFamily: 'v4_only',
  refreshRateMs: 60_000,
  minRefreshRateMs: 5_000,
  queryTimeoutMs: 5_000,
  hostTTLMs: 300_000,
  maxHosts: 1024,
};

function setup(over: Partial<DnsCacheIR> = {}) {
  const clock = new Clock();
  const port = new FakePort();
  let wakes = 0;
  const policy = new DnsCachePolicy({ ...BASE, ...over }, { clock: clock.now, resolver: port, onSchedule: () => wakes++ });
  return { clock, port, policy, wakes: () => wakes };
}

function pending(r: LoadResult): Promise<Settled> {
  assert.equal(r.status, 'pending');
  return (r as { promise: Promise<Settled> }).promise;
}

function hit(r: LoadResult): string[] {
  assert.equal(r.status, 'hit', `expected a hit, got ${JSON.stringify(r)}`);
  return (r as { addresses: string[] }).addresses;
}

/** Resolve host:80 once (first lookup answered with `o`), at the current clock. */
async function prime(s: ReturnType<typeof setup>, host: string, o: QueryOutcome, port = 80): Promise<Settled> {
  const p = pending(s.policy.resolve(host, port));
  s.port.next(o);
  return p;
}

test('first request waits for one lookup; concurrent first requests share it; then hits are synchronous', async () => {
  const s = setup();
  const r1 = s.policy.resolve('a.example', 80);
  const r2 = s.policy.resolve('a.example', 80);
  const r3 = s.policy.resolve('A.Example.', 80); // same host, normalized
  assert.equal(r1.status, 'pending');
  assert.equal(r1, r2);
  assert.equal(r1, r3);
  assert.equal(s.port.asked.length, 1);
  assert.equal(s.policy.counters.queries, 1);
  assert.equal(s.policy.size, 1);
  s.port.next(ok(['10.0.0.1']));
  const [a, b] = await Promise.all([pending(r1), pending(r2)]);
  assert.deepEqual(a, { status: 'hit', addresses: ['10.0.0.1'] });
  assert.equal(a, b);
  const h1 = s.policy.resolve('a.example', 80);
  const h2 = s.policy.resolve('a.example', 80);
  assert.deepEqual(hit(h1), ['10.0.0.1']);
  assert.equal(h1, h2, 'a hit returns the same cached object (no allocation)');
  assert.ok(Object.isFrozen(hit(h1)));
  assert.equal(s.port.asked.length, 1);
  assert.equal(s.policy.counters.successes, 1);
  assert.equal(s.policy.counters.addressChanges, 0, 'the first resolution is not an address change');
});

test('key is host:port: each port is its own entry; v6 literals are bracketed', async () => {
  const s = setup();
  s.policy.resolve('a.example', 80);
  s.policy.resolve('a.example', 443);
  assert.equal(s.port.asked.length, 2);
  assert.equal(s.policy.size, 2);
  assert.equal(keyOf(normalizeHost('[2001:DB8::1]'), 443), '[2001:db8::1]:443');
  assert.equal(keyOf(normalizeHost('Foo.Example.'), 80), 'foo.example:80');
  assert.deepEqual(hit(s.policy.resolve('[::1]', 8080)), ['::1']);
  assert.deepEqual(hit(s.policy.resolve('::1', 8080)), ['::1']);
  assert.equal(s.policy.size, 3);
});

test('refresh after success at max(TTL, minRefreshRate), timed from the answer; refreshRate does not cap a long TTL', async () => {
  const s = setup({ refreshRateMs: 10_000, minRefreshRateMs: 5_000 });
  const p = pending(s.policy.resolve('a.example', 80));
  s.clock.advance(200); // the answer comes 200 ms after the request
  const answeredAt = s.clock.t + 0;
  s.port.next(ok(['10.0.0.1'], 30));
  await p;
  assert.equal(s.policy.nextDeadline(), answeredAt + 30_000);
  s.policy.markUsed('a.example', 80);
  s.clock.t = answeredAt + 29_999;
  assert.equal(s.policy.tick(), 0);
  assert.equal(s.port.asked.length, 1, 'not refreshed before the TTL');
  s.clock.t = answeredAt + 30_000;
  assert.equal(s.policy.tick(), 1);
  assert.equal(s.port.asked.length, 2, 'refreshed at the TTL');
  // refresh in flight: requests are not blocked, they get the current addresses
  assert.deepEqual(hit(s.policy.resolve('a.example', 80)), ['10.0.0.1']);
  assert.equal(s.policy.nextDeadline(), null, 'no timer while a lookup is in flight');
});

test('a TTL below minRefreshRate refreshes at minRefreshRate; TTL 0 too', async () => {
  for (const ttl of [2, 0]) {
    const s = setup({ refreshRateMs: 60_000, minRefreshRateMs: 5_000 });
    await prime(s, 'a.example', ok(['10.0.0.1'], ttl));
    assert.equal(s.policy.nextDeadline(), s.clock.t + 5_000, `ttl ${ttl}`);
    s.clock.advance(4_999);
    s.policy.tick();
    assert.equal(s.port.asked.length, 1);
    s.clock.advance(1);
    s.policy.tick();
    assert.equal(s.port.asked.length, 2);
    s.port.next(ok(['10.0.0.1'], 0));
    await flush();
    assert.equal(s.policy.nextDeadline(), s.clock.t + 5_000, 'TTL 0 → every minRefreshRate');
  }
});

test('no TTL known (an /etc/hosts name, localhost) refreshes at refreshRate', async () => {
  const s = setup({ refreshRateMs: 60_000, minRefreshRateMs: 5_000 });
  await prime(s, 'localhost', ok(['127.0.0.1'], null));
  assert.equal(s.policy.nextDeadline(), s.clock.t + 60_000);
  const [h] = s.policy.inspect();
  assert.equal(h.ttlLeftMs, null);
  assert.equal(h.state, 'resolved');
});

test('sticky: failure, timeout or empty answer keeps the last good addresses and retries at refreshRate', async () => {
  for (const bad of [ERROR, TIMEOUT, EMPTY, ok([], 30)]) {
    const s = setup({ refreshRateMs: 60_000, minRefreshRateMs: 5_000 });
    await prime(s, 'a.example', ok(['10.0.0.1', '10.0.0.2'], 10));
    const before = hit(s.policy.resolve('a.example', 80));
    s.clock.advance(10_000);
    s.policy.markUsed('a.example', 80);
    s.policy.tick();
    assert.equal(s.port.asked.length, 2);
    s.port.next(bad);
    await flush();
    const after = hit(s.policy.resolve('a.example', 80));
    assert.equal(after, before, `${JSON.stringify(bad)}: addresses stay`);
    assert.equal(s.policy.nextDeadline(), s.clock.t + 60_000, 'retry at refreshRate');
    const [h] = s.policy.inspect();
    assert.equal(h.state, 'stale');
    assert.equal(h.failures, 1);
    assert.equal(s.policy.counters.failures, 1);
    assert.equal(s.policy.counters.timeouts, bad === TIMEOUT ? 1 : 0);
    assert.equal(s.policy.counters.addressChanges, 0);
    // the retry succeeds: fresh again, failures reset, back on the TTL schedule
    s.clock.advance(60_000);
    s.policy.markUsed('a.example', 80);
    s.policy.tick();
    s.port.next(ok(['10.0.0.1', '10.0.0.2'], 10));
    await flush();
    assert.equal(s.policy.inspect()[0].state, 'resolved');
    assert.equal(s.policy.inspect()[0].failures, 0);
    assert.equal(s.policy.nextDeadline(), s.clock.t + 10_000);
  }
});

test('a host that never resolved fails at once without a new query until a background retry succeeds', async () => {
  const s = setup({ refreshRateMs: 60_000 });
  const p = pending(s.policy.resolve('nx.example', 80));
  const joined = pending(s.policy.resolve('nx.example', 80));
  s.port.next(EMPTY);
  assert.deepEqual(await p, { status: 'failure', reason: 'empty' });
  assert.deepEqual(await joined, { status: 'failure', reason: 'empty' });
  for (let i = 0; i < 5; i++) assert.deepEqual(s.policy.resolve('nx.example', 80), { status: 'failure', reason: 'empty' });
  assert.equal(s.port.asked.length, 1, 'no query storm');
  assert.equal(s.policy.inspect()[0].state, 'failed');
  assert.equal(s.policy.nextDeadline(), s.clock.t + 60_000);
  // the retry fails again (timeout): still failing fast, with the new reason
  s.clock.advance(60_000);
  s.policy.markUsed('nx.example', 80);
  s.policy.tick();
  assert.deepEqual(s.policy.resolve('nx.example', 80), { status: 'failure', reason: 'empty' }, 'a background retry does not block');
  s.port.next(TIMEOUT);
  await flush();
  assert.deepEqual(s.policy.resolve('nx.example', 80), { status: 'failure', reason: 'timeout' });
  assert.equal(s.policy.inspect()[0].failures, 2);
  // next retry succeeds → hits
  s.clock.advance(60_000);
  s.policy.markUsed('nx.example', 80);
  s.policy.tick();
  s.port.next(ok(['10.9.9.9']));
  await flush();
  assert.deepEqual(hit(s.policy.resolve('nx.example', 80)), ['10.9.9.9']);
  assert.equal(s.policy.counters.queries, 3);
  assert.equal(s.policy.counters.failures, 2);
  assert.equal(s.policy.counters.timeouts, 1);
  assert.equal(s.policy.counters.successes, 1);
});

test('the first lookup that times out reports timeout', async () => {
  const s = setup();
  const p = prime(s, 'slow.example', TIMEOUT);
  assert.deepEqual(await p, { status: 'failure', reason: 'timeout' });
  assert.equal(s.port.asked[0].timeoutMs, 5_000, 'the port gets dnsQueryTimeout');
  assert.equal(s.policy.counters.timeouts, 1);
  assert.equal(s.policy.counters.failures, 1);
});

test('hostTTL: checked only when the refresh timer fires; unused longer than hostTTL → removed without a query', async () => {
  const s = setup({ hostTTLMs: 100_000, refreshRateMs: 60_000, minRefreshRateMs: 5_000 });
  await prime(s, 'a.example', ok(['10.0.0.1'], 300)); // refresh in 300 s, far after hostTTL
  const held = hit(s.policy.resolve('a.example', 80)); // a request in flight holds this
  s.clock.advance(150_000); // unused for longer than hostTTL, but no refresh is due yet
  assert.equal(s.policy.tick(), 0);
  assert.equal(s.policy.size, 1, 'not evicted before its refresh timer fires');
  assert.deepEqual(hit(s.policy.resolve('a.example', 80)), ['10.0.0.1'], 'a cache hit (not a use) still answers');
  s.clock.advance(150_000); // the refresh timer fires at 300 s
  assert.equal(s.policy.tick(), 1);
  assert.equal(s.policy.size, 0);
  assert.equal(s.port.asked.length, 1, 'no query for an evicted host');
  assert.equal(s.policy.counters.evictions, 1);
  assert.deepEqual(held, ['10.0.0.1'], 'the request in flight keeps its addresses');
  // next request: a fresh first lookup
  assert.equal(s.policy.resolve('a.example', 80).status, 'pending');
  assert.equal(s.port.asked.length, 2);
});

test('hostTTL: a host used within hostTTL is refreshed, and the boundary is strict (> hostTTL)', async () => {
  const s = setup({ hostTTLMs: 10_000, refreshRateMs: 60_000, minRefreshRateMs: 5_000 });
  await prime(s, 'a.example', ok(['10.0.0.1'], 10));
  s.policy.markUsed('a.example', 80); // used at t0
  s.clock.advance(10_000); // exactly hostTTL since last use: kept
  s.policy.tick();
  assert.equal(s.port.asked.length, 2);
  s.port.next(ok(['10.0.0.1'], 10));
  await flush();
  s.clock.advance(10_000); // 20 s since last use
  s.policy.tick();
  assert.equal(s.policy.size, 0);
  assert.equal(s.policy.counters.evictions, 1);
});

test('hostTTL applies to failed entries and IP literals too, freeing their slots', async () => {
  const s = setup({ hostTTLMs: 1_000, refreshRateMs: 5_000, maxHosts: 2 });
  await prime(s, 'nx.example', EMPTY);
  hit(s.policy.resolve('10.1.2.3', 80));
  assert.equal(s.policy.resolve('other.example', 80).status, 'overflow');
  s.clock.advance(5_000);
  s.policy.tick();
  assert.equal(s.policy.size, 0);
  assert.equal(s.policy.counters.evictions, 2);
  assert.equal(s.port.asked.length, 1);
  assert.equal(s.policy.resolve('other.example', 80).status, 'pending');
});

test('maxHosts: pending, failed and IP-literal entries all count; overflow sends no query; joining a pending host never overflows', async () => {
  const t = setup({ maxHosts: 3 });
  const p1 = t.policy.resolve('pending.example', 80);
  assert.equal(p1.status, 'pending');
  const p2 = t.policy.resolve('nx.example', 80);
  t.port.asked[1].answer(EMPTY);
  await flush();
  assert.deepEqual(await pending(p2), { status: 'failure', reason: 'empty' });
  hit(t.policy.resolve('192.0.2.1', 443)); // IP literal: an entry, no query
  assert.equal(t.port.asked.length, 2);
  assert.equal(t.policy.size, 3);
  assert.deepEqual(t.policy.resolve('new.example', 80), { status: 'overflow' });
  assert.deepEqual(t.policy.resolve('192.0.2.2', 80), { status: 'overflow' }, 'a new IP literal overflows too');
  assert.deepEqual(t.policy.resolve('pending.example', 8080), { status: 'overflow' }, 'another port is another host');
  assert.equal(t.port.asked.length, 2, 'no query on overflow');
  assert.equal(t.policy.counters.overflows, 3);
  assert.equal(t.policy.resolve('pending.example', 80), p1, 'joining a pending lookup is not an overflow');
  assert.deepEqual(t.policy.resolve('nx.example', 80), { status: 'failure', reason: 'empty' });
  hit(t.policy.resolve('192.0.2.1', 443));
  assert.equal(t.policy.counters.overflows, 3);
  t.port.next(ok(['10.0.0.7']));
  await flush();
  assert.deepEqual(hit(t.policy.resolve('pending.example', 80)), ['10.0.0.7']);
  assert.equal(t.policy.resolve('new.example', 80).status, 'overflow', 'only eviction frees a slot');
});

test('address change: counted when the ordered list differs; same list keeps the same array', async () => {
  const s = setup({ minRefreshRateMs: 1_000 });
  await prime(s, 'a.example', ok(['10.0.0.1', '10.0.0.2'], 1));
  const first = hit(s.policy.resolve('a.example', 80));
  const refresh = async (o: QueryOutcome) => {
    s.clock.advance(1_000);
    s.policy.markUsed('a.example', 80);
    assert.equal(s.policy.tick(), 1);
    s.port.next(o);
    await flush();
    return hit(s.policy.resolve('a.example', 80));
  };
  assert.equal(await refresh(ok(['10.0.0.1', '10.0.0.2'], 1)), first, 'unchanged: same array');
  assert.equal(s.policy.counters.addressChanges, 0);
  const swapped = await refresh(ok(['10.0.0.2', '10.0.0.1'], 1));
  assert.deepEqual(swapped, ['10.0.0.2', '10.0.0.1'], 'new lookups get the new order');
  assert.equal(s.policy.counters.addressChanges, 1);
  assert.deepEqual(first, ['10.0.0.1', '10.0.0.2'], 'a holder of the old list is unaffected');
  assert.deepEqual(await refresh(ok(['10.0.0.3'], 1)), ['10.0.0.3']);
  assert.equal(s.policy.counters.addressChanges, 2);
  await refresh(EMPTY); // sticky: not a change
  assert.equal(s.policy.counters.addressChanges, 2);
});

test('lookup families', async (t) => {
  const v4 = ok(['10.0.0.1'], 30);
  const v6 = ok(['2001:db8::1'], 40);
  async function run(family: DnsCacheIR['lookupFamily'], answers: Partial<Record<RecordType, QueryOutcome>>) {
    const s = setup({ lookupFamily: family });
    s.port.auto = (_h, type) => answers[type] ?? EMPTY;
    const r = await pending(s.policy.resolve('dual.example', 80));
    return { r, types: s.port.asked.map((a) => a.type), s };
  }
  await t.test('v4_only asks A only', async () => {
    const { r, types } = await run('v4_only', { A: v4, AAAA: v6 });
    assert.deepEqual(types, ['A']);
    assert.deepEqual(r, { status: 'hit', addresses: ['10.0.0.1'] });
  });
  await t.test('v6_only asks AAAA only', async () => {
    const { r, types } = await run('v6_only', { A: v4, AAAA: v6 });
    assert.deepEqual(types, ['AAAA']);
    assert.deepEqual(r, { status: 'hit', addresses: ['2001:db8::1'] });
    const none = await run('v6_only', { A: v4 });
    assert.deepEqual(none.r, { status: 'failure', reason: 'empty' });
  });
  await t.test('auto: AAAA, then A only if AAAA gave nothing', async () => {
    const both = await run('auto', { A: v4, AAAA: v6 });
    assert.deepEqual(both.types, ['AAAA']);
    assert.deepEqual(both.r, { status: 'hit', addresses: ['2001:db8::1'] });
    const v4only = await run('auto', { A: v4 });
    assert.deepEqual(v4only.types, ['AAAA', 'A']);
    assert.deepEqual(v4only.r, { status: 'hit', addresses: ['10.0.0.1'] });
    assert.equal(v4only.s.policy.nextDeadline(), v4only.s.policy.inspect()[0].nextRefreshAt);
    assert.equal(v4only.s.policy.inspect()[0].ttlLeftMs, 30_000, 'the TTL of the answer used');
    const afterError = await run('auto', { A: v4, AAAA: ERROR });
    assert.deepEqual(afterError.types, ['AAAA', 'A']);
    assert.deepEqual(afterError.r, { status: 'hit', addresses: ['10.0.0.1'] });
    const neither = await run('auto', { AAAA: ERROR });
    assert.deepEqual(neither.r, { status: 'failure', reason: 'error' });
    assert.equal(neither.s.policy.counters.queries, 1, 'one lookup, whatever the number of questions');
    assert.equal(neither.s.policy.counters.failures, 1);
  });
  await t.test('v4_preferred: A, then AAAA only if A gave nothing', async () => {
    const both = await run('v4_preferred', { A: v4, AAAA: v6 });
    assert.deepEqual(both.types, ['A']);
    assert.deepEqual(both.r, { status: 'hit', addresses: ['10.0.0.1'] });
    const v6only = await run('v4_preferred', { AAAA: v6 });
    assert.deepEqual(v6only.types, ['A', 'AAAA']);
    assert.deepEqual(v6only.r, { status: 'hit', addresses: ['2001:db8::1'] });
  });
  await t.test('all: both, every address kept (v4 first, TTL of the first address)', async () => {
    const both = await run('all', { A: ok(['10.0.0.1', '10.0.0.2'], 30), AAAA: ok(['2001:db8::1'], 40) });
    assert.deepEqual([...both.types].sort(), ['A', 'AAAA']);
    assert.deepEqual(both.r, { status: 'hit', addresses: ['10.0.0.1', '10.0.0.2', '2001:db8::1'] });
    assert.equal(both.s.policy.inspect()[0].ttlLeftMs, 30_000);
    const one = await run('all', { AAAA: v6, A: TIMEOUT });
    assert.deepEqual(one.r, { status: 'hit', addresses: ['2001:db8::1'] });
    const none = await run('all', { A: TIMEOUT });
    assert.deepEqual(none.r, { status: 'failure', reason: 'timeout' });
  });
});

test('dnsQueryTimeout bounds the whole lookup: the second question of auto gets what is left', async () => {
  const s = setup({ lookupFamily: 'auto', queryTimeoutMs: 5_000 });
  const p = pending(s.policy.resolve('slow.example', 80));
  assert.equal(s.port.asked[0].timeoutMs, 5_000);
  s.clock.advance(3_000);
  s.port.next(EMPTY);
  await flush();
  assert.equal(s.port.asked[1].type, 'A');
  assert.equal(s.port.asked[1].timeoutMs, 2_000);
  s.clock.advance(2_000);
  s.port.next(TIMEOUT);
  assert.deepEqual(await p, { status: 'failure', reason: 'timeout' });
  // AAAA itself timed out: no A question (the budget is spent)
  const u = setup({ lookupFamily: 'auto' });
  const q = pending(u.policy.resolve('slow.example', 80));
  u.port.next(TIMEOUT);
  assert.deepEqual(await q, { status: 'failure', reason: 'timeout' });
  assert.equal(u.port.asked.length, 1);
});

test('refreshes never block requests, and timers are computed, not run (tick/nextDeadline/onSchedule)', async () => {
  const s = setup({ minRefreshRateMs: 1_000 });
  assert.equal(s.policy.nextDeadline(), null);
  await prime(s, 'b.example', ok(['10.0.0.2'], 20));
  assert.equal(s.wakes(), 1, 'the runtime is told about the new earliest deadline');
  await prime(s, 'a.example', ok(['10.0.0.1'], 10));
  assert.equal(s.wakes(), 2);
  assert.equal(s.policy.nextDeadline(), s.clock.t + 10_000);
  await prime(s, 'c.example', ok(['10.0.0.3'], 30));
  assert.equal(s.wakes(), 2, 'a later deadline does not wake the runtime');
  s.clock.advance(25_000);
  for (const h of ['a', 'b', 'c']) s.policy.markUsed(`${h}.example`, 80);
  assert.equal(s.policy.tick(), 2);
  assert.deepEqual(
    s.port.open.map((a) => a.host),
    ['a.example', 'b.example'],
  );
  assert.deepEqual(hit(s.policy.resolve('a.example', 80)), ['10.0.0.1']);
  assert.equal(s.policy.nextDeadline(), s.clock.t + 5_000, 'c is next');
});

test('inspect() snapshot', async () => {
  const s = setup({ minRefreshRateMs: 1_000 });
  const t0 = s.clock.t;
  await prime(s, 'a.example', ok(['10.0.0.1'], 10));
  s.policy.resolve('b.example', 443);
  s.clock.advance(4_000);
  s.policy.markUsed('a.example', 80);
  const byHost = Object.fromEntries(s.policy.inspect().map((h) => [h.host, h]));
  assert.deepEqual(byHost['a.example'], {
    host: 'a.example',
    port: 80,
    addresses: ['10.0.0.1'],
    ttlLeftMs: 6_000,
    nextRefreshAt: t0 + 10_000,
    lastUsedAt: t0 + 4_000,
    failures: 0,
    state: 'resolved',
    lastFailure: null,
  });
  assert.equal(byHost['b.example'].state, 'resolving');
  assert.equal(byHost['b.example'].nextRefreshAt, null);
  assert.deepEqual(s.policy.stats(), {
    queries: 2,
    successes: 1,
    failures: 0,
    timeouts: 0,
    evictions: 0,
    overflows: 0,
    addressChanges: 0,
    hosts: 2,
  });
});

test('close() settles waiting first lookups and ignores late answers', async () => {
  const s = setup();
  const p = pending(s.policy.resolve('a.example', 80));
  s.policy.close();
  assert.deepEqual(await p, { status: 'failure', reason: 'closed' });
  s.port.next(ok(['10.0.0.1']));
  await flush();
  assert.equal(s.policy.size, 0);
  assert.deepEqual(s.policy.resolve('a.example', 80), { status: 'failure', reason: 'closed' });
});

test('a resolver port that throws counts as a failure', async () => {
  const clock = new Clock();
  const policy = new DnsCachePolicy(BASE, {
    clock: clock.now,
    resolver: { query: () => Promise.reject(new Error('boom')) },
  });
  assert.deepEqual(await pending(policy.resolve('a.example', 80)), { status: 'failure', reason: 'error' });
  assert.equal(policy.counters.failures, 1);
});

test('reconfigure: new refresh numbers apply from the next scheduling', async () => {
  const s = setup({ refreshRateMs: 60_000 });
  await prime(s, 'a.example', EMPTY);
  assert.equal(s.policy.nextDeadline(), s.clock.t + 60_000);
  s.policy.reconfigure({ ...BASE, refreshRateMs: 1_000, maxHosts: 1 });
  s.clock.advance(60_000);
  s.policy.markUsed('a.example', 80);
  s.policy.tick();
  s.port.next(EMPTY);
  await flush();
  assert.equal(s.policy.nextDeadline(), s.clock.t + 1_000);
  assert.equal(s.policy.resolve('b.example', 80).status, 'overflow');
});

test('used is marked only once a host has addresses: a mark while the first lookup is pending or after it failed is ignored', async () => {
  const s = setup({ hostTTLMs: 100_000, refreshRateMs: 60_000 });
  const created = s.clock.t;
  const p = pending(s.policy.resolve('a.example', 80));
  s.clock.advance(1_000);
  s.policy.markUsed('a.example', 80); // pending: ignored
  assert.equal(s.policy.inspect()[0].lastUsedAt, created);
  s.port.next(EMPTY);
  await p;
  s.clock.advance(1_000);
  s.policy.markUsed('a.example', 80); // failed, no addresses: ignored
  assert.equal(s.policy.inspect()[0].lastUsedAt, created);
  // positive control: a resolved host's mark counts
  await prime(s, 'b.example', ok(['10.0.0.2']));
  s.clock.advance(1_000);
  s.policy.markUsed('b.example', 80);
  assert.equal(s.policy.inspect().find((h) => h.host === 'b.example')!.lastUsedAt, s.clock.t);
});

test('dns max pending: first lookups in flight across caches are capped; above it overflow with no query; slots free on completion', async () => {
  const budget = new PendingBudget(2);
  const clock = new Clock();
  const port = new FakePort();
  const a = new DnsCachePolicy({ ...BASE }, { clock: clock.now, resolver: port, pending: budget });
  const b = new DnsCachePolicy({ ...BASE }, { clock: clock.now, resolver: port, pending: budget });
  const p1 = pending(a.resolve('one.example', 80));
  const p2 = pending(b.resolve('two.example', 80));
  assert.equal(budget.inFlight, 2);
  assert.equal(pending(a.resolve('one.example', 80)), p1, 'joining a pending lookup takes no slot and never overflows');
  assert.deepEqual(b.resolve('three.example', 80), { status: 'overflow' });
  assert.equal(b.counters.overflows, 1);
  assert.equal(b.size, 1, 'the refused host takes no entry');
  assert.equal(port.asked.length, 2, 'no query for the refused host');
  hit(a.resolve('10.0.0.9', 80)); // an IP literal needs no lookup and no slot
  port.next(ok(['10.0.0.1']));
  await p1;
  assert.equal(budget.inFlight, 1, 'a success frees its slot');
  assert.equal(b.resolve('three.example', 80).status, 'pending', 'positive control: a slot is free again');
  port.next(EMPTY);
  await p2;
  assert.equal(budget.inFlight, 1, 'a failure frees its slot too');
  // refreshes of known hosts do not count against the budget
  clock.advance(60_000);
  a.tick();
  assert.equal(budget.inFlight, 1);
  b.close();
  port.next(ok(['10.0.0.3']));
  await flush();
  assert.equal(budget.inFlight, 0, 'a lookup of a closed cache frees its slot when it ends');
  assert.throws(() => new PendingBudget(0));
});
