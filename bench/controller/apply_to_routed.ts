// apply → routed at scale, on the real binary (`switchyard serve`; embedded SQLite, or etcd with
// --etcd): N Backends, each with its own HTTPRoute (Host `o-<i>.bench`), applied at a steady rate
// (default 100 pairs/s for 100 s: 10,000 Backends + 10,000 HTTPRoutes). For every object, the time
// from its write's response to the moment the proxy routes it, observed from outside:
//   HTTPRoute o-i (written first): the proxy stops answering 404 for its Host (it answers 500, no
//     backend, until Backend b-i is routed too);
//   Backend b-i (written right after): the proxy answers 200 for Host o-i from the loopback upstream.
// One prober walks the objects in the order their writes were answered: it probes the oldest
// unrouted object every --probe-ms until it is routed, then the next one at once. A later object's
// time is therefore measured no earlier than an earlier one's: an upper bound (at most one probe
// round trip late), never an underestimate. Reports p50/p99/max per kind and both, the controller's
// own `controller reconciled` lines (full passes, their duration), and the server's CPU.
//   node dist/bench/controller/apply_to_routed.js [--objects 10000] [--rate 100] [--etcd]
//        [--probe-ms 2] [--bound-seconds 400]
// With BENCH_JSON set, rows {bench:'controller', …} are appended to it (bench/lib/report.ts).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, Pool, request } from 'undici';
import { freePort } from '../../test/harness/ports';
import { startSwitchyard, type SwitchyardProcess } from '../../test/harness/switchyard';
import { startEtcd, type EtcdMember } from '../../test/harness/etcd';
import { emit, type BenchRow } from '../lib/report';
import { arg } from '../lib/args';

const OBJECTS = Number(arg('objects', '10000'));
const RATE = Number(arg('rate', '100'));
const PROBE_MS = Number(arg('probe-ms', '2'));
const BOUND_S = Number(arg('bound-seconds', String(Math.ceil(OBJECTS / RATE) + 300)));
const ETCD = process.argv.includes('--etcd');
const WRITERS = 16;

const BACKENDS = '/apis/core.apoxy.dev/v1alpha2/backends';
const ROUTES = '/apis/gateway.apoxy.dev/v1/httproutes';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const deadline = Date.now() + BOUND_S * 1000;
const timeLeft = () => deadline - Date.now();

function pct(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

const rows: BenchRow[] = [];
function record(kase: string, metric: string, unit: string, value: number | null, note?: string, goal?: BenchRow['goal']): void {
  const r: BenchRow = { bench: 'controller', case: kase, metric, unit, value, ...(note ? { note } : {}), ...(goal ? { goal } : {}) };
  rows.push(r);
  emit(r);
  log(`  ${kase}: ${metric} = ${value === null ? '—' : +value.toFixed(2)} ${unit}${note ? ` (${note})` : ''}`);
}

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function route(i: number) {
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: { name: `o-${i}` },
    spec: {
      hostnames: [`o-${i}.bench`],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: `b-${i}` }] },
        { matches: [{ path: { type: 'Exact', value: '/healthz' } }, { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-canary', value: 'true' }] }], backendRefs: [{ name: `b-${i}` }] },
      ],
    },
  };
}

function backend(i: number, upstreamPort: number) {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name: `b-${i}`, labels: { app: `app${i % 100}` } },
    spec: { endpoints: [{ ip: '127.0.0.1', port: upstreamPort }] },
  };
}

interface Pending {
  kind: 'route' | 'backend';
  i: number;
  /** when the write's response arrived (performance.now()) */
  acked: number;
}

/** the controller's `controller reconciled` debug lines */
function reconciles(sy: SwitchyardProcess): Array<{ ms: number; published: boolean }> {
  const out: Array<{ ms: number; published: boolean }> = [];
  for (const line of sy.logs().split('\n')) {
    if (!line.includes('"controller reconciled"')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* cut line */
    }
  }
  return out;
}

async function main(): Promise<void> {
  const upstream = http.createServer((_q, s) => s.end('ok\n'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const proxyPort = await freePort();
  let etcd: EtcdMember | undefined;
  if (ETCD) etcd = await startEtcd();
  const extraArgs = ['--proxy-listen', `127.0.0.1:${proxyPort}`, ...(etcd ? ['--etcd-servers', etcd.clientURL] : [])];
  log(`apply → routed: ${OBJECTS} Backends + ${OBJECTS} HTTPRoutes at ${RATE} pairs/s (${ETCD ? 'etcd' : 'SQLite'}), probe every ${PROBE_MS} ms, bound ${BOUND_S} s`);
  const sy = await startSwitchyard({ extraArgs, env: { SWITCHYARD_LOG_LEVEL: 'debug' }, readyTimeoutMs: 60_000 });
  const api = new Agent({ connect: { ca: fs.readFileSync(sy.caFile) }, connections: WRITERS * 2 });
  const proxy = new Pool(`http://127.0.0.1:${proxyPort}`, { connections: 2 });
  const pid = sy.child.pid!;
  const write = async (path: string, body: unknown) => {
    const res = await request(`${sy.apiURL}${path}`, {
      method: 'POST',
      dispatcher: api,
      headers: { authorization: `Bearer ${sy.adminToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  };
  const probe = async (i: number): Promise<number> => {
    try {
      const res = await proxy.request({ path: '/', method: 'GET', headers: { host: `o-${i}.bench` } });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 0;
    }
  };

  const queue: Pending[] = [];
  const lat = { route: [] as number[], backend: [] as number[] };
  let writesDone = false;
  let failed = 0;
  let probes = 0;
  // the prober: oldest acknowledged object first
  const prober = (async () => {
    let head = 0;
    while (timeLeft() > 0) {
      if (head >= queue.length) {
        if (writesDone) break;
        await sleep(1);
        continue;
      }
      const p = queue[head]!;
      const status = await probe(p.i);
      probes++;
      const routed = p.kind === 'route' ? status !== 404 && status !== 0 : status === 200;
      if (routed) {
        lat[p.kind].push(performance.now() - p.acked);
        head++;
      } else await sleep(PROBE_MS);
    }
    return head;
  })();

  const cpu0 = cpuSeconds(pid);
  const before = reconciles(sy).length;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < OBJECTS && timeLeft() > 60_000) {
        const i = next++;
        const wait = t0 + (i * 1000) / RATE - performance.now();
        if (wait > 0) await sleep(wait);
        try {
          await write(ROUTES, route(i));
          queue.push({ kind: 'route', i, acked: performance.now() });
          await write(BACKENDS, backend(i, upstreamPort));
          queue.push({ kind: 'backend', i, acked: performance.now() });
        } catch (err) {
          if (failed++ < 3) log(`  write ${i}: ${(err as Error).message}`);
        }
      }
    }),
  );
  const applyS = (performance.now() - t0) / 1000;
  writesDone = true;
  const routedCount = await prober;
  const allRoutedS = (performance.now() - t0) / 1000;
  const cpu = (cpuSeconds(pid) - cpu0) / allRoutedS;
  const passes = reconciles(sy).slice(before);

  const store = ETCD ? 'etcd' : 'SQLite';
  const kase = `${OBJECTS} Backends + ${OBJECTS} HTTPRoutes at ${RATE} pairs/s (${store})`;
  record(kase, 'applied', 'pairs/s', (next - failed) / applyS, `${applyS.toFixed(1)} s, ${failed} writes failed`);
  const goal = { on: 'value' as const, cmp: '<=' as const, target: 100 };
  for (const [name, xs] of [['HTTPRoute', lat.route], ['Backend', lat.backend], ['any object', [...lat.route, ...lat.backend]]] as Array<[string, number[]]>) {
    record(`${kase}: ${name}`, 'apply → routed p50', 'ms', pct(xs, 50), `${xs.length} objects`);
    record(`${kase}: ${name}`, 'apply → routed p99', 'ms', pct(xs, 99), `${xs.length} objects`, goal);
    record(`${kase}: ${name}`, 'apply → routed max', 'ms', xs.length ? Math.max(...xs) : NaN);
  }
  record(kase, 'objects routed', 'count', routedCount, `of ${queue.length} acknowledged writes; ${probes} probes`);
  record(kase, 'applied → all routed', 's', allRoutedS);
  record(kase, 'server CPU (one core = 100 %)', '%', cpu * 100);
  record(kase, 'controller full passes', 'count', passes.length, `${passes.filter((p) => p.published).length} published`);
  record(kase, 'controller pass p50', 'ms', pct(passes.map((p) => p.ms), 50));
  record(kase, 'controller pass p99', 'ms', pct(passes.map((p) => p.ms), 99));
  record(kase, 'controller pass max', 'ms', passes.length ? Math.max(...passes.map((p) => p.ms)) : NaN);
  const served = (sy.logs().match(/"snapshot served"/g) ?? []).length;
  record(kase, 'snapshots served by the proxy', 'count', served);

  log('\n| case | metric | value |\n| --- | --- | ---: |');
  for (const r of rows) log(`| ${r.case} | ${r.metric} | ${r.value === null ? '—' : `${+r.value.toFixed(2)} ${r.unit}`}${r.note ? ` (${r.note})` : ''} |`);
  await sy.stop();
  await api.close();
  await proxy.close();
  upstream.close();
  await etcd?.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`apply_to_routed bench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
