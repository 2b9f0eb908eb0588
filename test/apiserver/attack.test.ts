// Attacks on the apiserver that once got a 5xx, pinned memory or broke a kube rule, each beside a
// positive control (the same route answering a normal request normally). One SQLite server; the
// points here do not depend on the store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import protobuf from 'protobufjs';
import { startServer, waitFor, type TestServer } from './lib';

const CONFIGMAPS = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** kubectl's protobuf body for a ConfigMap, with metadata.creationTimestamp = seconds when given */
function configMapProtobuf(name: string, seconds?: string): Buffer {
  const meta = protobuf.Writer.create().uint32((1 << 3) | 2).string(name);
  if (seconds !== undefined) meta.uint32((8 << 3) | 2).bytes(protobuf.Writer.create().uint32(1 << 3).int64(seconds).finish());
  const cm = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(meta.finish());
  const entry = protobuf.Writer.create().uint32((1 << 3) | 2).string('k').uint32((2 << 3) | 2).string('v').finish();
  cm.uint32((2 << 3) | 2).bytes(entry);
  const typeMeta = protobuf.Writer.create().uint32((1 << 3) | 2).string('v1').uint32((2 << 3) | 2).string('ConfigMap').finish();
  const env = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(typeMeta).uint32((2 << 3) | 2).bytes(cm.finish()).finish();
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), env]);
}

describe('apiserver under attack', { timeout: 240_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('sqlite');
  });
  after(async () => {
    await ts?.stop();
  });

  it('a protobuf body with a time beyond year 9999 is a 400, not a 500 (a normal one is created)', async () => {
    for (const seconds of ['9000000000000000000', '-99999999999999']) {
      const r = await ts.api.req('POST', CONFIGMAPS('default'), { raw: configMapProtobuf('pb-time', seconds), contentType: PROTOBUF });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.reason, 'BadRequest');
      assert.match(r.json.message, /creationTimestamp/);
    }
    const ok = await ts.api.req('POST', CONFIGMAPS('default'), { raw: configMapProtobuf('pb-time', '1700000000'), contentType: PROTOBUF });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.json.data, { k: 'v' });
    assert.notEqual(ok.json.metadata.creationTimestamp, '2023-11-14T22:13:20Z'); // the server sets it on create
  });

  it('a namespace being deleted (held by a finalizer) is Terminating and refuses new content with 403 NamespaceTerminating; updates still work', async () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'closing', finalizers: ['example.com/hold'] } };
    assert.equal((await ts.api.post('/api/v1/namespaces', ns)).status, 201);
    const before = await ts.api.post(CONFIGMAPS('closing'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'early' }, data: { a: '1' } });
    assert.equal(before.status, 201, before.text); // positive control: an ordinary namespace takes content
    const del = await ts.api.del('/api/v1/namespaces/closing');
    assert.equal(del.status, 409, del.text); // not empty: refused (switchyard's rule), so empty it first
    assert.equal((await ts.api.del(`${CONFIGMAPS('closing')}/early`)).status, 200);
    const marked = await ts.api.del('/api/v1/namespaces/closing');
    assert.equal(marked.status, 200, marked.text);
    assert.ok(marked.json.metadata.deletionTimestamp);
    assert.equal(marked.json.status.phase, 'Terminating');

    const late = await ts.api.post(CONFIGMAPS('closing'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    assert.equal(late.status, 403, late.text);
    assert.equal(late.json.reason, 'Forbidden');
    assert.equal(late.json.message, 'configmaps "late" is forbidden: unable to create new content in namespace closing because it is being terminated');
    assert.deepEqual(late.json.details.causes, [{ reason: 'NamespaceTerminating', message: 'namespace closing is being terminated', field: 'metadata.namespace' }]);
    const applied = await ts.api.patch(`${CONFIGMAPS('closing')}/late?fieldManager=t`, 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    assert.equal(applied.status, 403, applied.text);
    const secret = await ts.api.post('/api/v1/namespaces/closing/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 's-' } });
    assert.equal(secret.status, 403, secret.text);
    assert.equal((await ts.api.get(CONFIGMAPS('closing'))).json.items.length, 0);

    // the finalizer's owner lets go: the namespace goes, and the name is free again
    const ns2 = await ts.api.get('/api/v1/namespaces/closing');
    assert.equal((await ts.api.patch('/api/v1/namespaces/closing', 'merge', { metadata: { finalizers: null, resourceVersion: ns2.json.metadata.resourceVersion } })).status, 200);
    assert.equal((await ts.api.get('/api/v1/namespaces/closing')).status, 404);
  });

  it('watchers that never read pin a bounded amount each, not a copy of the initial list; a reading watcher still gets every object', async () => {
    const ns = 'bulk';
    assert.equal((await ts.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status, 201);
    const OBJECTS = 16; // 16 × 1 MB: 16 MB of initial state per watch
    const big = 'x'.repeat(1_000_000);
    for (let i = 0; i < OBJECTS; i++) {
      const r = await ts.api.post(CONFIGMAPS(ns), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { v: big } });
      assert.equal(r.status, 201, r.text.slice(0, 300));
    }
    const pid = ts.sy.child.pid!;
    const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    const base = rssMiB();
    const ca = fs.readFileSync(ts.sy.caFile);
    const stalled: tls.TLSSocket[] = [];
    try {
      for (const rv of Array.from({ length: 16 }, (_, i) => (i % 2 ? '0' : ''))) {
        const s = await new Promise<tls.TLSSocket>((resolve, reject) => {
          const sock = tls.connect({ host: '127.0.0.1', port: ts.sy.apiPort, ca, servername: 'localhost' }, () => resolve(sock));
          sock.once('error', reject);
        });
        s.on('error', () => undefined);
        s.pause(); // never reads a byte
        const q = rv === '' ? 'watch=1' : `watch=1&resourceVersion=${rv}`;
        s.write(`GET ${CONFIGMAPS(ns)}?${q} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ts.sy.readonlyToken}\r\n\r\n`);
        stalled.push(s);
      }
      // a reader that came after them gets the whole state: by then the server has served the stalled ones
      const w = await ts.api.watch(`${CONFIGMAPS(ns)}?watch=1&resourceVersion=0`, { timeoutMs: 60_000 });
      assert.equal(w.status, 200);
      const names = new Set<string>();
      await w.until((e) => (e.type === 'ADDED' && names.add(e.object.metadata.name), names.size === OBJECTS), 60_000, `${OBJECTS} ADDED`);
      await ts.api.post(CONFIGMAPS(ns), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
      await w.until((e) => e.type === 'ADDED' && e.object.metadata.name === 'after', 10_000, 'the live ADDED');
      w.close();
      await waitFor(() => (ts.sy.child.exitCode === null ? true : undefined), 1000, 'the server alive');
      const growth = rssMiB() - base;
      // the whole state for each of 16 stalled watchers would be ≥ 256 MiB; one high-water mark each is far less
      assert.ok(growth < 200, `the server grew by ${growth.toFixed(0)} MiB for 16 stalled watchers of a 16 MB state`);
    } finally {
      for (const s of stalled) s.destroy();
    }
  });

  it('an object created with no fields of its own has no managedFields (never `managedFields: []`, Go omits empty lists)', async () => {
    const bare = await ts.api.post(CONFIGMAPS('default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bare' } });
    assert.equal(bare.status, 201, bare.text);
    assert.ok(!('managedFields' in bare.json.metadata), JSON.stringify(bare.json.metadata));
    assert.ok(!('managedFields' in (await ts.api.get(`${CONFIGMAPS('default')}/bare`)).json.metadata));
    // positive control: a field of its own is tracked
    const full = await ts.api.post(`${CONFIGMAPS('default')}?fieldManager=t`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'full' }, data: { a: '1' } });
    assert.deepEqual(full.json.metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation]), [['t', 'Update']]);
  });

  it('a query parameter given twice counts once, its first value, as kube: fieldValidation=Strict&fieldValidation=Ignore is Strict', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'twice' }, bogus: 1 };
    const strictFirst = await ts.api.post(`${CONFIGMAPS('default')}?fieldValidation=Strict&fieldValidation=Ignore&dryRun=All`, body);
    assert.equal(strictFirst.status, 400, strictFirst.text);
    assert.match(strictFirst.json.message, /unknown field "bogus"/);
    const ignoreFirst = await ts.api.post(`${CONFIGMAPS('default')}?fieldValidation=Ignore&fieldValidation=Strict&dryRun=All`, body);
    assert.equal(ignoreFirst.status, 201, ignoreFirst.text); // positive control
    const w = await ts.api.watch(`${CONFIGMAPS('default')}?watch=1&watch=0&timeoutSeconds=1`);
    assert.equal(w.status, 200);
    assert.ok(await w.waitEnd(10_000));
    assert.ok(w.events.every((e) => e.type === 'ADDED'), JSON.stringify(w.events.map((e) => e.type))); // a watch, not a List
    const list = await ts.api.get(`${CONFIGMAPS('default')}?watch=0&watch=1`);
    assert.equal(list.json.kind, 'ConfigMapList');
  });
});


describe('apiserver request timeout (--request-timeout 2s)', { timeout: 120_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('sqlite', { extraArgs: ['--request-timeout', '2s'] });
  });
  after(async () => {
    await ts?.stop();
  });

  /** a raw TLS socket that sent `head` (and never the rest of its body); resolves with what came back and when it closed */
  function stalledRequest(head: string, giveUpMs: number): Promise<{ closed: boolean; text: string }> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: ts.sy.apiPort, ca: fs.readFileSync(ts.sy.caFile), servername: 'localhost' }, () => s.write(head));
      let text = '';
      s.on('data', (d) => (text += d.toString('latin1')));
      s.on('error', () => undefined);
      const t = setTimeout(() => {
        s.destroy();
        resolve({ closed: false, text });
      }, giveUpMs);
      s.on('close', () => {
        clearTimeout(t);
        resolve({ closed: true, text });
      });
      s.once('error', reject);
    });
  }

  it('a body that never completes is cut (408, connection closed), with or without a token; a watch outlives the timeout', async () => {
    // a watch (a complete request) opened before the stalls: it must outlive them and the timeout
    const w = await ts.api.watch(`${CONFIGMAPS('default')}?watch=1&timeoutSeconds=60`);
    assert.equal(w.status, 200);
    const partial = (token?: string) =>
      `POST ${CONFIGMAPS('default')} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${token ? `Authorization: Bearer ${token}\r\n` : ''}\r\n{"apiVersion":"v1",`;
    const [anon, admin] = await Promise.all([stalledRequest(partial(), 30_000), stalledRequest(partial(ts.sy.adminToken), 30_000)]);
    assert.ok(anon.closed, `an unauthenticated trickle kept its connection: ${anon.text.slice(0, 200)}`);
    assert.match(anon.text, /^HTTP\/1\.1 401/); // answered at once, then cut when the body never came
    assert.ok(admin.closed, `an authenticated trickle kept its connection: ${admin.text.slice(0, 200)}`);
    assert.match(admin.text, /^HTTP\/1\.1 408/);

    // positive controls: the watch, now older than the timeout, still gets events; a normal write works
    const made = await ts.api.post(CONFIGMAPS('default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-timeout' } });
    assert.equal(made.status, 201, made.text);
    await w.until((e) => e.type === 'ADDED' && e.object.metadata.name === 'after-timeout', 10_000, 'the ADDED on a watch older than the timeout');
    assert.ok(!w.ended);
    w.close();
  });
});

