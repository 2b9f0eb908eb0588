// Proxy throughput and latency, compared fairly (DESIGN.md "Benchmarks that compare fairly"):
// each proxy under test runs alone on core 0 (`taskset -a -c 0`, every thread), the upstream (nginx
// `return 200`, one worker; a tiny node server when nginx is missing) and wrk share core 1.
// Targets: direct to the upstream, switchyard (its Proxy with a fixed snapshot: no apiserver),
// nginx as a reverse proxy (one worker, keep-alive upstream) and node `http-proxy`.
//   1. max load: wrk -t1 -c50 for --seconds (after a short warm-up), rounds alternated in order;
//   2. fixed load: every target at the same offered rate, half of switchyard's max (wrk has no
//      -R and wrk2 is not packaged: each of the 50 connections waits `delay()` ms between
//      requests), p50/p99 and the p99 each proxy adds over direct.
// Prints markdown tables. Not a test. `node dist/bench/proxy/run.js [--seconds 8] [--rounds 2]`
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts } from '../../test/harness/ports';
import { tempDir } from '../../test/harness/tmp';
import { terminate } from '../../test/harness/process';
import { has, median, ms, nginxConf, nginxProxyConf, start, waitPort, wrk as wrkOn, type Proc, type WrkResult } from './harness';
import { emit, statusRow } from '../lib/report';
import { arg } from '../lib/args';

const SECONDS = Number(arg('seconds', '8'));
const WARM_SECONDS = Number(arg('warm', '2'));
const FIXED_SECONDS = Number(arg('fixed-seconds', '6'));
const ROUNDS = Number(arg('rounds', '2'));
const CONNS = Number(arg('connections', '50'));
const DIST = path.resolve(__dirname);
/** wrk on core 1, beside the upstream */
const wrk = (dir: string, port: number, seconds: number, delayMs = 0, proxyPid?: number) => wrkOn(dir, port, seconds, { delayMs, proxyPid, connections: CONNS, cpu: 1 });

const NO_NGINX = 'nginx not installed (hack/install-test-deps.sh installs nginx-light)';

/** BENCH_JSON rows for the max-load phase: switchyard against nginx and http-proxy. */
function emitMax(max: Map<string, WrkResult[]>, rps: (n: string) => number, perCpu: (n: string) => number): void {
  const load = `wrk -c${CONNS}, proxy alone on core 0`;
  const vs = (ref: string, metric: string, unit: string, f: (n: string) => number, goal?: number) =>
    max.has(ref)
      ? emit({ bench: 'proxy', case: `max load (${load}) vs ${ref}`, metric, unit, value: f('switchyard'), reference: ref, referenceValue: f(ref), ...(goal ? { goal: { on: 'ratio' as const, cmp: '>=' as const, target: goal } } : {}) })
      : emit(statusRow('proxy', `max load vs ${ref}: ${metric}`, 'skipped', NO_NGINX));
  vs('nginx', 'median req/s', 'req/s', rps, 0.6);
  vs('nginx', 'req per proxy CPU-second', 'req/CPU-s', perCpu, 0.6);
  vs('http-proxy', 'median req/s', 'req/s', rps, 1.8);
  vs('http-proxy', 'req per proxy CPU-second', 'req/CPU-s', perCpu);
}

/** BENCH_JSON rows for the fixed-load phase: the p99 each proxy adds over direct. */
function emitFixed(fixed: Map<string, WrkResult[]>, directP99us: number, rate: number): void {
  const added = (n: string) => (median(fixed.get(n)!.map((r) => r.p99)) - directP99us) / 1000;
  for (const ref of ['nginx', 'http-proxy']) {
    const kase = `fixed load ${rate} req/s (half of switchyard's max) vs ${ref}`;
    if (!fixed.has(ref)) emit(statusRow('proxy', `${kase}: added p99 over direct`, 'skipped', NO_NGINX));
    else emit({ bench: 'proxy', case: kase, metric: 'added p99 over direct', unit: 'ms', value: added('switchyard'), reference: ref, referenceValue: added(ref), goal: { on: 'value', cmp: '<=', target: 1 } });
  }
}

async function main(): Promise<void> {
  if (os.cpus().length < 2) throw new Error('needs 2 cores (proxy on core 0, upstream + wrk on core 1)');
  for (const c of ['taskset', 'wrk']) if (!has(c)) throw new Error(`${c} is not installed`);
  const nginx = has('nginx') ? 'nginx' : null;
  const dir = tempDir('switchyard-proxy-bench-');
  const [upPort, syPort, ngPort, hpPort] = await freePorts(4);
  const procs: Proc[] = [];
  const load0 = os.loadavg();
  const t0 = Date.now();
  try {
    // upstream on core 1
    let upstreamLabel: string;
    if (nginx) {
      const conf = nginxConf(dir, 'upstream', `listen 127.0.0.1:${upPort} backlog=4096; location / { default_type text/plain; return 200 "ok\\n"; }`);
      procs.push(start('nginx upstream', 1, nginx, ['-e', path.join(dir, 'upstream-error.log'), '-c', conf]));
      upstreamLabel = `nginx ${spawnSync(nginx, ['-v']).stderr.toString().trim().replace('nginx version: ', '')} \`return 200\`, 1 worker`;
    } else {
      procs.push(start('node upstream', 1, process.execPath, [path.join(DIST, 'node_upstream.js'), '--port', String(upPort)]));
      upstreamLabel = 'node:http `200 ok` (nginx not installed)';
    }
    await waitPort(procs[0], upPort);
    // proxies under test on core 0
    const sy = start('switchyard', 0, process.execPath, [path.join(DIST, 'switchyard_server.js'), '--port', String(syPort), '--upstream', `127.0.0.1:${upPort}`]);
    const hp = start('http-proxy', 0, process.execPath, [path.join(DIST, 'http_proxy_server.js'), '--port', String(hpPort), '--upstream', `127.0.0.1:${upPort}`]);
    procs.push(sy, hp);
    const targets: Array<{ name: string; port: number; pid?: number }> = [{ name: 'direct', port: upPort }, { name: 'switchyard', port: syPort, pid: sy.child.pid }];
    if (nginx) {
      const conf = nginxProxyConf(dir, 'proxy', ngPort, upPort);
      const ng = start('nginx proxy', 0, nginx, ['-e', path.join(dir, 'proxy-error.log'), '-c', conf]);
      procs.push(ng);
      await waitPort(ng, ngPort);
      targets.push({ name: 'nginx', port: ngPort, pid: ng.child.pid });
    }
    targets.push({ name: 'http-proxy', port: hpPort, pid: hp.child.pid });
    await waitPort(sy, syPort);
    await waitPort(hp, hpPort);

    const max = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        if (WARM_SECONDS > 0) await wrk(dir, t.port, WARM_SECONDS);
        const r = await wrk(dir, t.port, SECONDS, 0, t.pid);
        max.get(t.name)!.push(r);
        process.stderr.write(`max load  round ${round + 1} ${t.name.padEnd(10)} ${r.rps.toFixed(0)} req/s p50 ${ms(r.p50)} ms p99 ${ms(r.p99)} ms errors ${r.errors} proxy cpu ${(r.cpu / (r.duration_us / 1e6)).toFixed(2)} cores\n`);
      }
    }
    const rps = (n: string) => median(max.get(n)!.map((r) => r.rps));
    const perCpu = (n: string) => median(max.get(n)!.map((r) => r.requests / r.cpu));
    emitMax(max, rps, perCpu);
    const rate = Math.floor(rps('switchyard') / 2);
    const delayMs = Math.max(1, Math.round((CONNS * 1000) / rate));
    const fixed = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const r = await wrk(dir, t.port, FIXED_SECONDS, delayMs, t.pid);
        fixed.get(t.name)!.push(r);
        process.stderr.write(`fixed load round ${round + 1} ${t.name.padEnd(10)} ${r.rps.toFixed(0)} req/s p50 ${ms(r.p50)} ms p99 ${ms(r.p99)} ms errors ${r.errors}\n`);
      }
    }

    const load1 = os.loadavg();
    const out: string[] = [];
    out.push(`## Proxy benchmark (${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores; node ${process.version})`);
    out.push('');
    out.push(`Proxy under test alone on core 0; upstream (${upstreamLabel}) and wrk -t1 -c${CONNS} on core 1. ` +
      `${ROUNDS} rounds, order alternated, ${WARM_SECONDS}s warm-up + ${SECONDS}s per run. Load average before/after: ` +
      `${load0.map((x) => x.toFixed(1)).join(' ')} / ${load1.map((x) => x.toFixed(1)).join(' ')} (other work on the machine skews every number).`);
    out.push('');
    out.push('### Max load (wrk -c' + CONNS + ')');
    out.push('');
    out.push(`| target | ${Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1} req/s`).join(' | ')} | median req/s | p50 ms | p99 ms | errors | proxy CPU (cores) | req per proxy CPU-second |`);
    out.push(`|---|${'---|'.repeat(ROUNDS)}---|---|---|---|---|---|`);
    // requests per CPU-second of the proxy: what one core buys, even when core 0 is shared with other work
    for (const t of targets) {
      const rs = max.get(t.name)!;
      const util = median(rs.map((r) => r.cpu / (r.duration_us / 1e6)));
      out.push(`| ${t.name} | ${rs.map((r) => r.rps.toFixed(0)).join(' | ')} | ${rps(t.name).toFixed(0)} | ${ms(median(rs.map((r) => r.p50)))} | ${ms(median(rs.map((r) => r.p99)))} | ${rs.reduce((a, r) => a + r.errors, 0)} | ${t.pid ? util.toFixed(2) : '—'} | ${t.pid ? perCpu(t.name).toFixed(0) : '—'} |`);
    }
    out.push('');
    const ratio = (a: string, b: string) => (max.has(b) ? `${(rps(a) / rps(b)).toFixed(2)}×` : 'n/a');
    const cpuRatio = (a: string, b: string) => (max.has(b) ? `${(perCpu(a) / perCpu(b)).toFixed(2)}×` : 'n/a');
    out.push(`Ratios (median req/s): switchyard/nginx ${ratio('switchyard', 'nginx')}, switchyard/http-proxy ${ratio('switchyard', 'http-proxy')}, nginx/direct ${ratio('nginx', 'direct')}, switchyard/direct ${ratio('switchyard', 'direct')}.`);
    out.push(`Ratios per proxy CPU-second (robust when core 0 is not idle): switchyard/nginx ${cpuRatio('switchyard', 'nginx')}, switchyard/http-proxy ${cpuRatio('switchyard', 'http-proxy')}.`);
    out.push('');
    out.push(`### Fixed load: ${rate} req/s offered to every target (half of switchyard's max; ${CONNS} connections × 1 request per ${delayMs} ms), ${FIXED_SECONDS}s per run`);
    out.push('');
    out.push('| target | achieved req/s | p50 ms | p99 ms | added p99 vs direct ms | errors |');
    out.push('|---|---|---|---|---|---|');
    const directP99 = median(fixed.get('direct')!.map((r) => r.p99));
    emitFixed(fixed, directP99, rate);
    for (const t of targets) {
      const rs = fixed.get(t.name)!;
      const p99 = median(rs.map((r) => r.p99));
      out.push(`| ${t.name} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${ms(median(rs.map((r) => r.p50)))} | ${ms(p99)} | ${t.name === 'direct' ? '—' : ms(p99 - directP99)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`);
    }
    out.push('');
    out.push(`Total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
    console.log(out.join('\n'));
  } finally {
    await Promise.all(procs.reverse().map((p) => terminate(p.child, 'SIGTERM', 3000)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
