// @kubernetes/client-node 1.x against the real apiserver: CustomObjectsApi CRUD (optimistic
// concurrency, json-patch by default, merge patch on request), an informer that sees every change,
// survives an apiserver restart (with the restart-with-backoff wrapper a 1.x user must write) and
// relists after a 410, and a client-node-2.x-style re-watcher that must never get 410 for a quiet
// resource while other resources are written and the store is compacted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { BACKENDS, GATEWAYS, backend, compactEtcd, loadClientNode, restartServer, sleep, startServer, waitFor, type ClientNode, type TestServer } from './lib';

const G = 'core.apoxy.dev';
const V = 'v1alpha2';
const P = 'backends';

type Obj = KubernetesObject & { spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    let body = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* keep text */
      }
    }
    return { code: e.code ?? -1, body };
  }
  throw new Error('expected the call to fail');
}

/**
 * What a client-node 1.x user has to write (and our controller does): the informer stops for good
 * on any error but 410, so restart it after a short capped backoff.
 */
function resilientInformer(k8s: ClientNode, kc: InstanceType<ClientNode['KubeConfig']>, listPath: string, onList?: () => void) {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const [, , group, version, plural] = listPath.split('/');
  const list = () => {
    onList?.();
    return api.listClusterCustomObject({ group, version, plural }) as Promise<KubernetesListObject<Obj>>;
  };
  const inf = k8s.makeInformer<Obj>(kc, listPath, list);
  let stopped = false;
  let backoff = 50;
  let restarts = 0;
  let pending = false;
  const errors: string[] = [];
  const restart = (err: unknown) => {
    errors.push(String((err as Error)?.message ?? err));
    if (stopped || pending) return;
    pending = true;
    const wait = backoff;
    backoff = Math.min(backoff * 2, 1000);
    setTimeout(() => {
      pending = false;
      if (stopped) return;
      restarts++;
      inf.start().catch(restart);
    }, wait).unref();
  };
  inf.on('error', restart);
  const reset = () => (backoff = 50);
  inf.on('add', reset);
  inf.on('update', reset);
  inf.on('delete', reset);
  return {
    inf,
    errors,
    get restarts() {
      return restarts;
    },
    start: () => inf.start().catch(restart),
    stop() {
      stopped = true;
      void inf.stop();
    },
  };
}

const names = (objs: readonly Obj[]) => objs.map((o) => o.metadata!.name!).sort();

describe('client-node 1.x on SQLite', { timeout: 90_000 }, () => {
  let ts: TestServer;
  let k8s: ClientNode;
  let kc: InstanceType<ClientNode['KubeConfig']>;
  let api: InstanceType<ClientNode['CustomObjectsApi']>;

  const newClient = () => {
    kc = new k8s.KubeConfig();
    kc.loadFromFile(ts.sy.kubeconfig);
    api = kc.makeApiClient(k8s.CustomObjectsApi);
  };

  before(async () => {
    k8s = await loadClientNode();
    ts = await startServer('sqlite');
    newClient();
  });
  after(async () => {
    await ts?.stop();
  });

  it('CRUD through CustomObjectsApi', async () => {
    const created = (await api.createClusterCustomObject({ group: G, version: V, plural: P, body: backend('cn-1', { endpoints: [{ fqdn: 'one.example.com' }], protocol: 'TLS' }) })) as Obj;
    assert.equal(created.metadata!.name, 'cn-1');
    assert.equal(created.spec.protocol, 'tls');
    const dup = await apiError(api.createClusterCustomObject({ group: G, version: V, plural: P, body: backend('cn-1') }));
    assert.equal(dup.code, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');

    const got = (await api.getClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1' })) as Obj;
    assert.equal(got.metadata!.uid, created.metadata!.uid);
    const list = (await api.listClusterCustomObject({ group: G, version: V, plural: P })) as { items: Obj[]; metadata: { resourceVersion: string } };
    assert.deepEqual(names(list.items), ['cn-1']);
    assert.ok(list.metadata.resourceVersion);

    const upd = structuredClone(got);
    upd.spec.endpoints.push({ ip: '10.0.0.5', port: 8080 });
    const replaced = (await api.replaceClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1', body: upd })) as Obj;
    assert.equal(replaced.spec.endpoints.length, 2);
    assert.equal(replaced.metadata!.generation, 2);
    const stale = await apiError(api.replaceClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1', body: upd }));
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(stale.body.message, /Operation cannot be fulfilled on backends\.core\.apoxy\.dev "cn-1": the object has been modified/);

    // client-node 1.x sends application/json-patch+json unless told otherwise
    const jp = (await api.patchClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1', body: [{ op: 'replace', path: '/spec/protocol', value: 'h2' }] })) as Obj;
    assert.equal(jp.spec.protocol, 'h2');
    const mp = (await api.patchClusterCustomObject(
      { group: G, version: V, plural: P, name: 'cn-1', body: { metadata: { labels: { via: 'merge' } }, spec: { protocol: 'h2c' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )) as Obj;
    assert.equal(mp.spec.protocol, 'h2c');
    assert.equal(mp.metadata!.labels!.via, 'merge');
    assert.equal(mp.spec.endpoints.length, 2, 'merge patch keeps what it does not name');
    const badOp = await apiError(api.patchClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1', body: [{ op: 'test', path: '/spec/protocol', value: 'nope' }] }));
    assert.equal(badOp.code, 422);

    const st = (await api.patchClusterCustomObjectStatus(
      { group: G, version: V, plural: P, name: 'cn-1', body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )) as Obj;
    assert.equal(st.status.conditions[0].type, 'Ready');

    const del = (await api.deleteClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1' })) as { status?: string; details?: { name?: string } };
    assert.equal(del.status, 'Success');
    assert.equal(del.details?.name, 'cn-1');
    const gone = await apiError(api.getClusterCustomObject({ group: G, version: V, plural: P, name: 'cn-1' }));
    assert.equal(gone.code, 404);
    assert.equal(gone.body.message, 'backends.core.apoxy.dev "cn-1" not found');
  });

  it('an informer sees add, update and delete', async () => {
    const seen: string[] = [];
    const inf = k8s.makeInformer<Obj>(kc, `/apis/${G}/${V}/${P}`, () => api.listClusterCustomObject({ group: G, version: V, plural: P }) as never);
    inf.on('add', (o) => seen.push(`add:${o.metadata!.name}`));
    inf.on('update', (o) => seen.push(`update:${o.metadata!.name}:${o.spec?.protocol ?? ''}`));
    inf.on('delete', (o) => seen.push(`delete:${o.metadata!.name}`));
    await ts.api.create(BACKENDS, backend('inf-pre'));
    await inf.start();
    try {
      await waitFor(() => seen.includes('add:inf-pre'), 5000, 'the listed object');
      await ts.api.create(BACKENDS, backend('inf-1'));
      await waitFor(() => seen.includes('add:inf-1'), 5000, `add inf-1 (${seen})`);
      await ts.api.patch(`${BACKENDS}/inf-1`, 'merge', { spec: { protocol: 'tls' } });
      await waitFor(() => seen.includes('update:inf-1:tls'), 5000, `update inf-1 (${seen})`);
      await ts.api.del(`${BACKENDS}/inf-1`);
      await waitFor(() => seen.includes('delete:inf-1'), 5000, `delete inf-1 (${seen})`);
      assert.deepEqual(names(inf.list()), ['inf-pre']);
    } finally {
      await inf.stop();
    }
  });

  it('an informer (with a restart-with-backoff wrapper) survives an apiserver restart', async () => {
    const ri = resilientInformer(k8s, kc, `/apis/${G}/${V}/${P}`);
    await ri.start();
    try {
      await ts.api.create(BACKENDS, backend('rs-before'));
      await waitFor(() => names(ri.inf.list()).includes('rs-before'), 5000, 'rs-before');
      await restartServer(ts);
      // changes made right after the restart, likely before the informer is back
      await ts.api.create(BACKENDS, backend('rs-after'));
      await ts.api.del(`${BACKENDS}/rs-before`);
      await ts.api.patch(`${BACKENDS}/inf-pre`, 'merge', { spec: { protocol: 'h2' } });
      const want = async () => names(((await ts.api.get(BACKENDS)).json.items) as Obj[]);
      const expected = await want();
      await waitFor(() => JSON.stringify(names(ri.inf.list())) === JSON.stringify(expected), 15_000, `informer converges to ${expected} (errors: ${ri.errors.join(' | ')})`);
      await waitFor(() => ri.inf.get('inf-pre')?.spec?.protocol === 'h2', 5000, 'the update made after the restart');
      // and it keeps following
      await ts.api.create(BACKENDS, backend('rs-later'));
      await waitFor(() => names(ri.inf.list()).includes('rs-later'), 5000, 'rs-later');
    } finally {
      ri.stop();
    }
  });

  it('a watch resumed after compaction gets 410 and the informer relists', async () => {
    let lists = 0;
    const ri = resilientInformer(k8s, kc, `/apis/${G}/${V}/${P}`, () => lists++);
    await ri.start();
    try {
      await waitFor(() => names(ri.inf.list()).includes('rs-later'), 5000, 'initial list');
      assert.equal(lists, 1);
      await ts.sy.stop();
      // while the apiserver is down: a write straight into the store, then compaction past the
      // informer's resourceVersion
      const store = new ObjectStore(new SqliteDriver({ file: path.join(ts.sy.dataDir, 'state.db') }));
      const offline = backend('offline', { endpoints: [{ ip: '10.9.9.9' }] }) as Obj;
      offline.metadata = { ...offline.metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') as never, generation: 1 };
      await store.create('/registry/core.apoxy.dev/backends/offline', offline as never);
      await store.delete('/registry/core.apoxy.dev/backends/rs-later');
      await store.compact(await store.currentRevision());
      await store.close();
      await restartServer(ts);
      await waitFor(() => names(ri.inf.list()).includes('offline') && !names(ri.inf.list()).includes('rs-later'), 15_000, `relist after 410 (lists=${lists}, errors: ${ri.errors.join(' | ')})`);
      assert.ok(lists >= 2, 'the informer listed again');
      // the raw watch shows the 410 the informer reacted to
      const oldRV = '2';
      const w = await ts.api.watch(`${BACKENDS}?watch=true&resourceVersion=${oldRV}`);
      const e = await w.next(5000);
      w.close();
      assert.equal(e?.type, 'ERROR');
      assert.equal(e?.object.code, 410);
    } finally {
      ri.stop();
    }
  });
});

describe('client-node 2.x-style re-watch on etcd', { timeout: 60_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('etcd');
  });
  after(async () => {
    await ts?.stop();
  });

  it('re-watching a quiet resource every 2 s from its last resourceVersion never gets 410', async () => {
    const gw = { apiVersion: 'gateway.apoxy.dev/v1', kind: 'Gateway', metadata: { name: 'quiet' }, spec: { gatewayClassName: 'apoxy', listeners: [{ name: 'http', protocol: 'HTTP', port: 10000 }] } };
    await ts.api.create(GATEWAYS, gw);
    // list the quiet resource, as an informer does, before anything has watched it
    const list = await ts.api.get(GATEWAYS);
    let rv = list.json.metadata.resourceVersion as string;
    let stop = false;
    let writes = 0;
    let compactions = 0;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        await ts.api.create(BACKENDS, backend(`busy-${i}`));
        if (i % 3 === 0) await ts.api.patch(`${BACKENDS}/busy-${i}`, 'merge', { metadata: { labels: { n: String(i) } } });
        writes++;
        await sleep(10);
      }
    })();
    const compactor = (async () => {
      while (!stop) {
        await sleep(700);
        await compactEtcd(ts.etcd!.clientURL);
        compactions++;
      }
    })();
    await sleep(300); // other resources move on before the first watch of this one
    const errors: unknown[] = [];
    const received: string[] = [];
    const t0 = Date.now();
    let rounds = 0;
    try {
      while (Date.now() - t0 < 9000) {
        rounds++;
        const w = await ts.api.watch(`${GATEWAYS}?watch=true&resourceVersion=${rv}`);
        assert.equal(w.status, 200);
        if (rounds === 3) await ts.api.patch(`${GATEWAYS}/quiet`, 'merge', { metadata: { labels: { touched: 'once' } } });
        const until = Date.now() + 2000;
        for (;;) {
          const e = await w.next(Math.max(0, until - Date.now()));
          if (!e) break;
          if (e.type === 'ERROR') errors.push(e.object);
          else {
            received.push(`${e.type}:${e.object.metadata.name}`);
            rv = e.object.metadata.resourceVersion;
          }
        }
        w.close();
      }
    } finally {
      stop = true;
      await writer;
      await compactor;
    }
    assert.ok(writes > 20, `other resources were written (${writes})`);
    assert.ok(compactions >= 5, `compaction ran (${compactions})`);
    assert.ok(rounds >= 4, `re-watched ${rounds} times`);
    assert.deepEqual(errors, [], 'no 410 for a quiet resource');
    assert.deepEqual(received, ['MODIFIED:quiet'], 'exactly the one change, never replayed');
    // the busy resource's current revision is also fine to resume from
    const cur = (await ts.api.get(BACKENDS)).json.metadata.resourceVersion;
    const w = await ts.api.watch(`${BACKENDS}?watch=true&resourceVersion=${cur}&timeoutSeconds=1`);
    await w.waitEnd(5000);
    assert.ok(!w.events.some((e) => e.type === 'ERROR'), JSON.stringify(w.events.slice(0, 2)));
  });
});
