// LIST from the watch cache through the real apiserver (`switchyard apiserver`, SQLite and etcd):
// - it answers exactly what the storage path answers (limit larger than the set forces storage):
//   label and field selectors, both served versions, Table and PartialObjectMetadataList;
// - read-your-writes: a create, update or delete is seen by the very next LIST with RV="";
// - resourceVersion=0 is answered from the cache; resourceVersionMatch=Exact and paging stay on storage;
// - updates and patches that start from the cached object answer as before (409 on a stale RV).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, BACKENDS_V1ALPHA, HTTPROUTES, TABLE_ACCEPT, backend, startServer, type TestServer } from '../apiserver/lib';

const META_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
const qs = (params: Record<string, string>) => {
  const s = new URLSearchParams(params).toString();
  return s ? `?${s}` : '';
};

/** Table rows without the Age cells (they move with the clock between two requests). */
function stableTable(t: any) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const dateCols = new Set<number>((t.columnDefinitions as Array<{ type: string }>).map((c, i) => (c.type === 'date' ? i : -1)).filter((i) => i >= 0));
  return {
    columnDefinitions: t.columnDefinitions,
    rows: (t.rows as Array<{ cells: unknown[]; object: unknown }>).map((r) => ({ cells: r.cells.filter((_, i) => !dateCols.has(i)), object: r.object })),
  };
}

for (const storage of ['sqlite', 'etcd'] as const) {
  describe(`apiserver LIST from the watch cache (${storage})`, { timeout: 180_000 }, () => {
    let ts: TestServer;

    before(async () => {
      ts = await startServer(storage);
      const specs = [
        { endpoints: [{ ip: '10.0.0.1' }] },
        { endpoints: [{ fqdn: 'a.example.com' }], protocol: 'h2' },
        { endpoints: [{ ip: '10.0.0.2', port: 8080 }], protocol: 'tls' },
      ];
      for (let i = 0; i < 36; i++) {
        const labels: Record<string, string> = { app: ['web', 'db', 'cache'][i % 3], shard: String(i % 4) };
        if (i % 5 === 0) labels.team = 'edge';
        const a = await ts.api.post(BACKENDS, backend(`bk-${i}`, specs[i % 3], { labels }));
        assert.equal(a.status, 201, a.text);
      }
      for (const n of ['dynamic_forward_proxy', 'bk-100', 'bk-9a']) assert.equal((await ts.api.post(BACKENDS, backend(n))).status, 201);
      for (let i = 0; i < 36; i += 4) assert.equal((await ts.api.patch(`${BACKENDS}/bk-${i}`, 'merge', { metadata: { labels: { app: 'web' } } })).status, 200);
      for (let i = 2; i < 36; i += 9) assert.equal((await ts.api.del(`${BACKENDS}/bk-${i}`)).status, 200);
    });

    after(async () => {
      await ts?.stop();
    });

    const selectors: Array<Record<string, string>> = [
      {},
      { labelSelector: 'app=web' },
      { labelSelector: 'app in (web,cache),shard!=1' },
      { labelSelector: '!team' },
      { labelSelector: 'team,app' },
      { fieldSelector: 'metadata.name=bk-7' },
      { fieldSelector: 'spec.protocol=h2' },
      { fieldSelector: 'metadata.name!=bk-7', labelSelector: 'app=db' },
    ];

    it('JSON lists equal the storage path for every selector, in both versions', async () => {
      for (const base of [BACKENDS, BACKENDS_V1ALPHA]) {
        for (const sel of selectors) {
          // storage first: a consistent list served after it must be at least as new (the other order
          // raced with writes to other keys, e.g. Lease renewals, which move etcd's revision)
          const stored = await ts.api.get(base + qs({ ...sel, limit: '100000' }));
          const cached = await ts.api.get(base + qs(sel));
          assert.equal(cached.status, 200, cached.text);
          assert.equal(stored.status, 200, stored.text);
          assert.deepEqual(cached.json.items, stored.json.items, `${base} ${JSON.stringify(sel)}`);
          assert.equal(cached.json.kind, stored.json.kind);
          assert.equal(cached.json.apiVersion, stored.json.apiVersion);
          assert.equal(cached.json.metadata.continue, undefined);
          assert.ok(Number(cached.json.metadata.resourceVersion) >= Number(stored.json.metadata.resourceVersion) - 0, 'a resourceVersion at least as new');
          // the same list, once more with resourceVersion=0 (any): also from the cache
          const any = await ts.api.get(base + qs({ ...sel, resourceVersion: '0' }));
          assert.deepEqual(any.json.items, stored.json.items);
        }
      }
      const names = (await ts.api.get(BACKENDS)).json.items.map((o: { metadata: { name: string } }) => o.metadata.name);
      assert.deepEqual(names, [...names].sort((a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))), 'key order');
      assert.ok(names.includes('dynamic_forward_proxy') && !names.includes('bk-2'));
    });

    it('Table and PartialObjectMetadataList equal the storage path', async () => {
      for (const sel of selectors.slice(0, 4)) {
        for (const includeObject of ['', 'Object', 'None']) {
          const q = includeObject ? { ...sel, includeObject } : sel;
          const cached = await ts.api.get(BACKENDS + qs(q), { accept: TABLE_ACCEPT });
          const stored = await ts.api.get(BACKENDS + qs({ ...q, limit: '100000' }), { accept: TABLE_ACCEPT });
          assert.equal(cached.json.kind, 'Table');
          assert.deepEqual(stableTable(cached.json), stableTable(stored.json), `Table ${JSON.stringify(q)}`);
        }
        const cm = await ts.api.get(BACKENDS_V1ALPHA + qs(sel), { accept: META_LIST });
        const sm = await ts.api.get(BACKENDS_V1ALPHA + qs({ ...sel, limit: '100000' }), { accept: META_LIST });
        assert.equal(cm.json.kind, 'PartialObjectMetadataList');
        assert.deepEqual(cm.json.items, sm.json.items);
      }
      // the cached objects were not changed by serving them in another version or as a Table
      const again = await ts.api.get(BACKENDS);
      assert.ok(again.json.items.every((o: { apiVersion: string }) => o.apiVersion === 'core.apoxy.dev/v1alpha2'));
    });

    it('reads its writes: the next LIST (RV="") sees each create, update and delete', async () => {
      for (let i = 0; i < 15; i++) {
        const name = `ryw-${i}`;
        const created = await ts.api.create(BACKENDS, backend(name, undefined, { labels: { ryw: 'yes' } }));
        let l = await ts.api.get(`${BACKENDS}?labelSelector=ryw%3Dyes`);
        assert.equal(l.json.items.find((o: { metadata: { name: string } }) => o.metadata.name === name)?.metadata.resourceVersion, created.metadata.resourceVersion, `create ${name} seen`);
        assert.ok(Number(l.json.metadata.resourceVersion) >= Number(created.metadata.resourceVersion));
        const patched = await ts.api.patch(`${BACKENDS}/${name}`, 'merge', { metadata: { labels: { ryw: 'no' } } });
        l = await ts.api.get(`${BACKENDS}?labelSelector=ryw%3Dno`);
        assert.equal(l.json.items.find((o: { metadata: { name: string } }) => o.metadata.name === name)?.metadata.resourceVersion, patched.json.metadata.resourceVersion, `update ${name} seen`);
        assert.equal((await ts.api.del(`${BACKENDS}/${name}`)).status, 200);
        l = await ts.api.get(BACKENDS);
        assert.ok(!l.json.items.some((o: { metadata: { name: string } }) => o.metadata.name === name), `delete ${name} seen`);
      }
    });

    it('a quiet resource still answers a consistent LIST while another is written', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await ts.api.post(HTTPROUTES, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: `quiet-${i}` }, spec: { rules: [{ backendRefs: [{ kind: 'Backend', name: 'bk-1' }] }] } });
        assert.equal(r.status, 201, r.text);
        const l = await ts.api.get(BACKENDS);
        assert.equal(l.status, 200);
        assert.ok(Number(l.json.metadata.resourceVersion) >= Number(r.json.metadata.resourceVersion), 'the list is at least as new as the last write anywhere');
      }
    });

    it('keeps Exact, continue and paging on storage with their answers', async () => {
      const first = await ts.api.get(`${BACKENDS}?limit=5`);
      assert.equal(first.json.items.length, 5);
      assert.ok(first.json.metadata.continue);
      const next = await ts.api.get(`${BACKENDS}?limit=5&continue=${encodeURIComponent(first.json.metadata.continue)}`);
      assert.equal(next.json.items.length, 5);
      const rv = first.json.metadata.resourceVersion;
      const exact = await ts.api.get(`${BACKENDS}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
      assert.equal(exact.status, 200, exact.text);
      assert.equal(exact.json.metadata.resourceVersion, rv);
      const notOlder = await ts.api.get(`${BACKENDS}?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
      assert.ok(Number(notOlder.json.metadata.resourceVersion) >= Number(rv));
      assert.equal((await ts.api.get(`${BACKENDS}?resourceVersionMatch=NotOlderThan`)).status, 422, 'a match without a resourceVersion (kube: ListOptions Invalid)');
      assert.equal((await ts.api.get(`${BACKENDS}?resourceVersion=abc`)).status, 400);
      const tooLarge = await ts.api.get(`${BACKENDS}?resourceVersion=${Number(rv) + 1_000_000}`);
      assert.equal(tooLarge.status, 504, tooLarge.text);
    });

    it('updates from the cached object: 200 with the current resourceVersion, 409 with a stale one', async () => {
      const name = 'upd-1';
      const v1 = await ts.api.create(BACKENDS, backend(name));
      const v2 = await ts.api.put(`${BACKENDS}/${name}`, { ...v1, metadata: { ...v1.metadata, labels: { v: '2' } } });
      assert.equal(v2.status, 200, v2.text);
      const stale = await ts.api.put(`${BACKENDS}/${name}`, { ...v1, metadata: { ...v1.metadata, labels: { v: 'stale' } } });
      assert.equal(stale.status, 409, stale.text);
      const v3 = await ts.api.put(`${BACKENDS}/${name}`, { ...v2.json, metadata: { ...v2.json.metadata, labels: { v: '3' } } });
      assert.equal(v3.status, 200, v3.text);
      const same = await ts.api.put(`${BACKENDS}/${name}`, v3.json);
      assert.equal(same.json.metadata.resourceVersion, v3.json.metadata.resourceVersion, 'a no-op update keeps the resourceVersion');
      const jp = await ts.api.patch(`${BACKENDS}/${name}`, 'json', [{ op: 'test', path: '/metadata/labels/v', value: '3' }, { op: 'replace', path: '/metadata/labels/v', value: '4' }]);
      assert.equal(jp.status, 200, jp.text);
      const stalePatch = await ts.api.patch(`${BACKENDS}/${name}`, 'merge', { metadata: { resourceVersion: v3.json.metadata.resourceVersion, labels: { v: 'x' } } });
      assert.equal(stalePatch.status, 409);
      const got = await ts.api.get(`${BACKENDS}/${name}`);
      assert.equal(got.json.metadata.labels.v, '4');
    });
  });
}
