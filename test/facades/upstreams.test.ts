// Upstreams & targets against the real binary: the document's curl examples verbatim (with real
// ids), {data}/{meta} wrapping, error bodies, target formats, weights 3:1 giving 75 %/25 % through
// the proxy (an HTTPRoute applied with kubectl), and kubectl seeing the upstream as a Backend.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlFor } from '../apiserver/lib';
import { curl, request, tally, startFacadeServer, until, upstream, type FacadeServer, type TestUpstream } from './lib';

describe('upstreams & targets', { timeout: 120_000 }, () => {
  let fs: FacadeServer;
  let a: TestUpstream;
  let b: TestUpstream;
  let upstreamId = '';
  const api = (p: string) => `${fs.upstreams}${p}`;

  before(async () => {
    [a, b] = await Promise.all([upstream('server-a', '127.0.0.2'), upstream('server-b', '127.0.0.3')]);
    fs = await startFacadeServer();
  });
  after(async () => {
    await fs?.stop();
    await Promise.all([a, b].map((u) => u?.close()));
  });

  it('creates an upstream (201 {data}) and answers the document’s reads verbatim', async () => {
    const c = await request(api('/api/upstreams'), { body: { name: 'example-service', tags: ['team-a'] } });
    assert.equal(c.status, 201, c.body);
    upstreamId = c.json.data.id;
    assert.match(upstreamId, /^upstream_[a-z0-9]+$/);
    assert.deepEqual(
      { ...c.json.data, createdAt: 'x' },
      { id: upstreamId, name: 'example-service', algorithm: 'round-robin', hashOn: 'none', slots: 10000, tags: ['team-a'], createdAt: 'x' },
    );

    const list = await curl('curl http://localhost:8080/api/upstreams', fs.upstreams);
    assert.equal(list.status, 200);
    assert.equal(list.json.meta.total, 1);
    assert.equal(list.json.data[0].id, upstreamId);

    const one = await curl('curl http://localhost:8080/api/upstreams/upstream_abc123'.replace('upstream_abc123', upstreamId), fs.upstreams);
    assert.equal(one.status, 200);
    assert.equal(one.json.data.name, 'example-service');

    const patch = await curl(
      `curl -X PATCH http://localhost:8080/api/upstreams/upstream_abc123 \\ -H "Content-Type: application/json" \\ -d '{ "algorithm": "least-connections" }'`.replace('upstream_abc123', upstreamId),
      fs.upstreams,
    );
    assert.equal(patch.status, 200, patch.body);
    assert.equal(patch.json.data.algorithm, 'least-connections');
    const k = kubectlFor(fs.sy.kubeconfig);
    const be = JSON.parse(await k.ok(['get', 'backend', 'example-service', '-o', 'json']));
    assert.deepEqual(be.spec.loadBalancer, { algorithm: 'least-connections' });
    assert.equal(be.metadata.labels['switchyard.dev/upstream-id'], upstreamId);

    // hash → consistent-hash; weighted-round-robin → round-robin
    const h = await request(api(`/api/upstreams/${upstreamId}`), { method: 'PATCH', body: { algorithm: 'hash', hashOn: 'header', hashKey: 'x-user', slots: 1000 } });
    assert.equal(h.status, 200, h.body);
    assert.deepEqual(JSON.parse(await k.ok(['get', 'backend', 'example-service', '-o', 'json'])).spec.loadBalancer, { algorithm: 'consistent-hash', slots: 1000, hashOn: 'header', hashKey: 'x-user' });
    const w = await request(api(`/api/upstreams/${upstreamId}`), { method: 'PATCH', body: { algorithm: 'weighted-round-robin' } });
    assert.equal(w.json.data.algorithm, 'weighted-round-robin');
    assert.deepEqual(JSON.parse(await k.ok(['get', 'backend', 'example-service', '-o', 'json'])).spec.loadBalancer, { algorithm: 'round-robin' });
  });

  it('targets: formats, weights 3:1 → 75 %/25 % through the proxy', async () => {
    const ta = await request(api('/api/targets'), { body: { upstreamId, target: `${a.host}:${a.port}`, weight: 3 } });
    assert.equal(ta.status, 201, ta.body);
    assert.match(ta.json.data.id, /^target_[a-z0-9]+$/);
    assert.deepEqual({ ...ta.json.data, id: 'x', createdAt: 'x' }, { id: 'x', upstreamId, target: `${a.host}:${a.port}`, weight: 3, tags: [], createdAt: 'x' });
    const tb = await request(api('/api/targets'), { body: { upstreamId, target: `http://${b.host}:${b.port}`, weight: 1 } });
    assert.equal(tb.status, 201, tb.body);

    const listed = await curl(`curl http://localhost:8080/api/targets?upstreamId=${upstreamId}`, fs.upstreams);
    assert.equal(listed.status, 200);
    assert.equal(listed.json.meta.total, 2);
    assert.deepEqual(listed.json.data.map((t: { weight: number }) => t.weight), [3, 1]);

    const k = kubectlFor(fs.sy.kubeconfig);
    await k.ok(['apply', '-f', '-'], {
      input: `apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata:
  name: example
spec:
  hostnames: ["example.test"]
  rules:
  - backendRefs:
    - kind: Backend
      name: example-service
`,
    });
    const send = () => request(`${fs.proxy}/w`, { headers: { host: 'example.test' } });
    await until('example.test routed to both', async () => {
      const t = await tally(8, send);
      return t['server-a'] === 6 && t['server-b'] === 2;
    });
    const counts = await tally(400, send);
    const share = (counts['server-a'] ?? 0) / 400;
    assert.ok(Math.abs(share - 0.75) <= 0.07, `server-a got ${share * 100}% (${JSON.stringify(counts)})`);
    assert.ok(Math.abs((counts['server-b'] ?? 0) / 400 - 0.25) <= 0.07, JSON.stringify(counts));

    // the document's weight update (target_xyz789 → a real id), then removal
    const bId = tb.json.data.id;
    const upd = await curl(`curl -X PATCH http://localhost:8080/api/targets/target_xyz789 \\ -H "Content-Type: application/json" \\ -d '{ "weight": 5 }'`.replace('target_xyz789', bId), fs.upstreams);
    assert.equal(upd.status, 200, upd.body);
    assert.equal(upd.json.data.weight, 5);
    const zero = await request(api(`/api/targets/${ta.json.data.id}`), { method: 'PATCH', body: { weight: 0 } });
    assert.equal(zero.json.data.weight, 0);
    await until('weight 0 receives no traffic', async () => {
      const t = await tally(10, send);
      return t['server-b'] === 10;
    });
    const del = await curl('curl -X DELETE http://localhost:8080/api/targets/target_xyz789'.replace('target_xyz789', bId), fs.upstreams);
    assert.equal(del.status, 204);
    assert.equal((await request(api(`/api/targets/${bId}`))).status, 404);
    assert.deepEqual(JSON.parse(await k.ok(['get', 'backend', 'example-service', '-o', 'json'])).spec.endpoints, [{ ip: a.host, port: a.port, weight: 0 }]);
  });

  it('accepts the target formats: host:port, ip:port, http(s)://host:port, a bare host', async () => {
    const u = await request(api('/api/upstreams'), { body: { name: 'formats' } });
    const id = u.json.data.id;
    const add = (target: string, weight?: number) => request(api(`/api/upstreams/${id}/targets`), { body: { target, ...(weight !== undefined ? { weight } : {}) } });
    assert.equal((await add('server-a')).json.data.weight, 100, 'weight default 100');
    assert.equal((await add('server-b:8080')).status, 201);
    assert.equal((await add('10.1.2.3:9000')).status, 201);
    assert.equal((await add('[::1]:9001')).status, 201);
    assert.equal((await add('http://svc.internal:8081')).status, 201);
    const k = kubectlFor(fs.sy.kubeconfig);
    const eps = JSON.parse(await k.ok(['get', 'backend', 'formats', '-o', 'json'])).spec.endpoints;
    assert.deepEqual(eps, [
      { fqdn: 'server-a', port: 80, weight: 100 },
      { fqdn: 'server-b', port: 8080, weight: 100 },
      { ip: '10.1.2.3', port: 9000, weight: 100 },
      { ip: '::1', port: 9001, weight: 100 },
      { fqdn: 'svc.internal', port: 8081, weight: 100 },
    ]);
    const dup = await add('server-b:8080');
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.code, 'CONFLICT');
    const tls = await add('https://secure.internal:8443');
    assert.equal(tls.status, 400, 'one scheme per upstream');
    const https = await request(api('/api/upstreams'), { body: { name: 'tls-only' } });
    assert.equal((await request(api('/api/targets'), { body: { upstreamId: https.json.data.id, target: 'https://secure.internal' } })).status, 201);
    const tb = JSON.parse(await k.ok(['get', 'backend', 'tls-only', '-o', 'json']));
    assert.equal(tb.spec.protocol, 'tls');
    assert.deepEqual(tb.spec.endpoints, [{ fqdn: 'secure.internal', port: 443, weight: 100 }]);
    const all = await request(api('/api/targets'));
    assert.equal(all.json.meta.total, all.json.data.length);
    assert.ok(all.json.meta.total >= 6);
  });

  it('errors: {"error":{"code","message","details"?}} with 404/409/400', async () => {
    const nf = await request(api('/api/upstreams/upstream_nope'));
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.code, 'NOT_FOUND');
    assert.equal(typeof nf.json.error.message, 'string');
    assert.equal((await request(api('/api/targets/target_nope'))).json.error.code, 'NOT_FOUND');
    assert.equal((await request(api('/api/targets?upstreamId=upstream_nope'))).status, 404);
    assert.equal((await request(api('/api/targets/target_nope'), { method: 'DELETE' })).status, 404);

    const dup = await request(api('/api/upstreams'), { body: { name: 'example-service' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.code, 'CONFLICT');

    const cases: Array<[string, string, unknown, RegExp]> = [
      ['malformed', '/api/upstreams', '{"name": ', /malformed JSON/],
      ['no name', '/api/upstreams', {}, /name/],
      ['bad algorithm', '/api/upstreams', { name: 'x1', algorithm: 'fastest' }, /algorithm/],
      ['bad hashOn', '/api/upstreams', { name: 'x2', algorithm: 'hash', hashOn: 'moon' }, /hashOn/],
      ['header without key', '/api/upstreams', { name: 'x3', algorithm: 'hash', hashOn: 'header' }, /hashKey/],
      ['bad slots', '/api/upstreams', { name: 'x4', slots: 5 }, /slots/],
      ['bad tags', '/api/upstreams', { name: 'x5', tags: 'a' }, /tags/],
      ['bad name', '/api/upstreams', { name: 'a/b' }, /name/],
      ['no upstreamId', '/api/targets', { target: 'a:1' }, /upstreamId/],
      ['bad target', '/api/targets', { upstreamId, target: 'a:99999' }, /port/],
      ['bad weight', '/api/targets', { upstreamId, target: 'c:1', weight: 70000 }, /weight/],
    ];
    for (const [what, p, body, msg] of cases) {
      const r = await request(api(p), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, `${what}: ${r.body}`);
      assert.equal(r.json.error.code, 'VALIDATION_ERROR', what);
      assert.match(r.json.error.message, msg, what);
    }
    const bad = await request(api('/api/upstreams'), { body: { name: 'x6', algorithm: 'fastest' } });
    assert.deepEqual(bad.json.error.details.allowed, ['round-robin', 'weighted-round-robin', 'least-connections', 'hash']);
    assert.equal((await request(api('/api/upstreams'))).json.data.some((u: { name: string }) => /^x\d$/.test(u.name)), false, 'nothing half-written');
  });

  it('deletes an upstream (204) and its Backend', async () => {
    const del = await curl('curl -X DELETE http://localhost:8080/api/upstreams/upstream_abc123'.replace('upstream_abc123', upstreamId), fs.upstreams);
    assert.equal(del.status, 204);
    assert.equal((await request(api(`/api/upstreams/${upstreamId}`))).status, 404);
    const k = kubectlFor(fs.sy.kubeconfig);
    assert.notEqual((await k(['get', 'backend', 'example-service'])).code, 0);
    await until('route answers 500 (backend gone)', async () => (await request(`${fs.proxy}/`, { headers: { host: 'example.test' } })).status === 500);
  });
});
