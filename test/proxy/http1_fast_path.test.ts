// The HTTP/1.1 fast path (pkg/proxy/http1) against node:http's path, byte for byte: the same raw
// requests go to a proxy with the fast path and to one without it (same snapshot, same Via name,
// same upstream), and the raw answers must be equal once the Date and request-id values are masked.
// Covers keep-alive reuse, pipelining, the hand-over to node:http mid-connection (request bodies,
// chunked and large), HEAD/204/304, chunked and large responses, an upstream closing mid-body, a
// client going away, and the malformed requests node:http must keep answering.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Proxy } from '../../pkg/proxy/proxy';
import { createLogger } from '../../pkg/log/logger';
import type { Snapshot } from '../../pkg/proxy/ir';
import { backend, rule, staticResolver, sleep, until } from './lib';

const LARGE = Buffer.alloc(1024 * 1024 + 7, 'abcdefghij');
let releaseSlow: (() => void) | null = null;
let slowClosed = 0;

const upstream = http.createServer({ keepAlive: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/cl':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5, 'x-up': 'a' });
        return void res.end('hello');
      case '/chunked':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one,');
        setTimeout(() => res.end('two'), 5);
        return;
      case '/large':
        res.writeHead(200, { 'content-length': LARGE.length });
        return void res.end(LARGE);
      case '/large-chunked':
        res.writeHead(200, {});
        res.write(LARGE.subarray(0, 300_000));
        return void res.end(LARGE.subarray(300_000));
      case '/204':
        res.writeHead(204, { 'x-a': '1' });
        return void res.end();
      case '/304':
        res.writeHead(304, { etag: '"x"' });
        return void res.end();
      case '/cut':
        res.writeHead(200, { 'content-length': 100_000 });
        res.write(Buffer.alloc(1000, 'z'));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      case '/slow':
        res.on('close', () => slowClosed++);
        releaseSlow = () => res.end('late');
        return;
      default: {
        const body = JSON.stringify({ method: req.method, url: req.url, raw: req.rawHeaders, bytes: Buffer.concat(chunks).length });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }
    }
  });
});

let fast: Proxy;
let slow: Proxy;
const statuses: number[] = [];

async function startProxy(fastPath: boolean): Promise<Proxy> {
  const p = new Proxy({
    listen: { host: '127.0.0.1', port: 0 },
    log: createLogger({ level: 'error', json: true }),
    resolver: staticResolver(),
    viaName: 'fp-test',
    http1FastPath: fastPath,
  });
  await p.start();
  const port = (upstream.address() as AddressInfo).port;
  const s: Snapshot = { generation: 1, listeners: [], rules: [rule('all', { to: ['up'] })], backends: { up: backend('up', [port]) } };
  await p.setSnapshot(s);
  return p;
}

before(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  fast = await startProxy(true);
  slow = await startProxy(false);
  const observe = fast.observe.bind(fast);
  fast.observe = (rule, backend, status, ms) => {
    statuses.push(status);
    observe(rule, backend, status, ms);
  };
});

after(async () => {
  await Promise.all([fast.close(), slow.close()]);
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

/** Writes the parts (with a pause between them) and reads until the proxy closes the connection. */
function exchange(port: number, parts: Array<string | Buffer>, opts: { destroyAfterMs?: number; awaitReply?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within 10 s; got ${Buffer.concat(got).toString('latin1').slice(0, 500)}`));
    }, 10_000);
    let replied: (() => void) | null = null;
    s.on('data', (d: Buffer) => {
      got.push(d);
      replied?.();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
    s.on('connect', async () => {
      for (let i = 0; i < parts.length; i++) {
        if (i > 0 && opts.awaitReply) {
          // the previous part's answer first (bounded by the 10 s timer above)
          const n = got.length;
          await new Promise<void>((r) => (replied = () => got.length > n && r()));
          await sleep(20);
        } else if (i > 0) await sleep(30);
        s.write(parts[i]);
      }
      if (opts.destroyAfterMs !== undefined) setTimeout(() => s.destroy(), opts.destroyAfterMs);
    });
  });
}

/**
 * What may differ between two runs: Date values, request ids, and where a chunked body is cut
 * into chunks (as the upstream's bytes happened to arrive). The chunk-size lines are dropped with the CRLF before them (the
 * bodies here hold no CRLF, so only framing matches).
 */
function masked(b: Buffer): string {
  return b
    .toString('latin1')
    .replace(/^(date: ).*$/gim, '$1<date>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\r\n[0-9a-f]+\r\n/g, '');
}

async function same(parts: Array<string | Buffer>, note: string, awaitReply = false): Promise<string> {
  const before = fast.listeners.fastPathCounts();
  const [a, b] = await Promise.all([exchange(fast.defaultPort()!, parts, { awaitReply }), exchange(slow.defaultPort()!, parts, { awaitReply })]);
  assert.equal(masked(a), masked(b), note);
  const now = fast.listeners.fastPathCounts();
  return `${now.served - before.served}/${now.handedOver - before.handedOver}`;
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: svc.example\r\nUser-Agent: t\r\n${extra}\r\n`;
const last = (path: string, method = 'GET') => `${method} ${path} HTTP/1.1\r\nHost: svc.example\r\nConnection: close\r\n\r\n`;

test('keep-alive reuse: sequential requests on one connection, all on the fast path', async () => {
  const served = await same([get('/a'), get('/cl?x=1'), get('/b', 'Cookie: a=1\r\nCookie: b=2\r\n'), last('/c')], 'sequential');
  assert.equal(served, '4/0');
});

test('pipelined requests in one write are answered in order', async () => {
  const served = await same([get('/1') + get('/cl') + get('/chunked') + get('/2') + last('/3')], 'pipelined');
  assert.equal(served, '5/0');
});

test('HEAD, 204 and 304 carry no body', async () => {
  const served = await same([`HEAD /cl HTTP/1.1\r\nHost: h\r\n\r\n`, `HEAD /chunked HTTP/1.1\r\nHost: h\r\n\r\n`, get('/204'), get('/304'), last('/cl', 'HEAD')], 'bodyless');
  assert.equal(served, '5/0');
});

test('chunked and large responses', async () => {
  const served = await same([get('/chunked'), get('/large'), get('/large-chunked'), last('/cl')], 'large');
  assert.equal(served, '4/0');
});

test('a request body hands the connection to node:http at that request (chunked, Content-Length, large)', async () => {
  const chunked = `POST /post HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`;
  assert.equal(await same([get('/a') + chunked + get('/b'), last('/c')], 'chunked body'), '1/1');
  const big = Buffer.concat([Buffer.from(`PUT /put HTTP/1.1\r\nHost: h\r\nContent-Length: ${LARGE.length}\r\n\r\n`), LARGE]);
  assert.equal(await same([get('/a'), big, last('/c')], 'large body'), '1/1');
});

test('partial heads, HTTP/1.0, upgrades, Expect and absolute-form go to node:http', async () => {
  const head = get('/split', 'X-Long: ' + 'y'.repeat(100) + '\r\n');
  assert.equal(await same([get('/a'), head.slice(0, 30), head.slice(30), last('/z')], 'split head'), '1/1');
  assert.equal(await same([`GET /old HTTP/1.0\r\nHost: h\r\n\r\n`], 'http/1.0'), '0/1');
  assert.equal(await same([`GET /nohost HTTP/1.1\r\nX-A: 1\r\n\r\n`], 'no Host'), '0/1');
  // two Host lines: 400 and the connection closes (RFC 9112 §3.2), so the request behind it is never read
  assert.equal(await same([get('/dup', 'Host: second.example\r\n'), last('/z')], 'two Hosts'), '1/0');
  assert.equal(await same([`GET http://svc.example/abs HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n`], 'absolute-form'), '0/1');
  assert.equal(await same([`POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`, 'ab'], 'expect'), '0/1');
});

test('the front door on the fast path: Via loop 508, X-Forwarded-* from an untrusted peer, dot-segments', async () => {
  assert.equal(await same([get('/v', 'Via: 1.1 fp-test\r\n')], 'loop'), '1/0');
  assert.equal(await same([get('/a/../b/./c', 'X-Forwarded-Proto: https\r\nX-Forwarded-For: 1.2.3.4\r\nForwarded: for=1.2.3.4\r\nX_Forwarded_For: x\r\nConnection: x-drop\r\nX-Drop: 1\r\n'), last('/')], 'forwarded'), '2/0');
});

test('malformed requests get node:http answers (smuggling rules unchanged)', async () => {
  for (const bad of [
    `GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
    `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: h\r\n` + 'X-Big: ' + 'b'.repeat(70 * 1024) + '\r\n\r\n',
    `GET / HTTP/1.1\r\n` + Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join('') + '\r\n',
  ]) {
    // after a served request (node:http, given both in one read, would answer only the 400)
    const r = await same([get('/ok'), bad], `bad: ${JSON.stringify(bad.slice(0, 80))}`, true);
    assert.equal(r, '1/1');
    assert.equal(await same([bad], `bad alone: ${JSON.stringify(bad.slice(0, 80))}`), '0/1');
  }
});

test('the upstream closing mid-body cuts the client connection', async () => {
  const [a, b] = await Promise.all([exchange(fast.defaultPort()!, [get('/cut')]), exchange(slow.defaultPort()!, [get('/cut')])]);
  assert.equal(masked(a), masked(b));
  assert.match(a.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 100000\r\n/);
  assert.ok(a.length < 100_000);
});

test('a client going away mid-request is a 499 and the upstream request is aborted', async () => {
  const closedBefore = slowClosed;
  statuses.length = 0;
  const got = await exchange(fast.defaultPort()!, [get('/slow')], { destroyAfterMs: 150 });
  assert.equal(got.length, 0);
  await until('upstream request aborted', () => slowClosed > closedBefore);
  await until('499 recorded', () => statuses.includes(499));
  releaseSlow = null;
});

test('a half-closed client aborts its request in flight, as node:http does', async () => {
  statuses.length = 0;
  const got = await new Promise<Buffer>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: fast.defaultPort()! }, () => s.end(get('/slow')));
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('close', () => resolve(Buffer.concat(parts)));
  });
  assert.equal(got.length, 0);
  await until('499 recorded', () => statuses.includes(499));
});
