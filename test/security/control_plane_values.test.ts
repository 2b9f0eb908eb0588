// CR, LF and NUL from the control plane: header filter values, rewrite paths and switchyard.dev
// annotations that would split a header are a 422 at write time naming the field, and nothing is
// stored. Positive control: the same objects with ordinary values are stored and served.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BACKENDS, HTTPROUTES, backendObj, raw, routeObj, startServe, until, type Serve } from './control_lib';

describe('header values from the control plane', () => {
  let s: Serve;
  let up: http.Server;
  let upPort: number;
  const seen: http.IncomingHttpHeaders[] = [];

  before(async () => {
    up = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', () => r()));
    upPort = (up.address() as AddressInfo).port;
    s = await startServe();
    await s.admin.create(BACKENDS, backendObj('b', { endpoints: [{ ip: '127.0.0.1', port: upPort }] }));
  });
  after(async () => {
    await s?.stop();
    up?.closeAllConnections();
    await new Promise<void>((r) => up?.close(() => r()));
  });

  const tenantRoute = (name: string, value: string, annotations?: Record<string, string>) =>
    routeObj(name, {
      hostnames: [`${name}.test`],
      rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Tenant', value }] } }], backendRefs: [{ kind: 'Backend', name: 'b' }] }],
    }, annotations ? { annotations } : {});

  it('an HTTPRoute set value with CR LF is a 422 naming the field; nothing is stored', async () => {
    const a = await s.admin.post(HTTPROUTES, tenantRoute('evil', 't1\r\nX-Admin: true'));
    assert.equal(a.status, 422, a.text);
    assert.match(a.text, /spec\.rules\[0\]\.filters\[0\]\.requestHeaderModifier\.set\[0\]\.value/);
    assert.equal((await s.admin.get(`${HTTPROUTES}/evil`)).status, 404);
    // an update to an existing good route is refused the same way and leaves it as it was
    assert.equal((await s.admin.post(HTTPROUTES, tenantRoute('good', 't1'))).status, 201);
    const cur = (await s.admin.get(`${HTTPROUTES}/good`)).json;
    cur.spec.rules[0].filters[0].requestHeaderModifier.set[0].value = 't2\nX-Admin: true';
    const put = await s.admin.put(`${HTTPROUTES}/good`, cur);
    assert.equal(put.status, 422, put.text);
    const patch = await s.admin.patch(`${HTTPROUTES}/good`, 'json', [{ op: 'replace', path: '/spec/rules/0/filters/0/requestHeaderModifier/set/0/value', value: 'a\0b' }]);
    assert.equal(patch.status, 422, patch.text);
    assert.equal((await s.admin.get(`${HTTPROUTES}/good`)).json.spec.rules[0].filters[0].requestHeaderModifier.set[0].value, 't1');
  });

  it('positive control: the stored route with an ordinary value is served with its header', async () => {
    const status = await until(async () => (await raw(s.proxyPort, `GET / HTTP/1.1\r\nHost: good.test\r\nConnection: close\r\n\r\n`)).status, [0, 404], 'the good route');
    assert.equal(status, 200);
    const last = seen[seen.length - 1];
    assert.equal(last['x-tenant'], 't1');
    assert.equal(last['x-admin'], undefined);
  });

  it('switchyard.dev annotations with CR/LF (raw or JSON-escaped) are refused on HTTPRoutes and Backends', async () => {
    const r = await s.admin.post(HTTPROUTES, tenantRoute('ann', 't1', { 'switchyard.dev/response-headers': '{"x-a":"1\\r\\nX-Admin: true"}' }));
    assert.equal(r.status, 422, r.text);
    assert.match(r.text, /metadata\.annotations\[switchyard\.dev\/response-headers\]/);
    const b = await s.admin.post(BACKENDS, backendObj('b2', { endpoints: [{ ip: '127.0.0.1', port: upPort }] }, { annotations: { 'switchyard.dev/circuit-breaker-failure-window': '10s\r\nX: y' } }));
    assert.equal(b.status, 422, b.text);
    assert.match(b.text, /metadata\.annotations\[switchyard\.dev\/circuit-breaker-failure-window\]/);
    assert.equal((await s.admin.get(`${BACKENDS}/b2`)).status, 404);
    // positive control: the same objects with ordinary values are stored
    assert.equal((await s.admin.post(HTTPROUTES, tenantRoute('ann', 't1', { 'switchyard.dev/response-headers': '{"x-a":"1"}' }))).status, 201);
    assert.equal((await s.admin.post(BACKENDS, backendObj('b2', { endpoints: [{ ip: '127.0.0.1', port: upPort }] }, { annotations: { 'switchyard.dev/circuit-breaker-failure-window': '10s' } }))).status, 201);
  });
});
