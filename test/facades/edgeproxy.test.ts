// edgeProxy auto-discovery API against the real binary (TTL 3 s): the document's curl examples
// verbatim, the original's answers, real traffic through the proxy to loopback upstreams (own
// region first, hard limits), TTL expiry (out of rotation, then deleted), kubectl seeing the same
// objects, and a restart (persisted heartbeats).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlFor } from '../apiserver/lib';
import { curl, request, sleep, startFacadeServer, until, upstream, type FacadeServer, type TestUpstream } from './lib';

const SEED_REGISTER = `curl -X POST http://localhost:8081/api/v1/register \\
-H "Content-Type: application/json" \\
-d '{
"id": "backend-eu-1",
"app": "myapp",
"region": "eu",
"ip": "10.50.1.1",
"port": 8080,
"weight": 2,
"soft_limit": 100,
"hard_limit": 150
}'`;
const SEED_HEARTBEAT = 'curl -X POST http://localhost:8081/api/v1/heartbeat/backend-eu-1';
const SEED_LIST = 'curl http://localhost:8081/api/v1/backends';
const SEED_HEALTH = 'curl http://localhost:8081/health';

describe('edgeProxy auto-discovery API', { timeout: 120_000 }, () => {
  let fs: FacadeServer;
  let eu: TestUpstream;
  let sa: TestUpstream;
  let lim: TestUpstream;
  const alive = new Set<string>();
  let beat: NodeJS.Timeout | undefined;

  const register = (body: Record<string, unknown>) => request(`${fs.edge}/api/v1/register`, { body });
  const viaProxy = (host: string, path = '/') => request(`${fs.proxy}${path}`, { headers: { host } });

  before(async () => {
    [eu, sa, lim] = await Promise.all([upstream('eu', '127.0.0.3'), upstream('sa', '127.0.0.2'), upstream('lim', '127.0.0.4')]);
    fs = await startFacadeServer();
    beat = setInterval(() => {
      for (const id of alive) request(`${fs.edge}/api/v1/heartbeat/${id}`, { method: 'POST' }).catch(() => undefined);
    }, 700);
  });

  after(async () => {
    clearInterval(beat);
    await fs?.stop();
    await Promise.all([eu, sa, lim].map((u) => u?.close()));
  });

  it("runs the document's curl examples verbatim and answers as the original", async () => {
    const reg = await curl(SEED_REGISTER.replace('10.50.1.1', eu.host).replace('"port": 8080', `"port": ${eu.port}`), fs.edge);
    assert.equal(reg.status, 201, reg.body);
    assert.deepEqual(reg.json, { id: 'backend-eu-1', registered: true, message: 'Backend registered successfully' });
    alive.add('backend-eu-1');

    const hb = await curl(SEED_HEARTBEAT, fs.edge);
    assert.equal(hb.status, 200);
    assert.deepEqual(hb.json, { id: 'backend-eu-1', status: 'ok' });

    const list = await curl(SEED_LIST, fs.edge);
    assert.equal(list.status, 200);
    assert.equal(list.json.total, 1);
    const b = list.json.backends[0];
    assert.deepEqual(
      { ...b, last_heartbeat_secs: 0, registered_secs: 0 },
      { id: 'backend-eu-1', app: 'myapp', region: 'eu', country: 'DE', ip: eu.host, port: eu.port, weight: 2, soft_limit: 100, hard_limit: 150, healthy: true, last_heartbeat_secs: 0, registered_secs: 0 },
    );

    const health = await curl(SEED_HEALTH, fs.edge);
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys(health.json).sort(), ['backends', 'registered_backends', 'status', 'uptime_secs', 'version']);
    assert.equal(health.json.status, 'ok');
    assert.equal(health.json.backends, 1);
    assert.equal(health.json.registered_backends, 1);
    assert.equal(typeof health.json.version, 'string');
  });

  it("routes the app's traffic: Host <app>, own region (sa) first, then any other", async () => {
    await until('myapp routed to eu', async () => (await viaProxy('myapp', '/hello')).body === 'eu GET /hello');
    // a backend in the proxy's own region takes the traffic
    const r = await register({ id: 'backend-sa-1', app: 'myapp', region: 'sa', ip: sa.host, port: sa.port });
    assert.equal(r.status, 201);
    alive.add('backend-sa-1');
    await until('myapp routed to sa', async () => (await viaProxy('myapp')).body.startsWith('sa '));
    for (let i = 0; i < 20; i++) assert.equal((await viaProxy('myapp', `/x${i}`)).body, `sa GET /x${i}`);
    // another app is another route
    assert.equal((await viaProxy('otherapp')).status, 404);
    // deregistered: back to the other region
    alive.delete('backend-sa-1');
    const del = await request(`${fs.edge}/api/v1/backends/backend-sa-1`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(del.json, { id: 'backend-sa-1', deregistered: true });
    await until('myapp back on eu', async () => (await viaProxy('myapp')).body.startsWith('eu '));
  });

  it('never sends above hard_limit: none left → 503', async () => {
    const held: Array<() => void> = [];
    lim.handler = (req, res) => {
      const done = () => res.end(`lim ${req.method} ${req.url}`);
      if (req.url === '/hold') held.push(done);
      else done();
    };
    assert.equal((await register({ id: 'lim-1', app: 'limited', region: 'sa', ip: lim.host, port: lim.port, soft_limit: 1, hard_limit: 1 })).status, 201);
    alive.add('lim-1');
    await until('limited routed', async () => (await viaProxy('limited', '/ping')).status === 200);
    const inFlight = viaProxy('limited', '/hold');
    await until('held request reached the upstream', () => held.length === 1);
    const over = await viaProxy('limited', '/ping');
    assert.equal(over.status, 503, 'the only endpoint is at its hard limit');
    held[0]!();
    assert.equal((await inFlight).status, 200);
    assert.equal((await viaProxy('limited', '/ping')).status, 200);
  });

  it('GET one, upsert, deregister and their 404s', async () => {
    const one = await request(`${fs.edge}/api/v1/backends/backend-eu-1`);
    assert.equal(one.status, 200);
    assert.equal(one.json.id, 'backend-eu-1');
    assert.equal(one.json.healthy, true);
    for (const k of ['id', 'app', 'region', 'ip', 'port', 'healthy', 'last_heartbeat_secs', 'registered_secs', 'country', 'weight', 'soft_limit', 'hard_limit']) assert.ok(k in one.json, k);

    // register is an upsert
    const again = await register({ id: 'backend-eu-1', app: 'myapp', region: 'eu', country: 'fr', ip: eu.host, port: eu.port, weight: 5 });
    assert.equal(again.status, 201);
    const after = await request(`${fs.edge}/api/v1/backends/backend-eu-1`);
    assert.equal(after.json.weight, 5);
    assert.equal(after.json.country, 'FR');

    const missing = await request(`${fs.edge}/api/v1/backends/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { error: 'backend not found' });
    const hb = await request(`${fs.edge}/api/v1/heartbeat/nope`, { method: 'POST' });
    assert.equal(hb.status, 404);
    assert.deepEqual(hb.json, { id: 'nope', error: 'backend not registered' });
    const del = await request(`${fs.edge}/api/v1/backends/nope`, { method: 'DELETE' });
    assert.equal(del.status, 404);
    assert.deepEqual(del.json, { id: 'nope', error: 'backend not found' });
  });

  it('bad input: 400 malformed, 422 wrong or missing fields, 415 no JSON, 413 too big; never 5xx', async () => {
    const ok = { id: 'x-1', app: 'myapp', region: 'eu', ip: '127.0.0.9', port: 9 };
    const cases: Array<[string, Parameters<typeof request>[1], number, RegExp]> = [
      ['malformed', { body: '{"id": ', headers: { 'content-type': 'application/json' } }, 400, /malformed JSON/],
      ['empty', { body: '', method: 'POST', headers: { 'content-type': 'application/json' } }, 400, /empty/],
      ['no content type', { body: JSON.stringify(ok), method: 'POST' }, 415, /Content-Type: application\/json/],
      ['text/plain', { body: JSON.stringify(ok), headers: { 'content-type': 'text/plain' } }, 415, /application\/json/],
      ['missing ip', { body: { ...ok, ip: undefined } }, 422, /missing required field: ip/],
      ['missing port', { body: { ...ok, port: undefined } }, 422, /port/],
      ['port as string', { body: { ...ok, port: '8080' } }, 422, /port: must be an integer/],
      ['port out of range', { body: { ...ok, port: 70000 } }, 422, /port/],
      ['unknown region', { body: { ...ok, region: 'mars' } }, 422, /region: .*"sa", "us", "eu", "ap"/],
      ['bad ip', { body: { ...ok, ip: '10.0.0' } }, 422, /ip/],
      ['bad id', { body: { ...ok, id: 'a/b' } }, 422, /id/],
      ['bad app', { body: { ...ok, app: 'My App' } }, 422, /app/],
      ['soft over hard', { body: { ...ok, soft_limit: 10, hard_limit: 5 } }, 422, /soft_limit/],
      ['array body', { body: '[1,2]', headers: { 'content-type': 'application/json' } }, 422, /JSON object/],
      ['too big', { body: JSON.stringify({ ...ok, pad: 'x'.repeat(100_000) }), headers: { 'content-type': 'application/json' } }, 413, /too large/],
    ];
    for (const [what, o, status, msg] of cases) {
      const r = await request(`${fs.edge}/api/v1/register`, { method: 'POST', ...o });
      assert.equal(r.status, status, `${what}: ${r.body}`);
      assert.match(r.json?.error ?? '', msg, what);
    }
    assert.equal((await request(`${fs.edge}/api/v1/backends/x-1`)).status, 404, 'nothing half-written');
    assert.equal((await request(`${fs.edge}/api/v1/nothing`)).status, 404);
    assert.equal((await request(`${fs.edge}/api/v1/register`)).status, 405);
  });

  it('no heartbeat within the TTL: unhealthy and out of rotation at once, then removed', async () => {
    const ttl = await upstream('ttl', '127.0.0.5');
    try {
      // the server stamps the heartbeat while handling register: measure from before the request
      const t0 = Date.now();
      assert.equal((await register({ id: 'ttl-1', app: 'ttlapp', region: 'sa', ip: ttl.host, port: ttl.port })).status, 201);
      await until('ttlapp routed', async () => (await viaProxy('ttlapp')).body.startsWith('ttl '));
      // TTL 3 s: out of rotation (503: its only backend) soon after, deleted by the sweep
      await until('ttl-1 out of rotation', async () => (await viaProxy('ttlapp')).status === 503, 8_000);
      const excludedAfter = Date.now() - t0;
      assert.ok(excludedAfter >= 2_900, `excluded only after the TTL (${excludedAfter} ms)`);
      await until('ttl-1 deregistered', async () => (await request(`${fs.edge}/api/v1/backends/ttl-1`)).status === 404, 8_000);
      const k = kubectlFor(fs.sy.kubeconfig);
      const r = await k(['get', 'backend', 'ttl-1']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /not found/);
      // the heartbeated ones stayed
      assert.equal((await request(`${fs.edge}/api/v1/backends/backend-eu-1`)).json.healthy, true);
      assert.equal((await request(`${fs.edge}/api/v1/heartbeat/ttl-1`, { method: 'POST' })).status, 404);
    } finally {
      await ttl.close();
    }
  });

  it('kubectl get backends,httproutes sees the same objects', async () => {
    const k = kubectlFor(fs.sy.kubeconfig);
    const out = JSON.parse(await k.ok(['get', 'backends,httproutes', '-o', 'json']));
    const be = out.items.find((o: { kind: string; metadata: { name: string } }) => o.kind === 'Backend' && o.metadata.name === 'backend-eu-1');
    assert.ok(be, 'Backend backend-eu-1');
    assert.deepEqual(be.spec.endpoints, [{ ip: eu.host, port: eu.port, weight: 5 }]);
    assert.equal(be.metadata.labels.app, 'myapp');
    assert.equal(be.metadata.labels.region, 'eu');
    assert.equal(be.metadata.labels.country, 'FR');
    assert.deepEqual(be.spec.circuitBreaker, { softLimit: 100, maxConnections: 150 });
    const route = out.items.find((o: { kind: string; metadata: { name: string } }) => o.kind === 'HTTPRoute' && o.metadata.name === 'edgeproxy-myapp');
    assert.ok(route, 'HTTPRoute edgeproxy-myapp');
    assert.deepEqual(route.spec.hostnames, ['myapp']);
    const table = await k.ok(['get', 'backends']);
    assert.match(table, new RegExp(`backend-eu-1\\s+${eu.host.replace(/\./g, '\\.')}:${eu.port}`));
  });

  it('survives a restart: registrations and persisted heartbeats drive expiry afterwards', async () => {
    assert.equal((await register({ id: 'orphan', app: 'myapp', region: 'us', ip: '127.0.0.66', port: 1 })).status, 201);
    await fs.restart();
    const one = await until('backend-eu-1 after restart', async () => {
      const r = await request(`${fs.edge}/api/v1/backends/backend-eu-1`);
      return r.status === 200 && r.json;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${fs.sy.logs().slice(-6000)}`);
    });
    assert.equal(one.app, 'myapp');
    assert.equal((await request(`${fs.edge}/api/v1/heartbeat/backend-eu-1`, { method: 'POST' })).status, 200);
    await until('myapp routed after restart', async () => (await viaProxy('myapp')).body.startsWith('eu '));
    // the orphan's last (persisted) heartbeat is from before the restart: it expires and goes
    await until('orphan removed after restart', async () => (await request(`${fs.edge}/api/v1/backends/orphan`)).status === 404, 15_000);
    await sleep(200);
    assert.equal((await request(`${fs.edge}/api/v1/backends/backend-eu-1`)).status, 200, 'the heartbeated one stays');
  });
});
