import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate_limit';

test('burst of requestsPerMinute, then refill at rpm/60 s; Retry-After in whole seconds ≥ 1', () => {
  const rl = new RateLimiter({ requestsPerMinute: 60, perClientIP: false });
  for (let i = 0; i < 60; i++) assert.equal(rl.take('', 0).allowed, true, `request ${i}`);
  assert.deepEqual(rl.take('', 0), { allowed: false, retryAfterSeconds: 1 });
  assert.equal(rl.take('', 999).allowed, false);
  assert.equal(rl.take('', 1000).allowed, true, 'one token per second');
  assert.equal(rl.take('', 1000).allowed, false);
  // a minute later the bucket is full again, never more
  for (let i = 0; i < 60; i++) assert.equal(rl.take('', 600_000).allowed, true);
  assert.equal(rl.take('', 600_000).allowed, false);
});

test('Retry-After is the time until one token is back', () => {
  const rl = new RateLimiter({ requestsPerMinute: 2, perClientIP: false }); // one token per 30 s
  rl.take('', 0);
  rl.take('', 0);
  assert.deepEqual(rl.take('', 0), { allowed: false, retryAfterSeconds: 30 });
  assert.deepEqual(rl.take('', 10_500), { allowed: false, retryAfterSeconds: 20 });
  assert.deepEqual(rl.take('', 29_999), { allowed: false, retryAfterSeconds: 1 });
  assert.equal(rl.take('', 30_000).allowed, true);
  const fast = new RateLimiter({ requestsPerMinute: 6000, perClientIP: false });
  for (let i = 0; i < 6000; i++) fast.take('', 0);
  assert.deepEqual(fast.take('', 0), { allowed: false, retryAfterSeconds: 1 }, 'at least 1');
});

test('per client IP: separate buckets; per route: one', () => {
  const per = new RateLimiter({ requestsPerMinute: 1, perClientIP: true });
  assert.equal(per.take(per.keyFor('1.1.1.1'), 0).allowed, true);
  assert.equal(per.take(per.keyFor('1.1.1.1'), 0).allowed, false);
  assert.equal(per.take(per.keyFor('2.2.2.2'), 0).allowed, true);
  const route = new RateLimiter({ requestsPerMinute: 1, perClientIP: false });
  assert.equal(route.take(route.keyFor('1.1.1.1'), 0).allowed, true);
  assert.equal(route.take(route.keyFor('2.2.2.2'), 0).allowed, false);
});

test('a clock going backwards refills nothing', () => {
  const rl = new RateLimiter({ requestsPerMinute: 1, perClientIP: false });
  rl.take('', 10_000);
  assert.equal(rl.take('', 0).allowed, false);
  assert.equal(rl.take('', 69_999).allowed, false);
  assert.equal(rl.take('', 70_000).allowed, true);
});

test('rpm 0 refuses everything', () => {
  assert.deepEqual(new RateLimiter({ requestsPerMinute: 0, perClientIP: false }).take('', 0), {
    allowed: false,
    retryAfterSeconds: 60,
  });
});

test('1,000,000 distinct client IPs within one minute: keys stay bounded by the cap', () => {
  const rl = new RateLimiter({ requestsPerMinute: 10, perClientIP: true });
  let maxSize = 0;
  let refused = 0;
  for (let i = 0; i < 1_000_000; i++) {
    // every bucket is still draining (same instant), so only the cap can free memory
    if (!rl.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0).allowed) refused++;
    if (rl.size > maxSize) maxSize = rl.size;
  }
  assert.equal(refused, 0);
  assert.ok(maxSize <= 100_000, `max keys ${maxSize}`);
  assert.ok(rl.evicted >= 900_000, `evicted ${rl.evicted}`);
  // the most recent clients are still limited (their buckets were kept)
  const last = `10.${(999_999 >> 16) & 255}.${(999_999 >> 8) & 255}.${999_999 & 255}`;
  for (let i = 0; i < 9; i++) assert.equal(rl.take(last, 0).allowed, true);
  assert.equal(rl.take(last, 0).allowed, false);
});

test('idle keys are dropped for free once their bucket has refilled', () => {
  const rl = new RateLimiter({ requestsPerMinute: 60, perClientIP: true }, { maxKeys: 10_000 });
  for (let i = 0; i < 5000; i++) rl.take(`a${i}`, 0);
  // a minute later all of them are full again: a new wave of keys sweeps them out without the cap
  for (let i = 0; i < 5000; i++) rl.take(`b${i}`, 60_000);
  assert.ok(rl.size <= 5000 + 1024, `size ${rl.size}`);
  assert.equal(rl.evicted, 0);
  // a partly drained bucket is kept until it has refilled
  const one = new RateLimiter({ requestsPerMinute: 60, perClientIP: true }, { maxKeys: 4 });
  for (let i = 0; i < 30; i++) one.take('busy', 0);
  one.sweep(29_000);
  assert.equal(one.size, 1);
  one.sweep(30_000);
  assert.equal(one.size, 0);
});
