import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget } from './retry_budget';

test('below the minimum concurrency every retry is allowed, whatever the share', () => {
  const b = new RetryBudget();
  assert.equal(b.allows(), true, 'nothing in flight: the minimum (3) still allows');
  b.start(true);
  b.start(true);
  assert.equal(b.allows(), true);
  b.start(true);
  assert.equal(b.allows(), false, '3 retries in flight out of 3 active: at the minimum');
  b.finish(true);
  assert.equal(b.allows(), true, 'a retry that ends frees its place');
});

test('at most 20 % of active requests are retries above the minimum', () => {
  const b = new RetryBudget();
  for (let i = 0; i < 100; i++) b.start(false);
  // r retries among 100 + r active: allowed while r < 0.2 (100 + r), i.e. up to 25
  for (let i = 0; i < 25; i++) {
    assert.equal(b.allows(), true, `retry ${i + 1} of 25`);
    b.start(true);
  }
  assert.equal(b.allows(), false, '25 of 125 active: at 20 %');
  for (let i = 0; i < 60; i++) b.finish(false);
  assert.equal(b.allows(), false, '25 retries of 65 active: far above the share');
  for (let i = 0; i < 12; i++) b.finish(true);
  assert.equal(b.allows(), false, '13 of 53: the share is 10.6');
  for (let i = 0; i < 4; i++) b.finish(true);
  assert.equal(b.allows(), true, '9 of 49: the share is 9.8');
});

test('a custom config; counters never go negative', () => {
  const b = new RetryBudget({ percent: 50, minConcurrent: 1 });
  b.finish(true);
  assert.equal(b.active, 0);
  assert.equal(b.retries, 0);
  for (let i = 0; i < 10; i++) b.start(false);
  for (let i = 0; i < 5; i++) b.start(true);
  assert.equal(b.allows(), true, '5 of 15: the share is 7.5');
  for (let i = 0; i < 4; i++) b.start(true);
  assert.equal(b.allows(), true, '9 of 19: the share is 9.5');
  b.start(true);
  assert.equal(b.allows(), false, '10 of 20: the share is 10');
});
