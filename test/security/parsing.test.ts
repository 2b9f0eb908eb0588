// Strict HTTP/1.1 parsing at the edge, against the real `switchyard serve` with raw sockets: the
// ambiguous framings request smuggling feeds on are refused, for requests (400 and the connection
// closed, nothing forwarded) and for upstream responses (502, nothing of them relayed). Each table
// has a well-formed control that passes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawUpstream, rawExchange, startServe, waitFor, type RawConn, type Serve } from './lib';

/** malformed requests (after the request line and Host) */
const BAD_REQUESTS: Array<[string, string]> = [
  ['Content-Length with Transfer-Encoding', 'POST /p HTTP/1.1\r\nHost: h.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['two different Content-Lengths', 'POST /p HTTP/1.1\r\nHost: h.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
  ['Transfer-Encoding: chunked, identity', 'POST /p HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
  ['obs-fold', 'GET /p HTTP/1.1\r\nHost: h.test\r\nX-A: b\r\n c\r\n\r\n'],
  ['bare LF line ends', 'GET /p HTTP/1.1\nHost: h.test\n\n'],
  ['space before the colon', 'GET /p HTTP/1.1\r\nHost: h.test\r\nX-A : b\r\n\r\n'],
  ['NUL in a value', 'GET /p HTTP/1.1\r\nHost: h.test\r\nX-A: a\0b\r\n\r\n'],
  ['bare CR in a value', 'GET /p HTTP/1.1\r\nHost: h.test\r\nX-A: a\rb\r\n\r\n'],
  ['DEL in a value', 'GET /p HTTP/1.1\r\nHost: h.test\r\nX-A: a\x7fb\r\n\r\n'],
  ['oversized chunk size', 'POST /p HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nx\r\n0\r\n\r\n'],
];

/** errors in the body: the (valid) head may already be on its way upstream when the body fails to parse */
const bodyError = (what: string) => what === 'oversized chunk size';

/** malformed upstream responses, by path */
const BAD_RESPONSES: Record<string, string> = {
  '/r/cl-te': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  '/r/two-cl': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  '/r/obs-fold': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n c\r\n\r\nhello',
  '/r/bare-lf': 'HTTP/1.1 200 OK\nContent-Length: 5\n\nhello',
  '/r/space-colon': 'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello',
  '/r/nul': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: a\0b\r\n\r\nhello',
  '/r/cr': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: a\rb\r\n\r\nhello',
  '/r/del': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: a\x7fb\r\n\r\nhello',
  '/r/chunk-size': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nx\r\n0\r\n\r\n',
  '/r/ok': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: fine\r\n\r\nhello',
};

/** answers each request head per its path (BAD_RESPONSES), then closes */
function byPath(c: RawConn, all: string): void {
  const rc = c as RawConn & { answered?: boolean };
  if (rc.answered || !all.includes('\r\n\r\n')) return;
  rc.answered = true;
  const path = all.split(' ')[1] ?? '';
  c.socket.end(BAD_RESPONSES[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
}

describe('security: strict HTTP/1.1 parsing', { timeout: 120_000 }, () => {
  let sy: Serve;
  let up: RawUpstream;

  before(async () => {
    up = await RawUpstream.start(byPath);
    sy = await startServe();
    await sy.backend('raw', [{ ip: '127.0.0.1', port: up.port }]);
    await sy.route('raw', 'raw');
    await waitFor('the route served', async () => (await rawExchange(sy.port, 'GET /r/ok HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n', 2000)).text.endsWith('hello') || undefined, 15_000);
  });

  after(async () => {
    await sy?.stop();
    await up?.close();
  });

  for (const [what, bytes] of BAD_REQUESTS) {
    it(`request with ${what} → 400, connection closed, nothing forwarded`, async () => {
      const before = up.accepted;
      const r = await rawExchange(sy.port, bytes);
      assert.match(r.status, /^HTTP\/1\.1 400 /, JSON.stringify(r.text));
      assert.ok(r.closed, 'the proxy closed the connection');
      assert.equal(r.text.match(/HTTP\/1\.1 /g)!.length, 1, 'one answer only');
      if (!bodyError(what)) assert.equal(up.accepted, before, 'nothing reached the upstream');
      else assert.doesNotMatch(up.allReceived, /\r\n0\r\n\r\n$/, 'the upstream never got a complete request');
    });
  }

  it('control: well-formed requests (Content-Length, chunked) pass', async () => {
    const a = await rawExchange(sy.port, 'POST /r/ok HTTP/1.1\r\nHost: h.test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    assert.match(a.status, /^HTTP\/1\.1 200 /);
    const b = await rawExchange(sy.port, 'POST /r/ok HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert.match(b.status, /^HTTP\/1\.1 200 /);
  });

  for (const p of Object.keys(BAD_RESPONSES).filter((x) => x !== '/r/ok')) {
    it(`upstream response ${p.slice(3)} → 502, not relayed`, async () => {
      const r = await rawExchange(sy.port, `GET ${p} HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n`);
      if (p === '/r/chunk-size') {
        // the head was valid and is streamed before the body: a body that fails to parse cuts the
        // client's connection (a 502 is only possible while no byte of the answer is out)
        assert.ok(r.closed);
        assert.match(r.status, /^(HTTP\/1\.1 502 .*)?$/, JSON.stringify(r.text));
      } else assert.match(r.status, /^HTTP\/1\.1 502 Bad Gateway\r?$/, JSON.stringify(r.text));
      assert.doesNotMatch(r.text, /hello|X-A/i, 'nothing of the upstream answer reaches the client');
    });
  }

  it('control: a well-formed upstream response is relayed', async () => {
    const r = await rawExchange(sy.port, 'GET /r/ok HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n');
    assert.match(r.status, /^HTTP\/1\.1 200 /);
    assert.match(r.text, /\r\nx-a: fine\r\n/i);
    assert.ok(r.text.endsWith('hello'));
  });
});
