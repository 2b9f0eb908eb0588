// Two `switchyard apiserver` replicas on one etcd: each answers LISTs from its own watch cache, and
// a write through one is seen by the very next LIST (RV="") on the other; an update through one
// replica with the resourceVersion the other just returned succeeds even when its cache has not
// seen that write yet (a stale cached object never turns into a 409), and a stale one is a 409.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdMember } from '../harness/etcd';
import { BACKENDS, ROUTES, backend, startApiReplicas, type Replicas } from '../scaleout/lib';

type Item = { metadata: { name: string; resourceVersion: string; labels?: Record<string, string> } };

describe('two apiserver replicas on one etcd: LIST from each cache reads the other\'s writes', { timeout: 120_000 }, () => {
  let etcd: EtcdMember | undefined;
  let rs: Replicas | undefined;

  before(async () => {
    etcd = await startEtcd();
    rs = await startApiReplicas([etcd.clientURL], 2);
  });

  after(async () => {
    await rs?.close();
    await etcd?.stop();
  });

  it('create on A → LIST on B sees it; update on B → LIST on A sees it; delete on A → gone on B', async () => {
    const [a, b] = rs!.replicas;
    for (let i = 0; i < 20; i++) {
      const name = `x-${i}`;
      const c = await a.api.request('POST', BACKENDS, backend(name));
      assert.equal(c.status, 201, c.text);
      let l = await b.api.request('GET', BACKENDS);
      assert.equal(l.body.items.find((o: Item) => o.metadata.name === name)?.metadata.resourceVersion, c.body.metadata.resourceVersion, `B lists ${name} created on A`);
      const u = await b.api.request('PUT', `${BACKENDS}/${name}`, { ...c.body, metadata: { ...c.body.metadata, labels: { by: 'b' } } });
      assert.equal(u.status, 200, `B updates with the resourceVersion A returned: ${u.text}`);
      l = await a.api.request('GET', BACKENDS);
      assert.equal(l.body.items.find((o: Item) => o.metadata.name === name)?.metadata.labels?.by, 'b', `A lists the update made on B`);
      const stale = await a.api.request('PUT', `${BACKENDS}/${name}`, { ...c.body, metadata: { ...c.body.metadata, labels: { by: 'stale' } } });
      assert.equal(stale.status, 409, 'the first resourceVersion is stale on either replica');
      assert.equal((await a.api.request('DELETE', `${BACKENDS}/${name}`)).status, 200);
      l = await b.api.request('GET', BACKENDS);
      assert.ok(!l.body.items.some((o: Item) => o.metadata.name === name), `B no longer lists ${name}`);
    }
  });

  it('a write to another resource on A: a LIST on B is at least as new (quiet resource, progress)', async () => {
    const [a, b] = rs!.replicas;
    for (let i = 0; i < 5; i++) {
      const r = await a.api.request('POST', ROUTES, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: `q-${i}` }, spec: { rules: [{ backendRefs: [{ kind: 'Backend', name: 'nothing' }] }] } });
      assert.equal(r.status, 201, r.text);
      const l = await b.api.request('GET', BACKENDS);
      assert.equal(l.status, 200);
      assert.ok(Number(l.body.metadata.resourceVersion) >= Number(r.body.metadata.resourceVersion));
    }
  });
});
