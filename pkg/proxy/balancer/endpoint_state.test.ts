import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  available,
  belowSoft,
  cancelRequest,
  createEndpointState,
  finishRequest,
  reconcileEndpointStates,
  startRequest,
} from './endpoint_state';
import { ep } from './testutil';

test('defaults: healthy, no limits, no breaker', () => {
  const s = createEndpointState(ep('a'));
  assert.equal(s.healthy, true);
  assert.equal(s.hardLimit, Infinity);
  assert.equal(s.softLimit, Infinity);
  assert.equal(s.breaker, null);
  assert.equal(available(s, 0), true);
  assert.equal(belowSoft(s), true);
  const zero = createEndpointState(ep('a'), { circuitBreaker: { consecutiveFailures: 0, maxConnections: 0 } });
  assert.equal(zero.breaker, null);
  assert.equal(zero.hardLimit, Infinity);
});

test('available: healthy, not ejected, breaker allows, below the hard limit', () => {
  const s = createEndpointState(ep('a'), { circuitBreaker: { maxConnections: 2, softLimit: 1, consecutiveFailures: 2, openMs: 100 } });
  assert.equal(available(s, 0), true);
  startRequest(s);
  assert.equal(belowSoft(s), false);
  assert.equal(available(s, 0), true);
  startRequest(s);
  assert.equal(available(s, 0), false, 'at hard limit');
  finishRequest(s, true, 10);
  assert.equal(available(s, 10), true);
  finishRequest(s, true, 10);
  assert.equal(s.active, 0);
  assert.equal(s.breaker!.state, 'open');
  assert.equal(available(s, 50), false);
  assert.equal(available(s, 110), true, 'half-open lets a probe through');
  startRequest(s);
  assert.equal(available(s, 110), false, 'one probe at a time');
  cancelRequest(s);
  assert.equal(available(s, 110), true, 'cancelled probe frees the slot');
  s.healthy = false;
  assert.equal(available(s, 110), false);
  s.healthy = true;
  s.ejectedUntil = 200;
  assert.equal(available(s, 199), false);
  assert.equal(available(s, 200), true);
});

test('finishRequest feeds passive ejection', () => {
  const s = createEndpointState(ep('a'), { passiveHealthCheck: { consecutiveFailures: 3, ejectionMs: 1000 } });
  for (let i = 0; i < 2; i++) {
    startRequest(s);
    finishRequest(s, true, 5);
  }
  startRequest(s);
  finishRequest(s, false, 5);
  for (let i = 0; i < 2; i++) finishRequest(s, true, 5);
  assert.equal(s.ejectedUntil, 0, 'a success reset the run');
  finishRequest(s, true, 5);
  assert.equal(s.ejectedUntil, 1005);
  assert.equal(s.active, 0, 'never negative');
});

test('reconcile keeps state by id and reapplies config', () => {
  const cfg1 = { circuitBreaker: { maxConnections: 5, consecutiveFailures: 1, openMs: 100 }, activeHealthCheck: { path: '/', intervalMs: 1, timeoutMs: 1, healthyThreshold: 1, unhealthyThreshold: 1 } };
  const prev = reconcileEndpointStates(undefined, { ...cfg1, endpoints: [ep('a'), ep('b')] });
  prev[0]!.active = 3;
  prev[0]!.healthy = false;
  finishRequest(prev[1]!, true, 0);
  const breakerB = prev[1]!.breaker;
  assert.equal(breakerB!.state, 'open');
  const next = reconcileEndpointStates(prev, { ...cfg1, circuitBreaker: { ...cfg1.circuitBreaker, maxConnections: 9 }, endpoints: [ep('b', 4), ep('c')] });
  assert.equal(next.length, 2);
  assert.equal(next[0], prev[1], 'same object for b');
  assert.equal(next[0]!.ep.weight, 4);
  assert.equal(next[0]!.hardLimit, 9);
  assert.equal(next[0]!.breaker, breakerB, 'breaker kept');
  assert.equal(next[0]!.breaker!.state, 'open');
  assert.notEqual(next[1], prev[0]);
  // dropping the active check forgets an unhealthy verdict; dropping the breaker removes it
  const again = reconcileEndpointStates([prev[0]!], { endpoints: [ep('a')] });
  assert.equal(again[0], prev[0]);
  assert.equal(again[0]!.healthy, true);
  assert.equal(again[0]!.breaker, null);
  assert.equal(again[0]!.active, 3, 'in-flight count survives');
  // changed breaker config is applied in place
  const b2 = reconcileEndpointStates(next, { circuitBreaker: { consecutiveFailures: 3, openMs: 100 }, endpoints: [ep('b')] });
  assert.equal(b2[0]!.breaker, breakerB);
  assert.equal(b2[0]!.breaker!.config.threshold, 3);
});
