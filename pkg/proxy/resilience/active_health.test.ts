import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeStatusOk, recordProbe } from './active_health';
import { createEndpointState } from '../balancer/endpoint_state';
import { ep } from '../balancer/testutil';

const cfg = { healthyThreshold: 2, unhealthyThreshold: 3 };

test('flips unhealthy after unhealthyThreshold failures in a row, healthy after healthyThreshold successes', () => {
  const s = createEndpointState(ep('a'));
  assert.equal(s.healthy, true);
  assert.equal(s.lastResult, null);
  assert.equal(recordProbe(s, false, cfg, 10), false);
  assert.equal(recordProbe(s, false, cfg, 20), false);
  assert.equal(recordProbe(s, true, cfg, 30), false, 'a success resets the failure run');
  assert.equal(recordProbe(s, false, cfg, 40), false);
  assert.equal(recordProbe(s, false, cfg, 50), false);
  assert.equal(s.healthy, true);
  assert.equal(recordProbe(s, false, cfg, 60), true);
  assert.equal(s.healthy, false);
  assert.equal(s.lastResult, 'failure');
  assert.equal(s.lastCheckedAt, 60);
  assert.equal(recordProbe(s, false, cfg, 70), false, 'already unhealthy');
  assert.equal(recordProbe(s, true, cfg, 80), false);
  assert.equal(recordProbe(s, false, cfg, 90), false);
  assert.equal(recordProbe(s, true, cfg, 100), false);
  assert.equal(recordProbe(s, true, cfg, 110), true);
  assert.equal(s.healthy, true);
  assert.equal(s.lastResult, 'success');
  assert.equal(s.lastCheckedAt, 110);
});

test('thresholds below 1 act as 1', () => {
  const s = createEndpointState(ep('a'));
  assert.equal(recordProbe(s, false, { healthyThreshold: 0, unhealthyThreshold: 0 }, 1), true);
  assert.equal(recordProbe(s, true, { healthyThreshold: 0, unhealthyThreshold: 0 }, 2), true);
});

test('probe status', () => {
  assert.equal(probeStatusOk(200), true);
  assert.equal(probeStatusOk(204), true);
  assert.equal(probeStatusOk(301), false);
  assert.equal(probeStatusOk(503), false);
});
