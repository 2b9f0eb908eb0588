// TLS on the proxy, end to end through `switchyard serve` (issue 7): with no certificate given, the
// first start generates DATA_DIR/proxy.crt signed by the data dir's CA (as k3s does for its
// listeners); --proxy-tls-listen serves the routes of --proxy-listen over HTTPS, and an HTTPS
// Gateway listener added by kubectl patch terminates TLS with the same certificate. Clients verify
// against DATA_DIR/ca.crt; nothing here turns verification off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from '../harness/ports';
import { condition, getObject, pointBackendAt, startServe, startUpstream, statusOf, waitFor, writeManifest, type Serve, type Upstream } from './lib';

describe('proxy TLS through serve', { timeout: 90_000 }, () => {
  let s: Serve;
  let up: Upstream;
  let tlsPort: number;
  let gatewayPort: number;
  let agent: Agent;

  const httpsStatus = async (port: number, p: string): Promise<number | string> => {
    try {
      const r = await request(`https://127.0.0.1:${port}${p}`, { dispatcher: agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
      await r.body.text();
      return r.statusCode;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? String(err);
    }
  };

  before(async () => {
    tlsPort = await freePort();
    s = await startServe(['--proxy-tls-listen', `127.0.0.1:${tlsPort}`]);
    up = await startUpstream();
    agent = new Agent({ connect: { ca: fs.readFileSync(path.join(s.sy.dataDir, 'ca.crt'), 'utf8') } });
    gatewayPort = await freePort();
    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'gateway.yaml', gatewayPort)]);
    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'default-listener.yaml', gatewayPort)]);
    await pointBackendAt(s.k, 'app', up.port);
  });
  after(async () => {
    await agent?.close();
    await s?.stop();
    await up?.close();
  });

  it('generates a proxy certificate signed by the data-dir CA and serves the default routes over HTTPS', async () => {
    assert.ok(fs.existsSync(path.join(s.sy.dataDir, 'proxy.crt')));
    assert.ok(fs.existsSync(path.join(s.sy.dataDir, 'proxy.key')));
    await waitFor(async () => (await httpsStatus(tlsPort, '/plain/x')) === 200, 15_000, `GET https://:${tlsPort}/plain/x → 200`, 100);
    assert.equal(await statusOf(s.proxyPort, '/plain/x'), 200, 'the plain listener serves the same route');
    assert.notEqual(await httpsStatus(gatewayPort, '/app/x'), 200, 'the HTTP Gateway listener does not speak TLS');
  });

  // (a listener naming a Secret presents that Secret's certificate: test/apoxy/sni.test.ts)
  it('an HTTPS Gateway listener without certificateRefs, added by patch, terminates TLS with the proxy certificate', async () => {
    const httpsPort = await freePort();
    await s.k.ok(['patch', 'gateway', 'edge', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/listeners/-', value: { name: 'secure', protocol: 'HTTPS', port: httpsPort, tls: { mode: 'Terminate' } } }])]);
    // route `app` names the Gateway's first listener, so the new one serves no route: a 404 from the proxy, over TLS
    await waitFor(async () => (await httpsStatus(httpsPort, '/app/x')) === 404, 15_000, `GET https://:${httpsPort}/app/x → 404`, 100);
    const l = await waitFor(async () => (await getObject(s.k, 'gateway', 'edge')).status?.listeners?.find((x: { name: string }) => x.name === 'secure'), 10_000, 'status of listener secure', 200);
    assert.equal(condition(l.conditions, 'Programmed')?.status, 'True');
    assert.equal(await statusOf(gatewayPort, '/app/x'), 200, 'the HTTP listener keeps serving plain HTTP');
  });
});
