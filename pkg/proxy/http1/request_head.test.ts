import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { HeadParser, headersObject, notFastReason, type RequestHead } from './request_head';

const parse = (s: string): RequestHead | null => {
  const p = new HeadParser();
  try {
    return p.parse(Buffer.from(s, 'latin1'));
  } finally {
    p.close();
  }
};

test('a complete bodyless head is parsed as node:http parses it', () => {
  const h = parse('GET /a?b=1 HTTP/1.1\r\nHost: x.example\r\nX-A: 1\r\nx-a: 2\r\n\r\n');
  assert.ok(h);
  assert.equal(h.method, 'GET');
  assert.equal(h.url, '/a?b=1');
  assert.deepEqual(h.raw, ['Host', 'x.example', 'X-A', '1', 'x-a', '2']);
  assert.equal(h.complete, true);
  assert.equal(h.shouldKeepAlive, true);
  assert.equal(notFastReason(h), null);
});

test('Connection: close ends keep-alive', () => {
  const h = parse('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(h?.shouldKeepAlive, false);
});

test('more than 32 fields (several parser callbacks) keep their order', () => {
  let s = 'GET / HTTP/1.1\r\nHost: x\r\n';
  for (let i = 0; i < 80; i++) s += `X-${i}: v${i}\r\n`;
  const h = parse(s + '\r\n');
  assert.ok(h);
  assert.equal(h.raw.length, 162);
  assert.equal(h.raw[2], 'X-0');
  assert.equal(h.raw[161], 'v79');
});

test('malformed heads are not parsed (node:http answers them)', () => {
  for (const bad of [
    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n',
    'GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n',
    'GE T / HTTP/1.1\r\n\r\n',
  ]) {
    const h = parse(bad);
    assert.ok(h === null || notFastReason(h) !== null, JSON.stringify(bad));
  }
});

test('what the fast path leaves to node:http', () => {
  const reason = (s: string) => {
    const h = parse(s);
    return h === null ? 'unparsed' : notFastReason(h);
  };
  assert.equal(reason('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n'), 'body');
  assert.equal(reason('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'), 'body');
  assert.equal(reason('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'), null);
  assert.equal(reason('GET / HTTP/1.0\r\nHost: x\r\n\r\n'), 'version');
  assert.equal(reason('GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n'), 'upgrade');
  assert.equal(reason('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n'), 'upgrade');
  assert.equal(reason('CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n'), 'upgrade');
  assert.equal(reason('GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n'), 'target');
  assert.equal(reason('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'), 'target');
  assert.equal(reason('GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n'), 'expect');
  assert.equal(reason('GET / HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc\r\n\r\n'), 'grpc');
  assert.equal(reason('GET / HTTP/1.1\r\nX-A: 1\r\n\r\n'), 'no host');
  let many = 'GET / HTTP/1.1\r\nHost: x\r\n';
  for (let i = 0; i < 101; i++) many += `X-${i}: v\r\n`;
  assert.equal(reason(many + '\r\n'), 'header count');
});

test('one parser serves a connection request after request', () => {
  const p = new HeadParser();
  for (let i = 0; i < 3; i++) {
    const h = p.parse(Buffer.from(`GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`));
    assert.equal(h?.url, `/${i}`);
  }
  p.close();
});

test('headersObject is node IncomingMessage#headers for the same raw list', () => {
  const raw = [
    'Host', 'a', 'host', 'b', 'Cookie', 'a=1', 'cookie', 'b=2', 'Set-Cookie', 'x', 'set-cookie', 'y',
    'X-Multi', '1', 'x-multi', '2', 'Content-Type', 'text/plain', 'content-type', 'other', 'User-Agent', 'u1', 'user-agent', 'u2',
    'constructor', 'c', '__proto__', 'p', 'Via', '1.1 a', 'via', '1.1 b', 'Authorization', 'one', 'authorization', 'two',
  ];
  const m = new IncomingMessage(null as never);
  (m as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines(raw, raw.length);
  assert.deepEqual({ ...headersObject(raw) }, { ...m.headers });
});
