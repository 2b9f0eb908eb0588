// The route registry against the real binary: the guide's curl examples verbatim, exact answers
// (200 / 409 / 404 / 400), every option reaching real traffic through the proxy, the guide's
// blue-green and canary flows, its Python/Go clients' "only 200 is success", kubectl seeing the
// objects. Token auth and the registry's own rate limit run in-process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as http from 'node:http';
import { kubectlFor } from '../apiserver/lib';
import { tempDir } from '../harness/tmp';
import { curl, request, startFacadeServer, until, upstream, type FacadeServer, type TestUpstream } from './lib';
import { createLogger } from '../../pkg/log/logger';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { defaultContext } from '../../pkg/registry/generic/context';
import { servedResources } from '../../pkg/registry/kinds';
import { startFacades } from '../../pkg/facades';

const GUIDE_REGISTER = `curl -X POST http://proxy:81/register \\
  -H "Content-Type: application/json" \\
  -d '{
    "host": "api.example.com",
    "path": "/v2",
    "backend": "http://api-v2:9000",
    "options": {
      "timeout": "60s",
      "websocket": true
    }
  }'`;
const GUIDE_DEREGISTER = `curl -X POST http://proxy:81/deregister \\
  -H "Content-Type: application/json" \\
  -d '{
    "host": "api.example.com",
    "path": "/v2"
  }'`;
const GUIDE_LIST = 'curl http://proxy:81/routes';
const GUIDE_HEALTH = 'curl http://proxy:81/health';
const GUIDE_REREGISTER = `curl -X POST http://proxy:81/register \\
  -H "Content-Type: application/json" \\
  -d '{"host": "api.example.com", "path": "/v2", "backend": "http://api-v2:9000"}'`;

describe('route registry', { timeout: 120_000 }, () => {
  let fs: FacadeServer;
  let blue: TestUpstream;
  let green: TestUpstream;
  let flaky: TestUpstream;

  const reg = (body: unknown) => request(`${fs.registry}/register`, { body });
  const dereg = (body: unknown) => request(`${fs.registry}/deregister`, { body });
  const viaProxy = (host: string, p: string, o: { method?: string; headers?: Record<string, string> } = {}) =>
    request(`${fs.proxy}${p}`, { ...o, headers: { host, ...(o.headers ?? {}) } });

  before(async () => {
    [blue, green, flaky] = await Promise.all([upstream('blue', '127.0.0.2'), upstream('green', '127.0.0.3'), upstream('flaky', '127.0.0.4')]);
    fs = await startFacadeServer();
  });
  after(async () => {
    await fs?.stop();
    await Promise.all([blue, green, flaky].map((u) => u?.close()));
  });

  it("runs the guide's curl examples verbatim with its exact answers", async () => {
    const r = await curl(GUIDE_REGISTER, fs.registry);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json, { status: 'registered', host: 'api.example.com', path: '/v2', backend: 'http://api-v2:9000' });

    const dup = await curl(GUIDE_REGISTER, fs.registry);
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.json, { error: 'route already exists' });

    const list = await curl(GUIDE_LIST, fs.registry);
    assert.equal(list.status, 200);
    assert.equal(list.json.total, 1);
    const route = list.json.routes[0];
    assert.equal(route.host, 'api.example.com');
    assert.equal(route.path, '/v2');
    assert.equal(route.backend, 'http://api-v2:9000');
    assert.match(route.registered_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const health = await curl(GUIDE_HEALTH, fs.registry);
    assert.equal(health.status, 200);
    assert.deepEqual(health.json, { status: 'healthy', registered_routes: 1 });

    // the backend name does not resolve: accepted, and the proxy answers 503 (DNS) rather than 5xx at register
    const k = kubectlFor(fs.sy.kubeconfig);
    const objs = JSON.parse(await k.ok(['get', 'backends,httproutes', '-o', 'json']));
    const be = objs.items.find((o: { kind: string }) => o.kind === 'Backend');
    const hr = objs.items.find((o: { kind: string }) => o.kind === 'HTTPRoute');
    assert.deepEqual(be.spec.endpoints, [{ fqdn: 'api-v2', port: 9000 }]);
    assert.deepEqual(hr.spec.hostnames, ['api.example.com']);
    assert.deepEqual(hr.spec.rules[0].matches, [{ path: { type: 'PathPrefix', value: '/v2' } }]);
    assert.deepEqual(hr.spec.rules[0].timeouts, { backendRequest: '60s' });
    assert.equal(hr.metadata.annotations['switchyard.dev/websocket'], 'true');
    assert.equal(be.metadata.name, hr.metadata.name);

    const d = await curl(GUIDE_DEREGISTER, fs.registry);
    assert.equal(d.status, 200);
    assert.deepEqual(d.json, { status: 'deregistered', host: 'api.example.com', path: '/v2' });
    const d2 = await curl(GUIDE_DEREGISTER, fs.registry);
    assert.equal(d2.status, 404);
    assert.deepEqual(d2.json, { error: 'route not found' });
    assert.equal((await k(['get', 'backend', be.metadata.name])).code, 1, 'the Backend went with its route');

    // the troubleshooting section: deregister, then register again
    assert.equal((await curl(GUIDE_REREGISTER, fs.registry)).status, 200);
    assert.equal((await curl(GUIDE_DEREGISTER, fs.registry)).status, 200);
  });

  it('Python/Go/Java clients: register and deregister answer exactly 200', async () => {
    // requests.post(url, headers={"Content-Type": "application/json"}, json=payload) → status_code == 200
    const payload = { host: 'py.example.com', path: '/v2', backend: 'http://localhost:9000', options: { timeout: '60s', websocket: true, rate_limit: { enabled: true, requests_per_min: 100 } } };
    const r = await request(`${fs.registry}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'python-requests/2.31.0' }, body: JSON.stringify(payload) });
    assert.equal(r.status, 200);
    const list = await request(`${fs.registry}/routes`);
    assert.equal(list.status, 200);
    assert.ok(list.json.routes.some((x: { host: string; path: string; backend: string }) => `${x.host}${x.path} → ${x.backend}` === 'py.example.com/v2 → http://localhost:9000'));
    // Go: http.Post(registryURL+"/deregister", "application/json", body) → resp.StatusCode != http.StatusOK is failure
    const d = await request(`${fs.registry}/deregister`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'Go-http-client/1.1' }, body: JSON.stringify({ host: 'py.example.com', path: '/v2' }) });
    assert.equal(d.status, 200);
    // Java's RestTemplate with health_check_path
    const j = await reg({ host: 'java.example.com', path: '/v2', backend: 'http://localhost:9000', options: { timeout: '60s', health_check_path: '/health' } });
    assert.equal(j.status, 200);
    assert.equal((await dereg({ host: 'java.example.com', path: '/v2' })).status, 200);
  });

  it('bad input answers 400 {"error": …}, and nothing is half-written', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['malformed', '{"host": "a", ', /malformed JSON/],
      ['not an object', '"hello"', /JSON object/],
      ['missing host', { path: '/', backend: 'http://a:1' }, /host/],
      ['missing path', { host: 'a.example.com', backend: 'http://a:1' }, /path/],
      ['missing backend', { host: 'a.example.com', path: '/' }, /backend/],
      ['relative path', { host: 'a.example.com', path: 'v2', backend: 'http://a:1' }, /path/],
      ['host with port', { host: 'a.example.com:80', path: '/', backend: 'http://a:1' }, /port/],
      ['bad host', { host: 'a b', path: '/', backend: 'http://a:1' }, /host/],
      ['bad backend URL', { host: 'a.example.com', path: '/', backend: 'not a url' }, /backend/],
      ['ftp backend', { host: 'a.example.com', path: '/', backend: 'ftp://a:21' }, /scheme/],
      ['bad backend host', { host: 'a.example.com', path: '/', backend: 'http://under_score:80' }, /fqdn|backend/],
      ['bad timeout', { host: 'a.example.com', path: '/', backend: 'http://a:1', options: { timeout: 'soon' } }, /timeout/],
      ['bad websocket', { host: 'a.example.com', path: '/', backend: 'http://a:1', options: { websocket: 'yes' } }, /websocket/],
      ['bad header', { host: 'a.example.com', path: '/', backend: 'http://a:1', options: { headers: { 'bad header': 'x' } } }, /header/],
      ['bad rate', { host: 'a.example.com', path: '/', backend: 'http://a:1', options: { rate_limit: { requests_per_min: 0 } } }, /requests_per_min/],
      ['bad retry', { host: 'a.example.com', path: '/', backend: 'http://a:1', options: { retry: { max_attempts: 3, backoff: 'linear' } } }, /backoff/],
      ['bad breaker', { host: 'a.example.com', path: '/', backend: 'http://a:1', options: { circuit_breaker: { failure_threshold: -1 } } }, /failure_threshold/],
    ];
    for (const [what, body, msg] of cases) {
      const r = await request(`${fs.registry}/register`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, `${what}: ${r.body}`);
      assert.match(r.json?.error ?? '', msg, what);
    }
    const bad = await dereg({ host: 'a.example.com' });
    assert.equal(bad.status, 400);
    const routes = await request(`${fs.registry}/routes`);
    assert.equal(routes.json.total, 0, JSON.stringify(routes.json));
    const k = kubectlFor(fs.sy.kubeconfig);
    assert.equal((await k.ok(['get', 'backends', '-o', 'name'])).trim(), '', 'no Backend left behind');
  });

  it('routes real traffic: PathPrefix per segment, not stripped, headers added, websocket off → 400', async () => {
    const r = await reg({ host: 'svc.test', path: '/api', backend: blue.url, options: { headers: { 'X-Service-Version': '2.0' } } });
    assert.equal(r.status, 200, r.body);
    const ok = await until('svc.test/api routed', async () => {
      const x = await viaProxy('svc.test', '/api/users?id=1');
      return x.status === 200 && x;
    });
    assert.equal(ok.body, 'blue GET /api/users?id=1', 'the path reaches the upstream unchanged');
    assert.equal(ok.headers['x-service-version'], '2.0');
    assert.equal((await viaProxy('svc.test', '/api')).status, 200);
    assert.equal((await viaProxy('svc.test', '/apiary')).status, 404, 'a prefix per path segment (the original would match)');
    assert.equal((await viaProxy('other.test', '/api')).status, 404);
    const ws = await viaProxy('svc.test', '/api/ws', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    assert.equal(ws.status, 400, 'websocket defaults to false');
    // backend URL with a path: prepended upstream
    assert.equal((await reg({ host: 'svc.test', path: '/legacy', backend: `${green.url}/base` })).status, 200);
    const lg = await until('legacy routed', async () => {
      const x = await viaProxy('svc.test', '/legacy/x');
      return x.status === 200 && x;
    });
    assert.equal(lg.body, 'green GET /base/legacy/x');
  });

  it('circuit_breaker: opens after failure_threshold failures, 503 while open', async () => {
    flaky.handler = (_req, res) => {
      res.writeHead(500);
      res.end('flaky fails');
    };
    assert.equal((await reg({ host: 'cb.test', path: '/', backend: flaky.url, options: { circuit_breaker: { enabled: true, failure_threshold: 2, timeout: '30s' } } })).status, 200);
    await until('cb.test routed', async () => (await viaProxy('cb.test', '/')).status === 500);
    // one failure seen above; the second opens it
    assert.equal((await viaProxy('cb.test', '/')).status, 500);
    const open = await viaProxy('cb.test', '/');
    assert.equal(open.status, 503, open.body);
    const k = kubectlFor(fs.sy.kubeconfig);
    const be = JSON.parse(await k.ok(['get', 'backends', '-l', 'switchyard.dev/facade=registry', '-o', 'json'])).items.find(
      (o: { metadata: { annotations: Record<string, string> } }) => o.metadata.annotations['switchyard.dev/registry-host'] === 'cb.test',
    );
    assert.deepEqual(be.spec.circuitBreaker, { consecutiveFailures: 2, openDuration: '30s' });
    assert.equal(be.metadata.annotations['switchyard.dev/circuit-breaker-failure-window'], '60s');
    assert.equal(be.metadata.annotations['switchyard.dev/circuit-breaker-close-after-successes'], '2');
  });

  it('retry: max_attempts 3 → 2 retries for idempotent requests only; rate_limit → 429 with Retry-After; timeout → 504', async () => {
    let calls = 0;
    green.handler = (req, res) => {
      if (req.url?.startsWith('/retry')) {
        calls++;
        if (calls % 3 !== 0) {
          res.writeHead(503);
          res.end('busy');
          return;
        }
      }
      if (req.url?.startsWith('/retry/slow')) {
        setTimeout(() => res.end('late'), 2_500);
        return;
      }
      res.end(`green ${req.method} ${req.url}`);
    };
    assert.equal((await reg({ host: 'retry.test', path: '/retry', backend: green.url, options: { retry: { enabled: true, max_attempts: 3, backoff: 'exponential' } } })).status, 200);
    await until('retry.test routed', async () => (await viaProxy('retry.test', '/retry/probe')).status !== 404);
    calls = 0;
    const got = await viaProxy('retry.test', '/retry/get');
    assert.equal(got.status, 200, 'two 503s retried away');
    assert.equal(calls, 3);
    calls = 0;
    const post = await viaProxy('retry.test', '/retry/post', { method: 'POST' });
    assert.equal(post.status, 503, 'POST is not retried');
    assert.equal(calls, 1);

    assert.equal((await reg({ host: 'rl.test', path: '/', backend: blue.url, options: { rate_limit: { enabled: true, requests_per_min: 2, per_ip: true } } })).status, 200);
    await until('rl.test routed', async () => (await viaProxy('rl.test', '/')).status === 200);
    let limited;
    for (let i = 0; i < 3 && !limited; i++) {
      const x = await viaProxy('rl.test', '/');
      if (x.status === 429) limited = x;
    }
    assert.ok(limited, 'a 429 within the burst + 1');
    assert.ok(Number(limited!.headers['retry-after']) >= 1);

    calls = 2; // the next call answers (calls % 3 === 0) and is slow
    assert.equal((await reg({ host: 'slow.test', path: '/retry/slow', backend: green.url, options: { timeout: '1s' } })).status, 200);
    const slow = await until('slow.test routed', async () => {
      calls = 2;
      const x = await viaProxy('slow.test', '/retry/slow');
      return x.status !== 404 && x;
    }, 15_000);
    assert.equal(slow.status, 504);
  });

  it("the guide's blue-green and canary flows", async () => {
    for (const u of [blue, green]) u.handler = (req, res) => res.end(`${u.name} ${req.method} ${req.url}`);
    // v1 (blue) serving; deploy v2 (green)
    assert.equal((await reg({ host: 'api.example.com', path: '/v1', backend: blue.url })).status, 200);
    assert.equal((await reg({ host: 'api.example.com', path: '/v2', backend: green.url })).status, 200);
    await until('v1 on blue', async () => (await viaProxy('api.example.com', '/v1/users')).body === 'blue GET /v1/users');
    await until('v2 on green', async () => (await viaProxy('api.example.com', '/v2/users')).body === 'green GET /v2/users');
    // switch: deregister v1 (blue), point /v1 at v2
    assert.equal((await dereg({ host: 'api.example.com', path: '/v1' })).status, 200);
    assert.equal((await reg({ host: 'api.example.com', path: '/v1', backend: green.url })).status, 200);
    await until('v1 on green', async () => (await viaProxy('api.example.com', '/v1/users')).body === 'green GET /v1/users', 10_000, 20);
    // canary: /v2-canary on v2 while /v1 stays
    assert.equal((await reg({ host: 'api.example.com', path: '/v2-canary', backend: green.url })).status, 200);
    await until('canary on green', async () => (await viaProxy('api.example.com', '/v2-canary/x')).body === 'green GET /v2-canary/x');
    assert.equal((await viaProxy('api.example.com', '/v1/users')).body, 'green GET /v1/users');
    assert.equal((await viaProxy('api.example.com', '/v2/users')).body, 'green GET /v2/users', '/v2-canary does not capture /v2');
    const list = await request(`${fs.registry}/routes`);
    const ours = list.json.routes.filter((x: { host: string }) => x.host === 'api.example.com').map((x: { path: string; backend: string }) => `${x.path}=${x.backend === green.url ? 'green' : 'blue'}`);
    assert.deepEqual(ours.sort(), ['/v1=green', '/v2-canary=green', '/v2=green']);
  });
});

describe('route registry hardening (in-process)', () => {
  let store: ObjectStore;
  let running: Awaited<ReturnType<typeof startFacades>>;
  let base: string;
  before(async () => {
    store = new ObjectStore(new SqliteDriver({ file: path.join(tempDir('switchyard-registry-'), 'state.db') }));
    running = await startFacades({
      registry: defaultContext(store),
      resources: servedResources(),
      log: createLogger({ silent: true }),
      env: { SWITCHYARD_REGISTRY_TOKEN: 's3cret', SWITCHYARD_REGISTRY_RATE_LIMIT: '3' },
      registryListen: '127.0.0.1:0',
    });
    base = `http://127.0.0.1:${running.ports.registry}`;
  });
  after(async () => {
    await running?.close();
    await store?.close();
  });

  it('token auth: every endpoint but /health wants the bearer token', async () => {
    const agent = new http.Agent();
    assert.equal((await request(`${base}/health`, { agent })).status, 200);
    const noAuth = await request(`${base}/routes`, { agent });
    assert.equal(noAuth.status, 401);
    assert.match(noAuth.json.error, /unauthorized/);
    assert.equal((await request(`${base}/routes`, { agent, headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await request(`${base}/register`, { agent, body: { host: 'a.test', path: '/', backend: 'http://a:1' } })).status, 401);
    const ok = await request(`${base}/routes`, { agent, headers: { authorization: 'Bearer s3cret' } });
    assert.equal(ok.status, 200);
  });

  it('per-client rate limit on writes: 429 with Retry-After', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    const statuses: number[] = [];
    let retryAfter = '';
    for (let i = 0; i < 5; i++) {
      const r = await request(`${base}/register`, { headers: auth, body: { host: `h${i}.test`, path: '/', backend: 'http://a:1' } });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = String(r.headers['retry-after']);
    }
    assert.deepEqual(statuses.slice(0, 2), [200, 200]);
    assert.ok(statuses.includes(429), statuses.join(','));
    assert.ok(Number(retryAfter) >= 1);
    assert.equal((await request(`${base}/routes`, { headers: auth })).status, 200, 'reads are not limited');
  });
});
