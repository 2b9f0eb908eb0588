// Facade hardening (issue 7), in-process over a real SQLite store: the optional bearer token and the
// per-client rate limit on registration endpoints of the edgeProxy and upstreams facades (the route
// registry's own are in registry.test.ts), and request ids: echoed in X-Request-Id and carried by
// the facade's log lines for that request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import client from 'prom-client';
import { tempDir } from '../harness/tmp';
import { request } from './lib';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { defaultContext } from '../../pkg/registry/generic/context';
import { servedResources } from '../../pkg/registry/kinds';
import { startFacades } from '../../pkg/facades';

describe('facade hardening (in-process)', { timeout: 60_000 }, () => {
  let store: ObjectStore;
  let running: Awaited<ReturnType<typeof startFacades>>;
  let edge: string;
  let ups: string;
  const lines: Array<Record<string, unknown>> = [];
  const registry = new client.Registry();
  const edgeAuth = { authorization: 'Bearer edge-t0ken' };
  const upsAuth = { authorization: 'Bearer ups-t0ken' };

  before(async () => {
    store = new ObjectStore(new SqliteDriver({ file: path.join(tempDir('switchyard-hardening-'), 'state.db') }));
    const stream = new Writable({ objectMode: true, write: (info: Record<string, unknown>, _e, done) => (lines.push(info), done()) });
    running = await startFacades({
      registry: defaultContext(store),
      resources: servedResources(),
      log: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }),
      env: {
        EDGEPROXY_API_ENABLED: 'true',
        EDGEPROXY_API_LISTEN_ADDR: '127.0.0.1:0',
        SWITCHYARD_EDGEPROXY_TOKEN: 'edge-t0ken',
        SWITCHYARD_EDGEPROXY_RATE_LIMIT: '3',
        SWITCHYARD_UPSTREAMS_TOKEN: 'ups-t0ken',
        SWITCHYARD_UPSTREAMS_RATE_LIMIT: '3',
      },
      upstreamsListen: '127.0.0.1:0',
      metricsRegistry: registry,
    });
    edge = `http://127.0.0.1:${running.ports.edgeProxy}`;
    ups = `http://127.0.0.1:${running.ports.upstreams}`;
  });
  after(async () => {
    await running?.close();
    await store?.close();
  });

  const registration = (id: string) => ({ id, app: 'hard', region: 'sa', ip: '127.0.0.9', port: 9000 });

  it('edgeProxy: the token guards everything but /health', async () => {
    assert.equal((await request(`${edge}/health`)).status, 200);
    const no = await request(`${edge}/api/v1/backends`);
    assert.equal(no.status, 401);
    assert.match(String(no.headers['www-authenticate']), /^Bearer realm=/);
    assert.match((no.json as { error: string }).error, /unauthorized/);
    assert.equal((await request(`${edge}/api/v1/register`, { body: registration('nope'), headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await request(`${edge}/api/v1/backends`, { headers: edgeAuth })).status, 200);
    const { items } = await store.list('/registry/core.apoxy.dev/backends/', {});
    assert.equal(items.filter((o) => o.metadata.name === 'nope').length, 0, 'a refused registration writes nothing');
  });

  it('edgeProxy: registrations are rate limited per client, heartbeats are not', async () => {
    const statuses: number[] = [];
    let retryAfter = '';
    for (let i = 0; i < 5; i++) {
      const r = await request(`${edge}/api/v1/register`, { headers: edgeAuth, body: registration(`rl-${i}`) });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = String(r.headers['retry-after']);
        assert.match((r.json as { error: string }).error, /rate limit exceeded/);
      }
    }
    assert.deepEqual(statuses.slice(0, 3), [201, 201, 201], statuses.join(','));
    assert.deepEqual(statuses.slice(3), [429, 429]);
    assert.ok(Number(retryAfter) >= 1);
    for (let i = 0; i < 10; i++) {
      const hb = await request(`${edge}/api/v1/heartbeat/rl-0`, { method: 'POST', headers: edgeAuth });
      assert.equal(hb.status, 200, 'heartbeats are never limited');
    }
    assert.equal((await request(`${edge}/api/v1/backends`, { headers: edgeAuth })).status, 200, 'reads are not limited');
  });

  it('upstreams: token (401 UNAUTHORIZED) and write rate limit (429 RATE_LIMITED)', async () => {
    const no = await request(`${ups}/api/upstreams`);
    assert.equal(no.status, 401);
    assert.equal((no.json as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await request(`${ups}/api/upstreams`, { headers: upsAuth, body: { name: `limited-${i}` } });
      statuses.push(r.status);
      if (r.status === 429) {
        assert.equal((r.json as { error: { code: string } }).error.code, 'RATE_LIMITED');
        assert.ok(Number(r.headers['retry-after']) >= 1);
      }
    }
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    const list = await request(`${ups}/api/upstreams`, { headers: upsAuth });
    assert.equal(list.status, 200);
    assert.equal((list.json as { meta: { total: number } }).meta.total, 3, 'refused writes created nothing');
  });

  it('every answer carries a request id, and the log lines of that request name it', async () => {
    const r = await request(`${edge}/api/v1/heartbeat/rl-1`, { method: 'POST', headers: { ...edgeAuth, 'x-request-id': 'edge-trace-1' } });
    assert.equal(r.headers['x-request-id'], 'edge-trace-1');
    const d = await request(`${edge}/api/v1/backends/rl-2`, { method: 'DELETE', headers: { authorization: 'Bearer edge-t0ken' } });
    // the registration budget (3/min) is spent: the DELETE is refused, still with an id
    assert.equal(d.status, 429);
    const id = String(d.headers['x-request-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    const u = await request(`${ups}/api/upstreams/limited-0`, { headers: { ...upsAuth, 'x-request-id': 'bad id with spaces' } });
    assert.equal(u.status, 200);
    assert.notEqual(u.headers['x-request-id'], 'bad id with spaces');
    // access lines are written when the response closes
    for (let i = 0; i < 200 && !lines.some((l) => l.requestId === id); i++) await new Promise((res) => setTimeout(res, 5));
    const access = lines.find((l) => l.message === 'http request' && l.requestId === id);
    assert.ok(access, 'the refused DELETE has an access line');
    assert.equal(access.status, 429);
    assert.equal(access.component, 'edgeproxy');
    const registered = lines.filter((l) => l.message === 'edgeproxy: backend registered');
    assert.equal(registered.length, 3);
    for (const l of registered) assert.match(String(l.requestId), /^[0-9a-f-]{36}$/, 'domain log lines carry the request id');
    const heartbeat = lines.find((l) => l.message === 'http request' && l.requestId === 'edge-trace-1');
    assert.ok(heartbeat);
    assert.equal(heartbeat.level, 'debug', 'heartbeats are routine: debug, not info');
  });

  it('facade requests and edgeProxy registrations are on the metrics registry', async () => {
    const text = await registry.metrics();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    assert.equal(value(/switchyard_facade_requests_total\{facade="edgeproxy",method="POST",code="201"\} (\d+)/), 3);
    assert.ok(value(/switchyard_facade_requests_total\{facade="edgeproxy",method="POST",code="429"\} (\d+)/) >= 2);
    assert.equal(value(/switchyard_facade_requests_total\{facade="upstreams",method="POST",code="201"\} (\d+)/), 3);
    assert.ok(value(/switchyard_facade_request_duration_seconds_count\{facade="upstreams",method="GET"\} (\d+)/) >= 1);
    assert.equal(value(/switchyard_edgeproxy_backends\{state="healthy"\} (\d+)/), 3, text.split('\n').filter((l) => l.includes('edgeproxy_backends')).join('\n'));
    assert.equal(value(/switchyard_edgeproxy_backends\{state="expired"\} (\d+)/), 0);
  });
});
