// The elector with an injected clock, driven step by step: two candidates over one lease record,
// first an in-memory compare-and-swap client (with injectable failures), then the real
// StoreLeaseClient over an in-memory SQLite store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector, validateTimings, type Clock, type LeaseClient } from './elector';
import { StoreLeaseClient } from './store_client';
import type { LeaseRead, LeaseSpec } from './lease';
import { ObjectStore } from '../storage/store';
import { SqliteDriver } from '../storage/sqlite/driver';

class ManualClock implements Clock {
  constructor(public t = Date.UTC(2025, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** One shared record with compare-and-swap; `down` makes every call fail. */
class MemoryLease {
  spec: LeaseSpec | null = null;
  rv = 0;
  down = false;
  writes = 0;
  client(): LeaseClient {
    const check = () => {
      if (this.down) throw new Error('connection refused');
    };
    return {
      name: 'ns/lease',
      get: async (): Promise<LeaseRead | null> => {
        check();
        return this.spec ? { spec: { ...this.spec }, resourceVersion: String(this.rv) } : null;
      },
      create: async (spec) => {
        check();
        if (this.spec) return null;
        this.spec = { ...spec };
        this.writes++;
        return String(++this.rv);
      },
      update: async (spec, rv) => {
        check();
        if (!this.spec || String(this.rv) !== rv) return null;
        this.spec = { ...spec };
        this.writes++;
        return String(++this.rv);
      },
    };
  }
}

const TIMINGS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidate(identity: string, client: LeaseClient, clock: Clock, log: string[] = []) {
  return new LeaderElector({
    client,
    identity,
    clock,
    ...TIMINGS,
    onStartedLeading: () => log.push(`${identity} started`),
    onStoppedLeading: () => log.push(`${identity} stopped`),
  });
}

test('timings: kube rules (lease > renew deadline > 1.2 × retry)', () => {
  assert.doesNotThrow(() => validateTimings(TIMINGS));
  assert.throws(() => validateTimings({ ...TIMINGS, renewDeadlineMs: 15_000 }), /greater than the renew deadline/);
  assert.throws(() => validateTimings({ ...TIMINGS, retryPeriodMs: 9_000 }), /1\.2/);
});

test('exactly one of two candidates leads; the other takes over only after the lease expires', async () => {
  const clock = new ManualClock();
  const lease = new MemoryLease();
  const log: string[] = [];
  const a = candidate('a', lease.client(), clock, log);
  const b = candidate('b', lease.client(), clock, log);

  await a.step();
  await b.step();
  assert.equal(a.isLeader(), true);
  assert.equal(b.isLeader(), false);
  assert.equal(b.holder(), 'a');
  assert.equal(lease.spec?.holderIdentity, 'a');

  // a renews every retry period; b keeps waiting however long that goes on
  for (let i = 0; i < 20; i++) {
    clock.advance(2000);
    await a.step();
    await b.step();
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), false);
  }

  // a dies (stops renewing). b saw its last renewal just now; it must wait a full lease duration.
  const lastSeen = clock.now();
  clock.advance(2000);
  await b.step();
  clock.advance(12_999);
  await b.step();
  assert.equal(b.isLeader(), false, 'not before leaseDuration since the last renewal was seen');
  clock.advance(1);
  await b.step();
  assert.equal(b.isLeader(), true);
  assert.equal(clock.now() - lastSeen, 15_000);
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.deepEqual(log, ['a started', 'b started']);
});

test('a leader that cannot renew stops acting at the renew deadline, before anyone may take over', async () => {
  const clock = new ManualClock();
  const lease = new MemoryLease();
  const log: string[] = [];
  const a = candidate('a', lease.client(), clock, log);
  await a.step();
  const acquiredAt = clock.now();
  assert.equal(a.isLeader(), true);

  lease.down = true; // a's renewals fail from now on
  for (let t = 2000; t < 10_000; t += 2000) {
    clock.advance(2000);
    await a.step();
    assert.equal(a.isLeader(), true, `still within the renew deadline at +${t} ms`);
  }
  clock.advance(2000); // +10 s: the renew deadline
  assert.equal(a.isLeader(), false, 'isLeader() is time-based: false the moment the deadline passes');
  await a.step();
  assert.deepEqual(log, ['a started', 'a stopped']);

  // A rival that saw a's last write at acquiredAt could only take over at acquiredAt + 15 s.
  lease.down = false;
  const b = candidate('b', lease.client(), clock, log);
  clock.t = acquiredAt; // b read the record right after a wrote it
  await b.step();
  assert.equal(b.isLeader(), false);
  clock.t = acquiredAt + 15_000;
  await b.step();
  assert.equal(b.isLeader(), true);
  assert.ok(acquiredAt + TIMINGS.renewDeadlineMs < acquiredAt + TIMINGS.leaseDurationMs);
});

test('a lost compare-and-swap never makes a leader; two racers for a free lease: one wins', async () => {
  const clock = new ManualClock();
  const lease = new MemoryLease();
  const a = candidate('a', lease.client(), clock);
  const b = candidate('b', lease.client(), clock);
  await Promise.all([a.step(), b.step()]);
  assert.equal([a.isLeader(), b.isLeader()].filter(Boolean).length, 1);
  assert.equal(lease.writes, 1);
});

test('stop() releases the lease so a successor takes over at its next attempt', async () => {
  const clock = new ManualClock();
  const lease = new MemoryLease();
  const a = candidate('a', lease.client(), clock);
  const b = candidate('b', lease.client(), clock);
  await a.step();
  await b.step();
  await a.stop();
  assert.equal(a.isLeader(), false);
  assert.equal(lease.spec?.holderIdentity, '');
  clock.advance(2000);
  await b.step();
  assert.equal(b.isLeader(), true);
});

test('over the store (SQLite): same rules through create / update-if-resourceVersion', async () => {
  const store = new ObjectStore(new SqliteDriver({ file: ':memory:' }));
  try {
    const clock = new ManualClock();
    const a = candidate('a', new StoreLeaseClient(store, 'switchyard-system', 'ctl'), clock);
    const b = candidate('b', new StoreLeaseClient(store, 'switchyard-system', 'ctl'), clock);
    await a.step();
    await b.step();
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), false);
    const stored = await store.get('/registry/leases/switchyard-system/ctl');
    assert.equal(stored.apiVersion, 'coordination.k8s.io/v1');
    assert.equal(stored.kind, 'Lease');
    assert.equal((stored.spec as LeaseSpec).holderIdentity, 'a');
    // a stale resourceVersion loses: b cannot overwrite a's lease by racing on an old read
    const staleB = new StoreLeaseClient(store, 'switchyard-system', 'ctl');
    const read = await staleB.get();
    clock.advance(2000);
    await a.step(); // a renews: the record moves on
    assert.equal(await staleB.update({ holderIdentity: 'b' }, read!.resourceVersion), null);
    await b.step(); // b sees the renewal now: its wait starts over
    clock.advance(14_999);
    await b.step();
    assert.equal(b.isLeader(), false);
    clock.advance(1);
    await b.step();
    assert.equal(b.isLeader(), true);
    assert.equal(a.isLeader(), false);
  } finally {
    await store.close();
  }
});
