// GRPCRoute through the real binary: kubectl apply (422 with upstream's messages for a bad method
// match), discovery and `kubectl get` columns, status parents[] (Accepted, ResolvedRefs), and
// routing to a real @grpc/grpc-js server behind an h2c Backend. The proxy's client side speaks
// HTTP/1.1 only so far (the HTTP/2 listener is another task), so the call is a gRPC-framed POST
// over HTTP/1.1 carrying the gRPC path and content type; the upstream leg is real gRPC over h2c.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import * as YAML from 'yaml';
import { request } from 'undici';
import { startServe, waitFor, type Serve } from './lib';

let s: Serve;
let server: grpc.Server;
let grpcPort = 0;
/** what the gRPC server saw per call */
const calls: Array<{ method: string; metadata: Record<string, unknown> }> = [];

const raw = {
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};

before(async () => {
  server = new grpc.Server();
  const svc = (name: string) => ({ path: `/helloworld.Greeter/${name}`, requestStream: false, responseStream: false, ...raw });
  const handler = (name: string) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
    calls.push({ method: name, metadata: call.metadata.getMap() });
    cb(null, Buffer.concat([Buffer.from(`${name}: hello `), call.request]));
  };
  server.addService({ SayHello: svc('SayHello'), SayGoodbye: svc('SayGoodbye') } as never, { SayHello: handler('SayHello'), SayGoodbye: handler('SayGoodbye') });
  grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  s = await startServe();
});

after(async () => {
  await s?.stop();
  server?.forceShutdown();
});

/** one length-prefixed gRPC message (uncompressed) */
const frame = (payload: string): Buffer => {
  const b = Buffer.alloc(5 + Buffer.byteLength(payload));
  b.writeUInt32BE(Buffer.byteLength(payload), 1);
  b.write(payload, 5);
  return b;
};

async function call(path: string, opts: { method?: string; contentType?: string; headers?: Record<string, string> } = {}) {
  const res = await request(`http://127.0.0.1:${s.proxyPort}${path}`, {
    method: (opts.method ?? 'POST') as 'POST',
    headers: { host: 'grpc.test', 'content-type': opts.contentType ?? 'application/grpc', te: 'trailers', ...(opts.headers ?? {}) },
    body: opts.method === 'GET' ? undefined : frame('world'),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

const apply = async (...docs: unknown[]) => {
  const r = await s.k(['apply', '-f', '-'], { input: docs.map((d) => YAML.stringify(d)).join('---\n') });
  return r;
};

test('GRPCRoute is served: discovery, apply, get with columns', async () => {
  const res = await s.k.ok(['api-resources', '--api-group=gateway.apoxy.dev', '-o', 'name']);
  assert.match(res, /^grpcroutes\.gateway\.apoxy\.dev$/m);
  const r = await apply(
    { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'greeter' }, spec: { protocol: 'h2c', endpoints: [{ ip: '127.0.0.1', port: grpcPort }] } },
    {
      apiVersion: 'gateway.apoxy.dev/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'greeter' },
      spec: {
        hostnames: ['grpc.test'],
        rules: [
          {
            matches: [{ method: { service: 'helloworld.Greeter', method: 'SayHello' } }],
            filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-via', value: 'grpcroute' }] } }],
            backendRefs: [{ name: 'greeter' }],
          },
        ],
      },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /grpcroute\.gateway\.apoxy\.dev\/greeter created/);
  const table = await s.k.ok(['get', 'grpcroutes', 'greeter']);
  assert.match(table, /NAME\s+HOSTNAMES\s+AGE/);
  assert.match(table, /greeter\s+grpc\.test/);
});

test('a gRPC call (POST, application/grpc, /helloworld.Greeter/SayHello) reaches the grpc-js server over h2c; other requests are not routed', async () => {
  const r = await waitFor(async () => {
    const r = await call('/helloworld.Greeter/SayHello');
    // until then the proxy answers the gRPC request itself (UNIMPLEMENTED in grpc-status)
    return (r.status === 404 || r.headers['grpc-status'] !== undefined ? undefined : r)!;
  }, 10_000, 'the GRPCRoute to be served');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/grpc/);
  // the response body is one gRPC message: 5-byte prefix + payload
  assert.equal(r.body.readUInt32BE(1), r.body.length - 5);
  assert.equal(r.body.subarray(5).toString(), 'SayHello: hello world');
  assert.equal(calls.at(-1)!.method, 'SayHello');
  assert.equal(calls.at(-1)!.metadata['x-via'], 'grpcroute', 'the rule filter applied');
  const n = calls.length;
  // positive control above; these are not gRPC calls to the matched method
  // a gRPC request the proxy cannot route is answered as gRPC (issue 17): HTTP 200, grpc-status 12 UNIMPLEMENTED
  const unimplemented = (r: { status: number; headers: Record<string, unknown> }) => r.status === 200 && r.headers['grpc-status'] === '12';
  assert.ok(unimplemented(await call('/helloworld.Greeter/SayHello', { method: 'GET' })), 'GET');
  assert.equal((await call('/helloworld.Greeter/SayHello', { contentType: 'application/json' })).status, 404, 'not gRPC: a plain 404');
  assert.ok(unimplemented(await call('/helloworld.Greeter/SayGoodbye')), 'another method');
  assert.equal(calls.length, n);
});

test('status parents[]: Accepted and ResolvedRefs; a missing Backend is ResolvedRefs=False BackendNotFound', async () => {
  type St = { status?: { parents?: Array<{ parentRef: { name: string }; controllerName: string; conditions: Array<{ type: string; status: string; reason: string }> }> } };
  const get = async (name: string) => JSON.parse(await s.k.ok(['get', 'grpcroutes', name, '-o', 'json'])) as St;
  const ok = await waitFor(async () => {
    const o = await get('greeter');
    return (o.status?.parents?.length ? o : undefined)!;
  }, 10_000, 'greeter status');
  const c = Object.fromEntries(ok.status!.parents![0]!.conditions.map((x) => [x.type, x]));
  assert.equal(c.Accepted!.status, 'True');
  assert.equal(c.ResolvedRefs!.status, 'True');
  const r = await apply({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GRPCRoute', metadata: { name: 'orphan' }, spec: { hostnames: ['orphan.test'], rules: [{ backendRefs: [{ name: 'nope' }] }] } });
  assert.equal(r.code, 0, r.stderr);
  const bad = await waitFor(async () => {
    const o = await get('orphan');
    const rr = o.status?.parents?.[0]?.conditions.find((x) => x.type === 'ResolvedRefs');
    return (rr?.status === 'False' ? rr : undefined)!;
  }, 10_000, 'orphan ResolvedRefs=False');
  assert.equal(bad.reason, 'BackendNotFound');
});

test("a method match with neither service nor method is refused with upstream's message", async () => {
  const r = await apply({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GRPCRoute', metadata: { name: 'bad' }, spec: { rules: [{ matches: [{ method: { type: 'Exact' } }] }] } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec\.rules\[0\]\.matches\[0\]\.method/);
  assert.match(r.stderr, /One or both of 'service' or 'method' must be specified/);
  const chars = await apply({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GRPCRoute', metadata: { name: 'bad2' }, spec: { rules: [{ matches: [{ method: { service: 'a/b' } }] }] } });
  assert.notEqual(chars.code, 0);
  assert.match(chars.stderr, /service must only contain valid characters/);
});
