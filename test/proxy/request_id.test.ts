// Request ids through the proxy (Envoy's x-request-id): every request carries one upstream and back
// to the client — the client's own when it is a plausible token, else a generated UUID — and the
// proxy's log lines for the request name it: the access line with --proxy-access-log, and
// proxy-made failures at debug without it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import winston from 'winston';
import { request } from 'undici';
import { Upstream, rule, startTestProxy, type TestProxy } from './lib';
import type { BackendIR } from '../../pkg/proxy/ir';
import { TrustedPeers } from '../../pkg/proxy/front';

/** the client's own id is kept only from a --trusted-proxies peer (from others it is replaced: test/security/headers.test.ts) */
const LOOPBACK_TRUSTED = new TrustedPeers(['127.0.0.0/8', '::1/128']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function capturingLogger(level: string): { log: winston.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ objectMode: true, write: (info: Record<string, unknown>, _e, done) => (lines.push(info), done()) });
  return { log: winston.createLogger({ level, transports: [new winston.transports.Stream({ stream })] }), lines };
}

const backend = (name: string, port: number): BackendIR => ({
  name,
  protocol: '',
  defaultPort: 80,
  endpoints: [{ id: `127.0.0.1:${port}`, host: '127.0.0.1', isIP: true, port, weight: 1 }],
  loadBalancer: { algorithm: 'round-robin', slots: 10000 },
});

async function get(tp: TestProxy, host: string, headers: Record<string, string> = {}) {
  const r = await request(`${tp.base}/path?q=1`, { headers: { host, ...headers } });
  const text = await r.body.text();
  return { status: r.statusCode, id: r.headers['x-request-id'] as string | undefined, text };
}

describe('proxy request ids', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('one id per request, seen by the upstream and returned to the client; with the access log on, one line each', async () => {
    const up = await Upstream.start('echo');
    const { log, lines } = capturingLogger('info');
    const tp = await startTestProxy(
      [rule('echo', { hostnames: ['echo.test'], backendRefs: [{ backend: 'b', weight: 1 }] }), rule('dead', { hostnames: ['dead.test'], backendRefs: [{ backend: 'dead', weight: 1 }] })],
      [backend('b', up.port), backend('dead', 9)],
      { log, accessLog: true, trustedProxies: LOOPBACK_TRUSTED },
    );
    closers.push(() => up.close(), () => tp.close());

    const fresh = await get(tp, 'echo.test');
    assert.equal(fresh.status, 200);
    assert.match(fresh.id ?? '', UUID);
    assert.equal(up.seen.at(-1)!.headers['x-request-id'], fresh.id, 'the upstream saw the id the client got');
    const again = await get(tp, 'echo.test');
    assert.notEqual(again.id, fresh.id);

    const kept = await get(tp, 'echo.test', { 'x-request-id': 'client-trace-42' });
    assert.equal(kept.id, 'client-trace-42');
    assert.equal(up.seen.at(-1)!.headers['x-request-id'], 'client-trace-42');

    const replaced = await get(tp, 'echo.test', { 'x-request-id': 'not "a" token' });
    assert.match(replaced.id ?? '', UUID);
    assert.equal(up.seen.at(-1)!.headers['x-request-id'], replaced.id, 'an unacceptable id is replaced upstream too');
    assert.equal(up.seen.at(-1)!.rawHeaders.filter((h) => h.toLowerCase() === 'x-request-id').length, 1);

    const noRoute = await get(tp, 'nowhere.test');
    assert.equal(noRoute.status, 404);
    assert.match(noRoute.id ?? '', UUID);
    const refused = await get(tp, 'dead.test');
    assert.equal(refused.status, 502);
    assert.match(refused.id ?? '', UUID);

    const access = lines.filter((l) => l.message === 'proxy request');
    assert.equal(access.length, 6, 'one access line per request');
    const ok = access.find((l) => l.requestId === 'client-trace-42')!;
    assert.equal(ok.level, 'info');
    assert.equal(ok.status, 200);
    assert.equal(ok.method, 'GET');
    assert.equal(ok.host, 'echo.test');
    assert.equal(ok.path, '/path?q=1');
    assert.equal(ok.backend, 'b');
    assert.equal(ok.upstream, `127.0.0.1:${up.port}`);
    assert.equal(ok.attempts, 1);
    assert.equal(typeof ok.durationMs, 'number');
    assert.equal(ok.reason, undefined);
    const nf = access.find((l) => l.requestId === noRoute.id)!;
    assert.equal(nf.status, 404);
    assert.equal(nf.reason, 'route not found');
    const bad = access.find((l) => l.requestId === refused.id)!;
    assert.equal(bad.status, 502);
    assert.match(String(bad.reason), /upstream connect error/);
    assert.equal(bad.upstream, '127.0.0.1:9');
  });

  it('without the access log, successes are not logged and proxy-made failures are, at debug, with the id', async () => {
    const up = await Upstream.start('quiet');
    const { log, lines } = capturingLogger('debug');
    const tp = await startTestProxy(
      [rule('ok', { hostnames: ['ok.test'], backendRefs: [{ backend: 'b', weight: 1 }] }), rule('dead', { hostnames: ['dead.test'], backendRefs: [{ backend: 'dead', weight: 1 }] })],
      [backend('b', up.port), backend('dead', 9)],
      { log, trustedProxies: LOOPBACK_TRUSTED },
    );
    closers.push(() => up.close(), () => tp.close());
    const ok = await get(tp, 'ok.test');
    assert.equal(ok.status, 200);
    const bad = await get(tp, 'dead.test', { 'x-request-id': 'failing-1' });
    assert.equal(bad.status, 502);
    assert.equal(bad.id, 'failing-1');
    const perRequest = lines.filter((l) => l.message === 'proxy request' || l.message === 'proxy answered with an error');
    assert.equal(perRequest.length, 1, JSON.stringify(perRequest));
    assert.equal(perRequest[0].message, 'proxy answered with an error');
    assert.equal(perRequest[0].level, 'debug');
    assert.equal(perRequest[0].requestId, 'failing-1');
    assert.equal(perRequest[0].status, 502);
  });
});
