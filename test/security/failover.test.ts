// Failing over instead of failing: an endpoint's next resolved address after a connect failure (an
// FQDN whose first A record is dead; an `all`-family forward-proxy name whose A is dead and whose
// AAAA lives), a request that could not connect retried once elsewhere (bodies included: nothing was
// read), and weighted backendRefs: a ref whose endpoints are all unhealthy gets weight 0, its share
// goes to the other refs, and only when every ref is unhealthy do requests get 503.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { askServer } from '../dns/dnsmasq';
import { FixedDns } from './fixed_dns';
import { BACKENDS, ROUTES, backendObj, create, deadPort, request, routeObj, startServe, until, upstream, type Serve, type TestUpstream } from './upstream_lib';

describe('security: failover on the upstream side', { timeout: 180_000 }, () => {
  let sy: Serve;
  let dns: FixedDns;
  let alive: TestUpstream;
  let alive6: TestUpstream;
  let alpha: TestUpstream;
  let beta: TestUpstream;
  let dead: number;

  before(async () => {
    alive = await upstream('alive');
    alive6 = await upstream('alive6', '::1');
    alpha = await upstream('alpha');
    beta = await upstream('beta');
    for (const u of [alpha, beta]) {
      const serve = u.server.listeners('request')[0] as (...a: unknown[]) => void;
      // /health answers what `healthy` says (active checks); everything else as usual
      u.server.removeAllListeners('request');
      u.server.on('request', (req, res) => {
        if (req.url === '/health') return void res.writeHead((u as TestUpstream & { sick?: boolean }).sick ? 500 : 200).end();
        serve(req, res);
      });
    }
    dead = await deadPort();
    // answers in this order every time (dnsmasq rotates multi-address answers)
    dns = await FixedDns.start({ 'two.test': ['127.0.0.2', '127.0.0.1'], 'both.test': ['127.0.0.2', '::1'] });
    // the forward-proxy case dials loopback names: relax the deny-list for it
    sy = await startServe(['--dns-server', dns.server, '--forward-proxy-deny', 'none']);
    const api = sy.api;
    await create(api, BACKENDS, backendObj('fqdn', [{ fqdn: 'two.test', port: alive.port }]));
    await create(api, ROUTES, routeObj('fqdn', 'fqdn.test', [{ name: 'fqdn' }]));
    await create(api, BACKENDS, { ...backendObj('fwd', []), spec: { dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'all' } } } });
    await create(api, ROUTES, routeObj('fwd', 'both.test', [{ name: 'fwd' }]));
    await create(api, BACKENDS, backendObj('half', [{ ip: '127.0.0.1', port: dead }, { ip: '127.0.0.1', port: alive.port }]));
    await create(api, ROUTES, routeObj('half', 'half.test', [{ name: 'half' }]));
    const active = { healthCheck: { active: { path: '/health', interval: '200ms', timeout: '500ms', healthyThreshold: 1, unhealthyThreshold: 1 } } };
    await create(api, BACKENDS, backendObj('alpha', [{ ip: '127.0.0.1', port: alpha.port }], active));
    await create(api, BACKENDS, backendObj('beta', [{ ip: '127.0.0.1', port: beta.port }], active));
    await create(api, ROUTES, routeObj('split', 'split.test', [{ name: 'alpha', weight: 3 }, { name: 'beta', weight: 1 }]));
    await create(api, BACKENDS, backendObj('gone', [{ ip: '127.0.0.1', port: dead }], { healthCheck: { passive: { consecutiveFailures: 1, ejectionTime: '60s' } } }));
    await create(api, ROUTES, routeObj('gone', 'gone.test', [{ name: 'gone', weight: 3 }, { name: 'beta', weight: 1 }]));
    await until('routes served', async () => (await request(sy.proxyPort, 'half.test', '/')).status === 200 && (await request(sy.proxyPort, 'split.test', '/')).status === 200, 30_000);
  });

  after(async () => {
    await sy?.close();
    await dns?.close();
    for (const u of [alive, alive6, alpha, beta]) await u?.close();
  });

  it('an FQDN whose first address is dead: the next resolved address is dialled → 200', async () => {
    for (let i = 0; i < 3; i++) assert.deepEqual(await askServer(dns.server, 'two.test', 'A'), ['127.0.0.2', '127.0.0.1'], 'the dead address comes first');
    for (let i = 0; i < 5; i++) {
      const r = await request(sy.proxyPort, 'fqdn.test', `/fqdn-${i}`);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers['x-upstream'], 'alive');
    }
  });

  it('an `all`-family forward-proxy name whose A is dead and AAAA lives → 200 over IPv6', async () => {
    assert.deepEqual(await askServer(dns.server, 'both.test', 'A'), ['127.0.0.2']);
    assert.deepEqual(await askServer(dns.server, 'both.test', 'AAAA'), ['::1']);
    const hits = alive6.hits;
    const r = await request(sy.proxyPort, `both.test:${alive6.port}`, '/six');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['x-upstream'], 'alive6');
    assert.equal(alive6.hits, hits + 1);
  });

  it('a request that failed to connect is retried once on the other endpoint, POST bodies included', async () => {
    for (let i = 0; i < 10; i++) {
      const body = `payload-${i}-${'z'.repeat(2000)}`;
      const r = await request(sy.proxyPort, 'half.test', '/post', { method: 'POST', body, headers: { 'content-type': 'text/plain', 'content-length': String(body.length) } });
      assert.equal(r.status, 200, `request ${i}: ${r.status} ${r.body}`);
      assert.equal(alive.bodies[alive.bodies.length - 1], body, 'the whole body arrived');
    }
  });

  it('weighted refs 3:1: both share while healthy; alpha down by active checks → all via beta; both down → 503', async () => {
    const count = async (n: number) => {
      const out: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const r = await request(sy.proxyPort, 'split.test', '/');
        const k = r.status === 200 ? String(r.headers['x-upstream']) : `status:${r.status}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    const healthy = await count(40);
    assert.ok((healthy.alpha ?? 0) > (healthy.beta ?? 0) && (healthy.beta ?? 0) > 0, `positive control, 3:1: ${JSON.stringify(healthy)}`);
    (alpha as TestUpstream & { sick?: boolean }).sick = true;
    await until('alpha is down', async () => (await count(10)).alpha === undefined, 10_000);
    assert.deepEqual(await count(40), { beta: 40 }, 'alpha\'s share goes to beta');
    (beta as TestUpstream & { sick?: boolean }).sick = true;
    await until('every ref down → 503', async () => (await request(sy.proxyPort, 'split.test', '/')).status === 503, 10_000);
    (alpha as TestUpstream & { sick?: boolean }).sick = false;
    (beta as TestUpstream & { sick?: boolean }).sick = false;
    await until('both back', async () => {
      const c = await count(20);
      return (c.alpha ?? 0) > 0 && (c.beta ?? 0) > 0;
    }, 10_000);
  });

  it('weighted refs 3:1, the weight-3 ref\'s only endpoint dead: every request succeeds via the other', async () => {
    let ok = 0;
    for (let i = 0; i < 40; i++) {
      const r = await request(sy.proxyPort, 'gone.test', '/');
      if (r.status === 200 && r.headers['x-upstream'] === 'beta') ok++;
    }
    assert.equal(ok, 40);
  });
});
