// Every core: switchyard with --proxy-workers 2 against nginx with worker_processes 2, both
// unpinned, behind the same unpinned nginx upstream and the same wrk (-t1 -c50, unpinned); and, in
// the same run, each with one worker pinned alone to core 0 (upstream and wrk on core 1, as
// bench/proxy/run.ts does), for requests per proxy CPU-second with 1 worker vs 2. CPU time is read
// from /proc/<pid>/stat for the proxy and its child processes (every thread of each).
// Prints a markdown table and BENCH_JSON rows. Not a test.
//   node dist/bench/proxy/workers.js [--seconds 8] [--rounds 2] [--workers 2]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts } from '../../test/harness/ports';
import { tempDir } from '../../test/harness/tmp';
import { terminate } from '../../test/harness/process';
import { emit, statusRow } from '../lib/report';
import { arg } from '../lib/args';
import { has, median, ms, nginxConf, nginxProxyConf, start, waitPort, wrk, type Proc, type WrkResult } from './harness';

const SECONDS = Number(arg('seconds', '8'));
const WARM_SECONDS = Number(arg('warm', '2'));
const ROUNDS = Number(arg('rounds', '2'));
const CONNS = Number(arg('connections', '50'));
const WORKERS = Number(arg('workers', '2'));
const DIST = path.resolve(__dirname);

interface Target {
  name: string;
  port: number;
  pid: number;
  /** wrk's core: 1 beside a pinned proxy, null (unpinned) for the every-core targets */
  wrkCpu: number | null;
}

async function main(): Promise<void> {
  if (os.cpus().length < 2) throw new Error('needs 2 cores');
  for (const c of ['taskset', 'wrk', 'nginx']) if (!has(c)) throw new Error(`${c} is not installed`);
  const dir = tempDir('switchyard-workers-bench-');
  const [upPinned, upFree, sy1, syN, ng1, ngN] = await freePorts(6);
  const procs: Proc[] = [];
  const load0 = os.loadavg();
  try {
    const upstream = (name: string, port: number, cpu: number | null) => {
      const conf = nginxConf(dir, name, `listen 127.0.0.1:${port} backlog=4096; location / { default_type text/plain; return 200 "ok\\n"; }`);
      const p = start(name, cpu, 'nginx', ['-e', path.join(dir, `${name}-error.log`), '-c', conf]);
      procs.push(p);
      return p;
    };
    await waitPort(upstream('upstream-pinned', upPinned, 1), upPinned);
    await waitPort(upstream('upstream-free', upFree, null), upFree);
    const sy = (port: number, cpu: number | null, workers: number, up: number) =>
      start(`switchyard ×${workers}`, cpu, process.execPath, [path.join(DIST, 'switchyard_server.js'), '--port', String(port), '--upstream', `127.0.0.1:${up}`, '--workers', String(workers)]);
    const ng = (name: string, port: number, cpu: number | null, workers: number, up: number) =>
      start(name, cpu, 'nginx', ['-e', path.join(dir, `${name}-error.log`), '-c', nginxProxyConf(dir, name, port, up, workers)]);
    const started: Array<[Proc, number, string, number | null]> = [
      [sy(sy1, 0, 1, upPinned), sy1, 'switchyard 1 worker, pinned', 1],
      [ng('nginx-1', ng1, 0, 1, upPinned), ng1, 'nginx 1 worker, pinned', 1],
      [sy(syN, null, WORKERS, upFree), syN, `switchyard ${WORKERS} workers, unpinned`, null],
      [ng(`nginx-${WORKERS}`, ngN, null, WORKERS, upFree), ngN, `nginx ${WORKERS} workers, unpinned`, null],
    ];
    const targets: Target[] = [];
    for (const [p, port, name, wrkCpu] of started) {
      procs.push(p);
      await waitPort(p, port, 30_000);
      targets.push({ name, port, pid: p.child.pid!, wrkCpu });
    }
    const max = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        if (WARM_SECONDS > 0) await wrk(dir, t.port, WARM_SECONDS, { connections: CONNS, cpu: t.wrkCpu });
        const r = await wrk(dir, t.port, SECONDS, { connections: CONNS, cpu: t.wrkCpu, proxyPid: t.pid });
        max.get(t.name)!.push(r);
        process.stderr.write(`round ${round + 1} ${t.name.padEnd(34)} ${r.rps.toFixed(0)} req/s p99 ${ms(r.p99)} ms errors ${r.errors} proxy cpu ${(r.cpu / (r.duration_us / 1e6)).toFixed(2)} cores\n`);
      }
    }
    const rps = (n: string) => median(max.get(n)!.map((r) => r.rps));
    const perCpu = (n: string) => median(max.get(n)!.map((r) => r.requests / r.cpu));
    const [s1, n1, sN, nN] = targets.map((t) => t.name) as [string, string, string, string];
    const load1 = os.loadavg();
    const out: string[] = [];
    out.push(`## Proxy workers: every core (${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores; node ${process.version}; ${spawnSync('nginx', ['-v']).stderr.toString().trim()})`);
    out.push('');
    out.push(`wrk -t1 -c${CONNS}, ${ROUNDS} rounds (order alternated), ${WARM_SECONDS}s warm-up + ${SECONDS}s per run. Pinned: proxy alone on core 0, upstream and wrk on core 1. ` +
      `Unpinned: proxy, upstream (nginx, 1 worker) and wrk anywhere. Load average before/after: ${load0.map((x) => x.toFixed(1)).join(' ')} / ${load1.map((x) => x.toFixed(1)).join(' ')}.`);
    out.push('');
    out.push(`| target | ${Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1} req/s`).join(' | ')} | median req/s | p99 ms | errors | proxy CPU (cores) | req per proxy CPU-second |`);
    out.push(`|---|${'---|'.repeat(ROUNDS)}---|---|---|---|---|`);
    for (const t of targets) {
      const rs = max.get(t.name)!;
      out.push(`| ${t.name} | ${rs.map((r) => r.rps.toFixed(0)).join(' | ')} | ${rps(t.name).toFixed(0)} | ${ms(median(rs.map((r) => r.p99)))} | ${rs.reduce((a, r) => a + r.errors, 0)} | ${median(rs.map((r) => r.cpu / (r.duration_us / 1e6))).toFixed(2)} | ${perCpu(t.name).toFixed(0)} |`);
    }
    out.push('');
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    out.push(`switchyard ${WORKERS} workers / nginx ${WORKERS} workers (req/s): ${x(rps(sN), rps(nN))}; per proxy CPU-second: ${x(perCpu(sN), perCpu(nN))}.`);
    out.push(`switchyard per proxy CPU-second, ${WORKERS} workers unpinned / 1 worker pinned: ${x(perCpu(sN), perCpu(s1))} (nginx: ${x(perCpu(nN), perCpu(n1))}).`);
    out.push(`Scaling (req/s): switchyard ${WORKERS} / 1: ${x(rps(sN), rps(s1))}; nginx ${WORKERS} / 1: ${x(rps(nN), rps(n1))}.`);
    console.log(out.join('\n'));
    const kase = `max load (wrk -c${CONNS}), ${WORKERS} workers, unpinned`;
    emit({ bench: 'proxy', case: `${kase} vs nginx worker_processes ${WORKERS}`, metric: 'median req/s', unit: 'req/s', value: rps(sN), reference: 'nginx', referenceValue: rps(nN), goal: { on: 'ratio', cmp: '>=', target: 0.6 } });
    emit({ bench: 'proxy', case: `${kase} vs 1 worker pinned`, metric: 'req per proxy CPU-second', unit: 'req/CPU-s', value: perCpu(sN), reference: 'switchyard 1 worker pinned', referenceValue: perCpu(s1), goal: { on: 'ratio', cmp: '>=', target: 0.9 } });
  } catch (err) {
    emit(statusRow('proxy', 'proxy workers vs nginx workers', 'failed', (err as Error).message));
    throw err;
  } finally {
    await Promise.all(procs.reverse().map((p) => terminate(p.child, 'SIGTERM', 5000)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
