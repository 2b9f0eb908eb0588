import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteResolver } from './remote_resolver';
import { DnsCacheError } from '../../dns/cache';

function setup(answer: (host: string) => Promise<string[]>) {
  let now = 1_000;
  const asked: string[] = [];
  const used: Array<Array<[string, string, number]>> = [];
  const r = new RemoteResolver({
    ask: (_b, host) => (asked.push(host), answer(host)),
    used: (keys) => used.push(keys),
    now: () => now,
    reuseMs: 1_000,
  });
  return { r, asked, used, advance: (ms: number) => (now += ms) };
}

test('a miss asks the main once (concurrent misses share it); the answer is then a synchronous hit until it ages out', async () => {
  const s = setup(async () => ['10.0.0.1']);
  const a = s.r.resolve('be', 'x.test', 80);
  const b = s.r.resolve('be', 'x.test', 80);
  assert.ok(a instanceof Promise);
  assert.equal(a, b);
  assert.deepEqual(await a, ['10.0.0.1']);
  assert.deepEqual(s.r.resolve('be', 'x.test', 80), ['10.0.0.1'], 'a hit is synchronous');
  assert.deepEqual(s.asked, ['x.test']);
  s.advance(1_001);
  assert.ok(s.r.resolve('be', 'x.test', 80) instanceof Promise, 'aged out: asked again');
  assert.deepEqual(s.asked, ['x.test', 'x.test']);
});

test('the main\'s error code comes back as a DnsCacheError (overflow stays overflow); failures are not kept', async () => {
  const s = setup(async () => {
    throw new Error('OVERFLOW');
  });
  await assert.rejects(Promise.resolve(s.r.resolve('be', 'y.test', 80)), (e: unknown) => e instanceof DnsCacheError && e.code === 'OVERFLOW');
  await assert.rejects(Promise.resolve(s.r.resolve('be', 'y.test', 80)), DnsCacheError);
  assert.equal(s.asked.length, 2);
  const t = setup(async () => {
    throw new Error('something else');
  });
  await assert.rejects(Promise.resolve(t.r.resolve('be', 'z.test', 80)), (e: unknown) => e instanceof DnsCacheError && e.code === 'RESOLUTION_FAILURE');
});

test('used marks go to the main batched per tick, once per key per interval', async () => {
  const s = setup(async () => []);
  s.r.used('be', 'a.test', 80);
  s.r.used('be', 'a.test', 80);
  s.r.used('be', 'b.test', 80);
  await Promise.resolve();
  assert.deepEqual(s.used, [[['be', 'a.test', 80], ['be', 'b.test', 80]]]);
  s.advance(1_000);
  s.r.used('be', 'a.test', 80);
  await Promise.resolve();
  assert.deepEqual(s.used[1], [['be', 'a.test', 80]]);
});
