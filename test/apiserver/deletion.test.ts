// Deletion and finalizers as kube-apiserver does them, over the real binary on SQLite and etcd:
// - DELETE of an object with finalizers marks it (deletionTimestamp) and bumps generation once
//   (kube's markAsDeleting); a second DELETE changes nothing;
// - removing the last finalizer deletes the object in the same operation: a watcher sees one
//   DELETED, no intermediate MODIFIED (merge patch, PUT, and kubectl); removing one of two is a
//   plain MODIFIED;
// - two concurrent DELETEs of one object: one 200, the other 404;
// - deletecollection answers the list of the items it deleted, not a Status.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, backend, kubectlFor, startServer, waitFor, type Kubectl, type TestServer, type WatchStream } from './lib';

/** every event a watch from `rv` sees until (and including) the DELETED of `name` */
async function eventsUntilDeleted(w: WatchStream, name: string): Promise<string[]> {
  await w.until((e) => e.type === 'DELETED' && e.object?.metadata?.name === name, 10_000, `DELETED ${name}`);
  return w.events.filter((e) => e.object?.metadata?.name === name).map((e) => e.type);
}

for (const storage of ['sqlite', 'etcd'] as const) {
  describe(`deletion and finalizers (${storage})`, { timeout: 180_000 }, () => {
    let ts: TestServer;
    let kubectl: Kubectl;

    before(async () => {
      ts = await startServer(storage);
      kubectl = kubectlFor(ts.sy.kubeconfig);
    });
    after(async () => {
      await ts?.stop();
    });

    it('DELETE with finalizers sets deletionTimestamp and bumps generation once (markAsDeleting)', async () => {
      const created = await ts.api.create(BACKENDS, backend('fin-gen', undefined, { finalizers: ['example.com/hold'] }));
      assert.equal(created.metadata.generation, 1);
      const d = await ts.api.del(`${BACKENDS}/fin-gen`);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.kind, 'Backend', 'the object is answered while finalizers hold it');
      assert.match(d.json.metadata.deletionTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(d.json.metadata.deletionGracePeriodSeconds, 0);
      assert.equal(d.json.metadata.generation, 2, 'generation bumped by the mark');
      const again = await ts.api.del(`${BACKENDS}/fin-gen`);
      assert.equal(again.status, 200);
      assert.equal(again.json.metadata.generation, 2, 'a second DELETE does not bump again');
      assert.equal(again.json.metadata.resourceVersion, d.json.metadata.resourceVersion, 'nor write');
      // positive control: a spec-less label change still leaves generation alone
      const labeled = await ts.api.patch(`${BACKENDS}/fin-gen`, 'merge', { metadata: { labels: { a: 'b' } } });
      assert.equal(labeled.json.metadata.generation, 2);
      const gone = await ts.api.patch(`${BACKENDS}/fin-gen`, 'merge', { metadata: { finalizers: null } });
      assert.equal(gone.status, 200, gone.text);
      await waitFor(async () => (await ts.api.get(`${BACKENDS}/fin-gen`)).status === 404, 5000, 'fin-gen gone');
    });

    it('removing the last finalizer deletes in the same operation: one DELETED, no MODIFIED (merge patch and PUT)', async () => {
      for (const how of ['patch', 'put'] as const) {
        const name = `fin-last-${how}`;
        await ts.api.create(BACKENDS, backend(name, undefined, { finalizers: ['example.com/a', 'example.com/b'] }));
        const marked = await ts.api.del(`${BACKENDS}/${name}`);
        assert.equal(marked.status, 200);
        const w = await ts.api.watch(`${BACKENDS}?watch=true&resourceVersion=${marked.json.metadata.resourceVersion}`);
        try {
          // positive control: removing one of two finalizers is an ordinary update
          const one = await ts.api.patch(`${BACKENDS}/${name}`, 'json', [{ op: 'remove', path: '/metadata/finalizers/0' }]);
          assert.equal(one.status, 200, one.text);
          assert.deepEqual(one.json.metadata.finalizers, ['example.com/b']);
          const mod = await w.until((e) => e.object?.metadata?.name === name, 5000, 'the MODIFIED for one finalizer');
          assert.equal(mod.type, 'MODIFIED');
          let last;
          if (how === 'patch') {
            last = await ts.api.patch(`${BACKENDS}/${name}`, 'merge', { metadata: { finalizers: null } });
          } else {
            const cur = (await ts.api.get(`${BACKENDS}/${name}`)).json;
            delete cur.metadata.finalizers;
            last = await ts.api.put(`${BACKENDS}/${name}`, cur);
          }
          assert.equal(last.status, 200, last.text);
          assert.equal(last.json.metadata.finalizers, undefined, 'the answer is the object as updated');
          assert.deepEqual(await eventsUntilDeleted(w, name), ['MODIFIED', 'DELETED'], 'one DELETED right after the first MODIFIED');
          const deleted = w.events.find((e) => e.type === 'DELETED')!;
          assert.ok(deleted.object.metadata.deletionTimestamp, 'the DELETED carries the last stored state');
          assert.equal((await ts.api.get(`${BACKENDS}/${name}`)).status, 404, 'gone at once, not after a second write');
        } finally {
          w.close();
        }
      }
    });

    it('kubectl delete --wait=false then kubectl patch removing the finalizer: one DELETED', async () => {
      await ts.api.create(BACKENDS, backend('fin-kubectl', undefined, { finalizers: ['example.com/hold'] }));
      const start = (await ts.api.get(`${BACKENDS}/fin-kubectl`)).json.metadata.resourceVersion;
      const w = await ts.api.watch(`${BACKENDS}?watch=true&resourceVersion=${start}&fieldSelector=metadata.name%3Dfin-kubectl`);
      try {
        await kubectl.ok(['delete', 'backend', 'fin-kubectl', '--wait=false']);
        const marked = await w.until((e) => e.object?.metadata?.name === 'fin-kubectl', 5000, 'the mark');
        assert.equal(marked.type, 'MODIFIED');
        assert.equal(marked.object.metadata.generation, 2);
        await kubectl.ok(['patch', 'backend', 'fin-kubectl', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
        assert.deepEqual(await eventsUntilDeleted(w, 'fin-kubectl'), ['MODIFIED', 'DELETED']);
        const get = await kubectl(['get', 'backend', 'fin-kubectl']);
        assert.notEqual(get.code, 0);
        assert.match(get.stderr, /NotFound|not found/);
      } finally {
        w.close();
      }
    });

    it('two concurrent DELETEs of one object: one 200, the other 404', async () => {
      for (let i = 0; i < 10; i++) {
        await ts.api.create(BACKENDS, backend(`race-${i}`));
        const [a, b] = await Promise.all([ts.api.del(`${BACKENDS}/race-${i}`), ts.api.del(`${BACKENDS}/race-${i}`)]);
        const codes = [a.status, b.status].sort();
        assert.deepEqual(codes, [200, 404], `round ${i}: ${a.text} | ${b.text}`);
        const lost = a.status === 404 ? a : b;
        assert.equal(lost.json.reason, 'NotFound');
        assert.equal(lost.json.message, `backends.core.apoxy.dev "race-${i}" not found`);
      }
    });

    it('deletecollection answers the list of the deleted items', async () => {
      for (const n of ['dc-a', 'dc-b', 'dc-c']) await ts.api.create(BACKENDS, backend(n, undefined, { labels: { dc: n === 'dc-c' ? 'keep' : 'go' } }));
      await ts.api.create(BACKENDS, backend('dc-held', undefined, { labels: { dc: 'go' }, finalizers: ['example.com/hold'] }));
      const d = await ts.api.del(`${BACKENDS}?labelSelector=dc%3Dgo`);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.kind, 'BackendList');
      assert.equal(d.json.apiVersion, 'core.apoxy.dev/v1alpha2');
      assert.match(d.json.metadata.resourceVersion, /^[0-9]+$/);
      assert.deepEqual(d.json.items.map((o: { metadata: { name: string } }) => o.metadata.name).sort(), ['dc-a', 'dc-b', 'dc-held']);
      // positive control: what did not match stays; the held one is marked, not gone
      assert.equal((await ts.api.get(`${BACKENDS}/dc-c`)).status, 200);
      const held = (await ts.api.get(`${BACKENDS}/dc-held`)).json;
      assert.ok(held.metadata.deletionTimestamp);
      assert.equal((await ts.api.get(`${BACKENDS}/dc-a`)).status, 404);
      // nothing matches: an empty list
      const none = await ts.api.del(`${BACKENDS}?labelSelector=dc%3Dnone`);
      assert.equal(none.json.kind, 'BackendList');
      assert.deepEqual(none.json.items, []);
      await ts.api.patch(`${BACKENDS}/dc-held`, 'merge', { metadata: { finalizers: null } });
    });
  });
}
