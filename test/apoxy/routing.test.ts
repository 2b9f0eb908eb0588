// Traffic through what an Apoxy-style file declares, with `switchyard serve`, the real kubectl and a
// loopback upstream: the Gateway's own listener port serves the routes attached to it (and a port no
// Gateway declares refuses connections), a route without parentRefs is served on --proxy-listen
// only, an ExtensionRef filter to an EdgeFunction answers 500 and reports ResolvedRefs=False,
// retry.codes without attempts retries once, and URLRewrite.hostname is the Host sent upstream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/ports';
import { condition, get, getObject, pointBackendAt, probe, startServe, startUpstream, statusOf, waitFor, writeManifest, type Serve, type Upstream } from './lib';

describe('routing what an Apoxy-style file declares', { timeout: 90_000 }, () => {
  let s: Serve;
  let up: Upstream;
  let gatewayPort: number;

  before(async () => {
    s = await startServe();
    up = await startUpstream();
    gatewayPort = await freePort();
    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'gateway.yaml', gatewayPort)]);
    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'default-listener.yaml', gatewayPort)]);
    // kinds switchyard does not serve make kubectl exit non-zero (apply.test.ts checks how); here
    // only the served documents matter. --validate=false keeps this file independent of how
    // kubectl's client-side validation treats those kinds.
    const fn = await s.k(['apply', '--validate=false', '-f', writeManifest(s.dir, 'edge-function.yaml', gatewayPort)]);
    assert.match(fn.stdout, /httproute\.gateway\.apoxy\.dev\/fn created/, fn.stdout + fn.stderr);
    await pointBackendAt(s.k, 'app', up.port);
    await waitFor(async () => (await statusOf(gatewayPort, '/app/ready')) === 200, 15_000, `GET :${gatewayPort}/app/ready → 200`, 100);
  });
  after(async () => {
    await s?.stop();
    await up?.close();
  });

  it('reaches the upstream through the Gateway listener port, Host unchanged', async () => {
    const r = await get(gatewayPort, '/app/hello?x=1');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { method: 'GET', url: '/app/hello?x=1', host: `127.0.0.1:${gatewayPort}` });
  });

  it('a port no Gateway declares refuses connections; --proxy-listen does not serve Gateway routes', async () => {
    const undeclared = await freePort();
    assert.equal(await probe(undeclared), 'refused');
    assert.equal(await statusOf(s.proxyPort, '/app/hello'), 404, 'route `app` is attached to the Gateway only');
  });

  it('a route without parentRefs is served on --proxy-listen only', async () => {
    const r = await get(s.proxyPort, '/plain/page');
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).url, '/plain/page');
    assert.equal(await statusOf(gatewayPort, '/plain/page'), 404, 'not on the Gateway listener');
    const route = await waitFor(async () => {
      const o = await getObject(s.k, 'httproute', 'plain');
      return o.status?.parents?.length ? o : undefined;
    }, 15_000, 'status of route plain', 200);
    assert.deepEqual(route.status.parents[0].parentRef, { group: 'gateway.apoxy.dev', kind: 'Gateway', name: 'switchyard' });
    assert.equal(condition(route.status.parents[0].conditions, 'Accepted')?.status, 'True');
  });

  it('a route with an ExtensionRef filter (EdgeFunction) answers 500 and reports ResolvedRefs=False', async () => {
    const before = up.seen.length;
    const r = await get(gatewayPort, '/anything', { host: 'fn.example.com' });
    assert.equal(r.status, 500, r.body);
    assert.match(r.body, /ExtensionRef/);
    assert.equal(up.seen.length, before, 'an unresolved filter is never skipped: nothing reaches an upstream');
    const route = await waitFor(async () => {
      const o = await getObject(s.k, 'httproute', 'fn');
      return condition(o.status?.parents?.[0]?.conditions, 'ResolvedRefs') ? o : undefined;
    }, 15_000, 'status of route fn', 200);
    const parent = route.status.parents[0];
    assert.equal(parent.parentRef.name, 'edge');
    assert.equal(parent.controllerName, 'gateway.apoxy.dev/gatewayclass-controller');
    assert.equal(condition(parent.conditions, 'Accepted')?.status, 'True', 'the route stays Accepted');
    const resolved = condition(parent.conditions, 'ResolvedRefs')!;
    assert.equal(resolved.status, 'False');
    assert.match(resolved.message, /EdgeFunction\/greeter/);
    assert.equal(resolved.observedGeneration, route.metadata.generation);
    // the other routes of the same Gateway are unaffected
    assert.equal(await statusOf(gatewayPort, '/app/still-fine'), 200);
  });

  it('retry.codes without attempts retries once: 503 then 200 → the client sees 200', async () => {
    const r = await get(gatewayPort, '/flaky/1-once');
    assert.equal(r.status, 200, r.body);
    assert.equal(up.hits('/flaky/1-once').length, 2, 'the first try and one retry');
  });

  it('retry.codes without attempts retries only once: 503, 503 → the client gets the upstream 503', async () => {
    const r = await get(gatewayPort, '/flaky/2-twice');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'upstream busy\n', "the upstream's own answer, not one the proxy made");
    assert.equal(up.hits('/flaky/2-twice').length, 2);
  });

  it('URLRewrite.hostname is the Host header the upstream gets', async () => {
    const r = await get(gatewayPort, '/docs/guide', { host: 'www.example.com' });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { method: 'GET', url: '/docs/guide', host: 'docs.app.internal.example' });
  });
});
