import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, isIdempotent, retryDecision } from './retry';
import type { RetryIR } from '../ir';

// registry facade: max_attempts 3 → 2 retries, 100 ms doubling up to 2 s, idempotent only, 502/503/504
const registry: RetryIR = { attempts: 2, backoffMs: 100, maxBackoffMs: 2000, codes: [502, 503, 504], idempotentOnly: true };
// Gateway API: retry.codes [500], attempts counts retries
const gateway: RetryIR = { attempts: 3, backoffMs: 0, maxBackoffMs: 0, codes: [500], idempotentOnly: false };

test('at most `attempts` retries', () => {
  const o = { kind: 'status' as const, status: 503 };
  assert.deepEqual(retryDecision(registry, 0, o, 'GET'), { retry: true, delayMs: 100 });
  assert.deepEqual(retryDecision(registry, 1, o, 'GET'), { retry: true, delayMs: 200 });
  assert.deepEqual(retryDecision(registry, 2, o, 'GET'), { retry: false, delayMs: 0 });
  assert.equal(retryDecision({ ...registry, attempts: 0 }, 0, o, 'GET').retry, false);
});

test('status codes: only those listed', () => {
  assert.equal(retryDecision(gateway, 0, { kind: 'status', status: 500 }, 'POST').retry, true);
  assert.equal(retryDecision(gateway, 0, { kind: 'status', status: 502 }, 'GET').retry, false);
  assert.equal(retryDecision(registry, 0, { kind: 'status', status: 500 }, 'GET').retry, false);
  assert.equal(retryDecision(registry, 0, { kind: 'status', status: 200 }, 'GET').retry, false);
});

test('idempotentOnly: POST/PATCH are not retried; connect errors otherwise always are', () => {
  assert.equal(retryDecision(registry, 0, { kind: 'connect-error' }, 'GET').retry, true);
  assert.equal(retryDecision(registry, 0, { kind: 'connect-error' }, 'PUT').retry, true);
  assert.equal(retryDecision(registry, 0, { kind: 'connect-error' }, 'POST').retry, false);
  assert.equal(retryDecision(registry, 0, { kind: 'status', status: 502 }, 'PATCH').retry, false);
  assert.equal(retryDecision(gateway, 0, { kind: 'connect-error' }, 'POST').retry, true);
});

test('timeouts count as 504 and only for idempotent methods', () => {
  assert.equal(retryDecision(registry, 0, { kind: 'timeout' }, 'GET').retry, true);
  assert.equal(retryDecision(registry, 0, { kind: 'timeout' }, 'POST').retry, false);
  assert.equal(retryDecision({ ...gateway, codes: [504] }, 0, { kind: 'timeout' }, 'POST').retry, false);
  assert.equal(retryDecision(gateway, 0, { kind: 'timeout' }, 'GET').retry, false, '504 not listed');
});

test('exponential backoff capped at maxBackoffMs', () => {
  const long = { ...registry, attempts: 10 };
  const delays = [];
  for (let a = 0; a < 7; a++) delays.push(retryDecision(long, a, { kind: 'connect-error' }, 'GET').delayMs);
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 2000, 2000]);
  assert.equal(backoffDelay({ backoffMs: 25, maxBackoffMs: 0 }, 3), 200, 'no cap');
  assert.equal(retryDecision(gateway, 0, { kind: 'status', status: 500 }, 'GET').delayMs, 0);
});

test('jitter only with an injected rand', () => {
  assert.equal(retryDecision(registry, 1, { kind: 'connect-error' }, 'GET', () => 0).delayMs, 100);
  assert.equal(retryDecision(registry, 1, { kind: 'connect-error' }, 'GET', () => 0.5).delayMs, 150);
});

test('idempotent methods', () => {
  for (const m of ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']) assert.equal(isIdempotent(m), true, m);
  for (const m of ['POST', 'PATCH', 'CONNECT']) assert.equal(isIdempotent(m), false, m);
});
