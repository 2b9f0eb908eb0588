// TLS on the proxy's listeners (issue 7): --proxy-tls-listen serves the default listener's routes
// over HTTPS with the proxy's certificate, an HTTPS Gateway listener (a ListenerIR with tls) is
// terminated the same way, a port whose protocol changes is bound again, and upstreams learn the
// client's scheme from X-Forwarded-Proto. Certificates come from the project's own CA code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { Upstream, rule, startTestProxy, type TestProxy } from './lib';
import { freePort } from '../harness/ports';
import { createCA, createServingCert } from '../../pkg/certs/selfsigned';
import type { BackendIR } from '../../pkg/proxy/ir';

const backend = (port: number): BackendIR => ({
  name: 'b',
  protocol: '',
  defaultPort: 80,
  endpoints: [{ id: `127.0.0.1:${port}`, host: '127.0.0.1', isIP: true, port, weight: 1 }],
  loadBalancer: { algorithm: 'round-robin', slots: 10000 },
});

describe('proxy TLS listeners', () => {
  const ca = createCA('test-ca');
  const serving = createServingCert(ca, ['127.0.0.1', 'localhost'], 'switchyard-proxy');
  const trusting = new Agent({ connect: { ca: ca.cert } });
  let up: Upstream;
  let tp: TestProxy;
  let tlsPort = 0;

  before(async () => {
    up = await Upstream.start('tls-up');
    tlsPort = await freePort();
    tp = await startTestProxy([rule('r', { backendRefs: [{ backend: 'b', weight: 1 }] })], [backend(up.port)], {
      tls: { certificate: serving, listen: { host: '127.0.0.1', port: tlsPort } },
    });
  });
  after(async () => {
    await tp?.close();
    await up?.close();
    await trusting.close();
  });

  it('--proxy-tls-listen serves the default routes over HTTPS, verified against the CA', async () => {
    assert.equal(tp.proxy.tlsPort(), tlsPort);
    const r = await request(`https://127.0.0.1:${tlsPort}/secure`, { dispatcher: trusting });
    assert.equal(r.statusCode, 200);
    await r.body.text();
    const seen = up.seen.at(-1)!;
    assert.equal(seen.url, '/secure');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    const plain = await request(`${tp.base}/plain`);
    assert.equal(plain.statusCode, 200);
    await plain.body.text();
    assert.equal(up.seen.at(-1)!.headers['x-forwarded-proto'], 'http', 'the plain listener still speaks HTTP');
  });

  it('a client that does not trust the CA is refused at the handshake', async () => {
    const strict = new Agent();
    try {
      await assert.rejects(request(`https://127.0.0.1:${tlsPort}/`, { dispatcher: strict }), /certificate|self.signed|unable to verify/i);
    } finally {
      await strict.close();
    }
  });

  it('an HTTPS Gateway listener terminates TLS; switching it to HTTP rebinds the port', async () => {
    const port = await freePort();
    const gwRule = rule('gw', { listeners: ['gateway/gw/https'], backendRefs: [{ backend: 'b', weight: 1 }] });
    // the snapshot's listeners come from the Gateway translation
    await tp.proxy.setSnapshot({ generation: 1000, listeners: [{ id: 'gateway/gw/https', host: '127.0.0.1', port, tls: true }], rules: [gwRule], backends: { b: backend(up.port) } });
    const r = await request(`https://127.0.0.1:${port}/gw`, { dispatcher: trusting });
    assert.equal(r.statusCode, 200);
    await r.body.text();
    assert.equal(up.seen.at(-1)!.headers['x-forwarded-proto'], 'https');

    await tp.proxy.setSnapshot({ generation: 1001, listeners: [{ id: 'gateway/gw/https', host: '127.0.0.1', port }], rules: [gwRule], backends: { b: backend(up.port) } });
    assert.equal(tp.proxy.listeners.bindErrors.size, 0, [...tp.proxy.listeners.bindErrors.values()].join('; '));
    const h = await request(`http://127.0.0.1:${port}/gw`);
    assert.equal(h.statusCode, 200);
    await h.body.text();
    assert.equal(up.seen.at(-1)!.headers['x-forwarded-proto'], 'http');
  });

  it('a lazy certificate is loaded once, when the first TLS listener opens; a bad one is a bind error, not a crash', async () => {
    let loads = 0;
    const lazy = await startTestProxy([], [], { tls: { certificate: () => (loads++, serving) } });
    const other = createServingCert(ca, ['127.0.0.1'], 'other');
    const broken = await startTestProxy([], [], { tls: { certificate: { cert: serving.cert, key: other.key } } });
    const failing = await startTestProxy([], [], { tls: { certificate: () => { throw new Error('ENOENT: no such file'); } } });
    try {
      assert.equal(loads, 0, 'no TLS listener yet: nothing loaded (no files written)');
      const [p1, p2] = [await freePort(), await freePort()];
      await lazy.proxy.setSnapshot({ generation: 7, listeners: [{ id: 'gw/a', host: '127.0.0.1', port: p1, tls: true }, { id: 'gw/b', host: '127.0.0.1', port: p2, tls: true }], rules: [], backends: {} });
      assert.equal(loads, 1);
      assert.equal(lazy.proxy.listeners.bindErrors.size, 0);
      const r = await request(`https://127.0.0.1:${p2}/`, { dispatcher: trusting });
      assert.equal(r.statusCode, 404);
      await r.body.text();

      const p3 = await freePort();
      await broken.proxy.setSnapshot({ generation: 7, listeners: [{ id: 'gw/x', host: '127.0.0.1', port: p3, tls: true }], rules: [], backends: {} });
      assert.match(broken.proxy.listeners.bindErrors.get('gw/x') ?? '', /cannot serve TLS.*(mismatch|key)/i);
      const p4 = await freePort();
      await failing.proxy.setSnapshot({ generation: 7, listeners: [{ id: 'gw/y', host: '127.0.0.1', port: p4, tls: true }], rules: [], backends: {} });
      assert.match(failing.proxy.listeners.bindErrors.get('gw/y') ?? '', /could not be loaded: ENOENT/);
      const plain = await request(`${failing.base}/`);
      assert.equal(plain.statusCode, 404, 'the plain listener keeps serving');
      await plain.body.text();
    } finally {
      await Promise.all([lazy.close(), broken.close(), failing.close()]);
    }
  });

  it('without a certificate a TLS listener does not open and says why', async () => {
    const bare = await startTestProxy([], []);
    try {
      const port = await freePort();
      await bare.proxy.setSnapshot({ generation: 5, listeners: [{ id: 'gateway/x/https', host: '127.0.0.1', port, tls: true }], rules: [], backends: {} });
      assert.match(bare.proxy.listeners.bindErrors.get('gateway/x/https') ?? '', /no certificate/);
    } finally {
      await bare.close();
    }
  });
});
