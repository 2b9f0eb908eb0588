// Default timeouts, each a flag (small values here): --upstream-response-timeout (an upstream that
// never answers → 504, not a client held forever), --client-body-timeout (a client that sends 1 of
// 1,000 body bytes → 408, both connections closed, no upstream connection held) and
// --upstream-body-timeout (a response body that stalls → aborted on both sides). An HTTPRoute's
// timeouts.request still wins on its route. Each with a positive control on the same route (200).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { BACKENDS, ROUTES, backendObj, create, raw, request, routeObj, startServe, until, upstream, type Serve, type TestUpstream } from './upstream_lib';

const FLAG_MS = 600;

describe('security: default upstream and client timeouts', { timeout: 120_000 }, () => {
  let sy: Serve;
  let up: TestUpstream;
  const held: http.ServerResponse[] = [];

  before(async () => {
    up = await upstream('t');
    up.handler = (req, res) => {
      const p = req.url ?? '/';
      if (p.startsWith('/hang')) {
        req.resume();
        held.push(res); // never answered
        return;
      }
      if (p.startsWith('/stall')) {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
        res.write('x'.repeat(100)); // and then nothing
        held.push(res);
        return;
      }
      if (p.startsWith('/late')) {
        req.resume();
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late\n'), 3 * FLAG_MS);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${Buffer.concat(chunks).length}\n`));
    };
    sy = await startServe(['--upstream-response-timeout', `${FLAG_MS}ms`, '--client-body-timeout', `${FLAG_MS}ms`, '--upstream-body-timeout', `${FLAG_MS}ms`]);
    await create(sy.api, BACKENDS, backendObj('to', [{ ip: '127.0.0.1', port: up.port }]));
    await create(sy.api, ROUTES, routeObj('to', 'to.test', [{ name: 'to' }]));
    // the same upstream behind a route with its own timeouts.request: the route wins
    await create(sy.api, ROUTES, routeObj('to-long', 'long.test', [{ name: 'to' }], { timeouts: { request: `${6 * FLAG_MS}ms` } }));
    await until('routes served', async () => (await request(sy.proxyPort, 'to.test', '/')).status === 200 && (await request(sy.proxyPort, 'long.test', '/')).status === 200, 30_000);
  });

  after(async () => {
    for (const r of held) r.destroy();
    await sy?.close();
    await up?.close();
  });

  it('an upstream that never answers: 504 at --upstream-response-timeout; a normal request on the route: 200', async () => {
    const r = await request(sy.proxyPort, 'to.test', '/hang', { timeoutMs: 10 * FLAG_MS });
    assert.equal(r.status, 504, r.body);
    assert.equal((await request(sy.proxyPort, 'to.test', '/fast')).status, 200);
  });

  it('a route\'s timeouts.request wins over the default', async () => {
    const r = await request(sy.proxyPort, 'long.test', '/late', { timeoutMs: 10 * FLAG_MS });
    assert.equal(r.status, 200, `the route allows ${6 * FLAG_MS} ms: ${r.body}`);
    const d = await request(sy.proxyPort, 'to.test', '/late', { timeoutMs: 10 * FLAG_MS });
    assert.equal(d.status, 504, 'without the route timeout the default applies');
  });

  it('a client that sends 1 of 1,000 body bytes: 408, the client connection closed and the upstream one too', async () => {
    const abortedBefore = up.aborted;
    const hitsBefore = up.hits;
    const r = await raw(sy.proxyPort, `POST /upload HTTP/1.1\r\nHost: to.test\r\nContent-Length: 1000\r\n\r\nx`, { waitMs: 10 * FLAG_MS });
    assert.equal(r.statuses[0], 408, r.text.slice(0, 300));
    assert.equal(r.closed, true, 'the proxy closed the client connection');
    assert.equal(up.hits, hitsBefore + 1, 'the request had reached the upstream');
    await until('the upstream connection is closed (its request aborted)', () => up.aborted > abortedBefore, 5000);
    // positive control: the whole body → 200
    const ok = await raw(sy.proxyPort, `POST /upload HTTP/1.1\r\nHost: to.test\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n${'x'.repeat(1000)}`);
    assert.equal(ok.statuses[0], 200, ok.text.slice(0, 300));
    assert.match(ok.text, /got 1000/);
  });

  it('an upstream body that stalls: the client response is cut (not held) at --upstream-body-timeout', async () => {
    const r = await raw(sy.proxyPort, `GET /stall HTTP/1.1\r\nHost: to.test\r\n\r\n`, { waitMs: 10 * FLAG_MS });
    assert.equal(r.statuses[0], 200);
    assert.equal(r.closed, true, 'the proxy closed the client connection');
    const body = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
    assert.equal(body.length, 100, 'the client saw a truncated body, never a complete one');
    assert.equal((await request(sy.proxyPort, 'to.test', '/fast')).status, 200);
  });
});
