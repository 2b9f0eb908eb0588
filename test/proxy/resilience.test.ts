// Resilience through the real data plane: failover with and without retries, active and passive
// health, retry on status codes, request / backendRequest timeouts, the circuit breaker, rate
// limiting per client IP, soft and hard connection limits. Real node:http upstreams on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { Upstream, answer, backend, defaultAgent, rule, send, sleep, slow, startTestProxy, tally, translated, until, type Reply } from './lib';

let A: Upstream, B: Upstream;

before(async () => {
  [A, B] = await Promise.all(['A', 'B'].map((n) => Upstream.start(n)));
});

after(async () => {
  await Promise.all([A, B].map((u) => u.close()));
  await defaultAgent.close();
});

function reset(): void {
  for (const u of [A, B]) {
    u.handler = null;
    u.healthStatus = 200;
  }
}

const retry = (attempts: number, codes: number[], backoffMs = 5) => ({ attempts, codes, backoffMs, maxBackoffMs: 50, idempotentOnly: false });

test('failover: a dead endpoint is retried on the other one, with the route\'s retry or without it (a connect failure is retried once); all dead → 502', async () => {
  const be = backend('be', [A, B]);
  const p = await startTestProxy([rule('with', { hostnames: ['with.test'], to: ['be'], retry: retry(1, [503]) }), rule('without', { hostnames: ['without.test'], to: ['be'] })], [be]);
  try {
    assert.equal((await send(p.base, '/', { host: 'with.test' })).status, 200);
    await A.kill();
    const withRetry = await tally(20, () => send(p.base, '/', { host: 'with.test' }));
    assert.deepEqual(withRetry, { B: 20 }, 'connect refused → retried on B');
    // DESIGN (edge on a hostile network): nothing was sent, so one retry elsewhere is safe whatever `retry` says
    const without = await tally(10, () => send(p.base, '/', { host: 'without.test' }));
    assert.deepEqual(without, { B: 10 }, JSON.stringify(without));
    await B.kill();
    const r = await until('a 502 body', async () => {
      const x = await send(p.base, '/', { host: 'without.test' });
      return x.status === 502 ? x.text : '';
    });
    assert.match(r, /upstream connect error/);
  } finally {
    await A.revive();
    await B.revive();
    await p.close();
  }
});

test('active health check ejects an endpoint whose /health answers 500 and brings it back', async () => {
  const be = backend('be', [A, B], { activeHealthCheck: { path: '/health', intervalMs: 100, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 2 } });
  const p = await startTestProxy([rule('hc', { to: ['be'] })], [be]);
  try {
    await until('probes reach A', () => A.healthHits >= 2, 3000);
    assert.deepEqual(await tally(10, () => send(p.base, '/')), { A: 5, B: 5 });
    A.healthStatus = 500;
    await until('A is marked unhealthy', () => p.proxy.dataPlane.backends.get('be')!.states[0]!.healthy === false, 3000);
    assert.deepEqual(await tally(20, () => send(p.base, '/')), { B: 20 }, 'no traffic to an unhealthy endpoint');
    A.healthStatus = 200;
    await until('A takes traffic again', async () => (await send(p.base, '/')).upstream === 'A', 3000);
    // both unhealthy → 503
    A.healthStatus = 500;
    B.healthStatus = 500;
    await until('all unhealthy → 503', async () => (await send(p.base, '/')).status === 503, 3000);
  } finally {
    reset();
    await p.close();
  }
});

test('passive health: consecutive failures eject an endpoint for a while', async () => {
  const be = backend('be', [A, B], { passiveHealthCheck: { consecutiveFailures: 3, ejectionMs: 800 } });
  const p = await startTestProxy([rule('ph', { to: ['be'] })], [be]);
  A.handler = answer(500);
  try {
    const first = await tally(6, () => send(p.base, '/'));
    assert.deepEqual(first, { 'status:500': 3, B: 3 }, 'A answers its own 500s until ejected');
    const ejectedAt = Date.now();
    const during = await tally(10, () => send(p.base, '/'));
    assert.ok(Date.now() - ejectedAt < 800, 'still within the ejection');
    assert.deepEqual(during, { B: 10 });
    await sleep(850);
    const afterwards = await tally(4, () => send(p.base, '/'));
    assert.ok((afterwards['status:500'] ?? 0) >= 1, `A is back after the ejection: ${JSON.stringify(afterwards)}`);
  } finally {
    reset();
    await p.close();
  }
});

test('retry on 503: the client sees the success; when retries run out it sees the upstream’s last 503', async () => {
  const p = await startTestProxy(
    [rule('two', { hostnames: ['two.test'], to: ['both'], retry: retry(2, [503]) }), rule('one', { hostnames: ['one.test'], to: ['onlyA'], retry: retry(2, [503]) })],
    [backend('both', [A, B]), backend('onlyA', [A])],
  );
  let n = 0;
  A.handler = (req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      (res as import('node:http').ServerResponse).writeHead(503, { 'x-upstream': 'A', 'x-attempt': String(n), 'content-type': 'text/plain' });
      res.end(`A is overloaded (${n})`);
    });
  };
  try {
    assert.deepEqual(await tally(10, () => send(p.base, '/', { host: 'two.test' })), { B: 10 });
    const a0 = A.hits;
    n = 0;
    const r = await send(p.base, '/', { host: 'one.test' });
    assert.equal(r.status, 503);
    assert.equal(r.upstream, 'A', 'the upstream’s answer, not a proxy-made one');
    assert.equal(r.text, 'A is overloaded (3)');
    assert.equal(r.headers['x-attempt'], '3');
    assert.equal(A.hits - a0, 3, 'first try + 2 retries');
    // a code not in the list is not retried
    A.handler = answer(502, 'bad gateway from A');
    const a1 = A.hits;
    const r2 = await send(p.base, '/', { host: 'one.test' });
    assert.equal(r2.status, 502);
    assert.equal(A.hits - a1, 1);
    // a request with a body is not replayed
    A.handler = answer(503);
    const a2 = A.hits;
    assert.equal((await send(p.base, '/', { host: 'one.test', method: 'POST', body: 'payload' })).status, 503);
    assert.equal(A.hits - a2, 1);
  } finally {
    reset();
    await p.close();
  }
});

test('timeouts.request → 504 (and `0s` disables it); backendRequest timeout → 504 or retried', async () => {
  const t = translated(
    [
      { metadata: { name: 'a' }, spec: { endpoints: [{ ip: '127.0.0.1', port: A.port }] } },
      { metadata: { name: 'ab' }, spec: { endpoints: [{ ip: '127.0.0.1', port: A.port }, { ip: '127.0.0.1', port: B.port }] } },
    ],
    [
      {
        metadata: { name: 'timeouts' },
        spec: {
          rules: [
            { matches: [{ path: { type: 'PathPrefix', value: '/req' } }], timeouts: { request: '250ms' }, backendRefs: [{ name: 'a' }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/zero' } }], timeouts: { request: '0s' }, backendRefs: [{ name: 'a' }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/be' } }], timeouts: { backendRequest: '200ms' }, backendRefs: [{ name: 'a' }] },
            { matches: [{ path: { type: 'PathPrefix', value: '/be-retry' } }], timeouts: { request: '3s', backendRequest: '200ms' }, retry: { attempts: 1, codes: [504], backoff: '10ms' }, backendRefs: [{ name: 'ab' }] },
          ],
        },
      } as never,
    ],
  );
  const p = await startTestProxy(t.rules, t.backends);
  A.handler = slow(900);
  try {
    let t0 = Date.now();
    const r = await send(p.base, '/req');
    assert.equal(r.status, 504);
    assert.ok(Date.now() - t0 < 800, `504 after ${Date.now() - t0} ms`);
    t0 = Date.now();
    const z = await send(p.base, '/zero');
    assert.equal(z.status, 200, '0s disables the request timeout');
    assert.ok(Date.now() - t0 >= 850);
    t0 = Date.now();
    const be = await send(p.base, '/be');
    assert.equal(be.status, 504);
    assert.ok(Date.now() - t0 < 800);
    // backendRequest bounds one attempt: a slow A is retried on B within the request timeout
    const results = await tally(4, () => send(p.base, '/be-retry'));
    assert.deepEqual(results, { B: 4 });
  } finally {
    reset();
    await p.close();
  }
});

test('circuit breaker: opens after N failures (503 while open), half-open lets one probe through, closes', async () => {
  const be = backend('be', [A], { circuitBreaker: { consecutiveFailures: 3, openMs: 600, closeAfterSuccesses: 1 } });
  const p = await startTestProxy([rule('cb', { to: ['be'] })], [be]);
  A.handler = answer(500);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await send(p.base, '/')).status, 500);
    const a0 = A.hits;
    const open = await send(p.base, '/');
    assert.equal(open.status, 503, 'open: the proxy answers');
    assert.equal(open.upstream, '');
    assert.equal(A.hits, a0, 'nothing reaches the upstream while open');
    // half-open, the probe fails → open again
    await sleep(650);
    assert.equal((await send(p.base, '/')).status, 500, 'the probe reaches the upstream');
    assert.equal((await send(p.base, '/')).status, 503, 'a failed probe reopens');
    // half-open, one probe at a time, the probe succeeds → closed
    A.handler = slow(200);
    await sleep(650);
    const concurrent = await Promise.all([0, 1, 2].map(async (i) => {
      await sleep(i * 20);
      return send(p.base, '/');
    }));
    assert.deepEqual(concurrent.map((r) => r.status).sort(), [200, 503, 503], 'one probe at a time');
    const closed = await tally(5, () => send(p.base, '/'));
    assert.deepEqual(closed, { A: 5 }, 'closed again');
  } finally {
    reset();
    await p.close();
  }
});

test('rate limit: 429 with Retry-After, per client IP (127.0.0.1 vs 127.0.0.2) and shared', async () => {
  const p = await startTestProxy(
    [
      rule('per', { hostnames: ['per.test'], to: ['be'], rateLimit: { requestsPerMinute: 3, perClientIP: true } }),
      rule('shared', { hostnames: ['shared.test'], to: ['be'], rateLimit: { requestsPerMinute: 3, perClientIP: false } }),
    ],
    [backend('be', [A])],
  );
  const one = new Agent({ localAddress: '127.0.0.1' });
  const two = new Agent({ localAddress: '127.0.0.2' });
  try {
    const statuses = async (agent: Agent, host: string, n: number) => {
      const out: Reply[] = [];
      for (let i = 0; i < n; i++) out.push(await send(p.base, '/', { host, dispatcher: agent }));
      return out;
    };
    const a = await statuses(one, 'per.test', 4);
    assert.deepEqual(a.map((r) => r.status), [200, 200, 200, 429]);
    const ra = Number(a[3].headers['retry-after']);
    assert.ok(ra >= 1 && ra <= 60, `Retry-After ${a[3].headers['retry-after']}`);
    assert.equal(a[0].json().headers['x-forwarded-for'], '127.0.0.1');
    const b = await statuses(two, 'per.test', 4);
    assert.equal(b[0].json().headers['x-forwarded-for'], '127.0.0.2', 'the second client really comes from 127.0.0.2');
    assert.deepEqual(b.map((r) => r.status), [200, 200, 200, 429], 'another client IP has its own bucket');
    const s1 = await statuses(one, 'shared.test', 2);
    const s2 = await statuses(two, 'shared.test', 2);
    assert.deepEqual([...s1, ...s2].map((r) => r.status), [200, 200, 200, 429], 'one bucket for everyone');
    // a snapshot swap with the same limit keeps the buckets (no fresh burst)
    await p.set(p.proxy.snapshot.rules, Object.values(p.proxy.snapshot.backends));
    assert.equal((await send(p.base, '/', { host: 'per.test', dispatcher: one })).status, 429);
  } finally {
    await one.close();
    await two.close();
    await p.close();
  }
});

test('hard limit: a full endpoint is skipped; all at the hard limit → 503. Soft limit: preferred below, used above', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  A.handler = slow(5000, held);
  B.handler = slow(5000, held);
  const eps = [{ port: A.port, weight: 100 }, { port: B.port, weight: 1 }];
  const p = await startTestProxy(
    [rule('hard', { hostnames: ['hard.test'], to: ['hard'] }), rule('soft', { hostnames: ['soft.test'], to: ['soft'] })],
    [backend('hard', eps, { circuitBreaker: { maxConnections: 1 } }), backend('soft', eps, { circuitBreaker: { softLimit: 1 } })],
  );
  try {
    const a0 = A.hits;
    const b0 = B.hits;
    const h1 = send(p.base, '/', { host: 'hard.test' });
    await until('A holds one', () => A.hits === a0 + 1, 2000, 5);
    const h2 = send(p.base, '/', { host: 'hard.test' });
    await until('B holds one (A at its hard limit)', () => B.hits === b0 + 1, 2000, 5);
    const h3 = await send(p.base, '/', { host: 'hard.test' });
    assert.equal(h3.status, 503, 'every endpoint at its hard limit');
    const s1 = send(p.base, '/', { host: 'soft.test' });
    await until('A holds a soft request', () => A.hits === a0 + 2, 2000, 5);
    const s2 = send(p.base, '/', { host: 'soft.test' });
    await until('B takes the next (A at its soft limit)', () => B.hits === b0 + 2, 2000, 5);
    const s3 = send(p.base, '/', { host: 'soft.test' });
    await until('above every soft limit the request is still served (by weight: A)', () => A.hits === a0 + 3, 2000, 5);
    release();
    const done = await Promise.all([h1, h2, s1, s2, s3]);
    assert.deepEqual(done.map((r) => r.upstream), ['A', 'B', 'A', 'B', 'A']);
    assert.equal((await send(p.base, '/', { host: 'hard.test' })).status, 200, 'limits free up');
  } finally {
    release();
    reset();
    await p.close();
  }
});

test('a client that goes away frees the endpoint (in-flight count) and the upstream request is aborted', async () => {
  const p = await startTestProxy([rule('gone', { to: ['be'] })], [backend('be', [A], { circuitBreaker: { maxConnections: 1 } })]);
  let upstreamAborted = 0;
  A.handler = (req, res) => {
    req.resume();
    res.on('close', () => {
      if (!res.writableFinished) upstreamAborted++;
    }); // never answers by itself
  };
  try {
    const state = p.proxy.dataPlane.backends.get('be')!.states[0]!;
    const ac = new AbortController();
    const aborted = request(`${p.base}/`, { signal: ac.signal, dispatcher: defaultAgent }).catch((e: Error) => e);
    await until('the request is in flight upstream', () => state.active === 1 && A.hits > 0, 2000, 5);
    assert.equal((await send(p.base, '/')).status, 503, 'at the hard limit meanwhile');
    ac.abort();
    assert.ok((await aborted) instanceof Error);
    await until('the endpoint is free again', () => state.active === 0, 2000, 5);
    await until('the upstream request was aborted too', () => upstreamAborted === 1, 2000, 5);
    A.handler = null;
    assert.equal((await send(p.base, '/')).status, 200, 'not stuck at the hard limit');
  } finally {
    reset();
    await p.close();
  }
});

test('request timeout after the response started: the client connection is cut, not left hanging', async () => {
  const p = await startTestProxy([rule('stream', { to: ['be'], timeouts: { requestMs: 300 } })], [backend('be', [A])]);
  A.handler = (req, res) => {
    req.resume();
    const sres = res as import('node:http').ServerResponse;
    sres.writeHead(200, { 'x-upstream': 'A' });
    sres.write('partial');
    // …and never ends
  };
  try {
    const t0 = Date.now();
    const r = await send(p.base, '/').then(
      () => 'completed',
      (e: Error) => e.message,
    );
    assert.notEqual(r, 'completed');
    assert.ok(Date.now() - t0 < 3000, `cut after ${Date.now() - t0} ms`);
  } finally {
    reset();
    await p.close();
  }
});
