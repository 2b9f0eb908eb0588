// A proxy worker's snapshot swap (--proxy-workers N) for one changed route (and its backend) in a
// snapshot of N routes / N backends: the whole snapshot shipped (v8 deserialize, every object new:
// a cold compile and canonicalJSON per backend) against the delta (snapshot_delta.ts: deserialize
// the delta, patch the previous snapshot, compile reusing what is the same object). Also the main's
// side: v8.serialize of the whole snapshot vs computeDelta + serialize of the delta. Not a test.
//   node dist/bench/proxy/worker_swap.js [--routes 10000] [--swaps 6]
//     wall-clock, both modes alternated in the same run; medians and the ratio.
//   node dist/bench/proxy/worker_swap.js --callgrind [--routes 10000] [--a 1 --b 3]
//     the worker side under `valgrind --tool=callgrind` (node --single-threaded): per swap
//     (Ir(B swaps) − Ir(A swaps)) / (B − A), same setup; repeatable on a busy machine.
//   (internal) --child full|delta --routes N --swaps K: what callgrind runs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { compileDataPlane, type DataPlane } from '../../pkg/proxy/dataplane';
import type { BackendIR, RuleIR, Snapshot } from '../../pkg/proxy/ir';
import { applyDelta, computeDelta, indexRules, type SnapshotDelta } from '../../pkg/proxy/workers/snapshot_delta';
import { arg } from '../lib/args';
import { routeTable } from '../lib/route_table';

const ROUTES = Number(arg('routes', '10000'));
const deps = { now: Date.now, rand: Math.random };
const ports = new Map([[8080, new Set(['default'])]]);

function backend(i: number, port: number): BackendIR {
  return {
    name: `b${i}`, protocol: '', defaultPort: 80,
    endpoints: [{ id: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${port}`, host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, isIP: true, port, weight: 1 }],
    loadBalancer: { algorithm: 'round-robin', slots: 0 },
    passiveHealthCheck: { consecutiveFailures: 5, ejectionMs: 30_000 },
  };
}

/** N routes each to its own backend; and the same with route N/2 and its backend changed (the rest the same objects) */
function snapshots(n: number): [Snapshot, Snapshot] {
  const rules: RuleIR[] = routeTable(n).rules.map((r, i) => ({ ...r, backendRefs: [{ backend: `b${i % n}`, weight: 1 }] }));
  const backends: Record<string, BackendIR> = {};
  for (let i = 0; i < n; i++) backends[`b${i}`] = backend(i, 80);
  const a: Snapshot = { generation: 1, listeners: [], rules, backends };
  const k = n >> 1;
  const rules2 = rules.slice();
  rules2[k] = { ...rules2[k]!, hostnames: ['changed.example.com'] };
  const b: Snapshot = { generation: 2, listeners: [], rules: rules2, backends: { ...backends, [`b${k}`]: backend(k, 8080) } };
  return [a, b];
}

/** the messages a worker gets when the main alternates a ↔ b: whole snapshots and deltas */
function messages(a: Snapshot, b: Snapshot): { full: [Buffer, Buffer]; delta: [Buffer, Buffer] } {
  const dAB = computeDelta({ seq: 1, snapshot: a, rules: indexRules(a.rules) }, b, 2)!;
  const dBA = computeDelta({ seq: 2, snapshot: b, rules: indexRules(b.rules) }, a, 3)!;
  return { full: [v8.serialize(a), v8.serialize(b)], delta: [v8.serialize(dAB), v8.serialize(dBA)] };
}

/** a worker that got `a` whole, then `swaps` swaps alternating to b and back, as `mode` ships them */
class Worker {
  snap: Snapshot;
  seq = 1;
  dp: DataPlane;
  constructor(private readonly m: ReturnType<typeof messages>, private readonly mode: 'full' | 'delta') {
    this.snap = v8.deserialize(m.full[0]) as Snapshot;
    this.dp = compileDataPlane(this.snap, ports, undefined, deps);
  }
  /** the i-th swap (0: to b, 1: back to a, …) */
  swap(i: number): void {
    const to = (i + 1) & 1; // 1: b, 0: a
    let next: Snapshot | undefined;
    if (this.mode === 'full') next = v8.deserialize(this.m.full[to]) as Snapshot;
    else {
      const d = v8.deserialize(this.m.delta[to === 1 ? 0 : 1]) as SnapshotDelta;
      next = applyDelta(this.snap, d.base, d);
      if (!next) throw new Error('delta did not apply');
    }
    this.snap = next;
    this.dp = compileDataPlane(next, ports, this.dp, deps);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

function wallClock(): void {
  const swaps = Number(arg('swaps', '6'));
  const [a, b] = snapshots(ROUTES);
  const m = messages(a, b);
  console.log(`worker-side swap, ${ROUTES} routes / ${ROUTES} backends, one route + its backend changed; node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`message bytes: whole snapshot ${m.full[1].length}, delta ${m.delta[0].length}`);
  const workers = { full: new Worker(m, 'full'), delta: new Worker(m, 'delta') };
  const ms = { full: [] as number[], delta: [] as number[] };
  for (let i = 0; i < swaps; i++) {
    for (const mode of i % 2 ? (['delta', 'full'] as const) : (['full', 'delta'] as const)) {
      const t0 = performance.now();
      workers[mode].swap(i);
      ms[mode].push(performance.now() - t0);
    }
  }
  // the main's side: what it does per change before posting
  const main = { full: [] as number[], delta: [] as number[] };
  const shipped = { seq: 1, snapshot: a, rules: indexRules(a.rules) };
  for (let i = 0; i < swaps; i++) {
    let t0 = performance.now();
    v8.serialize(b);
    main.full.push(performance.now() - t0);
    t0 = performance.now();
    const rules = indexRules(b.rules);
    v8.serialize(computeDelta(shipped, b, 2, rules));
    main.delta.push(performance.now() - t0);
  }
  console.log(`\n| side | whole snapshot (ms, median of ${swaps}) | delta | ratio |`);
  console.log('|---|---:|---:|---:|');
  console.log(`| worker: receive + compile | ${median(ms.full).toFixed(1)} | ${median(ms.delta).toFixed(1)} | ${(median(ms.full) / median(ms.delta)).toFixed(1)}× |`);
  console.log(`| main: serialize (+ diff) | ${median(main.full).toFixed(1)} | ${median(main.delta).toFixed(1)} | ${(median(main.full) / median(main.delta)).toFixed(1)}× |`);
}

function child(): void {
  const [a, b] = snapshots(ROUTES);
  const m = messages(a, b);
  const w = new Worker(m, arg('child', 'full') as 'full' | 'delta');
  const swaps = Number(arg('swaps', '0'));
  for (let i = 0; i < swaps; i++) w.swap(i);
  process.stdout.write(`rules ${w.dp.snapshot.rules.length}\n`);
}

function callgrindIr(mode: string, swaps: number, dir: string): number {
  const out = path.join(dir, `cg-${mode}-${swaps}.out`);
  const r = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', __filename, '--child', mode, '--routes', String(ROUTES), '--swaps', String(swaps)],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`callgrind failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return Number(m[1]);
}

function callgrind(): void {
  const A = Number(arg('a', '1'));
  const B = Number(arg('b', '3'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swap-cg-'));
  console.log(`callgrind instructions per worker-side swap: (Ir(${B} swaps) − Ir(${A})) / ${B - A}, ${ROUTES} routes / ${ROUTES} backends, node --single-threaded`);
  const per: Record<string, number> = {};
  for (const mode of ['full', 'delta']) per[mode] = (callgrindIr(mode, B, dir) - callgrindIr(mode, A, dir)) / (B - A);
  console.log('\n| shipped as | instructions per swap |\n|---|---:|');
  console.log(`| whole snapshot | ${(per.full! / 1e6).toFixed(0)} M |`);
  console.log(`| delta | ${(per.delta! / 1e6).toFixed(0)} M |`);
  console.log(`\nratio: ${(per.full! / per.delta!).toFixed(1)}×`);
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--child')) child();
else if (process.argv.includes('--callgrind')) callgrind();
else wallClock();
