// Client faults never count against an upstream. Before: `Expect: 100-continue` (curl's default above
// 1 MiB) and a duplicate Host made undici refuse the request, the proxy answered 502 and counted it
// against the endpoint, and three such requests opened the circuit breaker: every client got
// `503 no healthy upstream` for 30 s. Now Expect is handled by the proxy (100 Continue, header not
// forwarded) and the request is forwarded; what undici refuses is a 400; the breaker stays closed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../harness/tmp';
import { BACKENDS, ROUTES, backendObj, create, raw, request, routeObj, startServe, until, upstream, type Serve, type TestUpstream } from './upstream_lib';

const BAD = 6;

describe('security: client faults never trip an upstream', { timeout: 120_000 }, () => {
  let sy: Serve;
  let up: TestUpstream;

  before(async () => {
    up = await upstream('ok');
    sy = await startServe();
    // a hair-trigger breaker and passive ejection: any fault counted against the endpoint shows
    await create(sy.api, BACKENDS, backendObj('cf', [{ ip: '127.0.0.1', port: up.port }], {
      circuitBreaker: { consecutiveFailures: 3, openDuration: '30s' },
      healthCheck: { passive: { consecutiveFailures: 3, ejectionTime: '30s' } },
    }));
    await create(sy.api, ROUTES, routeObj('cf', 'cf.test', [{ name: 'cf' }]));
    await until('the route is served', async () => (await request(sy.proxyPort, 'cf.test', '/')).status === 200, 30_000);
  });

  after(async () => {
    await sy?.close();
    await up?.close();
  });

  it('Expect: 100-continue: the proxy answers 100 itself and forwards the request (never 502)', async () => {
    const hitsBefore = up.hits;
    for (let i = 0; i < BAD; i++) {
      const body = `hello-${i}`;
      const r = await raw(sy.proxyPort, `POST /expect HTTP/1.1\r\nHost: cf.test\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, {
        then: (s) => s.write(body),
      });
      assert.deepEqual(r.statuses, [100, 200], `request ${i}: ${r.text.slice(0, 300)}`);
    }
    assert.equal(up.hits - hitsBefore, BAD, 'every request reached the upstream');
    assert.ok(up.bodies.includes(`hello-${BAD - 1}`), 'with its body');
    // positive control: the same route, a normal request
    assert.equal((await request(sy.proxyPort, 'cf.test', '/')).status, 200);
  });

  it('curl above 1 MiB (Expect: 100-continue by default) gets 200 with the whole body upstream', async () => {
    const dir = tempDir('switchyard-curl-');
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, Buffer.alloc(1536 * 1024, 'a'));
    const out = await new Promise<string>((resolve, reject) =>
      execFile('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: cf.test', '--data-binary', `@${file}`, '--max-time', '20', `http://127.0.0.1:${sy.proxyPort}/big`], (err, stdout, stderr) => (err ? reject(new Error(`${err.message} ${stderr}`)) : resolve(stdout))),
    );
    assert.equal(out, '200');
    assert.equal(up.bodies[up.bodies.length - 1]!.length, 1536 * 1024);
  });

  it(`${BAD} requests with a duplicate Host get 400; then another client still gets 200`, async () => {
    const hitsBefore = up.hits;
    for (let i = 0; i < BAD; i++) {
      const r = await raw(sy.proxyPort, `GET /dup HTTP/1.1\r\nHost: cf.test\r\nHost: other.test\r\nConnection: close\r\n\r\n`);
      assert.equal(r.statuses[0], 400, `request ${i}: ${r.text.slice(0, 300)}`);
    }
    assert.equal(up.hits, hitsBefore, 'nothing reached the upstream');
    const ok = await request(sy.proxyPort, 'cf.test', '/after');
    assert.equal(ok.status, 200, `a good request after the bad ones: ${ok.status} ${ok.body}`);
    assert.equal(ok.headers['x-upstream'], 'ok');
  });

  it('a client that leaves mid-body does not count against the endpoint either', async () => {
    for (let i = 0; i < BAD; i++) {
      await raw(sy.proxyPort, `POST /partial HTTP/1.1\r\nHost: cf.test\r\nContent-Length: 1000\r\n\r\nx`, { waitMs: 150 });
    }
    for (let i = 0; i < 5; i++) assert.equal((await request(sy.proxyPort, 'cf.test', `/good-${i}`)).status, 200);
  });
});
