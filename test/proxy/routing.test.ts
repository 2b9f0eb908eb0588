// Routing through the real data plane: Gateway API precedence, 404/500/503, header filters,
// rewrites, redirects, X-Forwarded-*, hop-by-hop headers and streamed bodies, against real
// node:http upstreams on loopback. The proxy is driven with hand-built Snapshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  Upstream, answer, backend, defaultAgent, exact, prefix, rawValues, regex, rule, send, sha256, startTestProxy,
  translated, type TestProxy,
} from './lib';

let A: Upstream, B: Upstream, C: Upstream, D: Upstream, E: Upstream, F: Upstream;
let p: TestProxy;
const H = 'r.test';

before(async () => {
  [A, B, C, D, E, F] = await Promise.all(['A', 'B', 'C', 'D', 'E', 'F'].map((n) => Upstream.start(n)));
  const backends = [A, B, C, D, E, F].map((u) => backend(u.name, [u]));
  backends.push(backend('empty', []));
  backends.push(backend('sick', [A, B]));
  const h = [H];
  const rules = [
    // path precedence
    rule('exact', { hostnames: h, matches: [exact('/two')], to: ['A'] }),
    rule('pfx', { hostnames: h, matches: [prefix('/two')], to: ['B'] }),
    rule('v2', { hostnames: h, matches: [prefix('/v2')], to: ['C'] }),
    rule('v2deep', { hostnames: h, matches: [prefix('/v2/deeper/')], to: ['D'] }),
    // RegularExpression ranks after Exact and before every prefix (implementation-specific in Gateway
    // API; Envoy Gateway's order), so the catch-all below does not hide it
    rule('re', { hostnames: h, matches: [regex('/re/[0-9]+')], to: ['E'] }),
    rule('re-exact', { hostnames: h, matches: [exact('/re/42')], to: ['A'] }),
    rule('catchall', { hostnames: h, matches: [prefix('/')], to: ['F'] }),
    // method, headers, query
    rule('m-post', { hostnames: h, matches: [prefix('/m', { method: 'POST' })], to: ['A'] }),
    rule('m-any', { hostnames: h, matches: [prefix('/m')], to: ['B'] }),
    rule('h-canary', { hostnames: h, matches: [prefix('/h', { headers: [{ name: 'x-env', type: 'Exact', value: 'canary' }] })], to: ['A'] }),
    rule('h-two', { hostnames: h, matches: [prefix('/h', { headers: [{ name: 'x-env', type: 'Exact', value: 'canary' }, { name: 'x-team', type: 'RegularExpression', value: 'a.*' }] })], to: ['C'] }),
    rule('h-any', { hostnames: h, matches: [prefix('/h')], to: ['B'] }),
    rule('q-v2', { hostnames: h, matches: [prefix('/q', { queryParams: [{ name: 'v', type: 'Exact', value: '2' }] })], to: ['A'] }),
    rule('q-any', { hostnames: h, matches: [prefix('/q')], to: ['B'] }),
    // hostnames
    rule('wild', { hostnames: ['*.example.io'], to: ['E'] }),
    rule('exacthost', { hostnames: ['exact.example.io'], to: ['A'] }),
    // errors
    rule('ext', { hostnames: h, matches: [prefix('/ext')], to: ['A'], invalid: { status: 500, reason: 'filter ExtensionRef cannot be applied' } }),
    rule('missing', { hostnames: h, matches: [prefix('/missing')], to: ['nope'] }),
    rule('badkind', { hostnames: h, matches: [prefix('/badkind')], to: [''] }),
    rule('empty', { hostnames: h, matches: [prefix('/empty')], to: ['empty'] }),
    rule('sick', { hostnames: h, matches: [prefix('/sick')], to: ['sick'] }),
    // filters
    rule('reqmod', {
      hostnames: h,
      matches: [prefix('/reqmod')],
      to: ['A'],
      filters: [{ type: 'RequestHeaderModifier', mod: { add: [{ name: 'X-Add', value: 'b' }], set: [{ name: 'X-Set', value: 'new' }], remove: ['x-remove'] } }],
    }),
    rule('respmod', {
      hostnames: h,
      matches: [prefix('/respmod')],
      to: ['B'],
      filters: [{ type: 'ResponseHeaderModifier', mod: { add: [{ name: 'X-Resp-Add', value: 'two' }], set: [{ name: 'X-Resp-Set', value: 'set' }], remove: ['x-resp-remove'] } }],
    }),
    rule('rewrite', {
      hostnames: h,
      matches: [prefix('/old')],
      to: ['C'],
      filters: [{ type: 'URLRewrite', hostname: 'rewritten.example', path: { type: 'ReplacePrefixMatch', value: '/new' } }],
    }),
    rule('fullpath', { hostnames: h, matches: [prefix('/full')], to: ['C'], filters: [{ type: 'URLRewrite', path: { type: 'ReplaceFullPath', value: '/replaced' } }] }),
    rule('redirect', { hostnames: h, matches: [prefix('/redir')], filters: [{ type: 'RequestRedirect', hostname: 'elsewhere.test', statusCode: 301 }] }),
    rule('redirect-https', { hostnames: h, matches: [prefix('/secure')], filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 302 }] }),
  ];
  p = await startTestProxy(rules, backends);
});

after(async () => {
  await p.close();
  await Promise.all([A, B, C, D, E, F].map((u) => u.close()));
  await defaultAgent.close();
});

const get = (path: string, o: Parameters<typeof send>[2] = {}) => send(p.base, path, { host: H, ...o });

test('path precedence: Exact beats regex beats prefix, longest prefix wins, per segment', async () => {
  const cases: Array<[string, string]> = [
    ['/two', 'A'],
    ['/two/', 'B'], // Exact /two matches neither /two/ …
    ['/Two', 'F'], // … nor /Two (and the prefix /two is case-sensitive)
    ['/two/x', 'B'],
    ['/v2', 'C'],
    ['/v2/x', 'C'],
    ['/v2example', 'F'], // a prefix is per segment
    ['/v2/deeper', 'D'], // trailing / in the prefix is ignored
    ['/v2/deeper/more?x=1', 'D'],
    ['/v2/deeperer', 'C'],
    ['/anything', 'F'],
  ];
  for (const [path, want] of cases) {
    const r = await get(path);
    assert.equal(r.status, 200, `${path}: ${r.status} ${r.text}`);
    assert.equal(r.upstream, want, `${path} → ${r.upstream}, want ${want}`);
  }
  assert.equal((await get('/re/123')).upstream, 'E', 'a regular expression beats the catch-all prefix');
  assert.equal((await get('/re/42')).upstream, 'A', 'Exact beats a regular expression');
  assert.equal((await get('/re/123/x')).upstream, 'F', 'a regular expression matches the whole path');
  assert.equal((await get('/re/abc')).upstream, 'F');
});

test('method, header and query matches', async () => {
  assert.equal((await get('/m', { method: 'POST', body: 'x' })).upstream, 'A');
  assert.equal((await get('/m')).upstream, 'B');
  assert.equal((await get('/m', { method: 'HEAD' })).upstream, 'B');
  assert.equal((await get('/h', { headers: { 'x-env': 'canary' } })).upstream, 'A');
  assert.equal((await get('/h', { headers: { 'x-env': 'canary', 'x-team': 'alpha' } })).upstream, 'C', 'most header matches wins');
  assert.equal((await get('/h', { headers: { 'X-Env': 'canary', 'x-team': 'beta' } })).upstream, 'A');
  assert.equal((await get('/h', { headers: { 'x-env': 'prod' } })).upstream, 'B');
  assert.equal((await get('/q?v=2')).upstream, 'A');
  assert.equal((await get('/q?a=1&v=2')).upstream, 'A');
  assert.equal((await get('/q?V=2')).upstream, 'B', 'query parameter names are case-sensitive');
  assert.equal((await get('/q?v=3')).upstream, 'B');
});

test('hostnames: wildcard, exact over wildcard, 404 when nothing matches', async () => {
  assert.equal((await get('/', { host: 'a.example.io' })).upstream, 'E');
  assert.equal((await get('/', { host: 'a.b.example.io:8080' })).upstream, 'E');
  assert.equal((await get('/', { host: 'exact.example.io' })).upstream, 'A');
  assert.equal((await get('/', { host: 'EXACT.example.io' })).upstream, 'A');
  const none = await get('/', { host: 'example.io' });
  assert.equal(none.status, 404);
  assert.equal(none.upstream, '');
  assert.equal((await get('/', { host: 'unknown.test' })).status, 404);
});

test('unresolved filter / missing backend / invalid kind → 500; no usable endpoint → 503', async () => {
  const hitsBefore = A.hits;
  const ext = await get('/ext');
  assert.equal(ext.status, 500);
  assert.equal(A.hits, hitsBefore, 'a rule with an unresolved filter never reaches its backend');
  assert.equal((await get('/missing')).status, 500);
  assert.equal((await get('/badkind')).status, 500);
  assert.equal((await get('/empty')).status, 503);
  const sick = p.proxy.dataPlane.backends.get('sick')!;
  for (const s of sick.states) s.healthy = false;
  try {
    const r = await get('/sick');
    assert.equal(r.status, 503);
    assert.equal(r.upstream, '');
  } finally {
    for (const s of sick.states) s.healthy = true;
  }
  assert.equal((await get('/sick')).status, 200);
});

test('Host reaches the upstream unchanged, port included; X-Forwarded-*', async () => {
  const r = await get('/echo', { host: 'R.test:8080' });
  assert.equal(r.status, 200);
  const seen = r.json();
  assert.deepEqual(rawValues(seen.rawHeaders, 'host'), ['R.test:8080']);
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-forwarded-for'), ['127.0.0.1']);
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-forwarded-proto'), ['http']);
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-forwarded-host'), ['R.test:8080']);
  const chained = (await get('/echo', { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' } })).json();
  assert.deepEqual(rawValues(chained.rawHeaders, 'x-forwarded-for'), ['203.0.113.7, 127.0.0.1']);
  // the test client is no --trusted-proxies peer: its proto is overwritten with what the proxy saw
  // (a trusted peer's is kept: test/security/headers.test.ts)
  assert.deepEqual(rawValues(chained.rawHeaders, 'x-forwarded-proto'), ['http'], 'an untrusted peer’s proto is overwritten');
  assert.equal(seen.url, '/echo');
});

test('RequestHeaderModifier: add appends with a bare comma, set replaces, remove removes', async () => {
  const seen = (await get('/reqmod', { headers: { 'x-add': 'a', 'x-set': 'old', 'x-remove': 'gone', 'x-keep': 'k' } })).json();
  assert.equal(seen.headers['x-add'], 'a,b');
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-add'), ['a,b']);
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-set'), ['new']);
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-remove'), []);
  assert.deepEqual(rawValues(seen.rawHeaders, 'x-keep'), ['k']);
  const bare = (await get('/reqmod')).json();
  assert.deepEqual(rawValues(bare.rawHeaders, 'x-add'), ['b'], 'add with no existing value');
  assert.deepEqual(rawValues(bare.rawHeaders, 'x-set'), ['new']);
});

test('ResponseHeaderModifier', async () => {
  B.handler = answer(200, 'resp', { 'x-resp-add': 'one', 'x-resp-set': 'upstream', 'x-resp-remove': 'secret' });
  try {
    const r = await get('/respmod');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-resp-add'], 'one,two');
    assert.equal(r.headers['x-resp-set'], 'set');
    assert.equal(r.headers['x-resp-remove'], undefined);
    assert.equal(r.upstream, 'B');
  } finally {
    B.handler = null;
  }
});

test('URLRewrite: prefix and full path, hostname becomes the Host sent upstream', async () => {
  const r = (await get('/old/thing?q=1', { host: 'r.test:1234' })).json();
  assert.equal(r.url, '/new/thing?q=1');
  assert.deepEqual(rawValues(r.rawHeaders, 'host'), ['rewritten.example']);
  assert.deepEqual(rawValues(r.rawHeaders, 'x-forwarded-host'), ['r.test:1234'], 'X-Forwarded-Host is the client’s Host');
  assert.equal((await get('/old')).json().url, '/new');
  assert.equal((await get('/full/a/b?z=9')).json().url, '/replaced?z=9');
});

test('RequestRedirect keeps the listener port (not the Host header’s); scheme-only uses the scheme default', async () => {
  const r = await get('/redir/x?y=1', { host: 'r.test:9999' });
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `http://elsewhere.test:${p.port}/redir/x?y=1`);
  const s = await get('/secure/p');
  assert.equal(s.status, 302);
  assert.equal(s.headers.location, 'https://r.test/secure/p');
});

/** A request with hand-written headers (undici refuses hop-by-hop ones). */
function rawRequest(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; rawHeaders: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('hop-by-hop headers are stripped both ways (including those named in Connection)', async () => {
  D.handler = (req, res) => {
    req.resume();
    const sres = res as http.ServerResponse;
    sres.setHeader('Connection', 'keep-alive, X-Up-Hop');
    sres.setHeader('X-Up-Hop', 'upstream-secret');
    sres.setHeader('Keep-Alive', 'timeout=5, max=7');
    sres.setHeader('Proxy-Connection', 'keep-alive');
    sres.setHeader('X-Up-Kept', 'yes');
    sres.setHeader('x-upstream', 'D');
    sres.end(JSON.stringify({ rawHeaders: req.rawHeaders }));
  };
  try {
    const r = await rawRequest(p.port, '/v2/deeper/hop', {
      Host: H,
      Connection: 'keep-alive, X-Client-Hop',
      'X-Client-Hop': 'client-secret',
      'Keep-Alive': 'timeout=99',
      'Proxy-Connection': 'keep-alive',
      TE: 'trailers',
      'X-Client-Kept': 'yes',
    });
    assert.equal(r.status, 200, r.body);
    const up = JSON.parse(r.body).rawHeaders as string[];
    assert.deepEqual(rawValues(up, 'x-client-hop'), [], 'a header named in Connection is not forwarded');
    assert.deepEqual(rawValues(up, 'keep-alive'), []);
    assert.deepEqual(rawValues(up, 'proxy-connection'), []);
    assert.deepEqual(rawValues(up, 'te'), []);
    for (const c of rawValues(up, 'connection')) assert.doesNotMatch(c, /x-client-hop/i);
    assert.deepEqual(rawValues(up, 'x-client-kept'), ['yes']);
    // response direction
    assert.deepEqual(rawValues(r.rawHeaders, 'x-up-hop'), [], 'a header the upstream named in Connection is not forwarded');
    assert.deepEqual(rawValues(r.rawHeaders, 'proxy-connection'), []);
    for (const ka of rawValues(r.rawHeaders, 'keep-alive')) assert.doesNotMatch(ka, /max=7/, 'the upstream’s Keep-Alive is not forwarded');
    for (const c of rawValues(r.rawHeaders, 'connection')) assert.doesNotMatch(c, /x-up-hop/i);
    assert.deepEqual(rawValues(r.rawHeaders, 'x-up-kept'), ['yes']);
  } finally {
    D.handler = null;
  }
});

test('bodies stream both ways: 5 MB upload (sized and chunked) and 5 MB download, checksums compared', async () => {
  const SIZE = 5 * 1024 * 1024;
  const upload = randomBytes(SIZE);
  const download = randomBytes(SIZE);
  E.handler = (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const got = Buffer.concat(parts);
      const sres = res as http.ServerResponse;
      sres.writeHead(200, { 'x-upstream': 'E', 'x-upload-sha256': sha256(got), 'x-upload-bytes': String(got.length), 'x-upload-te': String(req.headers['transfer-encoding'] ?? '') });
      // write the download in 64 KiB pieces, honouring back-pressure
      let off = 0;
      const pump = () => {
        while (off < download.length) {
          const piece = download.subarray(off, off + 65536);
          off += piece.length;
          if (!sres.write(piece)) return void sres.once('drain', pump);
        }
        sres.end();
      };
      pump();
    });
  };
  try {
    const sized = await send(p.base, '/re/1', { host: H, method: 'POST', body: upload, timeoutMs: 20_000 });
    assert.equal(sized.status, 200);
    assert.equal(sized.headers['x-upload-bytes'], String(SIZE));
    assert.equal(sized.headers['x-upload-sha256'], sha256(upload));
    assert.equal(sized.body.length, SIZE);
    assert.equal(sha256(sized.body), sha256(download));
    // a chunked upload (no content-length) produced slowly by the client
    let i = 0;
    const chunks = Readable.from(
      (async function* () {
        for (; i < SIZE; i += 256 * 1024) yield upload.subarray(i, i + 256 * 1024);
      })(),
    );
    const chunked = await send(p.base, '/re/2', { host: H, method: 'PUT', body: chunks, timeoutMs: 20_000 });
    assert.equal(chunked.status, 200);
    assert.equal(chunked.headers['x-upload-sha256'], sha256(upload));
    assert.equal(sha256(chunked.body), sha256(download));
  } finally {
    E.handler = null;
  }
});

test('translated HTTPRoutes (the controller’s own translation): ExtensionRef, BackendNotFound, InvalidKind, no backendRefs → 500; Accepted stays True', async () => {
  const t = translated(
    [{ metadata: { name: 'real' }, spec: { endpoints: [{ ip: '127.0.0.1', port: A.port }] } }],
    [
      {
        metadata: { name: 'ext' },
        spec: {
          hostnames: ['t.test'],
          rules: [
            { matches: [{ path: { type: 'PathPrefix', value: '/ext' } }], filters: [{ type: 'ExtensionRef', extensionRef: { group: 'extensions.apoxy.dev', kind: 'EdgeFunction', name: 'fn' } }], backendRefs: [{ name: 'real' }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/missing' } }], backendRefs: [{ name: 'not-there' }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/svc' } }], backendRefs: [{ kind: 'Service', name: 'real' }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/none' } }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/ok' } }], backendRefs: [{ name: 'real' }] },
          ],
        },
      } as never,
    ],
  );
  const q = await startTestProxy(t.rules, t.backends);
  try {
    const before = A.hits;
    for (const path of ['/ext', '/missing', '/svc', '/none']) {
      const r = await send(q.base, path, { host: 't.test' });
      assert.equal(r.status, 500, `${path}: ${r.status} ${r.text}`);
    }
    assert.equal(A.hits, before, 'nothing reached the upstream');
    const ok = await send(q.base, '/ok', { host: 't.test' });
    assert.equal(ok.status, 200);
    assert.equal(ok.upstream, 'A');
    const st = JSON.stringify(t.routeStatuses.get('ext'));
    assert.match(st, /"type":"Accepted","status":"True"/);
    assert.match(st, /"type":"ResolvedRefs","status":"False"/);
  } finally {
    await q.close();
  }
});

test('response details pass through: several Set-Cookie, HEAD keeps Content-Length without a body, 204, 304', async () => {
  F.handler = (req, res) => {
    req.resume();
    const sres = res as http.ServerResponse;
    const url = req.url ?? '';
    if (url.startsWith('/cookies')) {
      sres.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
      sres.setHeader('x-upstream', 'F');
      return void sres.end('cookies');
    }
    if (url.startsWith('/nocontent')) {
      sres.writeHead(204, { 'x-upstream': 'F' });
      return void sres.end();
    }
    if (url.startsWith('/cached')) {
      sres.writeHead(304, { etag: '"v1"', 'x-upstream': 'F' });
      return void sres.end();
    }
    sres.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11', 'x-upstream': 'F' });
    sres.end(req.method === 'HEAD' ? undefined : 'hello world');
  };
  try {
    const c = await get('/cookies');
    assert.deepEqual(c.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
    const h = await get('/head', { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers['content-length'], '11');
    assert.equal(h.body.length, 0);
    const g = await get('/head');
    assert.equal(g.text, 'hello world');
    const n = await get('/nocontent');
    assert.equal(n.status, 204);
    assert.equal(n.body.length, 0);
    const m = await get('/cached', { headers: { 'if-none-match': '"v1"' } });
    assert.equal(m.status, 304);
    assert.equal(m.headers.etag, '"v1"');
    // the keep-alive connection to the proxy is still usable after bodiless answers
    assert.equal((await get('/head')).status, 200);
  } finally {
    F.handler = null;
  }
});
