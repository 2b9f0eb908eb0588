// --proxy-workers 2 through the real `switchyard serve`: more than one worker serves, a route
// change reaches every worker, a rate limit is one bucket for the whole process, the console and
// /metrics add up the workers, a killed worker is started again, and SIGTERM lets an in-flight
// request finish. Real node:http upstreams on loopback; every loop is bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServe, waitFor, type Serve } from '../security/lib';

let sy: Serve;
let up: http.Server;
let upPort = 0;

before(async () => {
  up = http.createServer((req, res) => {
    const delay = /[?&]delay=(\d+)/.exec(req.url ?? '')?.[1];
    const answer = () => res.end(`from ${req.headers.host} ${req.url}`);
    if (delay) setTimeout(answer, Number(delay));
    else answer();
  });
  await new Promise<void>((r) => up.listen(0, '127.0.0.1', () => r()));
  upPort = (up.address() as AddressInfo).port;
  sy = await startServe(['--proxy-workers', '2', '--log-level', 'debug']);
  await sy.backend('be', [{ ip: '127.0.0.1', port: upPort }]);
});

after(async () => {
  await sy?.stop();
  up?.closeAllConnections();
  await new Promise<void>((r) => up.close(() => r()));
});

/** one request on a new connection (so the kernel picks a worker each time) */
function get(port: number, path: string, host = 'w.test'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
  });
}

/** proxy_worker_requests_total by worker, from the apiserver's /metrics */
async function perWorker(): Promise<Record<string, number>> {
  const r = await sy.api.request('GET', '/metrics');
  assert.equal(r.status, 200);
  const out: Record<string, number> = {};
  for (const m of r.text.matchAll(/^proxy_worker_requests_total\{worker="(\d+)"\} (\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function workerPids(mainPid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === mainPid && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('worker_main.js')) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

test('two worker processes; requests on new connections are served by both (metrics per worker)', async () => {
  assert.equal(workerPids(sy.proc.child.pid!).length, 2, 'two worker processes under the main');
  await sy.route('spread', 'be', { hostnames: ['w.test'], prefix: '/spread' });
  await waitFor('routed', async () => (await get(sy.port, '/spread')).status === 200, 20_000);
  let counts: Record<string, number> = {};
  for (let i = 0; i < 20 && !(counts['1']! > 0 && counts['2']! > 0); i++) {
    const replies = await Promise.all(Array.from({ length: 20 }, () => get(sy.port, '/spread')));
    assert.deepEqual([...new Set(replies.map((r) => r.status))], [200]);
    counts = await perWorker();
  }
  assert.ok(counts['1']! > 0 && counts['2']! > 0, `both workers served: ${JSON.stringify(counts)}`);
});

test('a route change reaches every worker', async () => {
  await sy.route('late', 'be', { hostnames: ['late.test'], prefix: '/late' });
  await waitFor('routed', async () => (await get(sy.port, '/late', 'late.test')).status === 200, 20_000);
  const before = await perWorker();
  let now = before;
  for (let i = 0; i < 20 && !(now['1']! > before['1']! && now['2']! > before['2']!); i++) {
    const replies = await Promise.all(Array.from({ length: 20 }, () => get(sy.port, '/late', 'late.test')));
    for (const r of replies) assert.equal(r.status, 200, 'every worker routes the new HTTPRoute');
    now = await perWorker();
  }
  assert.ok(now['1']! > before['1']! && now['2']! > before['2']!, `both workers served the new route: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
});

test('a rate limit is one bucket for the whole process, not one per worker', async () => {
  await sy.route('limited', 'be', { hostnames: ['rl.test'], prefix: '/', rateLimit: 5 });
  // the first routed request takes a token too: count every 200 from here on
  await waitFor('routed', async () => (await get(sy.port, '/', 'rl.test')).status === 200, 20_000);
  const before = await perWorker();
  // rounds of 8 until both workers have answered some (the kernel picks the worker per connection),
  // bounded well inside the 12 s a 5/min bucket takes to earn its next token
  const replies = [];
  const started = Date.now();
  let after = before;
  for (let i = 0; i < 3 || (!(after['1']! > before['1']! && after['2']! > before['2']!) && Date.now() - started < 8_000); i++) {
    replies.push(...(await Promise.all(Array.from({ length: 8 }, () => get(sy.port, '/', 'rl.test')))));
    after = await perWorker();
  }
  const ok = replies.filter((r) => r.status === 200).length;
  assert.equal(ok, 4, `5 per minute for the process (one used while waiting for the route): ${replies.map((r) => r.status).join(',')}`);
  assert.equal(replies.length - ok, replies.filter((r) => r.status === 429).length);
  assert.ok(after['1']! > before['1']! && after['2']! > before['2']!, `both workers answered: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
});

test('the console stats and /metrics count every worker\'s requests', async () => {
  await sy.route('counted', 'be', { hostnames: ['count.test'], prefix: '/' });
  await waitFor('routed', async () => (await get(sy.port, '/', 'count.test')).status === 200, 20_000);
  const base = await sy.api.request('GET', '/console/api/stats');
  const total = (j: { routes: Array<{ key: string; total: { requests: number } }> }) => j.routes.find((r) => r.key.includes('counted'))?.total.requests ?? 0;
  const t0 = total(base.body);
  assert.ok(t0 >= 1, `the routed request is counted at once (workers flush before a report): ${JSON.stringify(base.body.routes.map((r: { key: string }) => r.key))}`);
  const w0 = await perWorker();
  const replies = await Promise.all(Array.from({ length: 30 }, () => get(sy.port, '/', 'count.test')));
  assert.deepEqual([...new Set(replies.map((r) => r.status))], [200]);
  const s = await sy.api.request('GET', '/console/api/stats');
  assert.equal(total(s.body), t0 + 30, 'the console counts all 30');
  const w1 = await perWorker();
  assert.equal(Object.values(w1).reduce((a, b) => a + b, 0) - Object.values(w0).reduce((a, b) => a + b, 0), 30, 'the workers\' counters add up to 30');
  const m = await sy.api.request('GET', '/metrics');
  const line = m.text.split('\n').find((l) => l.startsWith('proxy_requests_total{') && l.includes('counted') && l.includes('code="200"'));
  assert.ok(line && Number(line.split(' ').pop()) >= 31, `proxy_requests_total has the route's requests: ${line}`);
});

test('a killed worker is started again (logged) and the proxy keeps serving', async () => {
  const pids = workerPids(sy.proc.child.pid!);
  assert.equal(pids.length, 2);
  process.kill(pids[0]!, 'SIGKILL');
  await waitFor('the worker started again', () => sy.proc.logs().includes('proxy worker started again'), 20_000);
  assert.match(sy.proc.logs(), /proxy worker exited; starting it again/);
  const again = workerPids(sy.proc.child.pid!);
  assert.equal(again.length, 2);
  assert.ok(!again.includes(pids[0]!));
  const replies = await Promise.all(Array.from({ length: 20 }, () => get(sy.port, '/', 'count.test')));
  assert.deepEqual([...new Set(replies.map((r) => r.status))], [200], 'the new worker has the routes');
  const m = await sy.api.request('GET', '/metrics');
  assert.match(m.text, /^proxy_worker_restarts_total 1$/m);
});

test('after a restart, changes (deltas on the whole snapshot the new worker got) reach both workers, earlier routes kept', async () => {
  await sy.route('after-restart', 'be', { hostnames: ['again.test'], prefix: '/again' });
  await waitFor('routed', async () => (await get(sy.port, '/again', 'again.test')).status === 200, 20_000);
  await sy.route('after-restart-2', 'be', { hostnames: ['again2.test'], prefix: '/again2' });
  await waitFor('routed', async () => (await get(sy.port, '/again2', 'again2.test')).status === 200, 20_000);
  const before = await perWorker();
  let now = before;
  for (let i = 0; i < 20 && !(now['1']! > before['1']! && now['2']! > before['2']!); i++) {
    const replies = await Promise.all(Array.from({ length: 10 }, (_, k) => (k % 2 ? get(sy.port, '/again2', 'again2.test') : get(sy.port, '/spread'))));
    for (const r of replies) assert.equal(r.status, 200, 'the new route and an old one are served');
    now = await perWorker();
  }
  assert.ok(now['1']! > before['1']! && now['2']! > before['2']!, `both workers served: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
  const shipped = sy.proc.logs().split('\n').filter((l) => l.includes('snapshot shipped to the proxy workers'));
  assert.ok(shipped.some((l) => l.includes('"kind":"delta"')), `changes went out as deltas: ${shipped.slice(-3).join('\n')}`);
  assert.doesNotMatch(sy.proc.logs(), /snapshot swap failed/);
});

test('SIGTERM: every worker stops accepting, and a slow in-flight request still finishes', async () => {
  // several slow requests, so that (almost surely) both workers hold one
  const slow = Array.from({ length: 6 }, () => get(sy.port, '/spread?delay=1500'));
  await new Promise((r) => setTimeout(r, 300));
  const stopped = sy.proc.stop('SIGTERM');
  const done = await Promise.all(slow);
  for (const r of done) {
    assert.equal(r.status, 200);
    assert.match(r.body, /delay=1500/);
  }
  assert.equal(await stopped, 0, 'the process exits cleanly once drained');
  assert.equal(workerPids(sy.proc.child.pid!).length, 0, 'no worker left behind');
});
