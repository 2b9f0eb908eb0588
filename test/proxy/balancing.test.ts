// Load balancing through the real data plane: weighted round-robin, least-connections under slow
// requests, weighted random, consistent hashing on a header (stable, minimal remap on removal) and
// backendRef weights between two Backends. Real node:http upstreams on loopback; bounded counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Upstream, backend, defaultAgent, rule, send, slow, startTestProxy, tally, type Reply } from './lib';
import { seeded } from '../../pkg/proxy/balancer/testutil';

let A: Upstream, B: Upstream, C: Upstream;

before(async () => {
  [A, B, C] = await Promise.all(['A', 'B', 'C'].map((n) => Upstream.start(n)));
});

after(async () => {
  await Promise.all([A, B, C].map((u) => u.close()));
  await defaultAgent.close();
});

const share = (t: Record<string, number>, k: string, n: number) => (t[k] ?? 0) / n;

test('weighted round-robin 3:1 over 400 requests', async () => {
  const p = await startTestProxy([rule('rr', { to: ['be'] })], [backend('be', [{ port: A.port, weight: 3 }, { port: B.port, weight: 1 }])]);
  try {
    const t = await tally(400, () => send(p.base, '/'));
    assert.equal((t.A ?? 0) + (t.B ?? 0), 400, JSON.stringify(t));
    assert.ok(Math.abs(share(t, 'A', 400) - 0.75) <= 0.02, `A share ${share(t, 'A', 400)} (${JSON.stringify(t)})`);
  } finally {
    await p.close();
  }
});

test('least-connections prefers the idle endpoint under concurrent slow requests (round-robin does not)', async () => {
  // A holds every request until the run ends; B answers at once. 40 requests: one that B answers is
  // awaited before the next is sent, one that A holds stays in flight. So A's active count only grows
  // when the balancer picks the busy endpoint — independent of how slow a loaded machine is.
  const run = async (algorithm: 'least-connections' | 'round-robin') => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    A.handler = slow(30_000, released);
    const p = await startTestProxy([rule('lc', { to: ['be'] })], [backend('be', [A, B], { loadBalancer: { algorithm, slots: 10_000 } })]);
    const a0 = A.hits;
    const b0 = B.hits;
    try {
      const held: Promise<Reply>[] = [];
      for (let i = 0; i < 40; i++) {
        const r = send(p.base, '/', { timeoutMs: 60_000 });
        // answered (B) or held (A): whichever shows first, bounded
        const settled = await Promise.race([r.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 1_000))]);
        if (!settled) held.push(r);
      }
      release();
      const replies = await Promise.all(held);
      for (const r of replies) assert.equal(r.status, 200);
      return { a: A.hits - a0, b: B.hits - b0 };
    } finally {
      release();
      await p.close();
    }
  };
  try {
    const lc = await run('least-connections');
    assert.equal(lc.a + lc.b, 40);
    assert.ok(lc.a <= 2, `least-connections sent ${lc.a}/40 to the busy endpoint`);
    const rr = await run('round-robin');
    assert.ok(rr.a >= 15, `round-robin sent ${rr.a}/40 to the held endpoint (contrast)`);
  } finally {
    A.handler = null;
  }
});

test('weighted random is roughly proportional (3:1, 400 requests, seeded)', async () => {
  const p = await startTestProxy(
    [rule('rnd', { to: ['be'] })],
    [backend('be', [{ port: A.port, weight: 3 }, { port: B.port, weight: 1 }], { loadBalancer: { algorithm: 'random', slots: 10_000 } })],
    { rand: seeded(42) },
  );
  try {
    const t = await tally(400, () => send(p.base, '/'));
    assert.ok(Math.abs(share(t, 'A', 400) - 0.75) <= 0.07, `A share ${share(t, 'A', 400)} (${JSON.stringify(t)})`);
    assert.ok((t.B ?? 0) > 0, 'B gets some');
  } finally {
    await p.close();
  }
});

test('consistent-hash on a header: a key stays on one endpoint; removing one endpoint remaps only its keys', async () => {
  const lb = { algorithm: 'consistent-hash' as const, hashOn: 'header' as const, hashKey: 'x-user', slots: 10_000 };
  const r = [rule('ch', { to: ['be'] })];
  const p = await startTestProxy(r, [backend('be', [A, B, C], { loadBalancer: lb })]);
  try {
    const keys = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    const where = new Map<string, string>();
    for (const k of keys) where.set(k, (await send(p.base, '/', { headers: { 'x-user': k } })).upstream);
    // again, twice: the same endpoint every time
    for (let round = 0; round < 2; round++) {
      for (const k of keys) assert.equal((await send(p.base, '/', { headers: { 'x-user': k } })).upstream, where.get(k), `${k} moved`);
    }
    const per = (u: string) => [...where.values()].filter((v) => v === u).length;
    for (const u of ['A', 'B', 'C']) assert.ok(per(u) >= 8, `keys spread over the endpoints: ${u} has ${per(u)}`);
    // remove C: only C's keys move
    await p.set(r, [backend('be', [A, B], { loadBalancer: lb })]);
    let moved = 0;
    for (const k of keys) {
      const now = (await send(p.base, '/', { headers: { 'x-user': k } })).upstream;
      if (where.get(k) === 'C') assert.ok(now === 'A' || now === 'B');
      else if (now !== where.get(k)) moved++;
    }
    assert.equal(moved, 0, 'keys not on the removed endpoint stay where they were');
    // requests without the key still get answers (round-robin)
    assert.equal((await send(p.base, '/')).status, 200);
  } finally {
    await p.close();
  }
});

test('backendRef weights split traffic between two Backends (3:1 over 400)', async () => {
  const p = await startTestProxy(
    [rule('split', { backendRefs: [{ backend: 'one', weight: 3 }, { backend: 'two', weight: 1 }, { backend: 'zero', weight: 0 }] })],
    [backend('one', [A]), backend('two', [B]), backend('zero', [C])],
    { rand: seeded(7) },
  );
  try {
    const t = await tally(400, () => send(p.base, '/'));
    assert.equal(t.C, undefined, 'a weight of 0 gets nothing');
    assert.ok(Math.abs(share(t, 'A', 400) - 0.75) <= 0.07, `one share ${share(t, 'A', 400)} (${JSON.stringify(t)})`);
  } finally {
    await p.close();
  }
});
