import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, expiresAt, observe, release, type Observation } from './decide';
import { microTime, type LeaseSpec } from './lease';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const me = { identity: 'b', leaseDurationSeconds: 15 };

function held(by: string, at = T0, extra: Partial<LeaseSpec> = {}): LeaseSpec {
  return { holderIdentity: by, leaseDurationSeconds: 15, acquireTime: microTime(at), renewTime: microTime(at), leaseTransitions: 3, ...extra };
}

test('microTime: RFC 3339 with exactly six fractional digits (metav1.MicroTime)', () => {
  assert.equal(microTime(Date.UTC(2025, 0, 2, 3, 4, 5, 678)), '2025-01-02T03:04:05.678000Z');
});

test('no lease: create it, holding it, with zero transitions', () => {
  const obs = observe(undefined, null, T0);
  const d = decide(null, obs, me, T0);
  assert.equal(d.action, 'create');
  assert.deepEqual(d.action === 'create' && d.spec, {
    holderIdentity: 'b',
    leaseDurationSeconds: 15,
    acquireTime: microTime(T0),
    renewTime: microTime(T0),
    leaseTransitions: 0,
  });
});

test('another live holder: wait until leaseDuration after *we first saw* the record', () => {
  const cur = { spec: held('a'), resourceVersion: '10' };
  const obs = observe(undefined, cur, T0 + 1000);
  const d = decide(cur.spec, obs, me, T0 + 1000);
  assert.deepEqual(d, { action: 'wait', holder: 'a', expiresAt: T0 + 1000 + 15_000 });
  // just before expiry: still waiting, even though renewTime (another clock) is far in the past
  assert.equal(decide(cur.spec, obs, me, T0 + 1000 + 14_999).action, 'wait');
});

test('expired holder: take over, bump leaseTransitions, fresh acquireTime', () => {
  const cur = { spec: held('a'), resourceVersion: '10' };
  const obs = observe(undefined, cur, T0);
  const now = T0 + 15_000;
  const d = decide(cur.spec, obs, me, now);
  assert.equal(d.action, 'acquire');
  if (d.action !== 'acquire') return;
  assert.equal(d.previousHolder, 'a');
  assert.deepEqual(d.spec, { holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 4 });
});

test('a renewal by the holder resets the observation clock (skew-proof expiry)', () => {
  let obs: Observation = observe(undefined, { spec: held('a', T0), resourceVersion: '10' }, T0);
  // 10 s later the holder renewed: a new record, seen now
  obs = observe(obs, { spec: held('a', T0 + 10_000), resourceVersion: '11' }, T0 + 10_000);
  assert.equal(obs.at, T0 + 10_000);
  assert.equal(decide(held('a', T0 + 10_000), obs, me, T0 + 20_000).action, 'wait');
  assert.equal(decide(held('a', T0 + 10_000), obs, me, T0 + 25_000).action, 'acquire');
  // the same record seen again does not move the clock
  const again = observe(obs, { spec: held('a', T0 + 10_000), resourceVersion: '11' }, T0 + 24_000);
  assert.equal(again.at, T0 + 10_000);
});

test("the holder's own leaseDurationSeconds decides expiry, not ours", () => {
  const cur = { spec: held('a', T0, { leaseDurationSeconds: 60 }), resourceVersion: '5' };
  const obs = observe(undefined, cur, T0);
  assert.equal(expiresAt(cur.spec, obs, 15), T0 + 60_000);
  assert.equal(decide(cur.spec, obs, me, T0 + 30_000).action, 'wait');
  assert.equal(decide(cur.spec, obs, me, T0 + 60_000).action, 'acquire');
});

test('our own lease: renew, keeping acquireTime and transitions', () => {
  const cur = held('b', T0);
  const obs = observe(undefined, { spec: cur, resourceVersion: '7' }, T0);
  const d = decide(cur, obs, me, T0 + 2000);
  assert.equal(d.action, 'renew');
  if (d.action !== 'renew') return;
  assert.equal(d.spec.acquireTime, microTime(T0));
  assert.equal(d.spec.renewTime, microTime(T0 + 2000));
  assert.equal(d.spec.leaseTransitions, 3);
  assert.equal(d.spec.holderIdentity, 'b');
});

test('a released lease (empty holder) is free at once', () => {
  const cur = { spec: release(held('a'), 'a', T0)!, resourceVersion: '12' };
  assert.equal(cur.spec.holderIdentity, '');
  assert.equal(cur.spec.leaseDurationSeconds, 1);
  const obs = observe(undefined, cur, T0);
  const d = decide(cur.spec, obs, me, T0);
  assert.equal(d.action, 'acquire');
  assert.equal(d.action === 'acquire' && d.spec.leaseTransitions, 4);
});

test('release: only the holder may give the lease up', () => {
  assert.equal(release(held('a'), 'b', T0), null);
  assert.deepEqual(release(held('b'), 'b', T0), { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(T0), renewTime: microTime(T0), leaseTransitions: 3 });
});
