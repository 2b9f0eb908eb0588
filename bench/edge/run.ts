// The edge's HTTP/2 and TLS costs, each against its reference in the same run:
//   (a) requests per proxy CPU-second over HTTP/2 (h2c, 5 connections × 10 streams) against
//       HTTP/1.1 (50 keep-alive connections), both with h2load, through the same proxy process to
//       the same HTTP/1.1 upstream; rounds alternate the two;
//   (b) TLS handshakes per second (and per proxy CPU-second) on a port with 100 certificates chosen
//       by SNI (clients spread over the 100 names) against a port with 1 certificate (same names).
// The proxy runs alone on core 0 (`taskset -a -c 0`), the upstream and the load on core 1.
// Prints a markdown table; rows also go to $BENCH_JSON (bench/run-all.ts). Not a test.
//   node dist/bench/edge/run.js [--seconds 8] [--rounds 2] [--certs 100]
//   (BENCH_QUICK=1: 3 s, 1 round)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { freePorts } from '../../test/harness/ports';
import { tempDir } from '../../test/harness/tmp';
import { terminate, trackChild } from '../../test/harness/process';
import { emit, statusRow, type BenchRow } from '../lib/report';
import { arg } from '../lib/args';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = Number(arg('seconds', QUICK ? '3' : '8'));
const ROUNDS = Number(arg('rounds', QUICK ? '1' : '2'));
const CERTS = Number(arg('certs', '100'));
const HANDSHAKE_CONCURRENCY = 16;
const DIST = path.resolve(__dirname);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function start(cpu: number, args: string[]): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn('taskset', ['-a', '-c', String(cpu), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not ready: ${args[0]}\n${out}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (/READY/.test(out)) (clearTimeout(t), resolve());
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (c) => (clearTimeout(t), reject(new Error(`exited ${c}: ${out}`))));
  });
  return { child, ready };
}

/** h2load on core 1 for SECONDS; succeeded requests and the proxy's CPU seconds meanwhile */
function h2load(pid: number, url: string, extra: string[]): { done: number; cpu: number } {
  const cpu0 = cpuSeconds(pid);
  const r = spawnSync('taskset', ['-c', '1', 'h2load', '-D', String(SECONDS), '--warm-up-time', '1', ...extra, url], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
  const cpu = cpuSeconds(pid) - cpu0;
  const m = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(r.stdout ?? '');
  if (!m) throw new Error(`h2load failed: ${r.stdout}\n${r.stderr}`);
  return { done: Number(m[1]), cpu };
}

/** the handshake client (run as a child on core 1): prints the number of completed handshakes */
async function handshakeClient(port: number, seconds: number, names: number): Promise<void> {
  let n = 0;
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername: `h${i % names}.bench.test`, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], session: undefined });
      s.once('secureConnect', () => (n++, s.destroy(), resolve()));
      s.once('error', () => (errors++, s.destroy(), resolve()));
    });
  await Promise.all(
    Array.from({ length: HANDSHAKE_CONCURRENCY }, async (_, w) => {
      for (let i = w; Date.now() < end && errors < 100; i += HANDSHAKE_CONCURRENCY) await one(i);
    }),
  );
  console.log(JSON.stringify({ n, errors }));
}

function handshakes(pid: number, port: number): { rate: number; perCpu: number } {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const r = spawnSync('taskset', ['-c', '1', process.execPath, __filename, '--client-handshakes', String(port), '--seconds', String(SECONDS), '--certs', String(CERTS)], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const m = /\{"n":(\d+),"errors":(\d+)\}/.exec(r.stdout ?? '');
  if (!m) throw new Error(`handshake client failed: ${r.stdout}\n${r.stderr}`);
  if (Number(m[2]) > 0) throw new Error(`${m[2]} handshakes failed`);
  return { rate: Number(m[1]) / Math.min(secs, SECONDS), perCpu: Number(m[1]) / cpu };
}

function certificates(dir: string): void {
  for (let i = 0; i < CERTS; i++) {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=h${i}.bench.test`, '-keyout', path.join(dir, `c${i}.key`), '-out', path.join(dir, `c${i}.crt`)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  }
}

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));

async function main(): Promise<void> {
  const i = process.argv.indexOf('--client-handshakes');
  if (i >= 0) return handshakeClient(Number(process.argv[i + 1]), SECONDS, CERTS);
  const missing = os.cpus().length < 2 ? 'needs 2 cores' : ['taskset', 'h2load', 'openssl'].find((c) => !has(c));
  if (missing) {
    emit(statusRow('edge', 'HTTP/2 vs HTTP/1.1; TLS handshakes with 100 certificates', 'skipped', missing.includes(' ') ? missing : `${missing} not installed (hack/install-test-deps.sh)`));
    console.log(`skipped: ${missing}`);
    return;
  }
  const dir = tempDir('switchyard-bench-edge-');
  certificates(dir);
  const [port, tlsMany, tlsOne, upPort] = await freePorts(4);
  const up = start(1, [path.join(DIST, '..', 'proxy', 'node_upstream.js'), '--port', String(upPort)]);
  const sy = start(0, [path.join(DIST, 'edge_server.js'), '--port', String(port), '--tls-many', String(tlsMany), '--tls-one', String(tlsOne), '--upstream', `127.0.0.1:${upPort}`, '--certs', dir, '--count', String(CERTS)]);
  try {
    await Promise.all([up.ready, sy.ready]);
    const pid = sy.child.pid!;
    // the proxy is `taskset … node`: taskset execs node, so the pid is node's
    const h1 = { done: 0, cpu: 0 };
    const h2 = { done: 0, cpu: 0 };
    const many = { rate: 0, perCpu: 0 };
    const one = { rate: 0, perCpu: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const a = h2load(pid, `http://127.0.0.1:${port}/`, ['--h1', '-c', '50', '-m', '1']);
      const b = h2load(pid, `http://127.0.0.1:${port}/`, ['-c', '5', '-m', '10']);
      h1.done += a.done;
      h1.cpu += a.cpu;
      h2.done += b.done;
      h2.cpu += b.cpu;
      const x = handshakes(pid, tlsMany);
      const y = handshakes(pid, tlsOne);
      many.rate += x.rate / ROUNDS;
      many.perCpu += x.perCpu / ROUNDS;
      one.rate += y.rate / ROUNDS;
      one.perCpu += y.perCpu / ROUNDS;
    }
    const rows: BenchRow[] = [
      { bench: 'edge', case: 'HTTP/2 (h2c, 5 conns × 10 streams) vs HTTP/1.1 (50 conns), h2load', metric: 'req per proxy CPU-second', unit: 'req/CPU-s', value: h2.done / h2.cpu, reference: 'HTTP/1.1', referenceValue: h1.done / h1.cpu },
      { bench: 'edge', case: 'HTTP/2 vs HTTP/1.1, h2load', metric: 'req/s', unit: 'req/s', value: h2.done / (SECONDS * ROUNDS), reference: 'HTTP/1.1', referenceValue: h1.done / (SECONDS * ROUNDS) },
      { bench: 'edge', case: `TLS handshakes, ${CERTS} certificates by SNI vs 1 (${HANDSHAKE_CONCURRENCY} clients, ECDSA P-256)`, metric: 'handshakes/s', unit: 'hs/s', value: many.rate, reference: '1 certificate', referenceValue: one.rate },
      { bench: 'edge', case: `TLS handshakes, ${CERTS} certificates by SNI vs 1`, metric: 'handshakes per proxy CPU-second', unit: 'hs/CPU-s', value: many.perCpu, reference: '1 certificate', referenceValue: one.perCpu },
    ];
    emit(...rows);
    console.log(`| case | metric | switchyard | reference | ratio |\n|---|---|---|---|---|`);
    for (const r of rows) console.log(`| ${r.case} | ${r.metric} | ${fmt(r.value!)} | ${r.reference}: ${fmt(r.referenceValue!)} | ${(r.value! / r.referenceValue!).toFixed(2)} |`);
    console.log(`\n${SECONDS} s × ${ROUNDS} round(s); proxy on core 0, upstream and load on core 1; ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await Promise.all([terminate(sy.child), terminate(up.child)]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
