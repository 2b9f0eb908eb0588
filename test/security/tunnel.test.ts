// CONNECT and Upgrade tunnels against the real `switchyard serve`, with raw sockets and a DNS server
// that answers when the test says: they obey the route's rate limit (429), the deny-list (403), the
// access log and metrics like any request; a client that leaves while the target is resolved leaves
// no upstream socket behind; a tunnel that cannot be dialled gets a 502 before the close; the next
// resolved address is tried when one refuses; idle tunnels close at --tunnel-idle-timeout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/ports';
import { metric } from '../scaleout/lib';
import { LateDns, RawClient, RawUpstream, rawExchange, startServe, waitFor, type RawConn, type Serve, answer101 } from './lib';

const IDLE_MS = 700;

/** upper-cases every byte back */
function echo(c: RawConn, all: string): void {
  const rc = c as RawConn & { echoed?: number };
  c.socket.write(all.slice(rc.echoed ?? 0).toUpperCase());
  rc.echoed = all.length;
}


const connect = (authority: string) => `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;
const upgrade = (path: string, host = 'ws.test') => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`;

describe('security: CONNECT and Upgrade tunnels', { timeout: 120_000 }, () => {
  let sy: Serve;
  let dns: LateDns;
  let echoUp: RawUpstream;
  let wsUp: RawUpstream;
  let deadPort: number;

  before(async () => {
    echoUp = await RawUpstream.start(echo);
    wsUp = await RawUpstream.start(answer101);
    deadPort = await freePort();
    dns = await LateDns.start(
      {
        'limited.test': ['127.0.0.1'],
        'late.test': ['127.0.0.1'],
        'late-ws.test': ['127.0.0.1'],
        // the first address refuses (nothing listens on 127.0.0.3): the second must be tried
        'two.test': ['127.0.0.3', '127.0.0.1'],
      },
      ['late.test', 'late-ws.test'],
    );
    sy = await startServe(['--dns-server', `127.0.0.1:${dns.port}`, '--forward-proxy-deny', '127.0.0.2/32', '--tunnel-idle-timeout', `${IDLE_MS}ms`]);
    await sy.backend('fwd', 'dynamic');
    await sy.route('fwd', 'fwd');
    await sy.route('limited', 'fwd', { hostnames: ['limited.test'], rateLimit: 1 });
    await sy.backend('two-ws', [{ fqdn: 'two.test', port: wsUp.port }]);
    await sy.route('two-ws', 'two-ws', { prefix: '/twows' });
    await sy.backend('dead-ws', [{ ip: '127.0.0.1', port: deadPort }]);
    await sy.route('dead-ws', 'dead-ws', { prefix: '/deadws' });
    // served: the forward route reaches the echo upstream (which is no HTTP server: the proxy says 502)
    await waitFor('the forward route served', async () => /^HTTP\/1\.1 502 /.test((await rawExchange(sy.port, `GET http://127.0.0.1:${echoUp.port}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 2000)).status) || undefined, 15_000);
    await waitFor('the other routes served', async () => (await rawExchange(sy.port, upgrade('/deadws/ready'), 2000)).status.startsWith('HTTP/1.1 502') || undefined, 15_000);
  });

  after(async () => {
    await sy?.stop();
    await echoUp?.close();
    await wsUp?.close();
    await dns?.close();
  });

  it('CONNECT obeys the route rate limit (429), and both answers are in the access log and metrics', async () => {
    const first = await RawClient.open(sy.port);
    first.write(connect(`limited.test:${echoUp.port}`));
    await first.waitFor('200', (t) => t.startsWith('HTTP/1.1 200 Connection Established\r\n\r\n'));
    first.write('ping');
    await first.waitFor('the echo', (t) => t.endsWith('PING'));
    first.destroy();
    const second = await rawExchange(sy.port, connect(`limited.test:${echoUp.port}`));
    assert.match(second.status, /^HTTP\/1\.1 429 /);
    assert.match(second.text, /\r\nRetry-After: \d+\r\n/i);
    assert.ok(second.closed);
    const lines = await waitFor('two CONNECT access lines', () => {
      const l = sy.accessLines((j) => j.method === 'CONNECT' && String(j.path).startsWith('limited.test'));
      return l.length >= 2 ? l : undefined;
    }, 5000);
    assert.deepEqual(lines.map((l) => l.status).sort(), [200, 429]);
    assert.ok(lines.every((l) => typeof l.requestId === 'string' && l.route !== ''));
    const m = await sy.api.text('/metrics');
    assert.ok((metric(m, 'proxy_requests_total', { code: '429' }) ?? 0) >= 1, 'the 429 is counted');
  });

  it('the deny-list refuses CONNECT and a forward-proxy Upgrade to a denied address (403); allowed ones tunnel', async () => {
    const denied = await rawExchange(sy.port, connect(`127.0.0.2:${echoUp.port}`));
    assert.match(denied.status, /^HTTP\/1\.1 403 /);
    const before = wsUp.accepted;
    const deniedWs = await rawExchange(sy.port, upgrade('/chat', `127.0.0.2:${wsUp.port}`));
    assert.match(deniedWs.status, /^HTTP\/1\.1 403 /, 'an Upgrade through a dynamicProxy Backend is checked too');
    assert.equal(wsUp.accepted, before);
    assert.ok(sy.accessLines((j) => j.status === 403 && j.host === `127.0.0.2:${wsUp.port}`).length >= 1, 'the refused Upgrade is logged');
    // controls: the same requests to an allowed address
    const ok = await RawClient.open(sy.port);
    ok.write(connect(`127.0.0.1:${echoUp.port}`) + 'early');
    await ok.waitFor('200 and the echo of the early bytes', (t) => t.startsWith('HTTP/1.1 200 ') && t.endsWith('EARLY'));
    ok.destroy();
    const ws = await RawClient.open(sy.port);
    ws.write(upgrade('/chat', `127.0.0.1:${wsUp.port}`));
    await ws.waitFor('101', (t) => t.startsWith('HTTP/1.1 101 '));
    ws.write('hi');
    await ws.waitFor('the echo', (t) => t.endsWith('HI'));
    ws.destroy();
  });

  it('a CONNECT client that leaves while the target is being resolved leaves no upstream socket behind', async () => {
    const before = echoUp.accepted;
    const c = await RawClient.open(sy.port);
    c.write(connect(`late.test:${echoUp.port}`));
    await waitFor('the lookup to reach the DNS server', () => (dns.queries.get('late.test') ?? 0) > 0 || undefined, 5000, 20);
    c.destroy();
    // the proxy notices at once (its access line says 499); then the answer comes
    await waitFor('the 499 line', () => sy.accessLines((j) => j.method === 'CONNECT' && j.status === 499).length > 0 || undefined, 5000, 20).catch(() => undefined);
    dns.release('late.test');
    // control: the same CONNECT from a client that stays (also proves the answer was processed)
    const ok = await RawClient.open(sy.port);
    ok.write(connect(`late.test:${echoUp.port}`));
    await ok.waitFor('200', (t) => t.startsWith('HTTP/1.1 200 '));
    ok.write('x');
    await ok.waitFor('the echo', (t) => t.endsWith('X'));
    assert.equal(echoUp.accepted - before, 1, 'only the control reached the upstream');
    ok.destroy();
    await waitFor('no upstream connection left open', () => echoUp.conns.slice(-1).every((x) => x.socket.destroyed || x.socket.readableEnded) || undefined, 5000, 20);
  });

  it('an Upgrade client that leaves while its endpoint is being resolved leaves no upstream socket behind', async () => {
    const before = wsUp.accepted;
    await sy.backend('late-ws', [{ fqdn: 'late-ws.test', port: wsUp.port }]);
    await sy.route('late-ws', 'late-ws', { prefix: '/latews' });
    const seen: string[] = [];
    await waitFor('the route served (its lookup pending)', async () => {
      const c = await RawClient.open(sy.port);
      c.write(upgrade('/latews/a'));
      // the lookup is held: a served route answers nothing yet (a 404 would come at once)
      const settled = await c.waitFor('an answer', (t) => t.length > 0, 300).then(() => true, () => false);
      c.destroy();
      seen.push(c.text.split('\r\n')[0]);
      return (!settled && (dns.queries.get('late-ws.test') ?? 0) > 0) || undefined;
    }, 15_000).catch((e) => {
      throw new Error(`${(e as Error).message}; answers: ${JSON.stringify(seen.slice(-3))}, queries ${JSON.stringify([...dns.queries])}`);
    });
    await waitFor('the 499 line', () => sy.accessLines((j) => j.path === '/latews/a' && j.status === 499).length > 0 || undefined, 5000, 20).catch(() => undefined);
    dns.release('late-ws.test');
    const ok = await RawClient.open(sy.port);
    ok.write(upgrade('/latews/b'));
    await ok.waitFor('101', (t) => t.startsWith('HTTP/1.1 101 '));
    assert.equal(wsUp.accepted - before, 1, 'only the control reached the upstream');
    ok.destroy();
  });

  it('a CONNECT or Upgrade that cannot be dialled gets a 502 before the close', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await rawExchange(sy.port, connect(`127.0.0.1:${deadPort}`));
      assert.match(r.status, /^HTTP\/1\.1 502 /, `attempt ${i}: ${JSON.stringify(r.text)}`);
      assert.ok(r.closed);
    }
    const ws = await rawExchange(sy.port, upgrade('/deadws/x'));
    assert.match(ws.status, /^HTTP\/1\.1 502 /);
    assert.ok(sy.accessLines((j) => j.method === 'CONNECT' && j.status === 502).length >= 1, 'the failed CONNECT is logged');
  });

  it('when the first resolved address refuses, the next one is tried (CONNECT and Upgrade)', async () => {
    const c = await RawClient.open(sy.port);
    c.write(connect(`two.test:${echoUp.port}`));
    await c.waitFor('200', (t) => t.startsWith('HTTP/1.1 200 '));
    c.destroy();
    const ws = await RawClient.open(sy.port);
    ws.write(upgrade('/twows/x'));
    await ws.waitFor('101', (t) => t.startsWith('HTTP/1.1 101 '));
    ws.destroy();
  });

  it('an idle CONNECT tunnel is closed at --tunnel-idle-timeout; an active one carries data', async () => {
    const c = await RawClient.open(sy.port);
    c.write(connect(`127.0.0.1:${echoUp.port}`));
    await c.waitFor('200', (t) => t.startsWith('HTTP/1.1 200 '));
    c.write('abc');
    await c.waitFor('the echo', (t) => t.endsWith('ABC'));
    await c.waitClosed(10 * IDLE_MS);
    c.destroy();
  });
});
