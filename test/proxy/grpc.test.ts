// gRPC end to end (issue 17) with a real @grpc/grpc-js client and server: through switchyard over
// h2c (prior knowledge) and over TLS (h2 by ALPN), to an h2c Backend and to a verified h2 (TLS)
// Backend. Unary, server streaming, the server's status codes and messages passed through in the
// trailers, and the proxy's own errors answered as gRPC statuses (UNAVAILABLE for a dead upstream,
// UNIMPLEMENTED for no route, DEADLINE_EXCEEDED for a route timeout, RESOURCE_EXHAUSTED for a rate limit).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { backend, exact, prefix, rule, startTestProxy, tlsMaterial, type TestProxy } from './lib';
import { freePort } from '../harness/ports';
import { createCA, createServingCert } from '../../pkg/certs/selfsigned';
import { UpstreamTrust } from '../../pkg/proxy/upstream/tls';

// a JSON codec keeps the test free of .proto files; the wire is gRPC all the same
const ser = (v: unknown) => Buffer.from(JSON.stringify(v));
const de = (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>;
const service: grpc.ServiceDefinition = {
  Say: { path: '/test.Echo/Say', requestStream: false, responseStream: false, requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de },
  Slow: { path: '/test.Echo/Slow', requestStream: false, responseStream: false, requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de },
  Count: { path: '/test.Echo/Count', requestStream: false, responseStream: true, requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de },
};
const Client = grpc.makeGenericClientConstructor(service, 'Echo');
type AnyClient = grpc.Client & Record<string, (...a: unknown[]) => unknown>;

async function startServer(creds: grpc.ServerCredentials): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(service, {
    Say: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      if (call.request.name === 'missing') return cb({ code: grpc.status.NOT_FOUND, details: 'no such name: missing' });
      const md = new grpc.Metadata();
      md.set('x-served-by', 'grpc-up');
      cb(null, { hello: call.request.name }, md);
    },
    Slow: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const t = setTimeout(() => cb(null, { late: true }), 3_000);
      t.unref();
    },
    Count: (call: grpc.ServerWritableStream<{ n: number }, unknown>) => {
      for (let i = 0; i < call.request.n; i++) call.write({ i });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
  return { server, port };
}

function unary(c: AnyClient, method: string, req: unknown, deadlineMs = 10_000): Promise<{ res?: Record<string, unknown>; err?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    c[method](req, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: Record<string, unknown>) => resolve(err ? { err } : { res }));
  });
}

function stream(c: AnyClient, n: number): Promise<{ items: unknown[]; status: grpc.StatusObject }> {
  return new Promise((resolve, reject) => {
    const items: unknown[] = [];
    const call = c.Count({ n }, { deadline: Date.now() + 10_000 }) as grpc.ClientReadableStream<unknown>;
    let status: grpc.StatusObject | undefined;
    call.on('data', (d) => items.push(d));
    call.on('status', (s) => (status = s));
    call.on('error', reject);
    call.on('end', () => setImmediate(() => resolve({ items, status: status! })));
  });
}

describe('gRPC through switchyard (grpc-js client and server)', () => {
  const ca = createCA('grpc-test-ca');
  const serving = createServingCert(ca, ['127.0.0.1', 'localhost'], 'switchyard-proxy');
  let plain: { server: grpc.Server; port: number };
  let secure: { server: grpc.Server; port: number };
  let tp: TestProxy;
  let tlsPort = 0;
  let deadPort = 0;
  const clients: grpc.Client[] = [];
  const h2c = (): AnyClient => {
    const c = new Client(`127.0.0.1:${tp.port}`, grpc.credentials.createInsecure()) as unknown as AnyClient;
    clients.push(c);
    return c;
  };

  before(async () => {
    plain = await startServer(grpc.ServerCredentials.createInsecure());
    const m = tlsMaterial();
    secure = await startServer(grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(m.key), cert_chain: Buffer.from(m.cert) }]));
    deadPort = await freePort();
    tlsPort = await freePort();
    tp = await startTestProxy(
      [
        rule('grpc-tls-up', { matches: [prefix('/test.Echo/', { headers: [{ name: 'x-via', type: 'Exact', value: 'h2-backend' }] })], to: ['g-h2'] }),
        rule('grpc-slow', { matches: [exact('/test.Echo/Slow')], to: ['g'], timeouts: { requestMs: 200 } }),
        rule('grpc', { matches: [prefix('/test.Echo/')], to: ['g'] }),
        rule('grpc-dead', { matches: [prefix('/dead.Service/')], to: ['dead'] }),
        rule('grpc-limited', { matches: [prefix('/limited.Service/')], to: ['g'], rateLimit: { requestsPerMinute: 1, perClientIP: true } }),
      ],
      [
        backend('g', [plain.port], { protocol: 'h2c' }),
        backend('g-h2', [{ port: secure.port, host: 'localhost' }], { protocol: 'h2' }),
        backend('dead', [deadPort], { protocol: 'h2c' }),
      ],
      { tls: { certificate: serving, listen: { host: '127.0.0.1', port: tlsPort } }, upstreamTrust: new UpstreamTrust([m.ca]) },
    );
  });
  after(async () => {
    for (const c of clients) c.close();
    await tp?.close();
    plain?.server.forceShutdown();
    secure?.server.forceShutdown();
  });

  it('unary over h2c', async () => {
    const { res, err } = await unary(h2c(), 'Say', { name: 'ada' });
    assert.equal(err, undefined, err?.message);
    assert.equal(res!.hello, 'ada');
  });

  it('server streaming over h2c: every message, then OK in the trailers', async () => {
    const { items, status } = await stream(h2c(), 50);
    assert.equal(items.length, 50);
    assert.deepEqual(items[49], { i: 49 });
    assert.equal(status.code, grpc.status.OK);
  });

  it('the server status code and message pass through the trailers (NOT_FOUND)', async () => {
    const { err } = await unary(h2c(), 'Say', { name: 'missing' });
    assert.equal(err?.code, grpc.status.NOT_FOUND, err?.details);
    assert.equal(err?.details, 'no such name: missing');
  });

  it('no healthy upstream / connect failure → UNAVAILABLE from the proxy', async () => {
    const c = new grpc.Client(`127.0.0.1:${tp.port}`, grpc.credentials.createInsecure());
    clients.push(c);
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      c.makeUnaryRequest('/dead.Service/Call', ser, de, {}, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (e) => resolve(e!)),
    );
    assert.equal(err.code, grpc.status.UNAVAILABLE, err.details);
    assert.match(err.details, /upstream|connect/i);
  });

  it('no route → UNIMPLEMENTED; a route timeout → DEADLINE_EXCEEDED; a rate limit → RESOURCE_EXHAUSTED', async () => {
    const c = new grpc.Client(`127.0.0.1:${tp.port}`, grpc.credentials.createInsecure());
    clients.push(c);
    const call = (path: string) =>
      new Promise<grpc.ServiceError | null>((resolve) => c.makeUnaryRequest(path, ser, de, {}, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (e) => resolve(e)));
    assert.equal((await call('/nowhere.Service/Call'))?.code, grpc.status.UNIMPLEMENTED);
    assert.equal((await unary(h2c(), 'Slow', {})).err?.code, grpc.status.DEADLINE_EXCEEDED);
    const first = await call('/limited.Service/Say');
    assert.notEqual(first?.code, grpc.status.RESOURCE_EXHAUSTED, 'the first call is within the limit');
    assert.equal((await call('/limited.Service/Say'))?.code, grpc.status.RESOURCE_EXHAUSTED);
  });

  it('over TLS (h2 by ALPN) to the proxy, unary and streaming, and on to a verified h2 (TLS) Backend', async () => {
    const c = new Client(`127.0.0.1:${tlsPort}`, grpc.credentials.createSsl(Buffer.from(ca.cert))) as unknown as AnyClient;
    clients.push(c);
    const { res, err } = await unary(c, 'Say', { name: 'tls' });
    assert.equal(err, undefined, err?.message);
    assert.equal(res!.hello, 'tls');
    const { items, status } = await stream(c, 10);
    assert.equal(items.length, 10);
    assert.equal(status.code, grpc.status.OK);
    const md = new grpc.Metadata();
    md.set('x-via', 'h2-backend');
    const viaH2 = await new Promise<{ err: grpc.ServiceError | null; res: Record<string, unknown> }>((resolve) =>
      (c.Say as (...a: unknown[]) => void)({ name: 'over-h2' }, md, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, res: Record<string, unknown>) => resolve({ err, res })),
    );
    assert.equal(viaH2.err, null, viaH2.err?.message);
    assert.equal(viaH2.res.hello, 'over-h2');
  });
});
