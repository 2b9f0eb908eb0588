// Request headers at the edge, against the real `switchyard serve` with raw sockets:
// - past 100 fields or 60 KiB the client gets 431 (never a silent drop of the fields past the limit);
// - X-Forwarded-Proto/-Host, Forwarded and X-Request-Id from an untrusted peer are overwritten
//   (X-Forwarded-For appended), kept from a --trusted-proxies peer; on the upgrade path too;
// - an absolute-form target's authority replaces Host (RFC 9112 §3.2.2);
// - Via: `1.1 <pseudonym>` is appended; a request that already carries it is a loop: 508, after one
//   hop through a dynamicProxy Backend pointed at the proxy itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { RawClient, RawUpstream, rawExchange, startServe, waitFor, type RawConn, type Serve } from './lib';

interface Seen {
  url: string;
  rawHeaders: string[];
  body: string;
}

/** an HTTP upstream that records each request (headers and body) and answers 200 `<name>` */
async function recorder(name: string): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer({ maxHeaderSize: 128 * 1024 }, (req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', rawHeaders: req.rawHeaders, body });
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(name) }).end(name);
    });
  });
  server.maxHeadersCount = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** the values of one header in a raw list */
function valuesOf(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) out.push(raw[i + 1]);
  return out;
}

/** the raw head lines the 101-answering upstream received, as [name, value] */
function headOf(c: RawConn): string[] {
  const text = c.received.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const out: string[] = [];
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    out.push(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

function answer101(c: RawConn, all: string): void {
  const rc = c as RawConn & { switched?: boolean };
  if (rc.switched || !all.includes('\r\n\r\n')) return;
  rc.switched = true;
  c.socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
}

const SPOOFED = 'X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nForwarded: for=203.0.113.9;proto=https\r\nX-Request-Id: spoofed-id-1\r\n';

/** the response's X-Request-Id */
const responseId = (text: string) => /\r\nx-request-id: ([^\r]+)\r\n/i.exec(text)?.[1];

describe('security: request headers at the edge', { timeout: 120_000 }, () => {
  let edge: Serve; // default: no trusted proxies, --proxy-via-name edge-test
  let trusting: Serve; // --trusted-proxies 127.0.0.0/8, default Via name
  let up: Awaited<ReturnType<typeof recorder>>;
  let other: Awaited<ReturnType<typeof recorder>>;
  let ws: RawUpstream;

  before(async () => {
    [up, other, ws] = await Promise.all([recorder('main'), recorder('other'), RawUpstream.start(answer101)]);
    [edge, trusting] = await Promise.all([
      startServe(['--proxy-via-name', 'edge-test', '--forward-proxy-deny', 'none']),
      startServe(['--trusted-proxies', '127.0.0.0/8']),
    ]);
    for (const s of [edge, trusting]) {
      await s.backend('main', [{ ip: '127.0.0.1', port: up.port }]);
      await s.backend('other', [{ ip: '127.0.0.1', port: other.port }]);
      await s.backend('ws', [{ ip: '127.0.0.1', port: ws.port }]);
      await s.route('main', 'main');
      await s.route('a', 'main', { hostnames: ['a.example'] });
      await s.route('other', 'other', { hostnames: ['other.example'] });
      await s.route('ws', 'ws', { prefix: '/ws' });
    }
    await edge.backend('self', 'dynamic');
    await edge.route('loop', 'self', { prefix: '/loop' });
    for (const s of [edge, trusting]) {
      await waitFor('routes served', async () => {
        const a = await rawExchange(s.port, 'GET /x HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n', 2000);
        const b = await rawExchange(s.port, 'GET /ws/ready HTTP/1.1\r\nHost: h.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 500);
        return (a.text.endsWith('other') && b.status.includes(' 101 ')) || undefined;
      }, 15_000);
    }
    await waitFor('the loop route', async () => !(await rawExchange(edge.port, 'GET /loop/ready HTTP/1.1\r\nHost: 127.0.0.1:9\r\nConnection: close\r\n\r\n', 3000)).status.includes('404') || undefined, 15_000);
  });

  after(async () => {
    await edge?.stop();
    await trusting?.stop();
    await up?.close();
    await other?.close();
    await ws?.close();
  });

  it('more than 100 request header fields → 431 and nothing forwarded; 90 fields and the body pass whole', async () => {
    const hits = up.seen.length;
    const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: v${i}\r\n`).join('');
    // Content-Length last: node alone dropped it with the fields past its count, and the upstream got an empty body
    const r = await rawExchange(edge.port, `POST /count HTTP/1.1\r\nHost: h.test\r\n${many}Content-Length: 5\r\n\r\nhello`);
    assert.match(r.status, /^HTTP\/1\.1 431 /);
    assert.ok(r.closed);
    assert.equal(up.seen.length, hits, 'nothing reached the upstream');
    const fine = Array.from({ length: 90 }, (_, i) => `X-H${i}: v${i}\r\n`).join('');
    const ok = await rawExchange(edge.port, `POST /count-ok HTTP/1.1\r\nHost: h.test\r\n${fine}Content-Length: 5\r\nConnection: close\r\n\r\nhello`);
    assert.match(ok.status, /^HTTP\/1\.1 200 /);
    const seen = up.seen.at(-1)!;
    assert.equal(seen.url, '/count-ok');
    assert.equal(seen.body, 'hello');
    assert.equal(valuesOf(seen.rawHeaders, 'x-h89')[0], 'v89');
  });

  it('request headers above 60 KiB → 431; 40 KiB pass', async () => {
    const big = await rawExchange(edge.port, `GET /big HTTP/1.1\r\nHost: h.test\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    assert.match(big.status, /^HTTP\/1\.1 431 /);
    const ok = await rawExchange(edge.port, `GET /big-ok HTTP/1.1\r\nHost: h.test\r\nX-Big: ${'a'.repeat(40 * 1024)}\r\nConnection: close\r\n\r\n`);
    assert.match(ok.status, /^HTTP\/1\.1 200 /);
    assert.equal(valuesOf(up.seen.at(-1)!.rawHeaders, 'x-big')[0].length, 40 * 1024);
  });

  it('from an untrusted peer: X-Forwarded-Proto/-Host, Forwarded and X-Request-Id are overwritten, X-Forwarded-For appended', async () => {
    const r = await rawExchange(edge.port, `GET /fwd HTTP/1.1\r\nHost: h.test\r\n${SPOOFED}Connection: close\r\n\r\n`);
    assert.match(r.status, /^HTTP\/1\.1 200 /);
    const raw = up.seen.at(-1)!.rawHeaders;
    assert.deepEqual(valuesOf(raw, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1']);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-proto'), ['http']);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-host'), ['h.test']);
    assert.deepEqual(valuesOf(raw, 'forwarded'), ['for=127.0.0.1;proto=http;host="h.test"']);
    const ids = valuesOf(raw, 'x-request-id');
    assert.equal(ids.length, 1);
    assert.notEqual(ids[0], 'spoofed-id-1');
    assert.equal(responseId(r.text), ids[0], 'the client is told the id the upstream saw');
  });

  it('the same on the upgrade path', async () => {
    const c = await RawClient.open(edge.port);
    c.write(`GET /ws/x HTTP/1.1\r\nHost: h.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${SPOOFED}\r\n`);
    await c.waitFor('101', (t) => t.startsWith('HTTP/1.1 101 '));
    c.destroy();
    const raw = headOf(ws.conns.at(-1)!);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1']);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-proto'), ['http']);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-host'), ['h.test']);
    assert.deepEqual(valuesOf(raw, 'forwarded'), ['for=127.0.0.1;proto=http;host="h.test"']);
    assert.notEqual(valuesOf(raw, 'x-request-id')[0], 'spoofed-id-1');
    assert.deepEqual(valuesOf(raw, 'via'), ['1.1 edge-test']);
  });

  it('control: from a --trusted-proxies peer they are kept (plain and upgrade)', async () => {
    const r = await rawExchange(trusting.port, `GET /fwd HTTP/1.1\r\nHost: h.test\r\n${SPOOFED}Connection: close\r\n\r\n`);
    assert.match(r.status, /^HTTP\/1\.1 200 /);
    const raw = up.seen.at(-1)!.rawHeaders;
    assert.deepEqual(valuesOf(raw, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1']);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-proto'), ['https']);
    assert.deepEqual(valuesOf(raw, 'x-forwarded-host'), ['evil.example']);
    assert.deepEqual(valuesOf(raw, 'forwarded'), ['for=203.0.113.9;proto=https']);
    assert.deepEqual(valuesOf(raw, 'x-request-id'), ['spoofed-id-1']);
    const c = await RawClient.open(trusting.port);
    c.write(`GET /ws/y HTTP/1.1\r\nHost: h.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${SPOOFED}\r\n`);
    await c.waitFor('101', (t) => t.startsWith('HTTP/1.1 101 '));
    c.destroy();
    const head = headOf(ws.conns.at(-1)!);
    assert.deepEqual(valuesOf(head, 'x-forwarded-proto'), ['https']);
    assert.deepEqual(valuesOf(head, 'x-request-id'), ['spoofed-id-1']);
  });

  it('an absolute-form target\'s authority replaces Host, for routing and upstream', async () => {
    const r = await rawExchange(edge.port, 'GET http://a.example/abs?q=1 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    assert.match(r.status, /^HTTP\/1\.1 200 /);
    assert.ok(r.text.endsWith('main'), 'routed by the authority');
    const seen = up.seen.at(-1)!;
    assert.equal(seen.url, '/abs?q=1');
    assert.deepEqual(valuesOf(seen.rawHeaders, 'host'), ['a.example']);
    assert.deepEqual(valuesOf(seen.rawHeaders, 'x-forwarded-host'), ['a.example']);
    // control: origin-form with the same Host goes to that Host's route
    const o = await rawExchange(edge.port, 'GET /abs HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    assert.ok(o.text.endsWith('other'));
    assert.deepEqual(valuesOf(other.seen.at(-1)!.rawHeaders, 'host'), ['other.example']);
  });

  it('Via: appended on every proxied request; the default pseudonym is kept in the data dir', async () => {
    await rawExchange(edge.port, 'GET /via HTTP/1.1\r\nHost: h.test\r\nVia: 1.0 other-proxy\r\nConnection: close\r\n\r\n');
    assert.deepEqual(valuesOf(up.seen.at(-1)!.rawHeaders, 'via'), ['1.0 other-proxy, 1.1 edge-test']);
    const name = fs.readFileSync(path.join(trusting.proc.dataDir, 'proxy-via-name'), 'utf8').trim();
    assert.match(name, /^switchyard-[0-9a-f]+$/);
    await rawExchange(trusting.port, 'GET /via2 HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n');
    assert.deepEqual(valuesOf(up.seen.at(-1)!.rawHeaders, 'via'), [`1.1 ${name}`]);
  });

  it('a request already carrying the proxy\'s Via is a loop: 508; a dynamicProxy Backend pointed at the proxy itself stops after one hop', async () => {
    const direct = await rawExchange(edge.port, 'GET /v HTTP/1.1\r\nHost: h.test\r\nVia: 1.1 a, 1.1 edge-test\r\nConnection: close\r\n\r\n');
    assert.match(direct.status, /^HTTP\/1\.1 508 /);
    const before = edge.accessLines((l) => l.path === '/loop/x').length;
    const r = await rawExchange(edge.port, `GET /loop/x HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\nConnection: close\r\n\r\n`, 10_000);
    assert.match(r.status, /^HTTP\/1\.1 508 /, r.text.slice(0, 300));
    const lines = await waitFor('both hops logged', () => {
      const l = edge.accessLines((j) => j.path === '/loop/x');
      return l.length - before >= 2 ? l.slice(before) : undefined;
    }, 5000);
    assert.equal(lines.length, 2, 'one forwarded hop, then the 508');
    assert.ok(lines.every((l) => l.status === 508));
  });
});
