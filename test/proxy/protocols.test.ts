// Upstream protocols through the real data plane: WebSocket pass-through (plain and over TLS, and
// refused with 400 when the route's `switchyard.dev/websocket: "false"` annotation says so), h2c,
// HTTP/1.1 over TLS with SNI = the endpoint's FQDN (or URLRewrite's hostname), and h2 over TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Upstream, backend, defaultAgent, prefix, rawValues, rule, until, send, sha256, startTestProxy, tlsMaterial, translated, type Handler, type TestProxy } from './lib';
import { wsConnect, wsEcho } from './ws';
import { UpstreamTrust } from '../../pkg/proxy/upstream/tls';
import { freePort } from '../harness/ports';

let W: Upstream, WT: Upstream, H2C: Upstream, TLS: Upstream, H2: Upstream;
let p: TestProxy;
const upgrades: IncomingMessage[] = [];

/** Echo the body's checksum and the protocol facts the test checks. */
const facts: Handler = (req, res, up) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    const sock = req.socket as import('node:tls').TLSSocket;
    const out = JSON.stringify({
      upstream: up.name,
      httpVersion: req.httpVersion,
      servername: sock.servername ?? null,
      encrypted: !!sock.encrypted,
      alpn: sock.alpnProtocol ?? null,
      authority: req.headers[':authority'] ?? null,
      host: req.headers.host ?? null,
      path: req.url,
      bytes: body.length,
      sha256: sha256(body),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': up.name });
    res.end(out);
  });
};

before(async () => {
  W = await Upstream.start('W');
  W.server.on('upgrade', wsEcho((req) => upgrades.push(req)));
  WT = await Upstream.start('WT', 'https');
  WT.server.on('upgrade', wsEcho((req) => upgrades.push(req)));
  H2C = await Upstream.start('H2C', 'h2c', { handler: facts });
  TLS = await Upstream.start('TLS', 'https', { handler: facts });
  H2 = await Upstream.start('H2', 'h2', { handler: facts });
  const deadPort = await freePort();
  const t = translated(
    [{ metadata: { name: 'ws' }, spec: { endpoints: [{ ip: '127.0.0.1', port: W.port }] } }],
    [
      { metadata: { name: 'ws-on' }, spec: { hostnames: ['ws.test'], rules: [{ backendRefs: [{ name: 'ws' }] }] } },
      { metadata: { name: 'ws-off', annotations: { 'switchyard.dev/websocket': 'false' } }, spec: { hostnames: ['nows.test'], rules: [{ backendRefs: [{ name: 'ws' }] }] } },
    ] as never,
  );
  p = await startTestProxy(
    [
      ...t.rules,
      rule('wst', { hostnames: ['wst.test'], to: ['wst'] }),
      rule('ws-rw', { hostnames: ['wsrw.test'], matches: [prefix('/outer')], to: ['ws'], filters: [{ type: 'URLRewrite', hostname: 'inner.test', path: { type: 'ReplacePrefixMatch', value: '/inner' } }] }),
      rule('ws-redirect', { hostnames: ['wsredir.test'], filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 301 }] }),
      rule('ws-rl', { hostnames: ['wsrl.test'], to: ['ws'], rateLimit: { requestsPerMinute: 1, perClientIP: true } }),
      rule('ws-dead', { hostnames: ['wsdead.test'], to: ['dead'] }),
      rule('h2c', { hostnames: ['h2c.test'], to: ['h2c'] }),
      rule('tls', { hostnames: ['tls.test'], to: ['tls'] }),
      rule('tls-rw', { hostnames: ['tls-rw.test'], to: ['tls'], filters: [{ type: 'URLRewrite', hostname: 'other.localhost' }] }),
      rule('tls-ip', { hostnames: ['tls-ip.test'], to: ['tls-ip'] }),
      rule('h2', { hostnames: ['h2.test'], to: ['h2'] }),
    ],
    [
      ...t.backends,
      backend('wst', [{ host: 'localhost', port: WT.port }], { protocol: 'tls' }),
      backend('dead', [deadPort]),
      backend('h2c', [H2C], { protocol: 'h2c' }),
      backend('tls', [{ host: 'localhost', port: TLS.port }], {
        protocol: 'tls',
        activeHealthCheck: { path: '/health', intervalMs: 200, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 2 },
      }),
      backend('tls-ip', [TLS], { protocol: 'tls' }),
      backend('h2', [{ host: 'localhost', port: H2.port }], { protocol: 'h2' }),
    ],
    // the upstreams' certificates chain to the test CA: trusted as --upstream-ca-file would
    { upstreamTrust: new UpstreamTrust([tlsMaterial().ca]) },
  );
});

after(async () => {
  await p.close();
  await Promise.all([W, WT, H2C, TLS, H2].map((u) => u.close()));
  await defaultAgent.close();
});

test('WebSocket echo through the proxy (text, 100 KiB binary, many messages)', async () => {
  const ws = await wsConnect(p.port, '/chat?room=1', 'ws.test');
  try {
    assert.equal(ws.status, 101, ws.statusLine);
    assert.equal(ws.headers['x-upstream-echo'], 'yes');
    const f = await ws.roundTrip('hello through switchyard');
    assert.equal(f.opcode, 1);
    assert.equal(f.payload.toString(), 'hello through switchyard');
    const big = randomBytes(100 * 1024);
    const b = await ws.roundTrip(big);
    assert.equal(b.opcode, 2);
    assert.equal(sha256(b.payload), sha256(big));
    for (let i = 0; i < 50; i++) assert.equal((await ws.roundTrip(`m${i}`)).payload.toString(), `m${i}`);
    const up = upgrades[upgrades.length - 1];
    assert.equal(up.url, '/chat?room=1');
    assert.equal(up.headers.host, 'ws.test');
    assert.equal(String(up.headers.upgrade).toLowerCase(), 'websocket');
    assert.match(String(up.headers.connection), /upgrade/i);
    assert.equal(up.headers['x-forwarded-for'], '127.0.0.1');
  } finally {
    await ws.close();
  }
});

test('WebSocket to a TLS upstream (SNI = the endpoint FQDN)', async () => {
  const ws = await wsConnect(p.port, '/secure-chat', 'wst.test');
  try {
    assert.equal(ws.status, 101, ws.statusLine);
    assert.equal((await ws.roundTrip('over tls')).payload.toString(), 'over tls');
    const up = upgrades[upgrades.length - 1];
    assert.equal((up.socket as import('node:tls').TLSSocket).servername, 'localhost');
  } finally {
    await ws.close();
  }
});

test('websocket disabled by the route annotation → 400; plain requests on that route still work; no route → 404', async () => {
  const n = upgrades.length;
  const ws = await wsConnect(p.port, '/chat', 'nows.test');
  assert.equal(ws.status, 400, ws.statusLine);
  await ws.close();
  assert.equal(upgrades.length, n, 'the upstream never saw the upgrade');
  const plain = await send(p.base, '/', { host: 'nows.test' });
  assert.equal(plain.status, 200);
  assert.equal(plain.upstream, 'W');
  const none = await wsConnect(p.port, '/chat', 'unknown.test');
  assert.equal(none.status, 404);
  await none.close();
});

test('WebSocket upgrades get the route’s URLRewrite (path, Host), redirect and rate limit; a dead upstream → 502', async () => {
  const ws = await wsConnect(p.port, '/outer/x?y=1', 'wsrw.test');
  try {
    assert.equal(ws.status, 101, ws.statusLine);
    const up = upgrades[upgrades.length - 1];
    assert.equal(up.url, '/inner/x?y=1');
    assert.equal(up.headers.host, 'inner.test');
    assert.equal(up.headers['x-forwarded-host'], 'wsrw.test');
    assert.equal((await ws.roundTrip('rewritten')).payload.toString(), 'rewritten');
  } finally {
    await ws.close();
  }
  const redir = await wsConnect(p.port, '/a?b=c', 'wsredir.test');
  assert.equal(redir.status, 301, redir.statusLine);
  assert.equal(redir.headers.location, 'https://wsredir.test/a?b=c');
  await redir.close();
  const first = await wsConnect(p.port, '/', 'wsrl.test');
  assert.equal(first.status, 101);
  await first.close();
  const limited = await wsConnect(p.port, '/', 'wsrl.test');
  assert.equal(limited.status, 429, limited.statusLine);
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  await limited.close();
  const dead = await wsConnect(p.port, '/', 'wsdead.test');
  assert.equal(dead.status, 502, dead.statusLine);
  await dead.close();
});

test('h2c upstream: HTTP/2 cleartext, authority = the client Host, bodies both ways', async () => {
  const body = randomBytes(1024 * 1024);
  const r = await send(p.base, '/h2c/path?x=1', { host: 'h2c.test:8080', method: 'POST', body, timeoutMs: 15_000 });
  assert.equal(r.status, 200, r.text);
  const j = r.json();
  assert.equal(j.upstream, 'H2C');
  assert.equal(j.httpVersion, '2.0');
  assert.equal(j.encrypted, false);
  assert.equal(j.authority, 'h2c.test:8080');
  assert.equal(j.path, '/h2c/path?x=1');
  assert.equal(j.sha256, sha256(body));
  // several concurrent requests share the session
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => send(p.base, `/c${i}`, { host: 'h2c.test' })));
  for (const a of all) assert.equal(a.json().httpVersion, '2.0');
});

test('TLS upstream (protocol tls): HTTP/1.1 over TLS, SNI = endpoint fqdn; URLRewrite hostname is the SNI and Host; IP endpoints send no SNI', async () => {
  const r = await send(p.base, '/t', { host: 'tls.test' });
  assert.equal(r.status, 200, r.text);
  const j = r.json();
  assert.equal(j.httpVersion, '1.1');
  assert.equal(j.encrypted, true);
  assert.equal(j.servername, 'localhost');
  assert.equal(j.host, 'tls.test', 'Host unchanged');
  const rw = (await send(p.base, '/t', { host: 'tls-rw.test' })).json();
  assert.equal(rw.servername, 'other.localhost');
  assert.equal(rw.host, 'other.localhost');
  const ip = (await send(p.base, '/t', { host: 'tls-ip.test' })).json();
  assert.equal(ip.encrypted, true);
  assert.ok(!ip.servername, `an IP endpoint sends no SNI (got ${ip.servername})`);
  const seen = TLS.last!;
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-forwarded-proto'), ['http']);
  // active health probes reach a TLS upstream through the same pools
  await until('a TLS health probe', () => TLS.healthHits > 0, 3000);
  assert.equal(p.proxy.dataPlane.backends.get('tls')!.states[0]!.lastResult, 'success');
});

test('h2 over TLS: ALPN h2, SNI = endpoint fqdn, authority = the client Host', async () => {
  const body = randomBytes(256 * 1024);
  const r = await send(p.base, '/two', { host: 'h2.test', method: 'PUT', body });
  assert.equal(r.status, 200, r.text);
  const j = r.json();
  assert.equal(j.httpVersion, '2.0');
  assert.equal(j.alpn, 'h2');
  assert.equal(j.encrypted, true);
  assert.equal(j.servername, 'localhost');
  assert.equal(j.authority, 'h2.test');
  assert.equal(j.sha256, sha256(body));
});
