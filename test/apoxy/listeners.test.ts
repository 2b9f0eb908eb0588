// Gateway listeners are ports the proxy opens and closes as the Gateway changes: a listener added
// by patch opens, one removed by patch closes while the others stay, a port another process holds
// turns into Programmed=False (PortUnavailable) without disturbing anything else, and a deleted
// Gateway's port closes. Every wait is bounded; every probe opens a new connection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { freePort } from '../harness/ports';
import { condition, getObject, pointBackendAt, probe, startServe, startUpstream, statusOf, waitFor, writeManifest, type Serve, type Upstream } from './lib';

/** how long a port may take to open or close after the change is written */
const WITHIN_MS = 10_000;

describe('Gateway listeners open and close ports', { timeout: 90_000 }, () => {
  let s: Serve;
  let up: Upstream;
  let gatewayPort: number;

  const patchListeners = (ops: unknown[]) => s.k.ok(['patch', 'gateway', 'edge', '--type=json', '-p', JSON.stringify(ops)]);
  const listenerStatus = async (name: string) => (await getObject(s.k, 'gateway', 'edge')).status?.listeners?.find((l: { name: string }) => l.name === name);

  before(async () => {
    s = await startServe();
    up = await startUpstream();
    gatewayPort = await freePort();
    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'gateway.yaml', gatewayPort)]);
    await pointBackendAt(s.k, 'app', up.port);
    await waitFor(async () => (await statusOf(gatewayPort, '/app/ready')) === 200, 15_000, `GET :${gatewayPort}/app/ready → 200`, 100);
  });
  after(async () => {
    await s?.stop();
    await up?.close();
  });

  it('a listener added by patch opens its port; removed by patch, that port closes and the others stay', async () => {
    const extra = await freePort();
    assert.equal(await probe(extra), 'refused');
    await patchListeners([{ op: 'add', path: '/spec/listeners/-', value: { name: 'extra', protocol: 'HTTP', port: extra } }]);
    await waitFor(async () => (await probe(extra)) === 'open', WITHIN_MS, `port ${extra} open`);
    // route `app` names the Gateway's first port, so the new listener serves no route yet
    assert.equal(await statusOf(extra, '/app/x'), 404);
    const l = await waitFor(() => listenerStatus('extra'), WITHIN_MS, 'status of listener extra', 200);
    assert.equal(l.attachedRoutes, 0);
    assert.equal(condition(l.conditions, 'Programmed')?.status, 'True');

    await patchListeners([{ op: 'test', path: '/spec/listeners/1/name', value: 'extra' }, { op: 'remove', path: '/spec/listeners/1' }]);
    await waitFor(async () => (await probe(extra)) === 'refused', WITHIN_MS, `port ${extra} closed`);
    assert.equal(await statusOf(gatewayPort, '/app/x'), 200, 'the remaining listener still serves');
    assert.equal(await statusOf(s.proxyPort, '/nothing-here'), 404, '--proxy-listen still answers');
    const gw = await waitFor(async () => {
      const o = await getObject(s.k, 'gateway', 'edge');
      return o.status?.listeners?.length === 1 ? o : undefined;
    }, WITHIN_MS, 'one listener in status', 200);
    assert.equal(gw.status.listeners[0].name, 'http');
  });

  it('a listener on a port another process holds: Programmed=False with the reason, the rest keeps working', async () => {
    const held = await freePort();
    const holder = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen({ host: '127.0.0.1', port: held, exclusive: true }, resolve);
    });
    try {
      await patchListeners([{ op: 'add', path: '/spec/listeners/-', value: { name: 'taken', protocol: 'HTTP', port: held } }]);
      const gw = await waitFor(async () => {
        const o = await getObject(s.k, 'gateway', 'edge');
        const l = o.status?.listeners?.find((x: { name: string }) => x.name === 'taken');
        return l && condition(l.conditions, 'Programmed')?.status === 'False' ? o : undefined;
      }, WITHIN_MS, 'listener taken Programmed=False', 200);
      const taken = gw.status.listeners.find((x: { name: string }) => x.name === 'taken');
      const programmed = condition(taken.conditions, 'Programmed')!;
      assert.equal(programmed.reason, 'PortUnavailable');
      assert.match(programmed.message, new RegExp(`${held}.*EADDRINUSE`));
      assert.equal(condition(taken.conditions, 'Accepted')?.status, 'True');
      const top = condition(gw.status.conditions, 'Programmed')!;
      assert.equal(top.status, 'False');
      assert.match(top.message, /taken/, 'the Gateway condition names the listener');
      assert.equal(condition(gw.status.conditions, 'Accepted')?.status, 'True');
      const http = gw.status.listeners.find((x: { name: string }) => x.name === 'http');
      assert.equal(condition(http.conditions, 'Programmed')?.status, 'True', 'the other listener is unaffected');

      assert.equal(await statusOf(gatewayPort, '/app/x'), 200);
      assert.equal(await statusOf(s.proxyPort, '/nothing-here'), 404);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }

    await patchListeners([{ op: 'test', path: '/spec/listeners/1/name', value: 'taken' }, { op: 'remove', path: '/spec/listeners/1' }]);
    await waitFor(async () => {
      const o = await getObject(s.k, 'gateway', 'edge');
      return o.status?.listeners?.length === 1 && condition(o.status.conditions, 'Programmed')?.status === 'True';
    }, WITHIN_MS, 'Gateway Programmed=True again', 200);
  });

  it("a deleted Gateway's port closes; the route reports its parent gone; applying it again reopens the port", async () => {
    await s.k.ok(['delete', 'gateway', 'edge']);
    await waitFor(async () => (await probe(gatewayPort)) === 'refused', WITHIN_MS, `port ${gatewayPort} closed`);
    assert.equal(await statusOf(s.proxyPort, '/nothing-here'), 404, '--proxy-listen still answers');
    const route = await waitFor(async () => {
      const o = await getObject(s.k, 'httproute', 'app');
      return condition(o.status?.parents?.[0]?.conditions, 'Accepted')?.status === 'False' ? o : undefined;
    }, WITHIN_MS, 'route app Accepted=False', 200);
    assert.equal(route.status.parents[0].parentRef.name, 'edge');

    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'gateway.yaml', gatewayPort)]);
    await pointBackendAt(s.k, 'app', up.port); // the apply put the example endpoint back
    await waitFor(async () => (await statusOf(gatewayPort, '/app/back')) === 200, WITHIN_MS, `GET :${gatewayPort}/app/back → 200`, 100);
  });
});
