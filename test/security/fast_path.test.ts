// Attacks on the HTTP/1.1 fast path (pkg/proxy/http1) against the real `switchyard serve`, with raw
// sockets: what a client keeps sending or refuses to read must stay bounded, as with node:http.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { RawUpstream, rawExchange, sleep, startServe, waitFor, type RawConn, type Serve } from './lib';

const BIG = 'x'.repeat(16 * 1024);

/** answers every complete request head on the connection: /big → 16 KiB, else 5 bytes (keep-alive) */
function answerEach(c: RawConn, all: string): void {
  const rc = c as RawConn & { answered?: number };
  const heads = all.split('\r\n\r\n');
  rc.answered ??= 0;
  while (rc.answered < heads.length - 1) {
    const path = heads[rc.answered++].split(' ')[1] ?? '';
    const body = path.startsWith('/big') ? BIG : 'hello';
    c.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }
}

/** requests the upstream received so far (request lines) */
function forwarded(up: RawUpstream, path: string): number {
  let n = 0;
  for (const c of up.conns) n += c.received.toString('latin1').split(`GET ${path} HTTP/1.1\r\n`).length - 1;
  return n;
}

describe('security: HTTP/1.1 fast path', { timeout: 120_000 }, () => {
  let sy: Serve;
  let up: RawUpstream;

  before(async () => {
    up = await RawUpstream.start(answerEach);
    sy = await startServe();
    await sy.backend('raw', [{ ip: '127.0.0.1', port: up.port }]);
    await sy.route('raw', 'raw');
    await waitFor('the route served', async () => (await rawExchange(sy.port, 'GET /ok HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n', 2000)).text.endsWith('hello') || undefined, 15_000);
  });

  after(async () => {
    await sy?.stop();
    await up?.close();
  });

  it('after a Connection: close answer the connection is closed, even if the client never sends its FIN and keeps writing', async () => {
    // a half-open client: the proxy's FIN alone does not close the socket; what it sends after must not pile up
    const s = net.connect({ port: sy.port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    let closed = false;
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => (closed = true));
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write('GET /ok HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n');
    await waitFor('the answer', () => text.endsWith('hello') || undefined, 5000, 20);
    const junk = Buffer.alloc(16 * 1024, 'a');
    try {
      // bounded: at most 5 s of writing
      for (let i = 0; i < 100 && !closed; i++) {
        s.write(junk);
        await sleep(50);
      }
      assert.ok(closed, 'the proxy closed the connection (as node:http does after its last response)');
    } finally {
      s.destroy();
    }
  });

  it('a client that pipelines requests and reads no answer gets a bounded number of them forwarded', async () => {
    const N = 6000;
    const before = forwarded(up, '/big');
    const s = net.connect({ port: sy.port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.pause(); // never reads: every answer stays in the proxy or the kernel
    try {
      s.write('GET /big HTTP/1.1\r\nHost: h.test\r\n\r\n'.repeat(N));
      // wait until the proxy stops forwarding (no progress for 1.5 s; bounded at 30 s)
      let last = -1;
      for (let i = 0; i < 20; i++) {
        await sleep(1500);
        const n = forwarded(up, '/big') - before;
        if (n === last) break;
        last = n;
      }
      const n = forwarded(up, '/big') - before;
      // the fast path stops reading once answers are not drained: a few hundred 16 KiB answers fill
      // the socket buffers; without that, all N (96 MiB) would be fetched and held by the proxy.
      // (node:http — SWITCHYARD_HTTP1_FAST_PATH=0, or a connection handed over to it — still fetches
      // all N: it queues pipelined answers in ServerResponse objects, which never signal back-pressure)
      assert.ok(n < N / 2, `${n} of ${N} pipelined requests forwarded while the client read nothing`);
    } finally {
      s.destroy();
    }
  });

  it('control: pipelined requests from a reading client are all answered, in order', async () => {
    const N = 200;
    let req = '';
    for (let i = 0; i < N; i++) req += `GET /ok/${i} HTTP/1.1\r\nHost: h.test\r\n${i === N - 1 ? 'Connection: close\r\n' : ''}\r\n`;
    const r = await rawExchange(sy.port, req, 20_000);
    assert.ok(r.closed);
    assert.equal(r.text.match(/HTTP\/1\.1 200 OK/g)?.length, N);
  });
});
