// Runs every benchmark, one after another (never two at once: they would measure each other), each
// as a child process with a hard time bound, and prints ONE markdown table of switchyard against
// its references (raw etcd3, nginx, http-proxy, static Backend) with ratios and goals. Writes it,
// with how each bench ran, to bench/results/latest.md, the rows to bench/results/latest.json and
// each bench's own output to bench/results/logs/<bench>.log.
//   node dist/bench/run-all.js [--full] [--only storage,proxy] [--timeout SECONDS (every bench's bound)]
// Quick mode (the default; BENCH_QUICK=0 or --full for the benches' own long durations) shortens
// every bench so the whole report takes about 5–8 minutes on 2 cores. A bench whose prerequisites
// are missing gets a "skipped: <why>" row; one that overruns its bound is killed ("timed out"),
// keeping the rows it had already written. Exits 1 when a bench failed (crashed), else 0.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killCurrent, runBounded, type ChildResult } from './lib/child';
import { discover, PLAN, type BenchSpec } from './lib/plan';
import { formatTable, parseRows, statusRow, type BenchRow } from './lib/report';
import { writeReport, type BenchRun } from './lib/results';

const DIST_BENCH = __dirname;
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(REPO_ROOT, 'bench', 'results');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const FULL = process.argv.includes('--full') || process.env.BENCH_QUICK === '0';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

function selected(all: BenchSpec[]): BenchSpec[] {
  const only = arg('only');
  if (!only) return all;
  const names = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length) {
    log(`unknown bench ${unknown.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  return all.filter((b) => names.includes(b.name));
}

/** The line of a failed bench's output that says why: its last error line, else its last line. */
function why(res: ChildResult): string {
  const lines = res.lastLines;
  const line = [...lines].reverse().find((l) => /error|Error|ERR|fail/.test(l)) ?? lines[lines.length - 1] ?? '';
  const exit = res.code !== null ? `exit ${res.code}` : `signal ${res.signal}`;
  return `${exit}${line ? `: ${line.trim().slice(0, 160)}` : ''}`;
}

async function runOne(b: BenchSpec, jsonDir: string): Promise<{ run: BenchRun; rows: BenchRow[] }> {
  const args = FULL ? b.fullArgs : b.quickArgs;
  const load = os.loadavg()[0];
  const missing = b.missing()?.split(`${REPO_ROOT}/`).join('');
  if (missing) {
    log(`[${b.name}] skipped: ${missing}`);
    return { run: { name: b.name, status: 'skipped', seconds: 0, load, args, note: missing }, rows: [statusRow(b.name, 'all cases', 'skipped', missing)] };
  }
  const timeoutS = Number(arg('timeout') ?? (FULL ? b.fullTimeoutS : b.quickTimeoutS));
  const jsonFile = path.join(jsonDir, `${b.name}.jsonl`);
  fs.rmSync(jsonFile, { force: true });
  log(`[${b.name}] node dist/bench/${[b.script, ...args].join(' ')} (bound ${timeoutS} s, load ${load.toFixed(1)})`);
  const res = await runBounded({
    script: path.join(DIST_BENCH, b.script),
    args,
    env: { ...process.env, BENCH_JSON: jsonFile, BENCH_QUICK: FULL ? '0' : '1' },
    timeoutS,
    logFile: path.join(RESULTS, 'logs', `${b.name}.log`),
    onLine: (l) => log(`[${b.name}] ${l}`),
  });
  const rows = fs.existsSync(jsonFile) ? parseRows(fs.readFileSync(jsonFile, 'utf8')) : [];
  const rest = rows.length ? 'remaining cases' : 'all cases';
  let run: BenchRun = { name: b.name, status: 'ok', seconds: res.seconds, load, args };
  if (res.timedOut) {
    const note = `killed at its ${timeoutS} s bound${rows.length ? ` after ${rows.length} rows` : ''}`;
    rows.push(statusRow(b.name, rest, 'timed out', note));
    run = { ...run, status: 'timed out', note };
  } else if (res.code !== 0) {
    const note = why(res);
    rows.push(statusRow(b.name, rest, 'failed', note));
    run = { ...run, status: 'failed', note };
  } else if (!rows.length) {
    const note = 'exited 0 but wrote no rows to $BENCH_JSON (bench/lib/report.ts emit())';
    rows.push(statusRow(b.name, 'all cases', 'failed', note));
    run = { ...run, status: 'failed', note };
  }
  log(`[${b.name}] ${run.status} in ${res.seconds.toFixed(0)} s, ${rows.length} rows`);
  return { run, rows };
}

/** What was measured: HEAD and how many files outside bench/ differed from it (others' work in progress). */
function source(): string {
  const git = (...a: string[]) => spawnSync('git', ['-C', REPO_ROOT, ...a], { encoding: 'utf8' }).stdout ?? '';
  const head = git('rev-parse', '--short', 'HEAD').trim();
  if (!head) return 'not a git checkout';
  // porcelain lines are "XY path": the status columns may be spaces, so no trimming
  const changed = git('status', '--porcelain').split('\n').filter((l) => l.length > 3 && !l.slice(3).startsWith('bench/')).length;
  return changed ? `commit ${head} plus ${changed} uncommitted changed file${changed === 1 ? '' : 's'} outside bench/` : `commit ${head}, clean outside bench/`;
}

async function main(): Promise<void> {
  const benches = selected([...PLAN, ...discover(DIST_BENCH, path.join(REPO_ROOT, 'bench'))]);
  const jsonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  fs.mkdirSync(path.join(RESULTS, 'logs'), { recursive: true });
  const onSignal = (sig: NodeJS.Signals) => {
    killCurrent();
    log(`run-all: ${sig}, stopped`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const loadStart = os.loadavg();
  const t0 = performance.now();
  const runs: BenchRun[] = [];
  const rows: BenchRow[] = [];
  for (const b of benches) {
    const r = await runOne(b, jsonDir);
    runs.push(r.run);
    rows.push(...r.rows);
    await new Promise((res) => setTimeout(res, 1000)); // ports and sockets of the last bench settle
  }
  const cpus = os.cpus();
  const meta = {
    command: `node dist/bench/run-all.js${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    mode: FULL ? ('full' as const) : ('quick' as const),
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    machine: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}`,
    source: source(),
    node: process.version,
    loadStart,
    loadEnd: os.loadavg(),
  };
  const files = writeReport(RESULTS, meta, runs, rows);
  fs.rmSync(jsonDir, { recursive: true, force: true });
  console.log(formatTable(rows));
  log(`\nwrote ${path.relative(REPO_ROOT, files.md)} and ${path.relative(REPO_ROOT, files.json)}; each bench's output in bench/results/logs/`);
  process.exitCode = runs.some((r) => r.status === 'failed') ? 1 : 0;
}

main().catch((err) => {
  killCurrent();
  console.error(err);
  process.exit(1);
});
