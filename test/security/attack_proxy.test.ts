// A fresh attack on the finished edge (issue 15's second pass), against the real `switchyard serve`
// started with default flags, raw upstreams and raw client sockets. Each finding has a positive
// control beside it:
// - an upstream's informational answer (102/103) was written as THE response: the final one was lost
//   and the client took the next response on its keep-alive connection for this request (desync);
// - a route header value with a control character other than CR/LF/NUL (or one above U+00FF) was
//   accepted, then every request on the route failed AND counted against the upstream (breaker open);
// - `Connection: via` from the client stripped the proxy's own Via token (loop detection blinded);
// - `/public/../admin` was routed by the `/` rule and sent upstream as it was: an upstream that
//   normalizes serves /admin, skipping the /admin rule (path confusion; Envoy's normalize_path);
// - `X_Forwarded_For` / `X_Request_Id` from an untrusted client passed through: CGI-style upstreams
//   read them as X-Forwarded-For / X-Request-Id (Envoy's headers_with_underscores_action);
// - a header match named `constructor` (or a hash on it) read Object.prototype from node's plain
//   req.headers: every request on the host got a 500 from the router;
// - an `Upgrade: h2c` request was tunnelled on the backend's 101: every HTTP/2 stream then reached
//   that backend on any path, past the rules (h2c smuggling; Envoy strips h2c upgrades);
// - a configured response header `Content-Length` / `Transfer-Encoding` (filter, annotation, the
//   registry's `headers`) was written beside the real framing: two lengths in one response.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawUpstream, rawExchange, startServe, waitFor, type RawConn, type Serve } from './lib';
import { ROUTES } from '../scaleout/lib';

/** answers each complete request head with `admin <path>` */
function admin(c: RawConn, all: string): void {
  const rc = c as RawConn & { answered?: number };
  const heads = all.split('\r\n\r\n');
  heads.pop();
  for (let i = rc.answered ?? 0; i < heads.length; i++) {
    const path = heads[i]!.split(' ')[1] ?? '/';
    c.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${6 + path.length}\r\n\r\nadmin ${path}`);
  }
  rc.answered = heads.length;
}

/** answers each complete request head by its path (bodyless requests only) */
function byPath(c: RawConn, all: string): void {
  const rc = c as RawConn & { answered?: number };
  const heads = all.split('\r\n\r\n');
  heads.pop(); // the incomplete rest
  for (let i = rc.answered ?? 0; i < heads.length; i++) {
    const path = heads[i]!.split(' ')[1] ?? '/';
    if (path === '/hints') c.socket.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal');
    else if (path === '/processing') c.socket.write('HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 7\r\n\r\ncreated');
    else c.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${6 + path.length}\r\n\r\nplain ${path}`);
  }
  rc.answered = heads.length;
}

const get = (path: string, host: string, close = false) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;

/** the status lines of every response in a raw reply */
const statuses = (text: string) => text.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];

function httpRoute(name: string, host: string, backend: string, filters: unknown[] = []) {
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: { name },
    spec: { hostnames: [host], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], filters, backendRefs: [{ kind: 'Backend', name: backend }] }] },
  };
}

describe('security: a fresh attack on the edge', { timeout: 120_000 }, () => {
  let sy: Serve;
  let up: RawUpstream;
  let adminUp: RawUpstream;

  before(async () => {
    up = await RawUpstream.start(byPath);
    adminUp = await RawUpstream.start(admin);
    sy = await startServe();
    await sy.backend('raw', [{ ip: '127.0.0.1', port: up.port }]);
    await sy.backend('admin', [{ ip: '127.0.0.1', port: adminUp.port }]);
    await sy.route('raw', 'raw', { hostnames: ['raw.test'] });
    await sy.route('admin', 'admin', { hostnames: ['raw.test'], prefix: '/admin' });
    await waitFor('routes served', async () => (await rawExchange(sy.port, get('/admin/ready', 'raw.test', true), 3000)).text.endsWith('admin /admin/ready') || undefined, 30_000);
  });

  after(async () => {
    await sy?.stop();
    await up?.close();
    await adminUp?.close();
  });

  it('dot-segments are resolved before routing: /public/../admin is the /admin rule, sent upstream as /admin', async () => {
    for (const [sent, want] of [['/public/../admin/x', 'admin /admin/x'], ['/public/%2e%2E/admin/x?q=1', 'admin /admin/x?q=1'], ['/admin/./y', 'admin /admin/y']]) {
      const r = await rawExchange(sy.port, get(sent, 'raw.test', true));
      assert.equal(r.status, 'HTTP/1.1 200 OK', r.text);
      assert.ok(r.text.endsWith(want), `${sent}: ${r.text}`);
    }
    // an upgrade request is routed on the same normalized path (its answer here is a refusal: a 200)
    const u = await rawExchange(sy.port, 'GET /public/../admin/ws HTTP/1.1\r\nHost: raw.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    assert.ok(u.text.endsWith('admin /admin/ws'), u.text);
    // positive controls: the / rule keeps its paths, dots inside names and // untouched
    for (const p of ['/public/x', '/v1.2/..a', '//double']) {
      const r = await rawExchange(sy.port, get(p, 'raw.test', true));
      assert.ok(r.text.endsWith(`plain ${p}`), `${p}: ${r.text}`);
    }
  });

  for (const [path, status, body] of [['/hints', '200 OK', 'final'], ['/processing', '201 Created', 'created']] as const) {
    it(`an upstream's ${path === '/hints' ? '103' : '102'} before its answer never becomes the client's response (no desync)`, async () => {
      // two pipelined requests on one connection: each must get its own final response
      const r = await rawExchange(sy.port, get(path, 'raw.test') + get('/next', 'raw.test', true));
      const lines = statuses(r.text);
      assert.equal(lines[0], `HTTP/1.1 ${status}`, r.text);
      assert.ok(r.text.includes(body), r.text);
      assert.equal(lines.length, 2, r.text);
      assert.equal(lines[1], 'HTTP/1.1 200 OK', r.text);
      assert.ok(r.text.endsWith('plain /next'), r.text);
      // positive control: a plain answer on the same route
      const c = await rawExchange(sy.port, get('/plain', 'raw.test', true));
      assert.equal(c.status, 'HTTP/1.1 200 OK');
      assert.ok(c.text.endsWith('plain /plain'));
    });
  }

  it('a route header value with a control character or a character above U+00FF is a 422 at write time', async () => {
    for (const [i, value] of ['a\u0001b', 'a\u007fb', 'price \u20ac'].entries()) {
      for (const type of ['ResponseHeaderModifier', 'RequestHeaderModifier'] as const) {
        const key = type === 'ResponseHeaderModifier' ? 'responseHeaderModifier' : 'requestHeaderModifier';
        const r = await sy.api.request('POST', ROUTES, httpRoute(`bad-${i}-${key.length}`, 'bad.test', 'raw', [{ type, [key]: { set: [{ name: 'X-A', value }] } }]));
        assert.equal(r.status, 422, `${type} ${JSON.stringify(value)}: ${r.text}`);
        assert.match(r.text, /filters\[0\]\.(response|request)HeaderModifier\.set\[0\]\.value/);
      }
    }
    const ann = { ...httpRoute('bad-ann', 'bad.test', 'raw'), metadata: { name: 'bad-ann', annotations: { 'switchyard.dev/response-headers': JSON.stringify({ 'x-a': 'a\u0001b' }) } } };
    assert.equal((await sy.api.request('POST', ROUTES, ann)).status, 422);
    // positive control: ordinary values (spaces, tabs, latin-1) are accepted and served
    const ok = await sy.api.request('POST', ROUTES, httpRoute('good-values', 'good.test', 'raw', [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'X-A', value: 'caf\u00e9 \tok' }] } }]));
    assert.equal(ok.status, 201, ok.text);
    const r = await waitFor('good route served', async () => {
      const x = await rawExchange(sy.port, get('/g', 'good.test', true), 3000);
      return (x.status === 'HTTP/1.1 200 OK' && x) || undefined;
    }, 30_000);
    assert.match(r.text, /\r\nx-a: caf\u00e9 \tok\r\n/i);
  });

  it("a client's `Connection: via` never strips the proxy's own Via token", async () => {
    const r = await rawExchange(sy.port, 'GET /via HTTP/1.1\r\nHost: raw.test\r\nConnection: close, Via, X-Nominated\r\nX-Nominated: gone\r\n\r\n');
    assert.equal(r.status, 'HTTP/1.1 200 OK', r.text);
    const seen = up.allReceived;
    const head = seen.slice(seen.lastIndexOf('GET /via ')).split('\r\n\r\n')[0]! + '\r\n';
    assert.match(head, /\r\nVia: 1\.1 switchyard-[^\r]+\r\n/i, head);
    // positive control: the other header the client named is still dropped (RFC 9110 §7.6.1)
    assert.doesNotMatch(head, /X-Nominated/i);
  });

  it('underscore spellings of X-Forwarded-* / X-Request-Id from an untrusted client never reach the upstream', async () => {
    const r = await rawExchange(sy.port, 'GET /under HTTP/1.1\r\nHost: raw.test\r\nX_Forwarded_For: 6.6.6.6\r\nx_forwarded_proto: https\r\nX_Request_Id: evil\r\nX_Custom: kept\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 'HTTP/1.1 200 OK', r.text);
    const seen = up.allReceived;
    const head = seen.slice(seen.lastIndexOf('GET /under ')).split('\r\n\r\n')[0]! + '\r\n';
    assert.doesNotMatch(head, /x_forwarded|x_request_id|6\.6\.6\.6|evil/i, head);
    // positive controls: the proxy's own values are there, another underscore header passes
    assert.match(head, /\r\nX-Forwarded-For: 127\.0\.0\.1\r\n/i, head);
    assert.match(head, /\r\nX_Custom: kept\r\n/, head);
  });

  it('a header match named `constructor` / `__proto__` reads only the request\'s own headers (no 500 from the router)', async () => {
    const rule = (name: string, type: string, value: string) => ({ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name, type, value }] }], backendRefs: [{ kind: 'Backend', name: 'raw' }] });
    const obj = { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'proto' }, spec: { hostnames: ['proto.test'], rules: [rule('constructor', 'RegularExpression', '.*'), rule('__proto__', 'Exact', '[object Object]')] } };
    const c = await sy.api.request('POST', ROUTES, obj);
    assert.equal(c.status, 201, c.text);
    // positive control first (it also waits for the route): a request that carries the header matches
    const hit = await waitFor('proto route served', async () => {
      const x = await rawExchange(sy.port, 'GET /p HTTP/1.1\r\nHost: proto.test\r\nConstructor: yes\r\nConnection: close\r\n\r\n', 3000);
      return (x.status === 'HTTP/1.1 200 OK' && x) || undefined;
    }, 30_000);
    assert.ok(hit.text.endsWith('plain /p'), hit.text);
    const miss = await rawExchange(sy.port, get('/p', 'proto.test', true));
    assert.equal(miss.status, 'HTTP/1.1 404 Not Found', miss.text);
  });

  it('an h2c upgrade is sent as a plain request and never tunnelled; a WebSocket upgrade still is', async () => {
    // an upstream that switches to whatever is asked (an h2c-capable server), and answers plainly otherwise
    const sw = await RawUpstream.start((c, all) => {
      const rc = c as RawConn & { done?: boolean };
      if (rc.done || !all.includes('\r\n\r\n')) return;
      rc.done = true;
      const m = /\r\nupgrade: *([^\r]+)/i.exec(all);
      if (m) c.socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${m[1]}\r\nConnection: Upgrade\r\n\r\n`);
      else c.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nno upgrade');
    });
    try {
      await sy.backend('switcher', [{ ip: '127.0.0.1', port: sw.port }]);
      await sy.route('switcher', 'switcher', { hostnames: ['sw.test'] });
      const ws = 'GET /chat HTTP/1.1\r\nHost: sw.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
      // positive control (and the wait for the route): a WebSocket upgrade is switched
      const r1 = await waitFor('switcher route served', async () => {
        const x = await rawExchange(sy.port, ws, 1500);
        return (x.status === 'HTTP/1.1 101 Switching Protocols' && x) || undefined;
      }, 30_000);
      assert.match(r1.text, /Upgrade: websocket/i);
      const before = sw.conns.length;
      const h2c = await rawExchange(sy.port, 'GET /public HTTP/1.1\r\nHost: sw.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
      assert.equal(h2c.status, 'HTTP/1.1 200 OK', h2c.text);
      assert.ok(h2c.text.endsWith('no upgrade'), h2c.text);
      assert.ok(h2c.closed);
      const seen = sw.conns.slice(before).map((c) => c.received.toString('latin1')).join('');
      assert.match(seen, /^GET \/public HTTP\/1\.1\r\n/, seen);
      assert.doesNotMatch(seen, /upgrade: *h2c|http2-settings|PRI \*/i, seen);
      // a rule with upgrades disabled serves the h2c request as a plain one too (curl --http2 sends one)
      const noWs = { ...httpRoute('sw-nows', 'sw2.test', 'switcher'), metadata: { name: 'sw-nows', annotations: { 'switchyard.dev/websocket': 'false' } } };
      assert.equal((await sy.api.request('POST', ROUTES, noWs)).status, 201);
      const refused = await waitFor('sw-nows served', async () => {
        const x = await rawExchange(sy.port, ws.replace('sw.test', 'sw2.test'), 1500);
        return (x.status === 'HTTP/1.1 400 Bad Request' && x) || undefined;
      }, 30_000);
      assert.match(refused.text, /upgrade is disabled/);
      const plain = await rawExchange(sy.port, 'GET /p HTTP/1.1\r\nHost: sw2.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
      assert.equal(plain.status, 'HTTP/1.1 200 OK', plain.text);
    } finally {
      await sw.close();
    }
  });

  it('configured Content-Length / Transfer-Encoding never reach a response beside its real framing', async () => {
    const obj = {
      ...httpRoute('framing', 'framing.test', 'raw', [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'Transfer-Encoding', value: 'chunked' }, { name: 'X-Kept', value: 'yes' }] } }]),
      metadata: { name: 'framing', annotations: { 'switchyard.dev/response-headers': JSON.stringify({ 'Content-Length': '2', 'X-Ann': 'yes' }) } },
    };
    const c = await sy.api.request('POST', ROUTES, obj);
    assert.equal(c.status, 201, c.text);
    const r = await waitFor('framing route served', async () => {
      const x = await rawExchange(sy.port, get('/f1', 'framing.test') + get('/f2', 'framing.test', true), 3000);
      return (x.status === 'HTTP/1.1 200 OK' && x) || undefined;
    }, 30_000);
    const heads = r.text.split(/\r\n\r\n/).filter((h) => h.includes('HTTP/1.1 '));
    assert.equal(heads.length, 2, r.text);
    for (const h of heads) {
      assert.equal((h.match(/\r\ncontent-length:/gi) ?? []).length, 1, h);
      assert.doesNotMatch(h, /transfer-encoding/i, h);
      // positive control: the route's other configured headers are there
      assert.match(h, /\r\nX-Kept: yes/i);
      assert.match(h, /\r\nX-Ann: yes/i);
    }
    assert.ok(r.text.endsWith('plain /f2'), r.text);
  });
});
