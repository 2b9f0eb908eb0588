import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEjected, isFailure, recordPassive } from './passive';
import { createEndpointState } from '../balancer/endpoint_state';
import { ep } from '../balancer/testutil';

const cfg = { consecutiveFailures: 3, ejectionMs: 30_000 };

test('failures: connect errors, timeouts, 5xx; not 4xx', () => {
  assert.equal(isFailure({ kind: 'connect-error' }), true);
  assert.equal(isFailure({ kind: 'timeout' }), true);
  assert.equal(isFailure({ kind: 'status', status: 502 }), true);
  assert.equal(isFailure({ kind: 'status', status: 500 }), true);
  assert.equal(isFailure({ kind: 'status', status: 404 }), false);
  assert.equal(isFailure({ kind: 'status', status: 200 }), false);
});

test('N consecutive failures eject until now + ejectionMs; a success resets', () => {
  const s = createEndpointState(ep('a'));
  assert.equal(recordPassive(s, true, cfg, 0), false);
  assert.equal(recordPassive(s, true, cfg, 1), false);
  assert.equal(recordPassive(s, false, cfg, 2), false);
  assert.equal(recordPassive(s, true, cfg, 3), false);
  assert.equal(recordPassive(s, true, cfg, 4), false);
  assert.equal(isEjected(s, 4), false);
  assert.equal(recordPassive(s, true, cfg, 5), true);
  assert.equal(s.ejectedUntil, 30_005);
  assert.equal(s.ejections, 1);
  assert.equal(isEjected(s, 30_004), true);
  assert.equal(isEjected(s, 30_005), false);
  // back in rotation: needs a whole new run to be ejected again
  assert.equal(recordPassive(s, true, cfg, 30_006), false);
  assert.equal(isEjected(s, 30_006), false);
});

test('no config or threshold 0: nothing recorded', () => {
  const s = createEndpointState(ep('a'));
  for (let i = 0; i < 10; i++) {
    assert.equal(recordPassive(s, true, undefined, i), false);
    assert.equal(recordPassive(s, true, { consecutiveFailures: 0, ejectionMs: 5 }, i), false);
  }
  assert.equal(s.passiveFailures, 0);
  assert.equal(s.ejectedUntil, 0);
});
