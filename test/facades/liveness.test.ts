// Heartbeat bookkeeping over a real (SQLite) store with a fake clock: heartbeats cost no write until
// the stored one is P old; the write budget stretches P with the number of backends; expiry is
// exact on one replica, safe after a restart (min of the stored-time and restart bounds), padded
// by P with several replicas; the leader marks then sweeps; a heartbeat renews a marked backend.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { tempDir } from '../harness/tmp';
import { createLogger } from '../../pkg/log/logger';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import type { Store } from '../../pkg/storage/interface';
import { defaultContext } from '../../pkg/registry/generic/context';
import { servedResources } from '../../pkg/registry/kinds';
import { Objects } from '../../pkg/facades/common/objects';
import { Liveness } from '../../pkg/facades/edgeproxy/liveness';
import { backendObject, persistedTimes } from '../../pkg/facades/edgeproxy/objects';

const log = createLogger({ silent: true });
const TTL = 60_000;
const FAR = 1e9; // no timers: the test calls tick() and sweep()

describe('edgeProxy liveness', () => {
  let store: ObjectStore;
  let writes = 0;
  let counted: Store;
  let objects: Objects;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const now = () => clock;

  before(() => {
    store = new ObjectStore(new SqliteDriver({ file: path.join(tempDir('switchyard-liveness-'), 'state.db') }));
    counted = Object.create(store) as Store;
    counted.create = async (k, o) => (writes++, store.create(k, o));
    counted.guaranteedUpdate = async (k, p, fn, c) => {
      const r = await store.guaranteedUpdate(k, p, fn, c);
      if (r.changed) writes++;
      return r;
    };
    counted.delete = async (k, p, v) => (writes++, store.delete(k, p, v));
    objects = new Objects({ ...defaultContext(counted), now: () => new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z') }, servedResources(), 'test');
  });
  after(async () => store?.close());

  const register = async (l: Liveness, id: string) => {
    const o = await objects.create('backends', backendObject({ id, app: 'app', region: 'sa', country: 'BR', ip: '10.0.0.1', port: 80, weight: 1, softLimit: 1, hardLimit: 1 }, clock));
    l.registered(o, clock);
  };
  const settle = async (l: Liveness) => {
    for (const e of l.entries.values()) while (e.pending) await e.pending.catch(() => undefined);
  };

  it('one replica: a heartbeat costs no write until the stored one is P old; expiry is exact', async () => {
    const l = new Liveness(objects, log, { ttlMs: TTL, now, tickMs: FAR, sweepMs: FAR });
    await l.start();
    try {
      await register(l, 'a');
      await register(l, 'b');
      assert.equal(l.persistInterval(), TTL, '2 backends at 1 write/s: P is the TTL');
      const w0 = writes;
      for (let i = 1; i <= 2; i++) {
        clock += 20_000;
        assert.equal(await l.heartbeat('a'), true);
      }
      assert.equal(writes, w0, 'two heartbeats within P: memory only');
      clock += 20_000;
      await l.heartbeat('a');
      assert.equal(writes, w0 + 1, 'the third (60 s after the stored one) is written');
      assert.equal(persistedTimes((await objects.get('backends', 'a'))!).heartbeatMs, clock);
      // b never heartbeated: it expires exactly TTL after its registration, a does not
      const b = l.entries.get('b')!;
      assert.equal(l.deadline(b), b.lastMs + TTL);
      assert.equal(l.expiredNow(b), false, 'at the deadline, still alive');
      clock += 1;
      assert.equal(l.expiredNow(b), true);
      assert.equal(l.liveness((await objects.get('backends', 'b'))!).healthy, false);
      assert.equal(l.expiredNow(l.entries.get('a')!), false);
      // the leader marks b (out of the pool), then the sweep deletes it
      l.tick();
      await settle(l);
      assert.equal(l.entries.get('b')!.expired, true);
      assert.ok((await objects.get('backends', 'b'))!.metadata.annotations!['switchyard.dev/edge-expired']);
      assert.equal(await l.sweep(), 1);
      assert.equal(await objects.get('backends', 'b'), undefined);
      assert.equal(await l.heartbeat('b'), false, 'gone: 404');
    } finally {
      l.stop();
    }
  });

  it('a heartbeat renews a backend marked expired (and clears the mark)', async () => {
    const l = new Liveness(objects, log, { ttlMs: TTL, now, tickMs: FAR, sweepMs: FAR });
    await l.start();
    try {
      await register(l, 'c');
      clock += TTL + 1;
      l.tick();
      await settle(l);
      assert.equal(l.entries.get('c')!.expired, true);
      assert.equal(await l.heartbeat('c'), true);
      const o = (await objects.get('backends', 'c'))!;
      assert.equal(o.metadata.annotations!['switchyard.dev/edge-expired'], undefined);
      assert.equal(l.entries.get('c')!.expired, false);
      await l.sweep(); // 'a' from the test before, silent since, goes; 'c' stays
      assert.equal(await objects.get('backends', 'a'), undefined);
      assert.ok(await objects.get('backends', 'c'));
    } finally {
      l.stop();
    }
  });

  it('after a restart: every backend gets one TTL from the restart, however long the outage', async () => {
    const first = new Liveness(objects, log, { ttlMs: TTL, now, tickMs: FAR, sweepMs: FAR });
    await first.start();
    await register(first, 'r1');
    clock += 30_000;
    await first.heartbeat('r1'); // memory only: the stored time is 30 s older
    first.stop();
    clock += 10 * TTL; // a long outage: r1 could not heartbeat
    const second = new Liveness(objects, log, { ttlMs: TTL, now, tickMs: FAR, sweepMs: FAR });
    await second.start();
    try {
      const e = second.entries.get('r1')!;
      assert.equal(e.lastMs, 0, 'memory is gone');
      assert.equal(second.deadline(e), clock + TTL, 'observed at the restart: a TTL to heartbeat again');
      const view = second.liveness((await objects.get('backends', 'r1'))!);
      assert.equal(view.healthy, true);
      assert.equal(view.lastHeartbeatMs, clock - 10 * TTL - 30_000, 'last_heartbeat_secs comes from the stored time');
      clock += TTL;
      assert.equal(second.expiredNow(e), false);
      clock += 1;
      assert.equal(second.expiredNow(e), true, 'silent for a TTL after the restart: expired');
      await second.heartbeat('r1');
      assert.equal(second.expiredNow(second.entries.get('r1')!), false);
    } finally {
      second.stop();
    }
  });

  it('the write budget stretches P with the number of backends (10,000 at 1 write/s: P = 10,000 s)', async () => {
    const l = new Liveness(objects, log, { ttlMs: TTL, now, tickMs: FAR, sweepMs: FAR });
    for (let i = 0; i < 10_000; i++) l.entries.set(`x${i}`, { name: `x${i}`, app: 'a', uid: '', rv: '', lastMs: clock, persistedMs: clock, observedMs: clock, registeredMs: clock, expired: false, pending: null });
    assert.equal(l.persistInterval(), 10_000_000);
    const lease = new Liveness(objects, log, { ttlMs: TTL, now, persistRatePerSec: 0 });
    for (const [k, v] of l.entries) lease.entries.set(k, v);
    assert.equal(lease.persistInterval(), TTL, 'no budget: P is the TTL');
  });

  it('several replicas: another replica stores heartbeats every P, so expiry waits for it; no budget', async () => {
    const l = new Liveness(objects, log, { ttlMs: TTL, now, multiReplica: true, persistRatePerSec: 1, tickMs: FAR, sweepMs: FAR });
    const e = { lastMs: clock, persistedMs: clock - 50_000, observedMs: clock - 50_000 };
    for (let i = 0; i < 500; i++) l.entries.set(`m${i}`, { name: `m${i}`, app: 'a', uid: '', rv: '', ...e, registeredMs: clock, expired: false, pending: null });
    assert.equal(l.persistInterval(), TTL, 'the budget does not apply with several replicas');
    assert.equal(l.deadline(e), clock + TTL + TTL);
  });

  it('several replicas: a heartbeat stored by one replica reaches the other through the watch', async () => {
    const cfg = { ttlMs: TTL, now, multiReplica: true, tickMs: FAR, sweepMs: FAR };
    const a = new Liveness(objects, log, cfg);
    const b = new Liveness(objects, log, cfg);
    await a.start();
    await b.start();
    try {
      await register(a, 'shared');
      const seen = async () => {
        for (let i = 0; i < 200 && !b.entries.has('shared'); i++) await new Promise((r) => setTimeout(r, 10));
        return b.entries.get('shared')!;
      };
      const before = await seen();
      const observed0 = before.observedMs;
      clock += TTL; // P = TTL: this heartbeat is stored
      assert.equal(await a.heartbeat('shared'), true);
      for (let i = 0; i < 200 && b.entries.get('shared')!.observedMs === observed0; i++) await new Promise((r) => setTimeout(r, 10));
      const e = b.entries.get('shared')!;
      assert.equal(e.observedMs, clock, 'b saw the renewal');
      assert.equal(b.deadline(e), clock + TTL + TTL);
      assert.equal(await b.heartbeat('shared'), true, 'either replica answers heartbeats');
    } finally {
      a.stop();
      b.stop();
    }
  });
});
