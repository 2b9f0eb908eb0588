// Apoxy's own kind of file, applied whole with the real kubectl 1.32 against `switchyard serve`:
// every served document is created, a re-apply writes nothing, kinds switchyard does not serve
// (EdgeFunction, TunnelNode) get kubectl's "no matches for kind" while every other document of the
// file applies, a v1alpha Backend reads back as v1alpha2 and the other way round, and the controller
// reports GatewayClass Accepted and Gateway listeners with their attached routes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as YAML from 'yaml';
import { freePort } from '../harness/ports';
import { condition, documentsOf, getObject, startServe, waitFor, writeManifest, type Serve } from './lib';

const PLURAL: Record<string, string> = { Proxy: 'proxies', GatewayClass: 'gatewayclasses', Gateway: 'gateways', Backend: 'backends', HTTPRoute: 'httproutes' };
const SERVED = new Set(Object.keys(PLURAL));

describe('kubectl apply -f an Apoxy-style file', { timeout: 90_000 }, () => {
  let s: Serve;
  let gatewayPort: number;

  before(async () => {
    s = await startServe();
    gatewayPort = await freePort();
  });
  after(async () => {
    await s?.stop();
  });

  /** "<plural>/<name>" → resourceVersion, for every served document of a manifest */
  async function rvs(name: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const d of documentsOf(name).filter((x) => SERVED.has(x.kind))) {
      const o = await getObject(s.k, PLURAL[d.kind], d.name);
      assert.ok(o, `${d.printed} exists`);
      out[`${PLURAL[d.kind]}/${d.name}`] = o.metadata.resourceVersion;
    }
    return out;
  }

  it('creates every document of gateway.yaml', async () => {
    const file = writeManifest(s.dir, 'gateway.yaml', gatewayPort);
    const r = await s.k(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    const docs = documentsOf('gateway.yaml');
    assert.deepEqual(docs.map((d) => d.kind).sort(), ['Backend', 'Backend', 'Gateway', 'GatewayClass', 'HTTPRoute', 'Proxy']);
    for (const d of docs) assert.match(r.stdout, new RegExp(`^${escape(d.printed)} created$`, 'm'), r.stdout);
    // the name Apoxy uses is not a DNS-1123 subdomain: accepted, with the Warning kubectl prints
    assert.match(r.stderr, /Warning: .*dynamic_forward_proxy.*DNS-1123/);

    const gw = await getObject(s.k, 'gateway', 'edge');
    assert.deepEqual(gw.spec.listeners, [{ name: 'http', protocol: 'HTTP', port: gatewayPort }]);
    assert.equal(gw.spec.infrastructure.parametersRef.name, 'edge');
    assert.equal((await getObject(s.k, 'proxy', 'edge')).spec.provider, 'unmanaged');
    const app = await getObject(s.k, 'backend', 'app');
    assert.equal(app.spec.protocol, undefined, 'a Backend without protocol stays without one');
    const dfp = await getObject(s.k, 'backend', 'dynamic_forward_proxy');
    assert.equal(dfp.spec.endpoints, undefined, 'no endpoints: the host comes from each request');
    assert.equal(dfp.spec.dynamicProxy.dnsCacheConfig.dnsLookupFamily, 'v4_only');
    const route = await getObject(s.k, 'httproute', 'app');
    assert.deepEqual(route.spec.parentRefs.map((p: { name: string; port: number }) => [p.name, p.port]), [['edge', gatewayPort]]);
    assert.deepEqual(route.spec.rules[0].retry, { codes: [503, 504] }, 'retry.codes alone is stored as written');
    assert.equal(route.spec.rules[1].filters[0].urlRewrite.hostname, 'docs.app.internal.example');
  });

  it('a re-apply of the same file writes nothing (every resourceVersion unchanged)', async () => {
    const file = writeManifest(s.dir, 'gateway.yaml', gatewayPort);
    // the controller writes status right after creation; let it settle so only the apply can write
    await waitFor(async () => condition((await getObject(s.k, 'gateway', 'edge')).status?.conditions, 'Programmed')?.status === 'True', 15_000, 'Gateway status', 200);
    await waitFor(async () => (await getObject(s.k, 'httproute', 'app')).status?.parents?.length === 1, 15_000, 'HTTPRoute status', 200);
    let before = await rvs('gateway.yaml');
    await waitFor(async () => {
      const now = await rvs('gateway.yaml');
      const same = JSON.stringify(now) === JSON.stringify(before);
      before = now;
      return same;
    }, 15_000, 'resourceVersions that stay put', 500);
    const r = await s.k(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    for (const d of documentsOf('gateway.yaml')) {
      assert.match(r.stdout, new RegExp(`^${escape(d.printed)} unchanged$`, 'm'), r.stdout);
    }
    assert.deepEqual(await rvs('gateway.yaml'), before, 'no resourceVersion changed');
  });

  it('EdgeFunction and TunnelNode get "no matches for kind"; every other document of the file applies', async () => {
    const file = writeManifest(s.dir, 'edge-function.yaml', gatewayPort);
    const r = await s.k(['apply', '-f', file]);
    assert.notEqual(r.code, 0, 'kubectl reports the kinds it could not map');
    assert.match(r.stderr, /no matches for kind "EdgeFunction" in version "extensions\.apoxy\.dev\/v1alpha2"/, r.stderr);
    assert.match(r.stderr, /no matches for kind "TunnelNode" in version "core\.apoxy\.dev\/v1alpha"/, r.stderr);
    assert.doesNotMatch(r.stderr, /error validating/, 'kubectl validates documents of unknown kinds as a real cluster lets it (not an error that stops the file)');
    const docs = documentsOf('edge-function.yaml');
    for (const d of docs.filter((x) => SERVED.has(x.kind))) {
      assert.ok(await getObject(s.k, PLURAL[d.kind], d.name), `${d.printed} exists`);
      assert.match(r.stdout, new RegExp(`^${escape(d.printed)} (created|unchanged)$`, 'm'), r.stdout);
    }
    // the Backend and the route that come after the TunnelNode were created
    assert.match(r.stdout, /^backend\.core\.apoxy\.dev\/fn-origin created$/m);
    assert.match(r.stdout, /^httproute\.gateway\.apoxy\.dev\/fn created$/m);
    const missing = await s.k(['get', 'edgefunctions']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /doesn't have a resource type "edgefunctions"/);
  });

  it('a v1alpha Backend reads back as v1alpha2, and a v1alpha2 one as v1alpha', async () => {
    // `app` was written as core.apoxy.dev/v1alpha, dynamic_forward_proxy as v1alpha2
    const asV1alpha2 = YAML.parse(await s.k.ok(['get', 'backends.v1alpha2.core.apoxy.dev', 'app', '-o', 'yaml']));
    assert.equal(asV1alpha2.apiVersion, 'core.apoxy.dev/v1alpha2');
    assert.equal(YAML.parse(await s.k.ok(['get', 'backend', 'app', '-o', 'yaml'])).apiVersion, 'core.apoxy.dev/v1alpha2', 'the preferred version is v1alpha2');
    const asV1alpha = YAML.parse(await s.k.ok(['get', 'backends.v1alpha.core.apoxy.dev', 'dynamic_forward_proxy', '-o', 'yaml']));
    assert.equal(asV1alpha.apiVersion, 'core.apoxy.dev/v1alpha');
    assert.equal(asV1alpha.kind, 'Backend');
    assert.equal(asV1alpha.spec.dynamicProxy.dnsCacheConfig.dnsLookupFamily, 'v4_only');
    const v1alphaApp = YAML.parse(await s.k.ok(['get', 'backends.v1alpha.core.apoxy.dev', 'app', '-o', 'yaml']));
    assert.equal(v1alphaApp.apiVersion, 'core.apoxy.dev/v1alpha');
    assert.deepEqual(v1alphaApp.spec, asV1alpha2.spec, 'only apiVersion differs between the versions');
    assert.equal(v1alphaApp.metadata.resourceVersion, asV1alpha2.metadata.resourceVersion);
  });

  it('GatewayClass is Accepted; the Gateway lists its listener with the routes attached to it', async () => {
    const gc = await waitFor(async () => {
      const o = await getObject(s.k, 'gatewayclass', 'apoxy');
      return condition(o.status?.conditions, 'Accepted')?.status === 'True' ? o : undefined;
    }, 15_000, 'GatewayClass Accepted=True', 200);
    assert.equal(condition(gc.status.conditions, 'Accepted')!.observedGeneration, gc.metadata.generation);

    // routes `app` (gateway.yaml) and `fn` (edge-function.yaml) name the Gateway and its port
    const routes = JSON.parse(await s.k.ok(['get', 'httproutes', '-o', 'json'])).items as Array<{ metadata: { name: string }; spec: { parentRefs?: Array<{ name: string }> } }>;
    const attached = routes.filter((r) => r.spec.parentRefs?.some((p) => p.name === 'edge')).map((r) => r.metadata.name).sort();
    assert.ok(attached.includes('app'), String(attached));
    const gw = await waitFor(async () => {
      const o = await getObject(s.k, 'gateway', 'edge');
      return o.status?.listeners?.[0]?.attachedRoutes === attached.length ? o : undefined;
    }, 15_000, `listener http with ${attached.length} attached routes`, 200);
    assert.equal(condition(gw.status.conditions, 'Accepted')?.status, 'True');
    assert.equal(condition(gw.status.conditions, 'Programmed')?.status, 'True');
    assert.equal(gw.status.listeners.length, 1);
    const l = gw.status.listeners[0];
    assert.equal(l.name, 'http');
    assert.equal(condition(l.conditions, 'Programmed')?.status, 'True');
    assert.deepEqual(l.supportedKinds, [
      { group: 'gateway.apoxy.dev', kind: 'HTTPRoute' },
      { group: 'gateway.apoxy.dev', kind: 'GRPCRoute' },
    ]);
    const table = await s.k.ok(['get', 'gateways']);
    assert.match(table, /^edge\s+apoxy\s+True\s+/m, table);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
