// HTTP/2 to clients (issue 17): TLS listeners negotiate h2 by ALPN, plain listeners take h2c with
// prior knowledge, and what works over HTTP/1.1 works the same over HTTP/2: routing on :authority,
// filters, rate limits, the access log, metrics, request ids, Via, the header limits (431), and the
// pseudo-headers never reach the upstream as headers. Real clients: curl (--http2,
// --http2-prior-knowledge) and node:http2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { Upstream, backend, exact, prefix, rule, send, startTestProxy, until, type TestProxy } from './lib';
import { freePort } from '../harness/ports';
import { createCA, createServingCert } from '../../pkg/certs/selfsigned';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Curl {
  status: number;
  version: string;
  headers: Record<string, string>;
  body: string;
}

/** curl, bounded in time; `-w` prints the status and HTTP version after the body */
function curl(args: string[]): Promise<Curl> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', '-D', '-', '-w', '\n%{http_code} %{http_version}', ...args], { timeout: 15_000, maxBuffer: 1 << 22 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl ${args.join(' ')}: ${stderr || err.message}`));
      const tail = stdout.lastIndexOf('\n');
      const [status, version] = stdout.slice(tail + 1).split(' ');
      const rest = stdout.slice(0, tail);
      const sep = rest.indexOf('\r\n\r\n');
      const head = rest.slice(0, sep);
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(status), version, headers, body: rest.slice(sep + 4) });
    });
  });
}

/** One request over a fresh h2c (prior knowledge) session with node:http2. */
function h2request(origin: string, headers: http2.OutgoingHttpHeaders, opts: http2.SecureClientSessionOptions = {}): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, opts);
    const timer = setTimeout(() => (session.destroy(), reject(new Error('h2 request timed out'))), 10_000);
    session.on('error', (e) => (clearTimeout(timer), reject(e)));
    const stream = session.request(headers);
    let got: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (got = h));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (e) => (clearTimeout(timer), session.destroy(), reject(e)));
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve({ status: Number(got[':status']), headers: got, body: Buffer.concat(chunks).toString() });
    });
    stream.end();
  });
}

function capturingLogger(): { log: winston.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ objectMode: true, write: (info: Record<string, unknown>, _e, done) => (lines.push(info), done()) });
  return { log: winston.createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream })] }), lines };
}

describe('HTTP/2 to clients', () => {
  const ca = createCA('h2-test-ca');
  const serving = createServingCert(ca, ['127.0.0.1', 'localhost', 'app.test'], 'switchyard-proxy');
  const dir = mkdtempSync(join(tmpdir(), 'sy-h2-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  let up: Upstream;
  let other: Upstream;
  let tp: TestProxy;
  let tlsPort = 0;
  const { log, lines } = capturingLogger();

  before(async () => {
    up = await Upstream.start('h1-up');
    other = await Upstream.start('other-up');
    tlsPort = await freePort();
    tp = await startTestProxy(
      [
        rule('by-host', { hostnames: ['app.test'], to: ['other'] }),
        rule('limited', { matches: [exact('/limited')], to: ['b'], rateLimit: { requestsPerMinute: 2, perClientIP: true } }),
        rule('filtered', {
          matches: [prefix('/filtered')],
          to: ['b'],
          filters: [
            { type: 'RequestHeaderModifier', mod: { set: [{ name: 'x-added', value: 'yes' }], add: [], remove: ['x-drop'] } },
            { type: 'ResponseHeaderModifier', mod: { set: [{ name: 'x-resp', value: 'set' }], add: [], remove: [] } },
          ],
        }),
        rule('redirect', { matches: [exact('/old')], filters: [{ type: 'RequestRedirect', path: { type: 'ReplaceFullPath', value: '/new' }, statusCode: 301 }] }),
        rule('all', { matches: [prefix('/')], to: ['b'] }),
      ],
      [backend('b', [up]), backend('other', [other])],
      { log, accessLog: true, tls: { certificate: serving, listen: { host: '127.0.0.1', port: tlsPort } } },
    );
  });
  after(async () => {
    await tp?.close();
    await up?.close();
    await other?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('TLS: curl --http2 negotiates h2 by ALPN and is proxied; HTTP/1.1 still negotiates on the same port', async () => {
    const r = await curl(['--http2', '--cacert', caFile, `https://127.0.0.1:${tlsPort}/over-tls?q=1`]);
    assert.equal(r.status, 200);
    assert.equal(r.version, '2');
    const seen = up.last!;
    assert.equal(seen.url, '/over-tls?q=1');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers.host, `127.0.0.1:${tlsPort}`);
    const h1 = await curl(['--http1.1', '--cacert', caFile, `https://127.0.0.1:${tlsPort}/over-tls-h1`]);
    assert.equal(h1.status, 200);
    assert.equal(h1.version, '1.1', 'positive control: an HTTP/1.1 client on the same TLS port');
  });

  it('plain: curl --http2-prior-knowledge (h2c) and HTTP/1.1 share the port', async () => {
    const r = await curl(['--http2-prior-knowledge', `${tp.base}/h2c`]);
    assert.equal(r.status, 200);
    assert.equal(r.version, '2');
    assert.equal(up.last!.url, '/h2c');
    assert.equal(up.last!.headers['x-forwarded-proto'], 'http');
    const h1 = await curl(['--http1.1', `${tp.base}/h1`]);
    assert.equal(h1.status, 200);
    assert.equal(h1.version, '1.1');
  });

  it('pseudo-headers are never forwarded as headers; :authority is the Host the upstream sees; Via and a request id are added', async () => {
    await curl(['--http2-prior-knowledge', `${tp.base}/pseudo`]);
    const seen = up.last!;
    for (let i = 0; i < seen.rawHeaders.length; i += 2) assert.ok(!seen.rawHeaders[i].startsWith(':'), `forwarded a pseudo-header: ${seen.rawHeaders[i]}`);
    assert.equal(seen.headers.host, `127.0.0.1:${tp.port}`);
    assert.match(String(seen.headers.via), new RegExp(`1\\.1 ${tp.proxy.viaName}`));
    assert.match(String(seen.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(seen.headers['x-forwarded-for']), /127\.0\.0\.1/);
  });

  it('routing on :authority: a hostname rule gets the h2 request, another authority the catch-all', async () => {
    const r = await h2request(tp.base, { ':path': '/x', ':authority': 'app.test' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'other-up');
    const c = await h2request(tp.base, { ':path': '/x', ':authority': 'elsewhere.test' });
    assert.equal(c.headers['x-upstream'], 'h1-up', 'positive control');
  });

  it('request and response header filters and redirects apply over h2', async () => {
    const r = await curl(['--http2-prior-knowledge', '-H', 'x-drop: 1', `${tp.base}/filtered`]);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-resp'], 'set');
    assert.equal(up.last!.headers['x-added'], 'yes');
    assert.equal(up.last!.headers['x-drop'], undefined);
    const red = await curl(['--http2-prior-knowledge', `${tp.base}/old`]);
    assert.equal(red.status, 301);
    assert.match(red.headers.location, /\/new$/);
  });

  it('rate limits apply over h2 (429 after the burst)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await curl(['--http2-prior-knowledge', `${tp.base}/limited`])).status);
    assert.equal(statuses[0], 200);
    assert.ok(statuses.includes(429), `no 429 in ${statuses}`);
  });

  it('request bodies without Content-Length pass (the stream ends the body)', async () => {
    up.handler = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => (res as import('node:http').ServerResponse).end(`got ${Buffer.concat(chunks).length}`));
    };
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const s = http2.connect(tp.base);
        s.on('error', reject);
        const st = s.request({ ':method': 'POST', ':path': '/upload' });
        let out = '';
        st.on('data', (c) => (out += c));
        st.on('end', () => (s.close(), resolve(out)));
        st.on('error', reject);
        st.write('a'.repeat(1000));
        st.end('b'.repeat(500));
      });
      assert.equal(body, 'got 1500');
    } finally {
      up.handler = null;
    }
  });

  it('header limits: more than 100 fields is 431 over h2, as over HTTP/1.1; 60 KiB of headers is 431', async () => {
    const many: http2.OutgoingHttpHeaders = { ':path': '/many' };
    for (let i = 0; i < 120; i++) many[`x-h${i}`] = 'v';
    const r = await h2request(tp.base, many);
    assert.equal(r.status, 431);
    const big = await h2request(tp.base, { ':path': '/big', 'x-big-1': 'a'.repeat(31_000), 'x-big-2': 'b'.repeat(31_000) });
    assert.equal(big.status, 431);
    const fine: http2.OutgoingHttpHeaders = { ':path': '/fine' };
    for (let i = 0; i < 50; i++) fine[`x-h${i}`] = 'v';
    assert.equal((await h2request(tp.base, fine)).status, 200, 'positive control: 50 fields pass');
  });

  it('untrusted X-Forwarded-* and Via loops are handled over h2 like over HTTP/1.1', async () => {
    const r = await curl(['--http2-prior-knowledge', '-H', 'x-forwarded-proto: https', '-H', 'x-forwarded-host: evil', `${tp.base}/xf`]);
    assert.equal(r.status, 200);
    assert.equal(up.last!.headers['x-forwarded-proto'], 'http');
    assert.notEqual(up.last!.headers['x-forwarded-host'], 'evil');
    const loop = await curl(['--http2-prior-knowledge', '-H', `via: 1.1 ${tp.proxy.viaName}`, `${tp.base}/loop`]);
    assert.equal(loop.status, 508);
  });

  it('CONNECT over h2 is answered 501, not tunnelled', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const s = http2.connect(tp.base);
      s.on('error', reject);
      const st = s.request({ ':method': 'CONNECT', ':authority': '127.0.0.1:1' });
      st.on('response', (h) => (s.destroy(), resolve(Number(h[':status']))));
      st.on('error', reject);
    });
    assert.equal(status, 501);
  });

  it('the access log and metrics see h2 requests', async () => {
    await curl(['--http2-prior-knowledge', `${tp.base}/logged-h2`]);
    const line = await until('access line', () => lines.find((l) => l.message === 'proxy request' && l.path === '/logged-h2'));
    assert.equal(line!.status, 200);
    assert.equal(line!.protocol, 'HTTP/2.0');
    const m = await tp.proxy.metrics.requests.get();
    assert.ok(m.values.some((v) => v.labels.route === 'all' && v.labels.code === '200' && v.value > 0), 'the h2 request is counted');
  });

  it('an HTTP/1.1 request on the plain port whose first bytes are slow still works (preface peek)', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(tp.port, '127.0.0.1');
      let out = '';
      s.on('data', (c) => {
        out += c;
        if (out.includes('\r\n\r\n') && /h1-up/.test(out)) (s.destroy(), resolve(out));
      });
      s.on('error', reject);
      s.setTimeout(5_000, () => (s.destroy(), reject(new Error('no answer'))));
      s.write('P');
      setTimeout(() => s.write(`OST /slow-start HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`), 50);
    });
    assert.match(reply, /^HTTP\/1\.1 200/);
    assert.equal(up.last!.url, '/slow-start');
  });

  it('advertises the edge HTTP/2 limits: 100 concurrent streams, 64 KiB stream window, a bounded header list', async () => {
    const session = http2.connect(tp.base);
    try {
      const settings = await new Promise<http2.Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
        setTimeout(() => reject(new Error('no SETTINGS')), 5_000).unref();
      });
      assert.equal(settings.maxConcurrentStreams, 100);
      assert.equal(settings.initialWindowSize, 65_536);
      assert.ok(settings.maxHeaderListSize !== undefined && settings.maxHeaderListSize <= 128 * 1024, String(settings.maxHeaderListSize));
    } finally {
      session.destroy();
    }
  });

  it('an h1 client still gets the usual answers (positive control)', async () => {
    const r = await send(tp.base, '/plain-h1');
    assert.equal(r.status, 200);
  });
});
