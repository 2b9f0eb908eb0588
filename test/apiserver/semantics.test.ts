// Kubernetes API semantics over raw HTTPS (undici, the admin token, the server's CA): metadata
// rules, optimistic concurrency, dryRun, finalizers, size limits, content types, Table output,
// paging, selectors, watch parameters and errors, discovery, OpenAPI, health and authorization.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { BACKENDS, HTTPROUTES, TABLE_ACCEPT, backend, restartServer, startServer, type TestServer } from './lib';

const PROXIES = '/apis/core.apoxy.dev/v1alpha2/proxies';
const MODIFIED_MSG = 'the object has been modified; please apply your changes to the latest version and try again';

function assertStatus(a: { status: number; json: any; text: string }, code: number, reason?: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(a.status, code, `want HTTP ${code}, got ${a.status}: ${a.text.slice(0, 500)}`);
  assert.equal(a.json?.kind, 'Status', `a metav1.Status body: ${a.text.slice(0, 300)}`);
  assert.equal(a.json.code, code);
  if (reason) assert.equal(a.json.reason, reason, a.text.slice(0, 300));
}

describe('apiserver semantics over HTTPS', { timeout: 120_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('sqlite');
  });
  after(async () => {
    await ts?.stop();
  });

  describe('metadata and writes', () => {
    it('generation bumps on spec change only, not on labels or status', async () => {
      const b = await ts.api.create(BACKENDS, backend('gen'));
      assert.equal(b.metadata.generation, 1);
      assert.match(b.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(b.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(typeof b.metadata.resourceVersion, 'string');
      const labeled = await ts.api.patch(`${BACKENDS}/gen`, 'merge', { metadata: { labels: { a: 'b' } } });
      assert.equal(labeled.status, 200);
      assert.equal(labeled.json.metadata.generation, 1);
      assert.notEqual(labeled.json.metadata.resourceVersion, b.metadata.resourceVersion);
      const status = await ts.api.patch(`${BACKENDS}/gen/status`, 'merge', { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Pending', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] } });
      assert.equal(status.status, 200, status.text);
      assert.equal(status.json.metadata.generation, 1);
      assert.equal(status.json.status.conditions[0].reason, 'Pending');
      const spec = await ts.api.patch(`${BACKENDS}/gen`, 'merge', { spec: { protocol: 'tls' } });
      assert.equal(spec.json.metadata.generation, 2);
      assert.equal(spec.json.status.conditions[0].reason, 'Pending', 'status kept by a main-resource write');
      const spec2 = await ts.api.patch(`${BACKENDS}/gen`, 'json', [{ op: 'add', path: '/spec/endpoints/-', value: { fqdn: 'x.example.com' } }]);
      assert.equal(spec2.json.metadata.generation, 3);
    });

    it('PUT: no-op keeps resourceVersion; missing resourceVersion 422; missing object 404; stale 409', async () => {
      const cur = (await ts.api.get(`${BACKENDS}/gen`)).json;
      const same = await ts.api.put(`${BACKENDS}/gen`, cur);
      assert.equal(same.status, 200, same.text);
      assert.equal(same.json.metadata.resourceVersion, cur.metadata.resourceVersion, 'a no-op update writes nothing');
      assert.equal(same.json.metadata.generation, cur.metadata.generation);

      const noRV = structuredClone(cur);
      delete noRV.metadata.resourceVersion;
      const a = await ts.api.put(`${BACKENDS}/gen`, noRV);
      assertStatus(a, 422, 'Invalid');
      assert.equal(a.json.details.causes[0].field, 'metadata.resourceVersion');

      const missing = await ts.api.put(`${BACKENDS}/nobody`, backend('nobody', { endpoints: [] }, { resourceVersion: '1' }));
      assertStatus(missing, 404, 'NotFound');
      assert.equal(missing.json.message, 'backends.core.apoxy.dev "nobody" not found');
      assert.equal((await ts.api.get(`${BACKENDS}/nobody`)).status, 404, 'PUT does not create');

      const changed = structuredClone(cur);
      changed.spec.protocol = 'h2';
      const ok = await ts.api.put(`${BACKENDS}/gen`, changed);
      assert.equal(ok.status, 200);
      const stale = await ts.api.put(`${BACKENDS}/gen`, { ...changed, spec: { ...changed.spec, protocol: 'h2c' } });
      assertStatus(stale, 409, 'Conflict');
      assert.equal(stale.json.message, `Operation cannot be fulfilled on backends.core.apoxy.dev "gen": ${MODIFIED_MSG}`);
      assert.deepEqual({ name: stale.json.details.name, group: stale.json.details.group, kind: stale.json.details.kind }, { name: 'gen', group: 'core.apoxy.dev', kind: 'backends' });
      const mismatch = await ts.api.put(`${BACKENDS}/gen`, { ...ok.json, metadata: { ...ok.json.metadata, name: 'other' } });
      assertStatus(mismatch, 400, 'BadRequest');
    });

    it('merge patch carrying a stale metadata.resourceVersion → 409; a current one applies', async () => {
      const cur = (await ts.api.get(`${BACKENDS}/gen`)).json;
      const stale = await ts.api.patch(`${BACKENDS}/gen`, 'merge', { metadata: { resourceVersion: '1' }, spec: { protocol: 'tls' } });
      assertStatus(stale, 409, 'Conflict');
      assert.match(stale.json.message, /the object has been modified/);
      const fresh = await ts.api.patch(`${BACKENDS}/gen`, 'merge', { metadata: { resourceVersion: cur.metadata.resourceVersion }, spec: { protocol: 'tls' } });
      assert.equal(fresh.status, 200, fresh.text);
      assert.equal(fresh.json.spec.protocol, 'tls');
    });

    it('"__proto__" keys in merge patches and apply bodies are plain (unknown) keys', async () => {
      await ts.api.create(BACKENDS, backend('proto', { endpoints: [{ ip: '10.0.0.3' }] }));
      const planted = '{"metadata":{"__proto__":{"deletionTimestamp":"2020-01-01T00:00:00Z","labels":{"planted":"yes"}}},"__proto__":{"status":{"x":1}}}';
      const m = await ts.api.req('PATCH', `${BACKENDS}/proto`, { raw: planted, contentType: 'application/merge-patch+json' });
      assert.ok(m.status === 200 || m.status === 400, `${m.status} ${m.text}`);
      const after = await ts.api.get(`${BACKENDS}/proto`);
      assert.equal(after.status, 200, 'the object was not deleted by a planted deletionTimestamp');
      assert.equal(after.json.metadata.deletionTimestamp, undefined);
      assert.equal(after.json.metadata.labels?.planted, undefined);
      const j = await ts.api.patch(`${BACKENDS}/proto`, 'json', [{ op: 'add', path: '/metadata/__proto__/deletionTimestamp', value: '2020-01-01T00:00:00Z' }]);
      assert.ok(j.status >= 400 && j.status < 500, `${j.status} ${j.text}`);
      const applyBody = 'apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: proto\n  __proto__:\n    deletionTimestamp: "2020-01-01T00:00:00Z"\nspec:\n  endpoints:\n  - ip: 10.0.0.3\n';
      const a = await ts.api.req('PATCH', `${BACKENDS}/proto?fieldManager=evil`, { raw: applyBody, contentType: 'application/apply-patch+yaml' });
      assert.ok(a.status === 200 || (a.status >= 400 && a.status < 500), `${a.status} ${a.text}`);
      const still = await ts.api.get(`${BACKENDS}/proto`);
      assert.equal(still.status, 200);
      assert.equal(still.json.metadata.deletionTimestamp, undefined);
      const c = await ts.api.req('POST', BACKENDS, { raw: '{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"proto2","__proto__":{"finalizers":["a.b/c"]}},"spec":{}}' });
      assert.equal(c.status, 201, c.text);
      assert.equal(c.json.metadata.finalizers, undefined);
      assert.equal((await ts.api.del(`${BACKENDS}/proto2`)).status, 200);
      assert.equal((await ts.api.get(`${BACKENDS}/proto2`)).status, 404);
    });

    it('dryRun=All create, update, patch and delete change nothing', async () => {
      const before = await ts.api.get(BACKENDS);
      const c = await ts.api.post(`${BACKENDS}?dryRun=All`, backend('dry'));
      assert.equal(c.status, 201, c.text);
      assert.equal(c.json.metadata.name, 'dry');
      assert.equal((await ts.api.get(`${BACKENDS}/dry`)).status, 404);
      const cur = (await ts.api.get(`${BACKENDS}/gen`)).json;
      const u = await ts.api.put(`${BACKENDS}/gen?dryRun=All`, { ...cur, spec: { ...cur.spec, protocol: 'h2c' } });
      assert.equal(u.status, 200, u.text);
      assert.equal(u.json.spec.protocol, 'h2c');
      const p = await ts.api.patch(`${BACKENDS}/gen?dryRun=All`, 'merge', { spec: { protocol: 'h2' } });
      assert.equal(p.status, 200);
      const d = await ts.api.del(`${BACKENDS}/gen?dryRun=All`);
      assert.equal(d.status, 200, d.text);
      const d2 = await ts.api.req('DELETE', `${BACKENDS}/gen`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] } });
      assert.equal(d2.status, 200, d2.text);
      const after = (await ts.api.get(`${BACKENDS}/gen`)).json;
      assert.deepEqual(after, cur, 'the object is exactly as before');
      const afterList = await ts.api.get(BACKENDS);
      assert.equal(afterList.json.items.length, before.json.items.length);
      assert.equal(afterList.json.metadata.resourceVersion, before.json.metadata.resourceVersion, 'no revision was written');
      const bad = await ts.api.post(`${BACKENDS}?dryRun=Yes`, backend('dry2'));
      assertStatus(bad, 400, 'BadRequest');
    });

    it('generateName makes a unique name from the prefix', async () => {
      const a = await ts.api.post(BACKENDS, { ...backend(''), metadata: { generateName: 'gen-' } });
      const b = await ts.api.post(BACKENDS, { ...backend(''), metadata: { generateName: 'gen-' } });
      assert.equal(a.status, 201, a.text);
      assert.equal(b.status, 201, b.text);
      assert.match(a.json.metadata.name, /^gen-[a-z0-9]{5}$/);
      assert.notEqual(a.json.metadata.name, b.json.metadata.name);
      assert.equal((await ts.api.get(`${BACKENDS}/${a.json.metadata.name}`)).status, 200);
      const none = await ts.api.post(BACKENDS, { ...backend(''), metadata: {} });
      assertStatus(none, 422, 'Invalid');
      assert.equal(none.json.details.causes[0].field, 'metadata.name');
    });

    it('Backend names: Apoxy-style accepted with a UTF-8 Warning; unsafe ones refused', async () => {
      for (const name of ['dynamic_forward_proxy', 'Ünïcödé-bk', 'emoji-💥']) {
        const a = await ts.api.post(BACKENDS, backend(name, { endpoints: [] }));
        assert.equal(a.status, 201, `${name}: ${a.text}`);
        const warning = String(a.headers.warning);
        assert.match(warning, /^299 - "[\x20-\x7e]*DNS-1123[\x20-\x7e]*"$/, 'plain ASCII, quoted');
        const text = JSON.parse(warning.slice('299 - '.length)) as string;
        assert.ok(text.includes(JSON.stringify(name)), `the Warning names the object (escaped): ${warning}`);
        assert.equal((await ts.api.get(`${BACKENDS}/${encodeURIComponent(name)}`)).json.metadata.name, name);
        assert.equal((await ts.api.del(`${BACKENDS}/${encodeURIComponent(name)}`)).status, 200);
      }
      for (const name of ['a/b', '..', '.', 'a%b', 'sp ace', 'ctl\u0001', 'x'.repeat(254)]) {
        const a = await ts.api.post(BACKENDS, backend(name, { endpoints: [] }));
        assertStatus(a, 422, 'Invalid');
        assert.equal(a.json.details.causes[0].field, 'metadata.name');
      }
      const route = await ts.api.post(HTTPROUTES, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'Not_DNS' }, spec: {} });
      assertStatus(route, 422, 'Invalid');
      // a malformed percent-encoding in the path is the client's error
      assertStatus(await ts.api.get(`${BACKENDS}/%zz`), 400, 'BadRequest');
      assertStatus(await ts.api.req('PUT', `${BACKENDS}/%`, { body: backend('x') }), 400, 'BadRequest');
    });

    it('finalizers: delete marks deletionTimestamp; removing the last finalizer deletes', async () => {
      await ts.api.create(BACKENDS, backend('fin', { endpoints: [{ ip: '10.0.0.9' }] }, { finalizers: ['example.com/hold'] }));
      const d = await ts.api.del(`${BACKENDS}/fin`);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.kind, 'Backend', 'the object comes back while finalizers hold it');
      assert.ok(d.json.metadata.deletionTimestamp);
      const held = (await ts.api.get(`${BACKENDS}/fin`)).json;
      assert.ok(held.metadata.deletionTimestamp);
      assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
      const addMore = await ts.api.patch(`${BACKENDS}/fin`, 'merge', { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } });
      assertStatus(addMore, 422, 'Invalid');
      const again = await ts.api.del(`${BACKENDS}/fin`);
      assert.equal(again.status, 200);
      assert.equal(again.json.metadata.deletionTimestamp, held.metadata.deletionTimestamp, 'a second delete keeps the first timestamp');
      const rel = await ts.api.patch(`${BACKENDS}/fin`, 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
      assert.equal(rel.status, 200, rel.text);
      assert.equal((await ts.api.get(`${BACKENDS}/fin`)).status, 404, 'gone once the finalizer is removed');
    });

    it('annotations over 256 KiB in total → 422; a 3 MiB+ body → 413', async () => {
      const big = 'x'.repeat(130 * 1024);
      const a = await ts.api.post(BACKENDS, backend('annot', undefined, { annotations: { 'a.example.com/one': big, 'a.example.com/two': big } }));
      assertStatus(a, 422, 'Invalid');
      assert.equal(a.json.details.causes[0].field, 'metadata.annotations');
      assert.match(a.json.message, /Too long: must have at most 262144 bytes/);
      const okSize = await ts.api.post(BACKENDS, backend('annot', undefined, { annotations: { 'a.example.com/one': big } }));
      assert.equal(okSize.status, 201, okSize.text.slice(0, 300));
      const huge = JSON.stringify(backend('huge', undefined, { labels: { a: 'b' }, annotations: { pad: 'y'.repeat(3 * 1024 * 1024 + 10) } }));
      const t = await ts.api.req('POST', BACKENDS, { raw: huge });
      assertStatus(t, 413, 'RequestEntityTooLarge');
      // chunked (no Content-Length) is cut off too
      async function* chunks() {
        yield Buffer.from('{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"huge","annotations":{"pad":"');
        for (let i = 0; i < 40; i++) yield Buffer.alloc(100 * 1024, 'z');
        yield Buffer.from('"}},"spec":{}}');
      }
      const chunked = await request(ts.api.base + BACKENDS, {
        method: 'POST',
        headers: { authorization: `Bearer ${ts.api.token}`, 'content-type': 'application/json' },
        body: Readable.from(chunks()),
        dispatcher: ts.api.agent,
      }).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }), (e: Error) => ({ status: 0, text: e.message }));
      if (chunked.status !== 0) assert.equal(chunked.status, 413, chunked.text.slice(0, 200)); // or the server cut the connection
      assert.equal((await ts.api.get(`${BACKENDS}/huge`)).status, 404);
    });

    it('objects are bounded: nesting depth (400/422) and encoded size (413), patches included', async () => {
      const proxy = (name: string, spec: string) => `{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Proxy","metadata":{"name":"${name}"},"spec":${spec}}`;
      const nest = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
      const ok = await ts.api.req('POST', PROXIES, { raw: proxy('nested-ok', `{"provider":"unmanaged","x":${nest(50)}}`) });
      assert.equal(ok.status, 201, ok.text.slice(0, 300));
      for (const d of [200, 5000, 100_000]) {
        const deep = await ts.api.req('POST', PROXIES, { raw: proxy(`nested-${d}`, `{"provider":"unmanaged","x":${nest(d)}}`) });
        assertStatus(deep, 400, 'BadRequest');
        assert.match(deep.json.message, /nested too deeply/);
        const arr = await ts.api.req('POST', PROXIES, { raw: proxy(`nested-a${d}`, `{"provider":"unmanaged","x":${'['.repeat(d)}1${']'.repeat(d)}}`) });
        assertStatus(arr, 400, 'BadRequest');
      }
      const deepYaml = await ts.api.req('POST', PROXIES, { raw: `apiVersion: core.apoxy.dev/v1alpha2\nkind: Proxy\nmetadata: {name: y}\nspec: {x: ${'['.repeat(300)}${']'.repeat(300)}}`, contentType: 'application/yaml' });
      assertStatus(deepYaml, 400, 'BadRequest');
      // a JSON patch that copies a subtree into itself doubles the object each time: it stops at the bound
      await ts.api.create(PROXIES, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Proxy', metadata: { name: 'grow' }, spec: { provider: 'unmanaged', x: { pad: 'y'.repeat(4000) } } });
      let last = 200;
      let rounds = 0;
      for (; rounds < 16 && last === 200; rounds++) {
        const a = await ts.api.patch(`${PROXIES}/grow`, 'json', [{ op: 'copy', from: '/spec/x', path: `/spec/x/c${rounds}` }]);
        last = a.status;
        if (last !== 200) {
          assertStatus(a, 413, 'RequestEntityTooLarge');
          assert.match(a.json.message, /limit is \d+/);
        }
      }
      assert.equal(last, 413, `stopped after ${rounds} doublings`);
      const grown = await ts.api.get(`${PROXIES}/grow`);
      assert.ok(grown.text.length < 1.6 * 1024 * 1024, `stored object stays bounded (${grown.text.length} bytes)`);
      const big = await ts.api.req('POST', PROXIES, { raw: proxy('big', `{"provider":"unmanaged","pad":"${'z'.repeat(2 * 1024 * 1024)}"}`) });
      assertStatus(big, 413, 'RequestEntityTooLarge');
      assert.equal((await ts.api.get(`${PROXIES}/big`)).status, 404);
      await ts.api.del(`${PROXIES}/grow`);
      await ts.api.del(`${PROXIES}/nested-ok`);
    });

    it('a YAML body is accepted for create and update', async () => {
      const yaml = 'apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: from-yaml\nspec:\n  endpoints:\n  - fqdn: yaml.example.com\n    port: 8443\n  protocol: TLS\n';
      const c = await ts.api.req('POST', BACKENDS, { raw: yaml, contentType: 'application/yaml' });
      assert.equal(c.status, 201, c.text);
      assert.equal(c.json.spec.protocol, 'tls');
      assert.equal(c.json.spec.endpoints[0].port, 8443);
      const y = await ts.api.get(`${BACKENDS}/from-yaml`, { accept: 'application/yaml' });
      assert.match(String(y.headers['content-type']), /application\/yaml/);
      const parsed = YAML.parse(y.text);
      assert.equal(parsed.metadata.name, 'from-yaml');
      parsed.spec.protocol = 'h2';
      const u = await ts.api.req('PUT', `${BACKENDS}/from-yaml`, { raw: YAML.stringify(parsed), contentType: 'application/yaml' });
      assert.equal(u.status, 200, u.text);
      assert.equal(u.json.spec.protocol, 'h2');
      const bad = await ts.api.req('POST', BACKENDS, { raw: 'a: [b', contentType: 'application/yaml' });
      assertStatus(bad, 400, 'BadRequest');
      const xml = await ts.api.req('POST', BACKENDS, { raw: '<a/>', contentType: 'application/xml' });
      assertStatus(xml, 415, 'UnsupportedMediaType');
    });

    it('fieldValidation: Strict rejects unknown fields, Warn drops them with a Warning, Ignore is silent', async () => {
      const obj = { ...backend('fv'), spec: { endpoints: [{ ip: '10.0.0.1', colour: 'red' }] }, extra: 1 };
      const strict = await ts.api.post(`${BACKENDS}?fieldValidation=Strict`, obj);
      assertStatus(strict, 400, 'BadRequest');
      assert.match(strict.json.message, /unknown field "spec\.endpoints\[0\]\.colour"/);
      const warn = await ts.api.post(BACKENDS, obj);
      assert.equal(warn.status, 201, warn.text);
      assert.match(String(warn.headers.warning), /unknown field/);
      assert.equal(warn.json.spec.endpoints[0].colour, undefined);
      assert.equal(warn.json.extra, undefined);
      const ignore = await ts.api.post(`${BACKENDS}?fieldValidation=Ignore`, { ...obj, metadata: { name: 'fv2' } });
      assert.equal(ignore.status, 201);
      assert.equal(ignore.headers.warning, undefined);
    });
  });

  describe('reads', () => {
    it('Table output has Name, Endpoints, Protocol, Age and None for no endpoints', async () => {
      await ts.api.create(BACKENDS, backend('no-endpoints', { endpoints: [] }));
      await ts.api.create(BACKENDS, backend('two-endpoints', { endpoints: [{ ip: '10.1.1.1', port: 80 }, { fqdn: 'b.example.com' }], protocol: 'h2c' }));
      const t = await ts.api.get(BACKENDS, { accept: TABLE_ACCEPT });
      assert.equal(t.status, 200);
      assert.equal(t.json.kind, 'Table');
      assert.equal(t.json.apiVersion, 'meta.k8s.io/v1');
      assert.deepEqual(t.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Endpoints', 'Protocol', 'Age']);
      const row = (name: string) => t.json.rows.find((r: { cells: unknown[] }) => r.cells[0] === name);
      assert.deepEqual(row('no-endpoints').cells.slice(0, 3), ['no-endpoints', 'None', '']);
      assert.deepEqual(row('two-endpoints').cells.slice(0, 3), ['two-endpoints', '10.1.1.1:80,b.example.com', 'h2c']);
      assert.match(row('two-endpoints').cells[3], /^\d+s$/);
      assert.equal(row('two-endpoints').object.kind, 'PartialObjectMetadata');
      assert.ok(t.json.metadata.resourceVersion);
      const one = await ts.api.get(`${BACKENDS}/no-endpoints`, { accept: TABLE_ACCEPT });
      assert.equal(one.json.rows.length, 1);
      const routes = await ts.api.get(HTTPROUTES, { accept: TABLE_ACCEPT });
      assert.equal(routes.json.columnDefinitions[0].name, 'Name');
    });

    it('list limit/continue walks 120 objects in pages with one resourceVersion', async () => {
      const before = (await ts.api.get(PROXIES)).json.items.length;
      assert.equal(before, 0);
      for (let i = 0; i < 120; i += 20) {
        await Promise.all(Array.from({ length: 20 }, (_, j) => ts.api.create(PROXIES, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Proxy', metadata: { name: `p-${String(i + j).padStart(3, '0')}` }, spec: { provider: 'unmanaged' } })));
      }
      const seen: string[] = [];
      let cont = '';
      let rv = '';
      let pages = 0;
      do {
        const page = await ts.api.get(`${PROXIES}?limit=25${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
        assert.equal(page.status, 200, page.text);
        pages++;
        if (rv) assert.equal(page.json.metadata.resourceVersion, rv, 'every page is read at the first page\'s revision');
        rv = page.json.metadata.resourceVersion;
        assert.ok(page.json.items.length <= 25);
        seen.push(...page.json.items.map((o: { metadata: { name: string } }) => o.metadata.name));
        cont = page.json.metadata.continue ?? '';
        if (cont) assert.equal(typeof page.json.metadata.remainingItemCount, 'number');
        if (pages === 1) {
          // a write between pages is not seen by the paged read
          await ts.api.create(PROXIES, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Proxy', metadata: { name: 'p-zzz' }, spec: { provider: 'unmanaged' } });
        }
      } while (cont && pages < 20);
      assert.equal(pages, 5);
      assert.equal(seen.length, 120);
      assert.deepEqual(seen, [...seen].sort());
      assert.equal(new Set(seen).size, 120);
      assert.equal((await ts.api.get(PROXIES)).json.items.length, 121);
      const bad = await ts.api.get(`${PROXIES}?limit=10&continue=not-a-token`);
      assertStatus(bad, 400, 'BadRequest');
    });

    it('labelSelector: =, ==, !=, in, notin, exists, !key; a bad selector is 400', async () => {
      const mk = (name: string, labels: Record<string, string>) => ts.api.create(BACKENDS, backend(name, { endpoints: [] }, { labels }));
      await mk('sel-a', { env: 'prod', tier: 'web' });
      await mk('sel-b', { env: 'dev', tier: 'web' });
      await mk('sel-c', { env: 'prod' });
      await mk('sel-d', { team: 'x' });
      const names = async (sel: string) => {
        const a = await ts.api.get(`${BACKENDS}?labelSelector=${encodeURIComponent(sel)}`);
        assert.equal(a.status, 200, `${sel}: ${a.text}`);
        return a.json.items.map((o: { metadata: { name: string } }) => o.metadata.name).filter((n: string) => n.startsWith('sel-')).sort();
      };
      assert.deepEqual(await names('env=prod'), ['sel-a', 'sel-c']);
      assert.deepEqual(await names('env==prod'), ['sel-a', 'sel-c']);
      assert.deepEqual(await names('env!=prod'), ['sel-b', 'sel-d']);
      assert.deepEqual(await names('env in (prod,dev)'), ['sel-a', 'sel-b', 'sel-c']);
      assert.deepEqual(await names('env notin (prod)'), ['sel-b', 'sel-d']);
      assert.deepEqual(await names('tier'), ['sel-a', 'sel-b']);
      assert.deepEqual(await names('!tier'), ['sel-c', 'sel-d']);
      assert.deepEqual(await names('env=prod,tier=web'), ['sel-a']);
      for (const bad of ['env in (', 'a>b', 'A/B=c', '=prod', 'env==a==b', 'a b', '!', 'x in prod', 'tier=web,,']) {
        const a = await ts.api.get(`${BACKENDS}?labelSelector=${encodeURIComponent(bad)}`);
        assertStatus(a, 400, 'BadRequest');
      }
      const fs = await ts.api.get(`${BACKENDS}?fieldSelector=${encodeURIComponent('metadata.name=sel-b')}`);
      assert.deepEqual(fs.json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['sel-b']);
      const fsNot = await ts.api.get(`${BACKENDS}?fieldSelector=${encodeURIComponent('metadata.name!=sel-b')}&labelSelector=env`);
      assert.deepEqual(fsNot.json.items.map((o: { metadata: { name: string } }) => o.metadata.name).sort(), ['sel-a', 'sel-c']);
      assertStatus(await ts.api.get(`${BACKENDS}?fieldSelector=spec.nope%3D1`), 400, 'BadRequest');
    });
  });

  describe('watch', () => {
    it('watch=True (capital T) streams; resume from a resourceVersion sees only later changes', async () => {
      const list = (await ts.api.get(BACKENDS)).json;
      const rv0 = list.metadata.resourceVersion;
      const w = await ts.api.watch(`${BACKENDS}?watch=True&resourceVersion=${rv0}`);
      try {
        assert.equal(w.status, 200);
        assert.match(String(w.headers['content-type']), /^application\/json/);
        await ts.api.create(BACKENDS, backend('w1'));
        await ts.api.patch(`${BACKENDS}/w1`, 'merge', { metadata: { labels: { x: '1' } } });
        await ts.api.del(`${BACKENDS}/w1`);
        const added = await w.until((e) => e.object?.metadata?.name === 'w1', 5000, 'ADDED w1');
        assert.equal(added.type, 'ADDED');
        assert.equal(added.object.apiVersion, 'core.apoxy.dev/v1alpha2');
        assert.equal(added.object.kind, 'Backend');
        const mod = await w.next(5000);
        assert.equal(mod?.type, 'MODIFIED');
        assert.equal(mod?.object.metadata.labels.x, '1');
        const del = await w.next(5000);
        assert.equal(del?.type, 'DELETED');
        // resume from the ADDED event's revision: exactly the two later events, nothing from before
        const w2 = await ts.api.watch(`${BACKENDS}?watch=1&resourceVersion=${added.object.metadata.resourceVersion}`);
        try {
          const e1 = await w2.next(5000);
          const e2 = await w2.next(5000);
          assert.deepEqual([e1?.type, e2?.type], ['MODIFIED', 'DELETED']);
          assert.equal(await w2.next(300), undefined, 'no further events');
        } finally {
          w2.close();
        }
        // v1alpha watchers get the same event in their apiVersion
        const w3 = await ts.api.watch(`/apis/core.apoxy.dev/v1alpha/backends?watch=true&resourceVersion=${rv0}`);
        try {
          const e = await w3.until((x) => x.object?.metadata?.name === 'w1', 5000);
          assert.equal(e.object.apiVersion, 'core.apoxy.dev/v1alpha');
        } finally {
          w3.close();
        }
      } finally {
        w.close();
      }
    });

    it('no resourceVersion: synthetic ADDED for current objects first; selectors filter events', async () => {
      const w = await ts.api.watch(`${BACKENDS}?watch=true&labelSelector=env%3Dprod`);
      try {
        const first = await w.next(5000);
        const second = await w.next(5000);
        assert.deepEqual([first?.type, second?.type], ['ADDED', 'ADDED']);
        assert.deepEqual([first?.object.metadata.name, second?.object.metadata.name].sort(), ['sel-a', 'sel-c']);
        await ts.api.patch(`${BACKENDS}/sel-b`, 'merge', { metadata: { labels: { env: 'prod' } } });
        const entered = await w.next(5000);
        assert.equal(entered?.type, 'ADDED', 'an object that starts matching arrives as ADDED');
        assert.equal(entered?.object.metadata.name, 'sel-b');
        await ts.api.patch(`${BACKENDS}/sel-b`, 'merge', { metadata: { labels: { env: 'dev' } } });
        const left = await w.next(5000);
        assert.equal(left?.type, 'DELETED', 'an object that stops matching leaves as DELETED');
      } finally {
        w.close();
      }
    });

    it('BOOKMARK only when asked; timeoutSeconds=1 closes the stream', async () => {
      const rv = (await ts.api.get(BACKENDS)).json.metadata.resourceVersion;
      const plain = await ts.api.watch(`${BACKENDS}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
      const asked = await ts.api.watch(`${BACKENDS}?watch=true&resourceVersion=${rv}&timeoutSeconds=1&allowWatchBookmarks=true`);
      const t0 = Date.now();
      assert.ok(await plain.waitEnd(5000), 'timeoutSeconds=1 ends the watch');
      assert.ok(await asked.waitEnd(5000));
      assert.ok(Date.now() - t0 < 4000);
      assert.deepEqual(plain.events.map((e) => e.type), [], 'no bookmark unless asked');
      assert.ok(asked.events.length >= 1);
      for (const e of asked.events) {
        assert.equal(e.type, 'BOOKMARK');
        assert.equal(e.object.kind, 'Backend');
        assert.ok(Number(e.object.metadata.resourceVersion) >= Number(rv));
      }
      // sendInitialEvents: initial ADDEDs then the initial-events-end bookmark
      const si = await ts.api.watch(`${BACKENDS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2`);
      try {
        const bm = await si.until((e) => e.type === 'BOOKMARK', 5000, 'initial-events-end bookmark');
        assert.equal(bm.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
        assert.ok(si.events.slice(0, -1).every((e) => e.type === 'ADDED'));
        assert.ok(si.events.length > 3);
      } finally {
        si.close();
      }
      const bad = await ts.api.get(`${BACKENDS}?watch=yes`);
      assertStatus(bad, 400, 'BadRequest');
    });
  });

  describe('discovery, OpenAPI, health, auth', () => {
    it('aggregated discovery only when asked (by Content-Type), legacy otherwise', async () => {
      const aggAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
      const agg = await ts.api.get('/apis', { accept: aggAccept });
      assert.equal(agg.status, 200);
      assert.equal(agg.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      assert.equal(agg.json.kind, 'APIGroupDiscoveryList');
      const core = agg.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'core.apoxy.dev');
      assert.deepEqual(core.versions.map((v: { version: string }) => v.version), ['v1alpha2', 'v1alpha']);
      const bk = core.versions[0].resources.find((r: { resource: string }) => r.resource === 'backends');
      assert.deepEqual(bk.responseKind, { group: 'core.apoxy.dev', version: 'v1alpha2', kind: 'Backend' });
      assert.equal(bk.scope, 'Cluster');
      assert.ok(bk.verbs.includes('watch') && bk.verbs.includes('patch'));
      assert.deepEqual(bk.shortNames, ['bk']);
      assert.equal(bk.subresources[0].subresource, 'status');
      const aggApi = await ts.api.get('/api', { accept: aggAccept });
      assert.equal(aggApi.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');

      const legacy = await ts.api.get('/apis', { accept: 'application/json' });
      assert.equal(legacy.headers['content-type'], 'application/json');
      assert.equal(legacy.json.kind, 'APIGroupList');
      assert.equal((await ts.api.get('/apis')).json.kind, 'APIGroupList');
      assert.equal((await ts.api.get('/api')).json.kind, 'APIVersions');
      const g = await ts.api.get('/apis/core.apoxy.dev');
      assert.equal(g.json.preferredVersion.version, 'v1alpha2');
      const rl = await ts.api.get('/apis/core.apoxy.dev/v1alpha2');
      assert.equal(rl.json.kind, 'APIResourceList');
      const names = rl.json.resources.map((r: { name: string }) => r.name);
      assert.ok(names.includes('backends') && names.includes('backends/status'), names.join(','));
      assertStatus(await ts.api.get('/apis/core.apoxy.dev/v9'), 404, 'NotFound');
    });

    it('/openapi/v3: stable index hash; the PATCH operation lists exactly the three patch types', async () => {
      const a = await ts.api.get('/openapi/v3');
      const b = await ts.api.get('/openapi/v3');
      assert.equal(a.status, 200);
      assert.deepEqual(a.json, b.json, 'nothing changes between two calls');
      const entry = a.json.paths['apis/core.apoxy.dev/v1alpha2'];
      assert.match(entry.serverRelativeURL, /^\/openapi\/v3\/apis\/core\.apoxy\.dev\/v1alpha2\?hash=[0-9A-F]+$/);
      for (const gv of ['apis/core.apoxy.dev/v1alpha', 'apis/gateway.apoxy.dev/v1']) assert.ok(a.json.paths[gv], gv);
      const doc = await ts.api.get(entry.serverRelativeURL);
      assert.equal(doc.status, 200);
      assert.match(String(doc.headers['cache-control']), /immutable/);
      const item = doc.json.paths['/apis/core.apoxy.dev/v1alpha2/backends/{name}'];
      assert.ok(item?.patch, Object.keys(doc.json.paths).join(','));
      assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
      assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'core.apoxy.dev', version: 'v1alpha2', kind: 'Backend' });
      const params = [...(item.parameters ?? []), ...(item.patch.parameters ?? [])].map((p: { name: string }) => p.name);
      for (const p of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(params.includes(p), `PATCH parameter ${p}: ${params.join(',')}`);
      const schema = doc.json.components.schemas['dev.apoxy.core.v1alpha2.Backend'];
      assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'core.apoxy.dev', kind: 'Backend', version: 'v1alpha2' }]);
      assert.ok(!schema.properties.spec.required?.includes('protocol'), 'protocol is optional');
      // every $ref resolves
      const refs = JSON.stringify(doc.json).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
      for (const r of new Set(refs)) {
        const n = r.slice('"$ref":"#/components/schemas/'.length, -1);
        assert.ok(doc.json.components.schemas[n], `unresolved $ref ${n}`);
      }
      assertStatus(await ts.api.get('/openapi/v3/apis/nope.example.com/v1'), 404, 'NotFound');
    });

    it('/healthz, /livez, /readyz, /version, /metrics', async () => {
      for (const p of ['/healthz', '/livez', '/readyz']) {
        const a = await ts.api.get(p, { token: null });
        assert.equal(a.status, 200, p);
        assert.equal(a.text, 'ok');
      }
      const v = await ts.api.get('/version', { token: null });
      assert.equal(v.json.major, '1');
      assert.match(v.json.gitVersion, /^v1\.\d+\.\d+/);
      const m = await ts.api.get('/metrics');
      assert.equal(m.status, 200);
      assert.match(m.text, /apiserver_request_total\{[^}]*verb="create"[^}]*resource="backends"/);
      assert.match(m.text, /apiserver_request_duration_seconds_bucket/);
      // the watcher gauge is read from the watch caches at scrape time
      const watchers = async () => Number(/apiserver_registered_watchers\{group="core\.apoxy\.dev",resource="backends"\} (\d+)/.exec((await ts.api.get('/metrics')).text)?.[1] ?? 0);
      const before = await watchers();
      const w = await ts.api.watch(`${BACKENDS}?watch=1&timeoutSeconds=30`);
      try {
        let now = before;
        for (let i = 0; i < 100 && now <= before; i++) {
          await new Promise((r) => setTimeout(r, 20));
          now = await watchers();
        }
        assert.equal(now, before + 1, 'one more registered watcher while the watch is open');
      } finally {
        w.close();
      }
    });

    it('401 without or with a wrong token; 403 for read-only writes; read-only reads work', async () => {
      const none = await ts.api.get(BACKENDS, { token: null });
      assertStatus(none, 401, 'Unauthorized');
      const wrong = await ts.api.get(BACKENDS, { token: 'not-a-token' });
      assertStatus(wrong, 401, 'Unauthorized');
      assertStatus(await ts.api.get('/metrics', { token: null }), 401, 'Unauthorized');
      const ro = await ts.readonlyApi.get(BACKENDS);
      assert.equal(ro.status, 200);
      const w = await ts.readonlyApi.watch(`${BACKENDS}?watch=1&timeoutSeconds=1`);
      assert.equal(w.status, 200, 'read-only users may watch');
      w.close();
      for (const [method, p, body] of [
        ['POST', BACKENDS, backend('ro')],
        ['PUT', `${BACKENDS}/sel-a`, backend('sel-a')],
        ['PATCH', `${BACKENDS}/sel-a`, { metadata: { labels: { ro: 'x' } } }],
        ['DELETE', `${BACKENDS}/sel-a`, undefined],
        ['DELETE', BACKENDS, undefined],
        ['PATCH', `${BACKENDS}/sel-a/status`, { status: {} }],
      ] as const) {
        const a = await ts.readonlyApi.req(method, p, { body, contentType: method === 'PATCH' ? 'application/merge-patch+json' : undefined });
        assertStatus(a, 403, 'Forbidden');
        assert.match(a.json.message, /User "viewer" cannot/);
      }
      assert.equal((await ts.api.get(`${BACKENDS}/sel-a`)).json.metadata.labels.ro, undefined);
    });
  });

  describe('deletecollection', () => {
    it('DELETE on the collection honours the label selector', async () => {
      const d = await ts.api.del(`${BACKENDS}?labelSelector=${encodeURIComponent('env in (prod,dev)')}`);
      assert.equal(d.status, 200, d.text);
      const left = (await ts.api.get(BACKENDS)).json.items.map((o: { metadata: { name: string } }) => o.metadata.name);
      for (const n of ['sel-a', 'sel-b', 'sel-c']) assert.ok(!left.includes(n), n);
      assert.ok(left.includes('sel-d'));
    });
  });

  describe('compacted history', () => {
    it('a watch from a compacted revision: HTTP 200, one ERROR event with code 410, then the stream ends', async () => {
      const old = await ts.api.create(HTTPROUTES, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'old-route' }, spec: { hostnames: ['old.example.com'] } });
      const oldRV = old.metadata.resourceVersion;
      for (let i = 0; i < 3; i++) await ts.api.patch(`${HTTPROUTES}/old-route`, 'merge', { metadata: { labels: { i: String(i) } } });
      // compact the SQLite store while the server is down, then start it again: its watch cache
      // begins at the current revision, so the old one can only come from (compacted) history
      await ts.sy.stop();
      const store = new ObjectStore(new SqliteDriver({ file: path.join(ts.sy.dataDir, 'state.db') }));
      const cur = await store.currentRevision();
      await store.compact(cur);
      await store.close();
      await restartServer(ts);
      const w = await ts.api.watch(`${HTTPROUTES}?watch=true&resourceVersion=${oldRV}`);
      try {
        assert.equal(w.status, 200);
        const e = await w.next(5000);
        assert.equal(e?.type, 'ERROR', JSON.stringify(w.events));
        assert.equal(e?.object.kind, 'Status');
        assert.equal(e?.object.code, 410);
        assert.equal(e?.object.reason, 'Expired');
        assert.ok(await w.waitEnd(5000), 'the stream closes after the ERROR');
        assert.equal(w.events.length, 1);
      } finally {
        w.close();
      }
      const list = await ts.api.get(`${HTTPROUTES}?resourceVersion=${oldRV}&resourceVersionMatch=Exact`);
      assertStatus(list, 410, 'Expired');
      // the current revision still watches fine
      const w2 = await ts.api.watch(`${HTTPROUTES}?watch=true&resourceVersion=${cur}`);
      try {
        await ts.api.patch(`${HTTPROUTES}/old-route`, 'merge', { metadata: { labels: { after: 'compaction' } } });
        const e = await w2.next(5000);
        assert.equal(e?.type, 'MODIFIED');
      } finally {
        w2.close();
      }
    });
  });
});
