// Watch corners as kube-apiserver's cacher answers them, over raw HTTP on SQLite and etcd:
// - sendInitialEvents=true at a revision above the current one: after up to 3 s, HTTP 200 and one
//   ERROR event (504 Timeout, cause ResourceVersionTooLarge) with nothing before it; at the current
//   revision: the objects, then the initial-events-end bookmark; a plain watch at a future revision
//   waits silently and streams what comes after it;
// - sendInitialEvents=false without resourceVersion starts at "most recent": no replay, no ADDED;
// - sendInitialEvents without resourceVersionMatch=NotOlderThan, resourceVersionMatch on a plain
//   watch, and sendInitialEvents on a LIST are 422 with kube's messages;
// - timeoutSeconds=0 is the server's default, not "close at once";
// - the 410 for a compacted revision names the revision asked for;
// - a replay larger than a watch may buffer ends with an ERROR event (410), not a clean EOF.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { BACKENDS, backend, compactEtcd, restartServer, startServer, type TestServer } from './lib';

const listRV = async (ts: TestServer) => Number((await ts.api.get(BACKENDS)).json.metadata.resourceVersion);

for (const storage of ['sqlite', 'etcd'] as const) {
  describe(`watch semantics (${storage})`, { timeout: 240_000 }, () => {
    let ts: TestServer;

    before(async () => {
      ts = await startServer(storage);
      for (const n of ['w-a', 'w-b', 'w-c']) await ts.api.create(BACKENDS, backend(n));
      await ts.api.del(`${BACKENDS}/w-c`); // an event in the window a replay would show
    });
    after(async () => {
      await ts?.stop();
    });

    it('sendInitialEvents=true above the current revision: one ERROR 504 ResourceVersionTooLarge, nothing before it', async () => {
      const cur = await listRV(ts);
      const future = cur + 1000;
      const w = await ts.api.watch(`${BACKENDS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${future}`, { timeoutMs: 15_000 });
      try {
        assert.equal(w.status, 200);
        assert.ok(await w.waitEnd(10_000), 'the stream ends after the error');
        assert.equal(w.events.length, 1, `only the ERROR: ${JSON.stringify(w.events.map((e) => e.type))}`);
        const e = w.events[0];
        assert.equal(e.type, 'ERROR');
        assert.equal(e.object.kind, 'Status');
        assert.equal(e.object.code, 504);
        assert.equal(e.object.reason, 'Timeout');
        assert.match(e.object.message, new RegExp(`^Too large resource version: ${future}, current: \\d+$`));
        assert.equal(e.object.details.causes[0].reason, 'ResourceVersionTooLarge');
        assert.equal(e.object.details.retryAfterSeconds, 1);
      } finally {
        w.close();
      }
      // positive control: at the current revision the objects come, then the end bookmark
      const ok = await ts.api.watch(`${BACKENDS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${cur}`);
      try {
        const bm = await ok.until((e) => e.type === 'BOOKMARK', 5000, 'the initial-events-end bookmark');
        assert.equal(bm.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
        assert.ok(Number(bm.object.metadata.resourceVersion) >= cur);
        assert.deepEqual(ok.events.slice(0, -1).map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w-a'], ['ADDED', 'w-b']]);
        await ts.api.create(BACKENDS, backend('w-after-initial'));
        const next = await ok.next(5000);
        assert.equal(next?.type, 'ADDED');
        assert.equal(next?.object.metadata.name, 'w-after-initial');
      } finally {
        ok.close();
        await ts.api.del(`${BACKENDS}/w-after-initial`);
      }
    });

    it('a plain watch at a future revision waits silently and streams what comes after it', async () => {
      const cur = await listRV(ts);
      const w = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${cur + 2}`);
      try {
        assert.equal(w.status, 200);
        const made = [];
        for (const n of ['fut-1', 'fut-2', 'fut-3']) made.push(await ts.api.create(BACKENDS, backend(n)));
        const e = await w.next(5000);
        assert.equal(e?.type, 'ADDED');
        const firstAfter = made.find((o) => Number(o.metadata.resourceVersion) > cur + 2);
        assert.equal(e?.object.metadata.name, firstAfter.metadata.name, 'the first event after the asked revision, nothing at or below it');
        assert.equal(w.ended, false);
      } finally {
        w.close();
        for (const n of ['fut-1', 'fut-2', 'fut-3']) await ts.api.del(`${BACKENDS}/${n}`);
      }
    });

    it('sendInitialEvents=false without resourceVersion starts at "most recent": no replay, no ADDED for what exists', async () => {
      const w = await ts.api.watch(`${BACKENDS}?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      try {
        assert.equal(w.status, 200);
        await ts.api.create(BACKENDS, backend('w-now'));
        const e = await w.next(5000);
        assert.deepEqual([e?.type, e?.object.metadata.name], ['ADDED', 'w-now'], `first event: ${JSON.stringify(w.events.map((x) => [x.type, x.object?.metadata?.name]))}`);
      } finally {
        w.close();
      }
      // resourceVersion=0 ("any"): also no initial state
      const any = await ts.api.watch(`${BACKENDS}?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&resourceVersion=0`);
      try {
        await ts.api.del(`${BACKENDS}/w-now`);
        const e = await any.next(5000);
        assert.deepEqual([e?.type, e?.object.metadata.name], ['DELETED', 'w-now']);
      } finally {
        any.close();
      }
      // positive control: without sendInitialEvents, resourceVersion=0 still lists the current objects first
      const plain = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=0`);
      try {
        const first = await plain.next(5000);
        assert.equal(first?.type, 'ADDED');
      } finally {
        plain.close();
      }
    });

    it('sendInitialEvents needs resourceVersionMatch=NotOlderThan, and is refused on a LIST (422, kube\'s messages)', async () => {
      for (const v of ['true', 'false']) {
        const a = await ts.api.get(`${BACKENDS}?watch=1&sendInitialEvents=${v}`);
        assert.equal(a.status, 422, a.text);
        assert.equal(a.json.reason, 'Invalid');
        assert.equal(a.json.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
        assert.deepEqual(a.json.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', field: 'resourceVersionMatch' }]);
      }
      const m = await ts.api.get(`${BACKENDS}?watch=1&resourceVersionMatch=NotOlderThan`);
      assert.equal(m.status, 422);
      assert.equal(m.json.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      for (const v of ['true', 'false']) {
        const l = await ts.api.get(`${BACKENDS}?sendInitialEvents=${v}`);
        assert.equal(l.status, 422, l.text);
        assert.equal(l.json.message, 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
      }
      // positive controls
      assert.equal((await ts.api.get(BACKENDS)).status, 200);
      assert.equal((await ts.api.get(`${BACKENDS}?resourceVersion=0&resourceVersionMatch=NotOlderThan`)).status, 200);
    });

    it('timeoutSeconds=0 is the server default: the watch stays open and streams', async () => {
      const cur = await listRV(ts);
      const w = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${cur}&timeoutSeconds=0`);
      try {
        await ts.api.create(BACKENDS, backend('w-t0'));
        const e = await w.next(5000);
        assert.deepEqual([e?.type, e?.object.metadata.name], ['ADDED', 'w-t0']);
        assert.equal(w.ended, false, 'still open');
      } finally {
        w.close();
        await ts.api.del(`${BACKENDS}/w-t0`);
      }
      // a timeout beyond what a timer holds (2^31 ms) is long, not "at once"
      const long = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${await listRV(ts)}&timeoutSeconds=99999999`);
      try {
        await ts.api.patch(`${BACKENDS}/w-a`, 'merge', { metadata: { labels: { long: 'yes' } } });
        const e = await long.next(5000);
        assert.deepEqual([e?.type, e?.object.metadata.name], ['MODIFIED', 'w-a']);
      } finally {
        long.close();
      }
      // positive control: timeoutSeconds=1 ends it
      const short = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${cur}&timeoutSeconds=1`);
      assert.ok(await short.waitEnd(5000));
    });

    it('a replay larger than a watch may buffer ends with an ERROR 410, not a clean EOF', async () => {
      // ~1 MiB objects: 10 updates are ~10 MiB of events, over the 8 MiB a watch may buffer
      const endpoints = Array.from({ length: 11_000 }, (_, i) => ({ fqdn: `h${i}-${'x'.repeat(60)}.example.com` }));
      const big = await ts.api.post(BACKENDS, backend('w-big', { endpoints }));
      assert.equal(big.status, 201, big.text.slice(0, 300));
      const from = big.json.metadata.resourceVersion;
      for (let i = 0; i < 10; i++) {
        const p = await ts.api.patch(`${BACKENDS}/w-big`, 'merge', { metadata: { labels: { round: String(i) } } });
        assert.equal(p.status, 200);
      }
      // a consistent LIST returns once the watch cache holds every patch: the replay is all from memory
      assert.equal((await ts.api.get(`${BACKENDS}?labelSelector=round%3D9`)).json.items.length, 1);
      const w = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${from}`, { timeoutMs: 30_000 });
      try {
        assert.ok(await w.waitEnd(30_000), 'the cut ends the stream');
        const last = w.events[w.events.length - 1];
        assert.equal(last.type, 'ERROR', `the replay ends with an ERROR, saw ${JSON.stringify(w.events.map((e) => e.type))}`);
        assert.equal(last.object.code, 410);
        assert.equal(last.object.reason, 'Expired');
        assert.ok(w.events.slice(0, -1).every((e) => e.type === 'MODIFIED'));
        assert.ok(w.events.length < 11, 'cut before the end');
      } finally {
        w.close();
      }
      // positive control: a watch from the last few revisions is replayed in full and stays open
      const recent = Number((await ts.api.get(`${BACKENDS}/w-big`)).json.metadata.resourceVersion) - 2;
      const ok = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${recent}`, { timeoutMs: 30_000 });
      try {
        const e = await ok.next(10_000);
        assert.equal(e?.type, 'MODIFIED');
        assert.equal(ok.events.some((x) => x.type === 'ERROR'), false);
      } finally {
        ok.close();
        await ts.api.del(`${BACKENDS}/w-big`);
      }
    });

    it('the 410 for a compacted revision names the revision asked for', async () => {
      const made = await ts.api.create(BACKENDS, backend('w-old'));
      const oldRV = Number(made.metadata.resourceVersion);
      for (let i = 0; i < 3; i++) await ts.api.patch(`${BACKENDS}/w-old`, 'merge', { metadata: { labels: { i: String(i) } } });
      let compacted: number;
      if (storage === 'etcd') {
        compacted = await compactEtcd(ts.etcd!.clientURL);
        await restartServer(ts); // the cache starts after the compaction: the old revision is history
      } else {
        await ts.sy.stop();
        const store = new ObjectStore(new SqliteDriver({ file: path.join(ts.sy.dataDir, 'state.db') }));
        compacted = await store.currentRevision();
        await store.compact(compacted);
        await store.close();
        await restartServer(ts);
      }
      const w = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${oldRV}`);
      try {
        const e = await w.next(10_000);
        assert.equal(e?.type, 'ERROR', JSON.stringify(w.events));
        assert.equal(e?.object.code, 410);
        assert.equal(e?.object.message, `too old resource version: ${oldRV} (${compacted})`);
      } finally {
        w.close();
      }
    });
  });
}
