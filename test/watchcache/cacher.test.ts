// The watch cache over real stores (SQLite and one etcd member): its keyed state lists exactly what
// the store lists (same predicate, same key order), reads its writes, answers a consistent list
// for a quiet resource through the store's progress notifications, and an update that starts from
// a stale cached object still ends right (success or conflict, never a wrong one).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { KObject } from '../../apis/meta/v1/types';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { EtcdDriver } from '../../pkg/storage/etcd/driver';
import type { Driver } from '../../pkg/storage/driver';
import { StorageError, isStorageError } from '../../pkg/storage/errors';
import { Cacher } from '../../pkg/apiserver/watchcache/cacher';
import { CachedExistingStore } from '../../pkg/apiserver/watchcache/cached_store';
import { parseLabelSelector } from '../../pkg/selectors/labels';
import { startEtcd, type EtcdMember } from '../harness/etcd';
import { tempDir } from '../harness/tmp';

const P = '/registry/core.apoxy.dev/backends/';
const OTHER = '/registry/gateway.apoxy.dev/httproutes/';

function obj(name: string, labels: Record<string, string> = {}, n = 0): KObject {
  return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, labels }, spec: { n } } as KObject;
}

/** counts the driver's single-key reads (the read a cached update saves) */
function countingGets(d: Driver): { driver: Driver; gets: () => number } {
  let gets = 0;
  const proxy = new Proxy(d, {
    get(target, prop, recv) {
      if (prop === 'get') {
        return (key: string) => {
          gets++;
          return target.get(key);
        };
      }
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { driver: proxy, gets: () => gets };
}

for (const kind of ['sqlite', 'etcd'] as const) {
  describe(`watch cache keyed state on ${kind}`, { timeout: 120_000 }, () => {
    let member: EtcdMember | undefined;
    let raw: Driver;
    let counted: ReturnType<typeof countingGets>;
    let store: ObjectStore;
    let cacher: Cacher;

    before(async () => {
      if (kind === 'etcd') {
        member = await startEtcd();
        raw = new EtcdDriver({ endpoints: [member.clientURL], callTimeoutMs: 5000 });
      } else {
        raw = new SqliteDriver({ file: path.join(tempDir('switchyard-cacher-'), 'state.db') });
      }
      counted = countingGets(raw);
      store = new ObjectStore(counted.driver);
      // objects that exist before the cache starts come from its initial list
      for (let i = 0; i < 30; i++) await store.create(P + `pre-${i}`, obj(`pre-${i}`, { app: i % 2 ? 'web' : 'db', shard: String(i % 3) }, i));
      cacher = new Cacher(store, P);
      await cacher.start();
    });

    after(async () => {
      cacher?.stop();
      await raw?.close();
      await member?.stop();
    });

    it('lists what the store lists: every selector, key order, deletes and updates applied', async () => {
      for (let i = 0; i < 40; i++) {
        const labels: Record<string, string> = { app: ['web', 'db', 'cache'][i % 3], shard: String(i % 4) };
        if (i % 5 === 0) labels.team = 'edge';
        await store.create(P + `bk-${i}`, obj(`bk-${i}`, labels, i));
      }
      // names whose byte order differs from UTF-16 order and from numeric order
      for (const n of ['bk-100', 'bk-9a', 'Z-upper', 'x\u{1F600}', 'x\uff5a']) await store.create(P + n, obj(n, { app: 'web' }));
      for (let i = 0; i < 40; i += 3) await store.guaranteedUpdate(P + `bk-${i}`, undefined, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, app: 'web' } } }));
      for (let i = 1; i < 40; i += 7) await store.delete(P + `bk-${i}`);
      await store.delete(P + 'pre-3');

      const preds: Array<[string, ((o: KObject) => boolean) | undefined]> = [['none', undefined]];
      for (const sel of ['app=web', 'app in (web,cache)', 'app!=db', '!team', 'team', 'shard notin (1,2),app']) {
        const s = parseLabelSelector(sel);
        preds.push([sel, (o) => s.matches(o.metadata.labels)]);
      }
      preds.push(['name', (o) => o.metadata.name === 'bk-9']);
      for (const [what, predicate] of preds) {
        const cached = await cacher.list({ kind: 'consistent' }, predicate);
        const stored = await store.list(P, { predicate });
        assert.ok(cached, `${what}: served from the cache`);
        assert.deepEqual(cached.items, stored.items, `${what}: same items, same order`);
        assert.equal(cached.revision, Number(stored.resourceVersion), `${what}: the list's resourceVersion is the cache's revision, the store's current one here`);
      }
    });

    it('reads its writes: a consistent list right after each write sees it', async () => {
      for (let i = 0; i < 25; i++) {
        const name = `ryw-${i}`;
        const created = await store.create(P + name, obj(name, { step: 'created' }));
        let l = await cacher.list({ kind: 'consistent' });
        assert.equal(l?.items.find((o) => o.metadata.name === name)?.metadata.resourceVersion, created.metadata.resourceVersion, 'create seen');
        const upd = await store.guaranteedUpdate(P + name, undefined, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { step: 'updated' } } }));
        l = await cacher.list({ kind: 'consistent' });
        assert.equal(l?.items.find((o) => o.metadata.name === name)?.metadata.resourceVersion, upd.object.metadata.resourceVersion, 'update seen');
        await store.delete(P + name);
        l = await cacher.list({ kind: 'consistent' });
        assert.ok(l && !l.items.some((o) => o.metadata.name === name), 'delete seen');
      }
    });

    it('answers a consistent list for a quiet resource while another resource is written (progress)', async () => {
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 3; i++) await store.create(OTHER + `r-${round}-${i}`, obj(`r-${round}-${i}`));
        const current = await store.currentRevision();
        const l = await cacher.list({ kind: 'consistent' });
        assert.ok(l, `round ${round}: served from the cache, not given up`);
        assert.ok(l.revision >= current, `round ${round}: at revision ${l.revision} >= ${current}`);
      }
    });

    it('resourceVersion=0 is served as it is; N beyond the store is left to storage (too large)', async () => {
      const any = await cacher.list({ kind: 'any' });
      assert.ok(any && any.items.length === cacher.size);
      const current = await store.currentRevision();
      assert.equal(await cacher.list({ kind: 'atLeast', revision: current + 1000 }), undefined);
      const l = await cacher.list({ kind: 'atLeast', revision: current });
      assert.ok(l && l.revision >= current);
    });

    it('hands out frozen objects shared with its state', async () => {
      const l = await cacher.list({ kind: 'any' });
      const o = l!.items[0];
      assert.ok(Object.isFrozen(o) && Object.isFrozen(o.metadata));
      assert.throws(() => {
        (o.metadata as { name?: string }).name = 'changed';
      }, TypeError);
      assert.equal(cacher.objectFor(P + o.metadata.name), o);
      assert.equal(cacher.objectFor('/elsewhere/' + o.metadata.name), undefined);
    });

    it('an update from a fresh cached object costs no read', async () => {
      const name = 'fresh-1';
      await store.create(P + name, obj(name, {}, 1));
      await cacher.list({ kind: 'consistent' });
      const cs = new CachedExistingStore(store, (k) => cacher.objectFor(k));
      const before = counted.gets();
      const res = await cs.guaranteedUpdate(P + name, undefined, (cur) => ({ ...cur, spec: { n: 2 } }));
      assert.equal(counted.gets() - before, 0, 'one compare-and-swap, no read');
      assert.deepEqual(res.object.spec, { n: 2 });
    });

    it('an update from a stale cached object still succeeds or conflicts exactly as from storage', async () => {
      const name = 'stale-1';
      const v1 = await store.create(P + name, obj(name, {}, 1));
      const stale = structuredClone(v1);
      const v2 = (await store.guaranteedUpdate(P + name, undefined, (cur) => ({ ...cur, spec: { n: 2 } }))).object;
      const cs = new CachedExistingStore(store, (k) => (k === P + name ? stale : undefined));
      const conflictUnless = (rv: string) => (cur: KObject) => {
        if (cur.metadata.resourceVersion !== rv) throw StorageError.conflict(P + name, 'the object has been modified');
        return { ...cur, spec: { ...(cur.spec as object), touched: rv } };
      };

      // the client holds v2 (newer than the cache's v1): must succeed, applied to v2
      const a = await cs.guaranteedUpdate(P + name, undefined, conflictUnless(v2.metadata.resourceVersion!));
      assert.deepEqual(a.object.spec, { n: 2, touched: v2.metadata.resourceVersion });
      const v3 = a.object;

      // the client holds v1, which the cache also holds: it is stale in storage, so 409
      let calls = 0;
      await assert.rejects(
        cs.guaranteedUpdate(P + name, undefined, (cur) => {
          calls++;
          return conflictUnless(v1.metadata.resourceVersion!)(cur);
        }),
        (e: unknown) => isStorageError(e, 'Conflict'),
      );
      assert.equal(calls, 2, 'the stale guess passed the check, its compare-and-swap failed, the re-read object conflicted');

      // a level-based change from the stale object lands on the stored one (no lost update)
      const b = await cs.guaranteedUpdate(P + name, undefined, (cur) => ({ ...cur, spec: { ...(cur.spec as object), n: ((cur.spec as { n: number }).n ?? 0) + 10 } }));
      assert.equal((b.object.spec as { n: number }).n, 12, 'n was 2 in storage (1 in the stale cache)');

      // preconditions: the stored resourceVersion passes even though the cached one differs
      const c = await cs.guaranteedUpdate(P + name, { resourceVersion: b.object.metadata.resourceVersion }, (cur) => ({ ...cur, spec: { n: 99 } }));
      assert.deepEqual(c.object.spec, { n: 99 });
      // and a stale precondition still fails
      await assert.rejects(cs.guaranteedUpdate(P + name, { resourceVersion: v3.metadata.resourceVersion }, (cur) => cur), (e: unknown) => isStorageError(e, 'Conflict'));
      // a no-op against the stale guess is confirmed on the stored object: unchanged, resourceVersion kept
      const d = await cs.guaranteedUpdate(P + name, undefined, (cur) => cur);
      assert.equal(d.changed, false);
      assert.equal(d.object.metadata.resourceVersion, c.object.metadata.resourceVersion);
    });
  });
}

describe('watch cache on etcd, started while the store is being written', { timeout: 120_000 }, () => {
  it('reads its writes even when its watch started behind the store (etcd answers progress requests while catching up)', async () => {
    const member = await startEtcd();
    const a = new ObjectStore(new EtcdDriver({ endpoints: [member.clientURL], callTimeoutMs: 5000 }));
    const b = new ObjectStore(new EtcdDriver({ endpoints: [member.clientURL], callTimeoutMs: 5000 }));
    let busy = true;
    let k = 0;
    const background = (async () => {
      while (busy) await a.create(OTHER + `bg-${k++}`, obj(`bg-${k}`));
    })();
    const cacher = new Cacher(b, P);
    try {
      await cacher.start();
      let served = 0;
      for (let i = 0; i < 100; i++) {
        const created = await a.create(P + `w-${i}`, obj(`w-${i}`));
        const l = await cacher.list({ kind: 'consistent' });
        if (!l) continue; // storage answers: correct, just not from the cache
        served++;
        assert.equal(l.items.find((o) => o.metadata.name === `w-${i}`)?.metadata.resourceVersion, created.metadata.resourceVersion, `w-${i} listed by the other replica's cache`);
      }
      assert.ok(served > 0, 'the cache served once its watch had caught up');
    } finally {
      busy = false;
      await background;
      cacher.stop();
      await a.close();
      await b.close();
      await member.stop();
    }
  });
});
