// The proxy (`switchyard serve`) against what breaks proxies:
// - an upstream SIGKILLed mid-response: the client sees a truncated response (never a clean end),
//   the proxy survives and keeps serving other routes;
// - slowloris clients that never finish their headers: closed at the headers timeout (2 s here,
//   --proxy-headers-timeout), while normal clients are served as usual;
// - oversized request headers: 431;
// - graceful shutdown (SIGTERM): an in-flight proxied request completes, a watch that asked for
//   bookmarks ends with a final BOOKMARK, and the process exits 0.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { spawnNode, type NodeChild } from '../harness/process';
import { Api, BACKENDS, ROUTES, backend, httpGet, route, sleep, startUpstream, waitFor } from '../scaleout/lib';

const HEADERS_TIMEOUT_MS = 2000;

function proxyPortOf(proc: SwitchyardProcess): number {
  const m = /"proxyPort":(\d+)/.exec(proc.logs());
  if (!m) throw new Error(`no proxyPort in the ready line:\n${proc.logs().slice(-2000)}`);
  return Number(m[1]);
}

/** Raw request bytes → the first response line (or '' if the connection closed without one). */
function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(t);
      resolve(got.split('\r\n')[0] ?? '');
    });
    s.write(bytes);
  });
}

describe('fault: hostile upstreams and clients against the proxy', { timeout: 120_000 }, () => {
  let proc: SwitchyardProcess;
  let api: Api;
  let proxyPort: number;
  let streamer: NodeChild;
  const ok = startUpstream('ok');
  const slow = startUpstream('slow');

  before(async () => {
    const [okUp, slowUp] = await Promise.all([ok, slow]);
    // the slow upstream answers after 1.5 s (graceful-shutdown test)
    slowUp.server.removeAllListeners('request');
    slowUp.server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('slow and complete\n'), 1500);
    });
    streamer = spawnNode(path.join(__dirname, 'fixtures', 'stream-upstream.js'));
    const streamPort = JSON.parse(await streamer.waitForLine((l) => l.startsWith('{'), 10_000)).port as number;
    proc = await startSwitchyard({ command: 'serve', extraArgs: ['--proxy-headers-timeout', `${HEADERS_TIMEOUT_MS}ms`] });
    proxyPort = proxyPortOf(proc);
    api = new Api(proc.apiURL, fs.readFileSync(path.join(proc.dataDir, 'ca.crt'), 'utf8'), proc.adminToken);
    for (const [name, port, prefix] of [['ok', okUp.port, '/'], ['stream', streamPort, '/stream'], ['slow', slowUp.port, '/slow']] as const) {
      assert.equal((await api.request('POST', BACKENDS, backend(name, [{ ip: '127.0.0.1', port }]))).status, 201);
      assert.equal((await api.request('POST', ROUTES, route(name, prefix, name))).status, 201);
    }
    await waitFor('all three routes', async () => (await httpGet(proxyPort, '/')).status === 200 && (await httpGet(proxyPort, '/slow', { timeoutMs: 5000 })).status === 200, 15_000);
  });

  after(async () => {
    api?.close();
    await streamer?.kill('SIGKILL');
    await proc?.stop('SIGKILL').catch(() => undefined);
    await (await ok).close();
    await (await slow).close();
  });

  it('an upstream killed mid-stream: the client sees a truncated response; the proxy survives', async (t) => {
    const outcome = await new Promise<{ status: number; chunks: number; complete: boolean; error?: string }>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: proxyPort, path: '/stream', agent: false, headers: { host: 'test.local' } }, (res) => {
        let chunks = 0;
        let error: string | undefined;
        res.on('data', () => {
          if (++chunks === 5) void streamer.kill('SIGKILL');
        });
        res.on('error', (err) => (error = err.message));
        res.on('close', () => resolve({ status: res.statusCode ?? 0, chunks, complete: res.complete, error }));
      });
      req.on('error', (err) => resolve({ status: 0, chunks: 0, complete: false, error: err.message }));
    });
    t.diagnostic(`client saw HTTP ${outcome.status}, ${outcome.chunks} chunks, complete=${outcome.complete}, error=${outcome.error ?? 'none'}`);
    assert.equal(outcome.status, 200);
    assert.ok(outcome.chunks >= 5);
    assert.equal(outcome.complete, false, 'a truncated upstream response must not reach the client as a complete one');
    // the proxy lives on
    assert.equal(proc.child.exitCode, null);
    assert.equal((await httpGet(proxyPort, '/')).status, 200);
    const gone = await httpGet(proxyPort, '/stream');
    assert.ok(gone.status === 502 || gone.status === 503, `the dead upstream answers ${gone.status}`);
  });

  it('slowloris: clients that never finish their headers are closed at the headers timeout; others are served', async (t) => {
    const SLOW = 100;
    const opened = Date.now();
    const closes: Array<Promise<{ ms: number; first: string }>> = [];
    const sockets: net.Socket[] = [];
    for (let i = 0; i < SLOW; i++) {
      const s = net.connect(proxyPort, '127.0.0.1');
      sockets.push(s);
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('error', () => undefined);
      closes.push(new Promise((resolve) => s.on('close', () => resolve({ ms: Date.now() - opened, first: got.split('\r\n')[0] }))));
      s.write(`GET / HTTP/1.1\r\nHost: test.local\r\n`);
    }
    // trickle one header line every 300 ms, forever
    const trickle = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(`X-Slow-${Math.random().toString(36).slice(2, 6)}: 1\r\n`);
    }, 300);
    // meanwhile normal clients
    const normal: number[] = [];
    const failures: string[] = [];
    let running = true;
    const normalLoop = (async () => {
      while (running) {
        const s = Date.now();
        try {
          const r = await httpGet(proxyPort, '/', { timeoutMs: 3000 });
          if (r.status === 200) normal.push(Date.now() - s);
          else failures.push(`HTTP ${r.status}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
        await sleep(50);
      }
    })();
    try {
      const results = await Promise.race([
        Promise.all(closes),
        sleep(HEADERS_TIMEOUT_MS + 8000).then(() => {
          throw new Error(`slow clients still open after ${HEADERS_TIMEOUT_MS + 8000} ms`);
        }),
      ]);
      const worst = Math.max(...results.map((r) => r.ms));
      const bound = HEADERS_TIMEOUT_MS + Math.floor(HEADERS_TIMEOUT_MS / 4) + 1500;
      t.diagnostic(`${SLOW} slowloris connections closed after ${Math.min(...results.map((r) => r.ms))}–${worst} ms (headers timeout ${HEADERS_TIMEOUT_MS} ms; first answer line: ${JSON.stringify(results[0].first)})`);
      assert.ok(worst <= bound, `slow clients closed by ${worst} ms (bound ${bound} ms)`);
      assert.ok(results.every((r) => r.ms >= HEADERS_TIMEOUT_MS - 50), 'not before the timeout');
      assert.ok(results.every((r) => r.first === '' || r.first.startsWith('HTTP/1.1 408')), JSON.stringify(results.slice(0, 3)));
    } finally {
      clearInterval(trickle);
      running = false;
      await normalLoop;
      for (const s of sockets) s.destroy();
    }
    normal.sort((a, b) => a - b);
    t.diagnostic(`normal clients meanwhile: ${normal.length} served, p50 ${normal[Math.floor(normal.length / 2)]} ms, max ${normal.at(-1)} ms, ${failures.length} failed`);
    assert.deepEqual(failures, []);
    assert.ok(normal.length > 10);
    assert.ok(normal.at(-1)! < 1000, 'normal clients are not held up');
  });

  it('oversized request headers → 431', async () => {
    // the limits are Envoy's edge ones: 60 KiB of headers, 100 fields
    const one = await rawExchange(proxyPort, `GET / HTTP/1.1\r\nHost: test.local\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(one, /^HTTP\/1\.1 431/);
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(80)}\r\n`).join('');
    assert.match(await rawExchange(proxyPort, `GET / HTTP/1.1\r\nHost: test.local\r\n${many}\r\n`), /^HTTP\/1\.1 431/);
    const longURL = await rawExchange(proxyPort, `GET /${'u'.repeat(64 * 1024)} HTTP/1.1\r\nHost: test.local\r\n\r\n`);
    assert.match(longURL, /^HTTP\/1\.1 (431|414)/);
    // the proxy is fine
    assert.equal((await httpGet(proxyPort, '/')).status, 200);
  });

  it('graceful shutdown: in-flight request completes, watches end with a bookmark, exit 0', async (t) => {
    // a keep-alive client: its connection must not hold the shutdown until the keep-alive timeout
    const keepAlive = new http.Agent({ keepAlive: true });
    assert.equal((await httpGet(proxyPort, '/', { agent: keepAlive })).status, 200);
    const inflight = httpGet(proxyPort, '/slow', { timeoutMs: 10_000, agent: keepAlive });
    const watchLines: string[] = [];
    const watchEnded = new Promise<void>((resolve, reject) => {
      const u = new URL(`${BACKENDS}?watch=1&allowWatchBookmarks=true`, proc.apiURL);
      const req = https.request(u, { ca: api.ca, headers: { authorization: `Bearer ${api.token}` } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            watchLines.push(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    await waitFor('the watch to deliver the initial objects', () => watchLines.length >= 3, 5000, 20);
    await sleep(300); // the slow request is now waiting on its upstream
    const sentAt = Date.now();
    proc.child.kill('SIGTERM');
    const r = await inflight;
    t.diagnostic(`in-flight request finished ${Date.now() - sentAt} ms after SIGTERM: HTTP ${r.status}`);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'slow and complete\n');
    await watchEnded;
    const last = JSON.parse(watchLines.at(-1)!) as { type: string; object: { metadata: { resourceVersion: string } } };
    assert.equal(last.type, 'BOOKMARK', `the watch's last event: ${watchLines.at(-1)}`);
    const code = await new Promise<number | null>((resolve) => (proc.child.exitCode !== null ? resolve(proc.child.exitCode) : proc.child.once('exit', (c) => resolve(c))));
    const exitedIn = Date.now() - sentAt;
    keepAlive.destroy();
    t.diagnostic(`exited ${code} ${exitedIn} ms after SIGTERM`);
    assert.equal(code, 0);
    assert.ok(exitedIn < 5000, `drained and exited in ${exitedIn} ms, not at the drain timeout`);
  });
});
