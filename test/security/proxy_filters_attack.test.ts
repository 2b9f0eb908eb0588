// Attacks on the newly landed proxy work (workers, RequestMirror, sessionPersistence), against the
// real `switchyard serve` with default flags (--proxy-workers = CPUs) and loopback upstreams:
// - requests undici refuses to send (two Host lines, an Expect a route sets) must not wedge the
//   upstream's connection pool: before the fix, 256 such requests held every pool connection and
//   each later request to that upstream, from any client and any route, waited forever;
// - two Host lines are refused at the front door (400), the Upgrade path included (it forwarded both);
// - a mirror's copy carries what the proxy sets (X-Forwarded-For with the client's address
//   appended, the proxy's X-Request-Id), not the client's unchecked values, on a route with a
//   RequestHeaderModifier too;
// - a Header session may not use a framing header (Content-Length, Transfer-Encoding): validation
//   refuses it, so no response carries two Content-Lengths.
// Every wait is bounded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher, Pool } from 'undici';
import { UpstreamPools } from '../../pkg/proxy/upstream/pools';
import { RawClient } from './lib';
import { BACKENDS, ROUTES, backendObj, create, request, routeObj, startServe, until, upstream, type Serve, type TestUpstream } from './upstream_lib';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

async function recorder(): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.end('copy');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** one dispatch through a pool: its status, or the error undici reported */
function dispatch(pool: Pool, headers: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('no answer'), timeoutMs);
    let status = 0;
    pool.dispatch({ path: '/', method: 'GET', headers } as Dispatcher.DispatchOptions, {
      onRequestStart() {},
      onResponseStart(_c: unknown, s: number) {
        status = s;
      },
      onResponseData() {},
      onResponseEnd() {
        clearTimeout(t);
        resolve(String(status));
      },
      onResponseError(_c: unknown, e: Error) {
        clearTimeout(t);
        resolve(`error: ${e.message}`);
      },
    } as unknown as Dispatcher.DispatchHandler);
  });
}

describe('security: the upstream pools outlive requests undici refuses', { timeout: 60_000 }, () => {
  it('300 refused requests (two Host lines) through a 256-connection pool, then a good one is answered', async () => {
    const up = await upstream('pooled');
    const pools = new UpstreamPools();
    try {
      const pool = pools.poolFor('', '127.0.0.1', up.port, undefined);
      for (let i = 0; i < 300; i++) {
        const r = await dispatch(pool, ['host', 'a.test', 'host', 'b.test'], 5_000);
        assert.equal(r, 'error: duplicate host header', `refusal ${i}`);
      }
      assert.equal(await dispatch(pool, ['host', 'a.test'], 5_000), '200', 'the pool still sends requests');
    } finally {
      await pools.destroy();
      await up.close();
    }
  });
});

describe('security: attacks on workers, mirrors and sessions (real serve)', { timeout: 240_000 }, () => {
  let sy: Serve;
  let main: TestUpstream;
  let copies: Awaited<ReturnType<typeof recorder>>;

  before(async () => {
    main = await upstream('main');
    copies = await recorder();
    sy = await startServe();
    await create(sy.api, BACKENDS, backendObj('main', [{ ip: '127.0.0.1', port: main.port }]));
    await create(sy.api, BACKENDS, backendObj('copies', [{ ip: '127.0.0.1', port: copies.port }]));
    await create(sy.api, ROUTES, routeObj('plain', 'plain.test', [{ name: 'main' }]));
    await create(
      sy.api,
      ROUTES,
      routeObj('mirrored', 'mirror.test', [{ name: 'main' }], {
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'a' }] } },
          { type: 'RequestMirror', requestMirror: { backendRef: { kind: 'Backend', name: 'copies' } } },
        ],
      }),
    );
    await create(sy.api, ROUTES, routeObj('expecting', 'expect.test', [{ name: 'main' }], { filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'expect', value: '100-continue' }] } }] }));
    await until('routes served', async () => (await request(sy.proxyPort, 'plain.test', '/')).status === 200 && (await request(sy.proxyPort, 'mirror.test', '/')).status === 200 && (await request(sy.proxyPort, 'expect.test', '/')).status === 400, 30_000);
  });

  after(async () => {
    await sy?.close();
    await main?.close();
    await copies?.close();
  });

  it('300 requests undici refuses on one connection (a route setting Expect): the worker that served them still reaches the upstream', async () => {
    const c = await RawClient.open(sy.proxyPort);
    try {
      const bad = 'GET /refused HTTP/1.1\r\nHost: expect.test\r\n\r\n';
      // in batches, each answered before the next (one connection: one worker)
      let answered = 0;
      for (let b = 0; b < 10; b++) {
        c.write(bad.repeat(30));
        answered += 30;
        await c.waitFor(`${answered} answers`, (t) => (t.match(/^HTTP\/1\.1 /gm)?.length ?? 0) >= answered, 15_000);
        assert.ok(!c.closed, 'the connection stays open');
      }
      assert.equal(c.text.match(/^HTTP\/1\.1 400/gm)?.length, 300, 'each refused (undici will not send Expect)');
      c.write('GET /after HTTP/1.1\r\nHost: plain.test\r\n\r\n');
      await c.waitFor('the good request answered 200', (t) => /^HTTP\/1\.1 200/m.test(t), 10_000);
    } finally {
      c.destroy();
    }
  });

  it('two Host lines are a 400 at the front door (RFC 9112 §3.2), on the Upgrade path too: the upstream never sees them', async () => {
    const hits = main.hits;
    for (const extra of ['', 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n']) {
      const c = await RawClient.open(sy.proxyPort);
      try {
        c.write(`GET /two-hosts HTTP/1.1\r\nHost: plain.test\r\nHost: other.test\r\n${extra}\r\n`);
        await c.waitFor('an answer', (t) => /^HTTP\/1\.1 \d{3}/.test(t), 10_000);
        assert.match(c.text, /^HTTP\/1\.1 400 /);
      } finally {
        c.destroy();
      }
    }
    assert.equal(main.hits, hits, 'nothing reached the upstream');
  });

  it("a mirror's copy carries the proxy's X-Forwarded-For and X-Request-Id, not the client's alone (route with a header modifier)", async () => {
    const before = copies.seen.length;
    const r = await request(sy.proxyPort, 'mirror.test', '/spoof', { headers: { 'x-forwarded-for': '6.6.6.6', 'x-request-id': 'chosen-by-client' } });
    assert.equal(r.status, 200);
    const seen = (await until('the copy', () => copies.seen.slice(before).find((s) => s.url === '/spoof'), 10_000))!;
    assert.equal(seen.headers['x-route'], 'a', "the route's modifier applies to the copy");
    assert.equal(seen.headers['x-forwarded-for'], '6.6.6.6, 127.0.0.1', 'the client address is appended, as on the main request');
    assert.notEqual(seen.headers['x-request-id'], 'chosen-by-client');
    assert.equal(seen.headers['x-request-id'], r.headers['x-request-id'], 'the same id as the main request');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
  });

  it('a Header session named after a framing header is refused (no second Content-Length on responses)', async () => {
    for (const name of ['content-length', 'Transfer-Encoding', 'host']) {
      const obj = routeObj(`sess-${name.toLowerCase()}`, `${name.toLowerCase()}.sess.test`, [{ name: 'main' }], { sessionPersistence: { type: 'Header', header: { name } } });
      const res = await sy.api.request('POST', ROUTES, obj);
      assert.equal(res.status, 422, `${name}: ${res.status} ${res.text}`);
    }
    await create(sy.api, ROUTES, routeObj('sess-ok', 'ok.sess.test', [{ name: 'main' }], { sessionPersistence: { type: 'Header', header: { name: 'x-session' } } }));
    const r = (await until('the session route', async () => {
      const x = await request(sy.proxyPort, 'ok.sess.test', '/');
      return x.status === 200 ? x : undefined;
    }, 30_000))!;
    assert.match(String(r.headers['x-session']), /^[A-Za-z0-9_-]{24}$/);
  });
});
