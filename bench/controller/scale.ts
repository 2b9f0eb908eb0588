// The controller at scale, on the real binary (`switchyard serve`, SQLite, temp data dir): creates
// N Backends (default 10,000) and some HTTPRoutes through the API, then measures
//   (a) apply → routed: a new HTTPRoute created, then the proxy port polled until it routes
//       (p50/p99 over --changes routes, one at a time, with all N Backends loaded);
//   (b) the server's CPU (one core = 100 %) during a steady stream of updates that cannot change
//       the routing snapshot: edgeProxy-style heartbeat annotations and status-only writes,
//       and how many snapshot rebuilds they caused (should be none);
//   (c) reconcile time: the controller's own log of each full pass (`controller reconciled`),
//       and, in this process on a synthetic world of the same size, the old path (full translate +
//       canonicalJSON of the snapshot, what every event cost before) against an incremental build.
// The recorded numbers from before the incremental controller: 1–2 s per reconcile at 10,000
// Backends, one per Backend event (status writes and heartbeats included).
//   node dist/bench/controller/scale.js [--backends 10000] [--routes 50] [--changes 20]
//        [--stream-seconds 10] [--stream-rate 200] [--bound-seconds 900] [--only server|in-process]
// With BENCH_JSON set, rows {bench:'controller', case, metric, unit, value} are appended to it.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { freePort } from '../../test/harness/ports';
import { startSwitchyard, type SwitchyardProcess } from '../../test/harness/switchyard';
import { emit, type BenchRow } from '../lib/report';
import { translate, IncrementalTranslator } from '../../pkg/controller/translate';
import { canonicalJSON } from '../../pkg/storage/codec';
import { compileDataPlane } from '../../pkg/proxy/dataplane';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';
import { arg } from '../lib/args';

const QUICK = process.env.BENCH_QUICK === '1';
const N = Number(arg('backends', '10000'));
const ROUTES = Number(arg('routes', '50'));
const CHANGES = Number(arg('changes', '20'));
const STREAM_S = Number(arg('stream-seconds', QUICK ? '5' : '10'));
const STREAM_RATE = Number(arg('stream-rate', '200'));
const BOUND_S = Number(arg('bound-seconds', '900'));
const CONCURRENCY = 16;
/** --only server | in-process: one half of the bench */
const ONLY = arg('only', '');

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const deadline = Date.now() + BOUND_S * 1000;
const timeLeft = () => deadline - Date.now();

const rows: BenchRow[] = [];
function record(kase: string, metric: string, unit: string, value: number | null, note?: string): void {
  const r: BenchRow = { bench: 'controller', case: kase, metric, unit, value, ...(note ? { note } : {}) };
  rows.push(r);
  emit(r);
  log(`  ${kase}: ${metric} = ${value === null ? '—' : +value.toFixed(2)} ${unit}${note ? ` (${note})` : ''}`);
}

function pct(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const TICKS_PER_S = 100;

/** CPU % of pid (one core = 100) while fn runs */
async function cpuDuring(pid: number, fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const c0 = cpuTicks(pid);
  await fn();
  const c1 = cpuTicks(pid);
  return (((c1 - c0) / TICKS_PER_S) * 1000 * 100) / (performance.now() - t0);
}

interface Reconciled {
  ms: number;
  published: boolean;
  backendsTranslated: number;
}
/** the controller's `controller reconciled` log lines so far */
function reconciles(sy: SwitchyardProcess): Reconciled[] {
  const out: Reconciled[] = [];
  for (const line of sy.logs().split('\n')) {
    if (!line.includes('"controller reconciled"')) continue;
    try {
      out.push(JSON.parse(line) as Reconciled);
    } catch {
      /* a line cut in the middle */
    }
  }
  return out;
}

class Api {
  constructor(
    private readonly sy: SwitchyardProcess,
    private readonly agent: Agent,
  ) {}
  async call(method: 'POST' | 'PATCH' | 'GET', path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
    const res = await request(`${this.sy.apiURL}${path}`, {
      method,
      dispatcher: this.agent,
      headers: { authorization: `Bearer ${this.sy.adminToken}`, 'content-type': contentType, accept: 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
  }
}

const BACKENDS = '/apis/core.apoxy.dev/v1alpha2/backends';
const ROUTES_PATH = '/apis/gateway.apoxy.dev/v1/httproutes';

function backend(i: number, upstreamPort: number): Backend {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name: `b${i}`, labels: { app: `app${i % 100}`, region: ['eu', 'us', 'sa'][i % 3]! }, annotations: { 'switchyard.dev/edge-heartbeat': new Date().toISOString() } },
    spec: { endpoints: [{ ip: '127.0.0.1', port: upstreamPort }, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080, weight: 0 }], circuitBreaker: { maxConnections: 100, softLimit: 50 } },
  };
}

function route(name: string, host: string, backendName: string): HTTPRoute {
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: { name },
    spec: { hostnames: [host], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: backendName }] }] },
  };
}

/** run fn(i) for i in [0, n) with `concurrency` in flight */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

function getStatus(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function untilRouted(proxyPort: number, host: string, maxMs: number): Promise<boolean> {
  const end = performance.now() + maxMs;
  while (performance.now() < end) {
    if ((await getStatus(proxyPort, host)) === 200) return true;
    await sleep(2);
  }
  return false;
}

/** (c, in process): what one reconcile costs on the old path and on the incremental one */
function inProcessReconcile(n: number): void {
  log(`\n(c) in-process reconcile cost on a synthetic world of ${n} Backends, ${ROUTES} routes`);
  const backends = Array.from({ length: n }, (_, i) => {
    const b = backend(i, 9000);
    b.metadata = { ...b.metadata, uid: `u${i}`, resourceVersion: String(i + 1), generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' };
    return b;
  });
  const routes = Array.from({ length: ROUTES }, (_, i) => ({ ...route(`r${i}`, `r${i}.bench`, `b${i}`), metadata: { name: `r${i}`, uid: `ru${i}`, resourceVersion: String(n + i + 1), creationTimestamp: '2024-01-01T00:00:00Z' } }));
  const input = { backends, routes, gateways: [], gatewayClasses: [], proxyHost: '127.0.0.1', now: '2024-01-01T00:00:00Z' };
  const time = (fn: () => void, reps: number) => {
    const xs: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      fn();
      xs.push(performance.now() - t0);
    }
    return pct(xs, 50);
  };
  let size = 0;
  // the old reconcile: translate everything, serialize the snapshot to compare it with the last
  // one, and compare every object's status with what it carries (two serializations each)
  const steady = translate(input);
  for (const b of backends) b.status = steady.statuses.backends.get(b.metadata.name!);
  const old = time(() => {
    const out = translate(input);
    size = canonicalJSON(out.snapshot).length;
    for (const b of backends) void (canonicalJSON(b.status ?? null) === canonicalJSON(out.statuses.backends.get(b.metadata.name!) ?? null));
  }, 5);
  record(`${n} Backends, old path (translate + canonicalJSON of the snapshot + every status compared, on every event)`, 'reconcile p50', 'ms', old, `snapshot ${(size / 1e6).toFixed(1)} MB`);
  const inc = new IncrementalTranslator();
  inc.build(input);
  let rv = 10 * n;
  const statusOnly = time(() => {
    const i = rv % n;
    backends[i] = { ...backends[i]!, metadata: { ...backends[i]!.metadata, resourceVersion: String(++rv) }, status: { conditions: [] } };
    inc.build(input);
  }, 20);
  record(`${n} Backends, incremental, one status-only change (the controller skips these; a forced pass)`, 'reconcile p50', 'ms', statusOnly);
  const oneSpec = time(() => {
    const i = rv % n;
    backends[i] = { ...backends[i]!, metadata: { ...backends[i]!.metadata, resourceVersion: String(++rv) }, spec: { endpoints: [{ ip: '127.0.0.2', port: rv % 60000 }] } };
    inc.build(input);
  }, 20);
  record(`${n} Backends, incremental, one Backend spec changed`, 'reconcile p50', 'ms', oneSpec);
  // not the controller: what the proxy spends swapping in a snapshot with one Backend changed
  const deps = { now: Date.now, rand: Math.random };
  const ports = new Map([[8080, new Set(['default'])]]);
  let dp = compileDataPlane({ generation: 1, ...inc.build(input).snapshot }, ports, undefined, deps);
  const compile = time(() => {
    const i = rv % n;
    backends[i] = { ...backends[i]!, metadata: { ...backends[i]!.metadata, resourceVersion: String(++rv) }, spec: { endpoints: [{ ip: '127.0.0.3', port: rv % 60000 }] } };
    dp = compileDataPlane({ generation: rv, ...inc.build(input).snapshot }, ports, dp, deps);
  }, 10);
  record(`${n} Backends, one Backend changed: incremental build + the proxy's compileDataPlane (pkg/proxy)`, 'p50', 'ms', compile);
}

async function main(): Promise<void> {
  if (ONLY !== 'in-process') await serverBench();
  if (ONLY !== 'server' && timeLeft() > 30_000) inProcessReconcile(N);
  log('\n| case | metric | value |\n| --- | --- | ---: |');
  for (const r of rows) log(`| ${r.case} | ${r.metric} | ${r.value === null ? '—' : `${+r.value.toFixed(2)} ${r.unit}`}${r.note ? ` (${r.note})` : ''} |`);
}

async function serverBench(): Promise<void> {
  const upstream = http.createServer((_q, s) => s.end('ok\n'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const proxyPort = await freePort();
  log(`controller scale bench: ${N} Backends, ${ROUTES} routes, ${CHANGES} route changes, stream ${STREAM_RATE}/s for ${STREAM_S} s (bound ${BOUND_S} s)`);
  const sy = await startSwitchyard({ extraArgs: ['--proxy-listen', `127.0.0.1:${proxyPort}`], env: { SWITCHYARD_LOG_LEVEL: 'debug' }, readyTimeoutMs: 60_000 });
  const agent = new Agent({ connect: { ca: fs.readFileSync(sy.caFile) }, connections: CONCURRENCY * 2 });
  const api = new Api(sy, agent);
  const pid = sy.child.pid!;
  try {
    // ---- load
    let t0 = performance.now();
    let created = 0;
    await pool(N, CONCURRENCY, async (i) => {
      if (timeLeft() < 60_000) return;
      await api.call('POST', BACKENDS, backend(i, upstreamPort));
      created++;
      if (created % 2000 === 0) log(`  ${created} Backends created (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    });
    const createS = (performance.now() - t0) / 1000;
    record(`create ${created} Backends (${CONCURRENCY} clients)`, 'creates/s', 'ops/s', created / createS);
    await pool(ROUTES, 4, (i) => api.call('POST', ROUTES_PATH, route(`r${i}`, `r${i}.bench`, `b${i % created}`)).then(() => undefined));
    const lastRouted = await untilRouted(proxyPort, `r${ROUTES - 1}.bench`, Math.min(timeLeft(), 120_000));
    const loadedS = (performance.now() - t0) / 1000;
    record(`${created} Backends + ${ROUTES} routes`, 'created → all routed', 's', lastRouted ? loadedS : null, lastRouted ? undefined : 'not routed within the bound');
    const duringLoad = reconciles(sy);
    record(`during the load (${created} Backend events + their status writes)`, 'full reconciles', 'count', duringLoad.length);
    record(`during the load`, 'reconcile max', 'ms', Math.max(...duringLoad.map((r) => r.ms)));
    record(`during the load`, 'reconcile p50', 'ms', pct(duringLoad.map((r) => r.ms), 50));
    // status writes settle: every Backend carries the controller's status
    t0 = performance.now();
    let withStatus = 0;
    while (timeLeft() > 30_000 && performance.now() - t0 < 300_000) {
      const list = (await api.call('GET', BACKENDS)).json as { items: Backend[] };
      withStatus = list.items.filter((b) => b.status?.observedGeneration !== undefined).length;
      if (withStatus >= created) break;
      await sleep(1000);
    }
    record(`${created} Backends`, 'status written on all, after the load', 's', withStatus >= created ? (performance.now() - t0) / 1000 : null, `${withStatus}/${created}`);

    // ---- (a) apply → routed
    const settledAt = reconciles(sy).length;
    const lat: number[] = [];
    for (let i = 0; i < CHANGES && timeLeft() > 20_000; i++) {
      const host = `new${i}.bench`;
      const s = performance.now();
      await api.call('POST', ROUTES_PATH, route(`new${i}`, host, `b${(i * 7919) % created}`));
      if (!(await untilRouted(proxyPort, host, 30_000))) {
        log(`  new${i}: not routed within 30 s`);
        continue;
      }
      lat.push(performance.now() - s);
    }
    record(`(a) new HTTPRoute with ${created} Backends loaded`, 'apply → routed p50', 'ms', pct(lat, 50), `${lat.length} routes`);
    record(`(a) new HTTPRoute with ${created} Backends loaded`, 'apply → routed p99', 'ms', pct(lat, 99), `${lat.length} routes`);
    const duringChanges = reconciles(sy).slice(settledAt);
    record(`(a) route changes`, 'reconcile p50', 'ms', pct(duringChanges.map((r) => r.ms), 50), `${duringChanges.length} full passes`);

    // ---- (b) steady stream of updates that cannot change the snapshot
    await sleep(1000);
    const idle = await cpuDuring(pid, () => sleep(3000));
    record(`idle (${created} Backends loaded)`, 'server CPU', '%', idle);
    for (const kind of ['heartbeat annotation', 'status-only'] as const) {
      const before = reconciles(sy);
      let sent = 0;
      let failed = 0;
      const cpu = await cpuDuring(pid, async () => {
        const start = performance.now();
        const total = STREAM_RATE * STREAM_S;
        await pool(total, 8, async (k) => {
          const due = start + (k * 1000) / STREAM_RATE;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          const name = `b${(k * 31) % created}`;
          try {
            if (kind === 'heartbeat annotation') {
              await api.call('PATCH', `${BACKENDS}/${name}`, { metadata: { annotations: { 'switchyard.dev/edge-heartbeat': new Date().toISOString() } } }, 'application/merge-patch+json');
            } else {
              await api.call('PATCH', `${BACKENDS}/${name}/status`, { status: { conditions: [{ type: 'Probe', status: 'True', reason: 'Bench', message: String(k), lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } }, 'application/merge-patch+json');
            }
            sent++;
          } catch (err) {
            if (failed++ === 0) log(`  ${kind}: ${(err as Error).message}`);
          }
        });
      });
      await sleep(500);
      const after = reconciles(sy).slice(before.length);
      record(`(b) ${sent} ${kind} updates at ${STREAM_RATE}/s`, 'server CPU', '%', cpu, failed ? `${failed} failed` : undefined);
      record(`(b) ${kind} stream`, 'snapshot rebuilds (full reconciles)', 'count', after.length);
      record(`(b) ${kind} stream`, 'snapshots published', 'count', after.filter((r) => r.published).length);
    }
  } finally {
    await sy.stop();
    await agent.close();
    upstream.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`controller bench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
