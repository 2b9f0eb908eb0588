// edgeProxy heartbeat load on the real binary (`serve`: apiserver + controller + proxy + facades,
// SQLite, TTL 60 s): registers 10,000 backends (100 apps) and heartbeats each once per 20 s — the
// first 20 s after its registration, as a real fleet would — then measures a 60 s window of steady
// heartbeating: store writes/s (from an apiserver watch on Backends: facade writes vs controller
// status writes), the server's CPU (from /proc, one core = 100 %) and RSS, heartbeat latency.
// Modes (--modes, default all three): `default` (heartbeat writes: one per backend per TTL and at
// most 1/s in all), `ttl` (one per backend per TTL, no global budget: kube's node-lease cadence),
// `every` (a write per heartbeat, what the brief forbids). --command apiserver measures the
// facade + store without the controller and proxy (`serve`, the default, has them in-process).
// With `serve`, the backends register against `switchyard apiserver` on the same data dir, which
// then restarts as `serve` (heartbeats keep going; the restart gives every backend a TTL): a
// registration storm of 10,000 through the in-process controller takes many minutes on 2 cores
// (each Backend event costs a full reconcile), which is not what this measures.
//   node dist/bench/facades/heartbeat.js [--backends 10000] [--seconds 60] [--interval 20]
//        [--modes default,ttl,every] [--command serve|apiserver]
import * as fs from 'node:fs';
import * as https from 'node:https';
import { Agent, request } from 'undici';
import { freePort } from '../../test/harness/ports';
import { startSwitchyard, type SwitchyardProcess } from '../../test/harness/switchyard';
import { emit } from '../lib/report';
import { arg } from '../lib/args';

const BACKENDS = Number(arg('backends', '10000'));
const SECONDS = Number(arg('seconds', '60'));
const INTERVAL_S = Number(arg('interval', '20'));
const APPS = Math.max(1, Math.min(100, Math.floor(BACKENDS / 100)));
const MODES = arg('modes', 'default,ttl,every').split(',') as Mode[];
const COMMAND = arg('command', 'serve') as 'serve' | 'apiserver';
type Mode = 'default' | 'ttl' | 'every';
const MODE_ENV: Record<Mode, Record<string, string>> = {
  default: {},
  ttl: { SWITCHYARD_EDGEPROXY_PERSIST_RATE: '0' },
  every: { SWITCHYARD_EDGEPROXY_PERSIST_SECS: '0', SWITCHYARD_EDGEPROXY_PERSIST_RATE: '0' },
};
const MODE_NAME: Record<Mode, string> = {
  default: 'default: ≤ 1 per backend per TTL, ≤ 1/s in all',
  ttl: '1 per backend per TTL (no budget)',
  every: 'every heartbeat',
};
const REGIONS = ['sa', 'us', 'eu', 'ap'];

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
}
function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
const TICKS_PER_S = 100;

interface WatchCounts {
  facade: number;
  status: number;
  added: number;
  deleted: number;
}

/** Count Backend writes as an apiserver watch sees them; status-only changes are the controller's. */
function watchWrites(sy: SwitchyardProcess, counts: WatchCounts): () => void {
  const last = new Map<string, string>();
  const ca = fs.readFileSync(sy.caFile);
  let buf = '';
  const req = https.request(
    { host: '127.0.0.1', port: sy.apiPort, path: '/apis/core.apoxy.dev/v1alpha2/backends?watch=1', ca, headers: { authorization: `Bearer ${sy.adminToken}` } },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata: { name: string; resourceVersion?: string; managedFields?: unknown }; status?: unknown } };
          const name = ev.object.metadata.name;
          const { resourceVersion: _rv, managedFields: _mf, ...meta } = ev.object.metadata;
          const key = JSON.stringify({ ...ev.object, status: undefined, metadata: meta });
          if (ev.type === 'ADDED') counts.added++;
          else if (ev.type === 'DELETED') counts.deleted++;
          else if (last.get(name) === key) counts.status++;
          else counts.facade++;
          if (ev.type === 'DELETED') last.delete(name);
          else last.set(name, key);
        }
      });
    },
  );
  req.end();
  return () => req.destroy();
}

interface Result {
  persist: string;
  registerSeconds: number;
  heartbeatsPerS: number;
  facadeWritesPerS: number;
  statusWritesPerS: number;
  cpuPct: number;
  idleCpuPct: number;
  rssMB: number;
  p50: number;
  p99: number;
  errors: number;
}

async function run(mode: Mode): Promise<Result> {
  const edgePort = await freePort();
  const startOpts = {
    command: 'apiserver' as const,
    env: {
      SWITCHYARD_LOG_LEVEL: 'info', // the harness waits for the info-level ready line
      EDGEPROXY_API_ENABLED: 'true',
      EDGEPROXY_API_LISTEN_ADDR: `127.0.0.1:${edgePort}`,
      EDGEPROXY_HEARTBEAT_TTL_SECS: '60',
      // the whole fleet registers from one loopback address: the per-client limit would refuse it
      SWITCHYARD_EDGEPROXY_RATE_LIMIT: '0',
      ...MODE_ENV[mode],
    },
    readyTimeoutMs: 120_000,
  };
  let sy = await startSwitchyard(startOpts);
  const base = `http://127.0.0.1:${edgePort}`;
  const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
  const regAgent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const counts: WatchCounts = { facade: 0, status: 0, added: 0, deleted: 0 };
  let stopWatch = watchWrites(sy, counts);
  const lat: number[] = [];
  let errors = 0;
  let measuring = false;
  let sent = 0;
  const registeredAt = new Float64Array(BACKENDS);
  const id = (i: number) => `bench-${i}`;
  try {
    const interval = INTERVAL_S * 1000;
    let stop = false;
    let inflight = 0;
    const beat = async (i: number) => {
      inflight++;
      const t = performance.now();
      try {
        const r = await request(`${base}/api/v1/heartbeat/${id(i)}`, { method: 'POST', dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 30_000 });
        await r.body.dump();
        if (r.statusCode !== 200) errors++;
        if (measuring) lat.push(performance.now() - t);
      } catch {
        errors++;
      } finally {
        inflight--;
      }
    };
    // each backend heartbeats every INTERVAL from its registration on, as a real fleet does
    const timers = new Array<NodeJS.Timeout | undefined>(BACKENDS);
    const schedule = (i: number, at: number) => {
      timers[i] = setTimeout(() => {
        if (stop) return;
        sent++;
        void beat(i);
        schedule(i, at + interval);
      }, Math.max(0, at - performance.now()));
    };

    // 1. register, 64 at a time
    const t0 = performance.now();
    const regCpu0 = cpuTicks(sy.child.pid!);
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = next++; i < BACKENDS; i = next++) {
          const r = await request(`${base}/api/v1/register`, {
            method: 'POST',
            dispatcher: regAgent,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id: id(i), app: `app-${i % APPS}`, region: REGIONS[i % 4], ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080 }),
          });
          await r.body.dump();
          if (r.statusCode !== 201) throw new Error(`register ${i}: ${r.statusCode}`);
          registeredAt[i] = performance.now();
          schedule(i, registeredAt[i]! + interval);
        }
      }),
    );
    const registerSeconds = (performance.now() - t0) / 1000;
    const idleCpuPct = ((cpuTicks(sy.child.pid!) - regCpu0) / TICKS_PER_S / registerSeconds) * 100;
    log(`  registered ${BACKENDS} in ${registerSeconds.toFixed(1)} s`);
    if (COMMAND === 'serve') {
      const r0 = performance.now();
      stopWatch();
      await sy.stop();
      sy = await startSwitchyard({ ...startOpts, command: 'serve', dataDir: sy.dataDir, apiPort: sy.apiPort });
      stopWatch = watchWrites(sy, counts);
      log(`  restarted as serve in ${((performance.now() - r0) / 1000).toFixed(1)} s`);
      // the controller's first pass writes every Backend's status: let that settle (≤ 15 min)
      const s0 = performance.now();
      for (let last = -1, quiet = 0; quiet < 5 && performance.now() - s0 < 900_000; ) {
        await sleep(2000);
        quiet = counts.status === last ? quiet + 1 : 0;
        last = counts.status;
      }
      log(`  controller status writes settled after ${((performance.now() - s0) / 1000).toFixed(1)} s (${counts.status} writes)`);
    }
    const pid = sy.child.pid!;

    // 2. once every backend beats (one interval after the last registration), measure the window
    await sleep(interval);
    const c0 = { ...counts };
    const cpu0 = cpuTicks(pid);
    const sent0 = sent;
    const errors0 = errors;
    const w0 = performance.now();
    measuring = true;
    await sleep(SECONDS * 1000);
    measuring = false;
    const wall = (performance.now() - w0) / 1000;
    const cpu = ((cpuTicks(pid) - cpu0) / TICKS_PER_S / wall) * 100;
    const rss = rssMB(pid);
    const windowErrors = errors - errors0;
    stop = true;
    for (const t of timers) if (t) clearTimeout(t);
    for (let w = 0; inflight > 0 && w < 3000; w++) await sleep(10);
    lat.sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
    return {
      persist: MODE_NAME[mode],
      registerSeconds,
      heartbeatsPerS: (sent - sent0) / wall,
      facadeWritesPerS: (counts.facade - c0.facade) / wall,
      statusWritesPerS: (counts.status - c0.status) / wall,
      cpuPct: cpu,
      idleCpuPct,
      rssMB: rss,
      p50: pct(50),
      p99: pct(99),
      errors: windowErrors,
    };
  } finally {
    stopWatch();
    // destroy, not close: an overloaded server may hold thousands of queued heartbeats
    await agent.destroy();
    await regAgent.destroy();
    await sy.stop();
  }
}

/** BENCH_JSON rows for one persistence mode (no reference: the goal is the write budget). */
function emitResult(mode: Mode, r: Result): void {
  const writes: Record<Mode, string> = { default: 'default write budget', ttl: 'a write per backend per TTL', every: 'a write per heartbeat' };
  const kase = `${COMMAND}, ${BACKENDS} backends beating every ${INTERVAL_S} s, ${writes[mode]}`;
  emit(
    // the default mode's budget: at most one heartbeat write per second in all
    { bench: 'facades', case: kase, metric: 'facade store writes/s', unit: '/s', value: r.facadeWritesPerS, ...(mode === 'default' ? { goal: { on: 'value' as const, cmp: '<=' as const, target: 1 } } : {}) },
    { bench: 'facades', case: kase, metric: 'server CPU (1 core = 100)', unit: '%', value: r.cpuPct },
    { bench: 'facades', case: kase, metric: 'heartbeat p99', unit: 'ms', value: r.p99 },
    { bench: 'facades', case: kase, metric: 'heartbeat errors', unit: '', value: r.errors, goal: { on: 'value', cmp: '<=', target: 0 } },
  );
}

async function main(): Promise<void> {
  log(`edgeProxy heartbeat bench (${COMMAND}): ${BACKENDS} backends, ${APPS} apps, one heartbeat per ${INTERVAL_S} s each, ${SECONDS} s window; load ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const row = (r: Result) =>
    `| ${r.persist} | ${f(r.registerSeconds)} s | ${f(r.heartbeatsPerS)} | ${f(r.facadeWritesPerS)} | ${f(r.statusWritesPerS)} | ${f(r.cpuPct)} % | ${f(r.idleCpuPct)} % | ${f(r.rssMB, 0)} | ${f(r.p50, 2)} / ${f(r.p99, 2)} | ${r.errors} |`;
  const results: Result[] = [];
  for (const m of MODES) {
    log(`- ${MODE_NAME[m]}`);
    results.push(await run(m));
    emitResult(m, results[results.length - 1]!);
    log(`  ${row(results[results.length - 1]!)}`);
  }
  console.log(`${COMMAND}: ${BACKENDS} backends, heartbeat every ${INTERVAL_S} s, TTL 60 s, ${SECONDS} s window`);
  console.log('| heartbeat writes | register all | heartbeats/s | facade writes/s | controller status writes/s | server CPU (1 core = 100 %) | CPU while registering | RSS MB | heartbeat p50 / p99 ms | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(row(r));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
