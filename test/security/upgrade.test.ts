// Smuggling through a failed upgrade, against the real `switchyard serve` with raw sockets: the proxy
// sends the upgrade's head alone and reads the upstream's answer; only a 101 opens a tunnel. An
// upstream that answers 200 (and keeps its connection) must never see the request the client
// pipelined behind the upgrade head. Also: the tunnel idle timeout (--tunnel-idle-timeout).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient, RawUpstream, startServe, waitFor, type RawConn, type Serve, answer101 } from './lib';

const IDLE_MS = 700;

/** an upstream that answers every request head with 200 and a 5-byte body, keeping the connection */
function answer200(c: RawConn, all: string): void {
  const heads = all.split('\r\n\r\n').length - 1;
  const answered = (c as RawConn & { answered?: number }).answered ?? 0;
  for (let i = answered; i < heads; i++) c.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Up: refused\r\n\r\nhello');
  (c as RawConn & { answered?: number }).answered = heads;
}


const upgradeHead = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`;

describe('security: upgrade smuggling and tunnel idle', { timeout: 90_000 }, () => {
  let sy: Serve;
  let refusing: RawUpstream;
  let switching: RawUpstream;

  before(async () => {
    refusing = await RawUpstream.start(answer200);
    switching = await RawUpstream.start(answer101);
    sy = await startServe(['--tunnel-idle-timeout', `${IDLE_MS}ms`]);
    await sy.backend('refusing', [{ ip: '127.0.0.1', port: refusing.port }]);
    await sy.backend('switching', [{ ip: '127.0.0.1', port: switching.port }]);
    await sy.route('refusing', 'refusing', { prefix: '/refuse' });
    await sy.route('switching', 'switching', { prefix: '/ws' });
    await waitFor('routes served', async () => {
      const c = await RawClient.open(sy.port);
      c.write('GET /refuse HTTP/1.1\r\nHost: ws.test\r\nConnection: close\r\n\r\n');
      await c.waitClosed().catch(() => undefined);
      c.destroy();
      return c.text.startsWith('HTTP/1.1 200') || undefined;
    }, 15_000);
  });

  after(async () => {
    await sy?.stop();
    await refusing?.close();
    await switching?.close();
  });

  it('a 200 to an upgrade is relayed as a response, the connection closed, and the pipelined request never reaches the upstream', async () => {
    const before = refusing.conns.length;
    const c = await RawClient.open(sy.port);
    c.write(upgradeHead('/refuse/ws') + 'GET /admin HTTP/1.1\r\nHost: ws.test\r\nX-Smuggled: 1\r\n\r\n');
    await c.waitClosed();
    assert.match(c.text, /^HTTP\/1\.1 200 /, 'the upstream answer is relayed');
    assert.match(c.text, /\r\nX-Up: refused\r\n/);
    assert.ok(c.text.endsWith('hello'), `the body per its framing, once: ${JSON.stringify(c.text)}`);
    assert.equal(c.text.match(/HTTP\/1\.1 /g)!.length, 1, 'one response only: the pipelined request was not served');
    const mine = refusing.conns.slice(before);
    assert.equal(mine.length, 1);
    // the proxy closed its upstream connection: nothing more can arrive there
    await waitFor('the upstream connection closed', () => mine[0].socket.destroyed || mine[0].socket.readableEnded || undefined, 5000, 20);
    const seen = mine[0].received.toString('latin1');
    assert.match(seen, /^GET \/refuse\/ws HTTP\/1\.1\r\n/);
    assert.doesNotMatch(seen, /admin|X-Smuggled/, 'the smuggled request never reached the upstream');
    const line = sy.accessLines((l) => l.path === '/refuse/ws');
    assert.ok(line.some((l) => l.status === 200), 'the refused upgrade is in the access log');
  });

  it('a request sent after the refused upgrade\'s answer does not reach the upstream either', async () => {
    const before = refusing.conns.length;
    const c = await RawClient.open(sy.port);
    c.write(upgradeHead('/refuse/late'));
    await c.waitFor('the 200', (t) => t.endsWith('hello'));
    c.write('GET /admin-late HTTP/1.1\r\nHost: ws.test\r\n\r\n');
    await c.waitClosed();
    const mine = refusing.conns.slice(before);
    await waitFor('the upstream connection closed', () => mine.every((m) => m.socket.destroyed || m.socket.readableEnded) || undefined, 5000, 20);
    assert.doesNotMatch(refusing.allReceived, /admin-late/);
  });

  it('control: a 101 opens the tunnel; bytes sent right behind the head arrive after the switch, both ways', async () => {
    const c = await RawClient.open(sy.port);
    c.write(upgradeHead('/ws/chat') + 'early');
    await c.waitFor("101 and the echo of the early bytes", (t) => t.includes("101 Switching Protocols") && t.includes("EARLY")).catch((e) => { throw new Error(`${(e as Error).message}: ${JSON.stringify(c.text)} upstream saw ${JSON.stringify(switching.allReceived)}`); });
    c.write('later');
    await c.waitFor('the echo', (t) => t.includes('LATER'));
    const conn = switching.conns.at(-1)!;
    assert.match(conn.received.toString('latin1'), /^GET \/ws\/chat HTTP\/1\.1\r\n[\s\S]*\r\n\r\nearlylater$/);
    c.destroy();
  });

  it('an idle WebSocket tunnel is closed at --tunnel-idle-timeout; a busy one is not', async () => {
    const idle = await RawClient.open(sy.port);
    idle.write(upgradeHead('/ws/idle'));
    await idle.waitFor('101', (t) => t.includes('101 Switching'));
    const busy = await RawClient.open(sy.port);
    busy.write(upgradeHead('/ws/busy'));
    await busy.waitFor('101', (t) => t.includes('101 Switching'));
    // the busy one sends a byte every IDLE_MS/4 for 3 × IDLE_MS: never idle that long
    let sent = 0;
    const ticker = setInterval(() => {
      if (sent < 12) busy.write(String(sent++ % 10));
    }, IDLE_MS / 4);
    try {
      await idle.waitClosed(10 * IDLE_MS);
      await waitFor('the busy tunnel to have sent 12 bytes', () => sent >= 12 || undefined, 20 * IDLE_MS, 20);
      assert.equal(busy.closed, false, 'the busy tunnel is still open');
      await busy.waitFor('all its echoes', (t) => t.endsWith('01'), 5000);
    } finally {
      clearInterval(ticker);
      busy.destroy();
      idle.destroy();
    }
  });
});
