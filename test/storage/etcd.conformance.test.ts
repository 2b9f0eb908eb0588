// The storage conformance suite on etcd: one real etcd member started by the harness, the
// EtcdDriver talking to it. restart = SIGKILL the member and start it again on the same data dir
// and ports; the same driver must reconnect (and its watches resume).
// Plus what only a shared store has: two drivers (two apiserver replicas) on one etcd see the same
// writes in the same order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ObjectStore } from '../../pkg/storage/store';
import { EtcdDriver } from '../../pkg/storage/etcd/driver';
import type { ObjectEvent } from '../../pkg/storage/interface';
import { startEtcd } from '../harness/etcd';
import { runStoreConformance } from './conformance';

runStoreConformance('etcd', async () => {
  const member = await startEtcd();
  const driver = new EtcdDriver({ endpoints: [member.clientURL], callTimeoutMs: 5000 });
  const store = new ObjectStore(driver);
  return {
    store,
    driver,
    async restart() {
      await member.kill('SIGKILL');
      await member.restart();
      return { store, driver };
    },
    async cleanup() {
      await driver.close();
      await member.stop();
    },
  };
});

describe('etcd: two replicas on one etcd', () => {
  it('watches on either replica see every write from both, in the same order', { timeout: 60_000 }, async () => {
    const member = await startEtcd();
    const a = new ObjectStore(new EtcdDriver({ endpoints: [member.clientURL] }));
    const b = new ObjectStore(new EtcdDriver({ endpoints: [member.clientURL] }));
    const P = '/registry/core.apoxy.dev/backends-replicas/';
    const seen: Record<'a' | 'b', ObjectEvent[]> = { a: [], b: [] };
    const errors: Error[] = [];
    const from = String(await a.currentRevision());
    const wa = a.watch(P, { resourceVersion: from }, { onEvent: (e) => seen.a.push(e), onError: (e) => errors.push(e) });
    const wb = b.watch(P, { resourceVersion: from }, { onEvent: (e) => seen.b.push(e), onError: (e) => errors.push(e) });
    try {
      const N = 50;
      const writes = await Promise.all(
        Array.from({ length: 2 * N }, (_, i) => {
          const via = i % 2 ? a : b;
          const name = `o${String(i).padStart(3, '0')}`;
          return via.create(P + name, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, uid: randomUUID() }, spec: { i } });
        }),
      );
      // an update through one replica, seen with its previous state by the other
      const upd = await a.guaranteedUpdate(P + 'o000', undefined, (cur) => ({ ...cur, spec: { i: -1 } }));
      const deadline = Date.now() + 15_000;
      while ((seen.a.length < 2 * N + 1 || seen.b.length < 2 * N + 1) && Date.now() < deadline && !errors.length) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(errors, []);
      const revs = (evs: ObjectEvent[]) => evs.map((e) => e.revision);
      const expected = [...writes.map((o) => Number(o.metadata.resourceVersion)).sort((x, y) => x - y), Number(upd.object.metadata.resourceVersion)];
      assert.deepEqual(revs(seen.a), expected, 'replica a saw every write once, in revision order');
      assert.deepEqual(revs(seen.b), expected, 'replica b saw every write once, in revision order');
      const last = seen.b[seen.b.length - 1];
      assert.equal(last.type, 'MODIFIED');
      assert.equal((last.prevObject?.spec as { i: number }).i, 0);
      // and a list through either replica is the same
      const [la, lb] = await Promise.all([a.list(P), b.list(P)]);
      assert.deepEqual(la.items, lb.items);
    } finally {
      wa.stop();
      wb.stop();
      await a.close();
      await b.close();
      await member.stop();
    }
  });
});
