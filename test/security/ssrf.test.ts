// SSRF into ourselves: a dynamicProxy (forward proxy) route must not reach switchyard's own API,
// facades or proxy, loopback, link-local or *.localhost — with the DEFAULT flags, by absolute URI,
// Host header and CONNECT. With an explicit deny list that omits loopback, a loopback upstream is
// reached (positive control) but switchyard's own ports stay refused, Gateway ports opened later too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/ports';
import { BACKENDS, GATEWAYCLASSES, GATEWAYS, HTTPROUTES, backendObj, raw, routeObj, startServe, until, upstream, type Serve, type Upstream } from './control_lib';

const get = (target: string, host: string) => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
const connect = (authority: string) => `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;

async function routes(s: Serve, upPort: number): Promise<void> {
  await s.admin.create(BACKENDS, backendObj('fwd', { dynamicProxy: {} }));
  await s.admin.create(BACKENDS, backendObj('static', { endpoints: [{ ip: '127.0.0.1', port: upPort }] }));
  await s.admin.create(HTTPROUTES, routeObj('fwd', { rules: [{ backendRefs: [{ kind: 'Backend', name: 'fwd' }] }] }));
  await s.admin.create(HTTPROUTES, routeObj('static', { hostnames: ['static.test'], rules: [{ backendRefs: [{ kind: 'Backend', name: 'static' }] }] }));
  // served once the static route answers, and the forward route answers something but 404
  await until(async () => (await raw(s.proxyPort, get('/', 'static.test'))).status, [0, 404], 'the static route');
  await until(async () => (await raw(s.proxyPort, get('/', 'nothing.invalid'))).status, [0, 404], 'the forward route');
}

describe('SSRF with the default --forward-proxy-deny', () => {
  let s: Serve;
  let up: Upstream;
  let registryPort: number;

  before(async () => {
    up = await upstream('origin');
    registryPort = await freePort();
    s = await startServe(['--registry-listen', `127.0.0.1:${registryPort}`]);
    await routes(s, up.port);
  });
  after(async () => {
    await s?.stop();
    await up?.close();
  });

  it('positive control: the same proxy serves a static route to the loopback upstream', async () => {
    const r = await raw(s.proxyPort, get('/', 'static.test'));
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /origin/);
  });

  it('absolute-form to the API port is 403, and the API answered nothing', async () => {
    const api = s.sy.apiPort;
    for (const authority of [`127.0.0.1:${api}`, `[::ffff:127.0.0.1]:${api}`, `[::ffff:7f00:1]:${api}`, `127.0.0.2:${api}`, `0.0.0.0:${api}`, `[::1]:${api}`]) {
      const r = await raw(s.proxyPort, get(`http://${authority}/apis/core.apoxy.dev/v1alpha2/backends`, authority));
      assert.equal(r.status, 403, `${authority}: ${r.text}`);
      assert.doesNotMatch(r.text, /BackendList/);
    }
    // numeric spellings are not IP literals here: they go to DNS, and whatever comes back is checked
    for (const authority of [`2130706433:${api}`, `127.1:${api}`, `0x7f000001:${api}`, `0177.0.0.1:${api}`]) {
      const r = await raw(s.proxyPort, get(`http://${authority}/apis/core.apoxy.dev/v1alpha2/backends`, authority), 10_000);
      assert.ok(r.status === 403 || r.status === 503 || r.status === 400, `${authority}: ${r.text}`);
      assert.doesNotMatch(r.text, /BackendList/);
    }
  });

  it('Host header naming the API, the registry facade, the proxy itself or metadata is 403', async () => {
    const hits = up.hits;
    for (const host of [`127.0.0.1:${s.sy.apiPort}`, `127.0.0.1:${registryPort}`, `127.0.0.1:${s.proxyPort}`, '169.254.169.254', '[fe80::1]:80', '224.0.0.1:80', `127.0.0.1:${up.port}`]) {
      const r = await raw(s.proxyPort, get('/', host));
      assert.equal(r.status, 403, `${host}: ${r.text}`);
    }
    assert.equal(up.hits, hits, 'nothing reached the loopback upstream');
  });

  it('*.localhost is refused before any lookup', async () => {
    for (const host of [`foo.localhost:${up.port}`, `localhost:${up.port}`, `a.b.LOCALHOST.:${up.port}`]) {
      const r = await raw(s.proxyPort, get(`http://${host}/`, host));
      assert.equal(r.status, 403, `${host}: ${r.text}`);
      assert.match(r.text, /denied/);
    }
  });

  it('CONNECT to the API port, the proxy and *.localhost is 403', async () => {
    for (const authority of [`127.0.0.1:${s.sy.apiPort}`, `127.0.0.1:${s.proxyPort}`, `foo.localhost:${up.port}`, `[::ffff:127.0.0.1]:${registryPort}`]) {
      const r = await raw(s.proxyPort, connect(authority));
      assert.equal(r.status, 403, `${authority}: ${r.text}`);
    }
  });
});

describe('SSRF with an explicit deny list that omits loopback', () => {
  let s: Serve;
  let up: Upstream;
  let gatewayPort: number;

  before(async () => {
    up = await upstream('origin');
    gatewayPort = await freePort();
    s = await startServe(['--forward-proxy-deny', '10.255.0.0/16']);
    await routes(s, up.port);
  });
  after(async () => {
    await s?.stop();
    await up?.close();
  });

  it('positive control: a dynamicProxy request to a loopback upstream answers 200 (absolute, Host, CONNECT)', async () => {
    const abs = await raw(s.proxyPort, get(`http://127.0.0.1:${up.port}/x`, `127.0.0.1:${up.port}`));
    assert.equal(abs.status, 200, abs.text);
    const host = await raw(s.proxyPort, get('/y', `127.0.0.1:${up.port}`));
    assert.equal(host.status, 200, host.text);
    const tunnel = await raw(s.proxyPort, connect(`127.0.0.1:${up.port}`));
    assert.equal(tunnel.status, 200, tunnel.text);
  });

  it('switchyard\'s own API and proxy ports stay refused (no flag lifts the self rule)', async () => {
    for (const host of [`127.0.0.1:${s.sy.apiPort}`, `127.0.0.1:${s.proxyPort}`, `[::ffff:127.0.0.1]:${s.proxyPort}`]) {
      assert.equal((await raw(s.proxyPort, get('/', host))).status, 403, host);
      assert.equal((await raw(s.proxyPort, connect(host))).status, 403, `CONNECT ${host}`);
    }
    assert.equal((await raw(s.proxyPort, get('/', '10.255.1.1'))).status, 403, 'the explicit list itself');
  });

  it('a Gateway listener opened later joins the refused set', async () => {
    // before the Gateway exists, the port is nobody's: the proxy dials it and fails (502), not 403
    const before = await raw(s.proxyPort, get('/', `127.0.0.1:${gatewayPort}`));
    assert.notEqual(before.status, 403, before.text);
    await s.admin.create(GATEWAYCLASSES, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'GatewayClass', metadata: { name: 'sy' }, spec: { controllerName: 'gateway.apoxy.dev/gatewayclass-controller' } });
    await s.admin.create(GATEWAYS, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'Gateway', metadata: { name: 'edge' }, spec: { gatewayClassName: 'sy', listeners: [{ name: 'http', protocol: 'HTTP', port: gatewayPort }] } });
    await until(async () => (await raw(gatewayPort, get('/', 'static.test'), 1_000)).status, [0], 'the Gateway listener to open');
    const r = await raw(s.proxyPort, get('/', `127.0.0.1:${gatewayPort}`));
    assert.equal(r.status, 403, r.text);
    // positive control on the same proxy after it
    assert.equal((await raw(s.proxyPort, get('/', `127.0.0.1:${up.port}`))).status, 200);
  });
});
