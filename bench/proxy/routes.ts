// Routing cost per request, a table of 10 HTTPRoutes against one of 10,000 (bench/lib/route_table.ts:
// exact and wildcard hostnames, shared API hosts, prefix/exact/regex paths, header, method and query
// matches). Not a test.
//   node dist/bench/proxy/routes.js [--sizes 10,10000] [--rounds 5] [--iterations 2000000]
//     in process: Router.match() on a fixed mix of 1,000 prebuilt requests, sizes alternated per
//     round, median ns/op and the ratio to the smallest table; and the compile cost of each table
//     (compileRouter alone, and the proxy's whole compileDataPlane: what a snapshot swap costs).
//   node dist/bench/proxy/routes.js --callgrind [--sizes 10,10000] [--a 20000 --b 100000 --warm 50000]
//     the same match loop under `valgrind --tool=callgrind`, twice per size (A and B iterations after
//     the same warm-up, node --single-threaded); (Ir(B) − Ir(A)) / (B − A) is the instructions per
//     match, repeatable on a busy machine.
//   node dist/bench/proxy/routes.js --wrk [--sizes 10,10000] [--seconds 8] [--rounds 3]
//     end to end: bench/proxy/switchyard_server.js --routes N for each size (alone on core 0), nginx
//     `return 200` upstream and wrk -t1 -c50 on core 1, wrk cycling through the same request mix
//     (Host, method, path, headers) by a Lua script; rounds alternate the sizes; median req/s and
//     req/s ratio to the smallest table.
//   (internal) --child-loop --routes N --iterations K [--warm W]: what callgrind runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileRouter, type Router } from '../../pkg/proxy/router/compile';
import { Req } from '../../pkg/proxy/router/testing';
import { compileDataPlane } from '../../pkg/proxy/dataplane';
import { arg } from '../lib/args';
import { routeTable } from '../lib/route_table';
import { oneRouteSnapshot } from '../lib/one_route_snapshot';
import type { Snapshot } from '../../pkg/proxy/ir';

const SIZES = arg('sizes', '10,10000').split(',').map(Number);
const ROUNDS = Number(arg('rounds', '5'));
const ITERATIONS = Number(arg('iterations', '2000000'));

function build(n: number): { router: Router; reqs: Req[]; rules: number } {
  const t = routeTable(n, { listeners: ['default'] });
  const router = compileRouter(t.rules, 'default');
  const reqs = t.requests.map((r) => new Req(r.host, r.target, r.method, r.headers));
  return { router, reqs, rules: t.rules.length };
}

/** runs match() `iterations` times over the mix; returns the number of hits (so nothing is optimised away) */
function loop(router: Router, reqs: Req[], iterations: number): number {
  let hits = 0;
  const n = reqs.length;
  for (let i = 0, j = 0; i < iterations; i++) {
    if (router.match(reqs[j]!) !== null) hits++;
    if (++j === n) j = 0;
  }
  return hits;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

function snapshotOf(n: number): Snapshot {
  const base = oneRouteSnapshot('127.0.0.1:9');
  return { ...base, rules: routeTable(n).rules };
}

function inProcess(): void {
  console.log(`routing cost per request, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const tables = SIZES.map((n) => ({ n, ...build(n), ns: [] as number[], hitRate: 0 }));
  for (const t of tables) loop(t.router, t.reqs, 300_000); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...tables].reverse() : tables;
    for (const t of order) {
      const t0 = process.hrtime.bigint();
      const hits = loop(t.router, t.reqs, ITERATIONS);
      t.ns.push(Number(process.hrtime.bigint() - t0) / ITERATIONS);
      t.hitRate = hits / ITERATIONS;
    }
  }
  const base = median(tables[0]!.ns);
  console.log('\n| HTTPRoutes | rules | match entries | ns/match (median of ' + ROUNDS + ') | rounds | hit rate | vs ' + SIZES[0] + ' |');
  console.log('|---:|---:|---:|---:|---|---:|---:|');
  for (const t of tables) {
    const med = median(t.ns);
    console.log(`| ${t.n} | ${t.rules} | ${t.router.size} | ${med.toFixed(0)} | ${t.ns.map((x) => x.toFixed(0)).join(' ')} | ${(t.hitRate * 100).toFixed(0)} % | ${(med / base).toFixed(2)}× |`);
  }
  // compile cost: a cold compile (new RuleIR objects: nothing reused but compiled regexes, cached
  // by source), and the proxy's snapshot swap with one route changed (the rest the same objects)
  console.log('\n| HTTPRoutes | compileRouter, cold (ms, median of 5) | compileDataPlane, cold | compileDataPlane, one route changed |');
  console.log('|---:|---:|---:|---:|');
  const deps = { now: Date.now, rand: Math.random };
  const ports = new Map([[8080, new Set(['default'])]]);
  for (const n of SIZES) {
    const rc: number[] = [];
    const dc: number[] = [];
    const oc: number[] = [];
    for (let k = 0; k < 5; k++) {
      const rules = routeTable(n).rules;
      let t0 = performance.now();
      compileRouter(rules, 'default');
      rc.push(performance.now() - t0);
      const snap = { ...snapshotOf(0), rules: routeTable(n).rules };
      t0 = performance.now();
      const dp = compileDataPlane(snap, ports, undefined, deps);
      dc.push(performance.now() - t0);
      const changed = snap.rules.slice();
      changed[changed.length >> 1] = { ...changed[changed.length >> 1]!, hostnames: ['changed.example.com'] };
      t0 = performance.now();
      compileDataPlane({ ...snap, generation: 2, rules: changed }, ports, dp, deps);
      oc.push(performance.now() - t0);
    }
    console.log(`| ${n} | ${median(rc).toFixed(1)} | ${median(dc).toFixed(1)} | ${median(oc).toFixed(1)} |`);
  }
}

/** what callgrind runs: build, warm up, then exactly `iterations` matches */
function childLoop(): void {
  const { router, reqs } = build(Number(arg('routes', '10')));
  loop(router, reqs, Number(arg('warm', '50000')));
  const hits = loop(router, reqs, Number(arg('iterations', '0')));
  process.stdout.write(`hits ${hits}\n`);
}

function callgrindIr(n: number, iterations: number, dir: string): number {
  const out = path.join(dir, `cg-${n}-${iterations}.out`);
  const r = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', __filename, '--child-loop', '--routes', String(n), '--warm', arg('warm', '50000'), '--iterations', String(iterations)],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`callgrind failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return Number(m[1]);
}

function callgrind(): void {
  const A = Number(arg('a', '20000'));
  const B = Number(arg('b', '100000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routes-cg-'));
  console.log(`callgrind instructions per match(): (Ir(${B}) − Ir(${A})) / ${B - A}, node --single-threaded, same warm-up`);
  console.log('\n| HTTPRoutes | instructions per match | vs ' + SIZES[0] + ' |');
  console.log('|---:|---:|---:|');
  let base = 0;
  for (const n of SIZES) {
    const per = (callgrindIr(n, B, dir) - callgrindIr(n, A, dir)) / (B - A);
    if (!base) base = per;
    console.log(`| ${n} | ${per.toFixed(0)} | ${(per / base).toFixed(2)}× |`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function luaString(x: string): string {
  return JSON.stringify(x);
}

/** a wrk script that sends the table's request mix in turn */
function wrkScript(n: number): string {
  const reqs = routeTable(n).requests;
  const lines = reqs.map((r) => {
    const headers = { Host: r.host, ...r.headers };
    const h = Object.entries(headers).map(([k, v]) => `[${luaString(k)}]=${luaString(v)}`).join(',');
    return `  wrk.format(${luaString(r.method)}, ${luaString(r.target)}, {${h}}, nil),`;
  });
  return `local reqs = {\n${lines.join('\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n` +
    `done = function(summary, latency, requests)\n  io.write(string.format('WRKJSON %d %d %d\\n', summary.requests, summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n`;
}

function startPinned(cpu: number, args: string[]): ChildProcess {
  const child = spawn('taskset', ['-a', '-c', String(cpu), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function waitListening(port: number): Promise<void> {
  for (let k = 0; k < 600; k++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function runWrk(script: string, port: number, seconds: number): { rps: number; errors: number } {
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c50', `-d${seconds}s`, '--timeout', '5s', '-s', script, `http://127.0.0.1:${port}/`], { encoding: 'utf8', timeout: (seconds + 20) * 1000 });
  const m = /WRKJSON (\d+) (\d+) (\d+)/.exec(r.stdout ?? '');
  if (!m) throw new Error(`wrk gave no result: ${r.stdout}${r.stderr}`);
  return { rps: Number(m[1]) / (Number(m[2]) / 1e6), errors: Number(m[3]) };
}

async function endToEnd(): Promise<void> {
  const seconds = Number(arg('seconds', '8'));
  const rounds = Number(arg('rounds', '3'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routes-wrk-'));
  const procs: ChildProcess[] = [];
  try {
    const upPort = await freePort();
    procs.push(startPinned(1, [process.execPath, path.join(__dirname, 'node_upstream.js'), '--port', String(upPort)]));
    await waitListening(upPort);
    const targets: Array<{ n: number; port: number; script: string; rps: number[]; errors: number }> = [];
    for (const n of SIZES) {
      const port = await freePort();
      procs.push(startPinned(0, [process.execPath, path.join(__dirname, 'switchyard_server.js'), '--port', String(port), '--upstream', `127.0.0.1:${upPort}`, '--routes', String(n)]));
      const script = path.join(dir, `mix-${n}.lua`);
      fs.writeFileSync(script, wrkScript(n));
      targets.push({ n, port, script, rps: [], errors: 0 });
    }
    for (const t of targets) await waitListening(t.port);
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 ? [...targets].reverse() : targets) {
        runWrk(t.script, t.port, 2);
        const r = runWrk(t.script, t.port, seconds);
        t.rps.push(r.rps);
        t.errors += r.errors;
        process.stderr.write(`round ${round + 1} ${t.n} routes: ${r.rps.toFixed(0)} req/s (${r.errors} non-2xx/3xx or errors)\n`);
      }
    }
    const base = median(targets[0]!.rps);
    console.log(`\nend to end (switchyard_server --routes N alone on core 0; node upstream and wrk -t1 -c50 on core 1; ${rounds} rounds × ${seconds} s; load ${os.loadavg()[0]!.toFixed(1)})\n`);
    console.log('| HTTPRoutes | req/s per round | median req/s | vs ' + SIZES[0] + ' | non-2xx/3xx (misses in the mix answer 404 by design) + socket errors |\n|---:|---|---:|---:|---:|');
    for (const t of targets) console.log(`| ${t.n} | ${t.rps.map((x) => x.toFixed(0)).join(' ')} | ${median(t.rps).toFixed(0)} | ${(median(t.rps) / base).toFixed(2)}× | ${t.errors} |`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child-loop')) childLoop();
else if (process.argv.includes('--callgrind')) callgrind();
else if (process.argv.includes('--wrk')) void endToEnd();
else inProcess();
