// What bench/run-all.ts runs: each bench's script (under dist/bench), its arguments in quick and
// full mode, its hard time bound, and what it needs. Full mode passes no arguments: each bench's
// own defaults, the durations its README numbers were taken with.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstMissing, missingCommands, missingCores, missingEtcd } from './prereq';

export interface BenchSpec {
  name: string;
  /** path under dist/bench */
  script: string;
  quickArgs: string[];
  fullArgs: string[];
  quickTimeoutS: number;
  fullTimeoutS: number;
  /** why it cannot run here, or null */
  missing: () => string | null;
  /** found under bench/ but not in this plan */
  discovered?: boolean;
}

function missingConsole(): string | null {
  // loaded only when asked: it brings in playwright-core
  const lib = require('../../test/console/lib') as typeof import('../../test/console/lib');
  return lib.missingPrerequisite();
}

/** A plan entry whose script may not be built yet (a bench still being written). */
function missingScript(distBench: string, script: string): string | null {
  return fs.existsSync(path.join(distBench, script)) ? null : `dist/bench/${script} not built`;
}
const DIST_BENCH = path.resolve(__dirname, '..');

export const PLAN: BenchSpec[] = [
  {
    name: 'storage',
    script: 'storage/run.js',
    quickArgs: ['--seconds', '2'],
    fullArgs: [],
    quickTimeoutS: 150,
    fullTimeoutS: 600,
    missing: missingEtcd,
  },
  {
    name: 'apiserver',
    script: 'apiserver/run.js',
    quickArgs: ['--seconds', '6', '--creates', '1500', '--rounds', '2', '--objects', '2000', '--watchers', '200'],
    fullArgs: [],
    quickTimeoutS: 300,
    fullTimeoutS: 1500,
    missing: missingEtcd,
  },
  {
    name: 'apiserver-watch',
    script: 'apiserver/watch_fanout.js',
    quickArgs: ['--objects', '2000', '--watchers', '200', '--writes', '10', '--burst', '50'],
    fullArgs: [],
    quickTimeoutS: 400,
    fullTimeoutS: 1200,
    missing: missingEtcd,
  },
  {
    name: 'proxy',
    script: 'proxy/run.js',
    // nginx is optional here: without it the bench measures switchyard and http-proxy and says so
    quickArgs: ['--seconds', '4', '--warm', '1', '--fixed-seconds', '4', '--rounds', '2'],
    fullArgs: [],
    quickTimeoutS: 180,
    fullTimeoutS: 600,
    missing: () => firstMissing(() => missingCores(2), () => missingCommands(['taskset', 'wrk'])),
  },
  {
    name: 'dns',
    script: 'dns/forward_vs_static.js',
    quickArgs: ['--seconds', '3', '--rounds', '2'],
    fullArgs: [],
    quickTimeoutS: 90,
    fullTimeoutS: 300,
    missing: () => missingCommands(['wrk']),
  },
  {
    name: 'facades',
    script: 'facades/heartbeat.js',
    // quick: the facade and store alone (no controller restart and settle), 1,000 backends, the
    // default write budget against a write per heartbeat
    quickArgs: ['--backends', '1000', '--seconds', '15', '--interval', '5', '--modes', 'default,every', '--command', 'apiserver'],
    fullArgs: [],
    quickTimeoutS: 240,
    fullTimeoutS: 3600,
    missing: () => null,
  },
  {
    name: 'console',
    script: 'console/run.js',
    quickArgs: ['--backends', '1000', '--burst', '200'],
    fullArgs: [],
    quickTimeoutS: 300,
    fullTimeoutS: 900,
    missing: missingConsole,
  },
  {
    name: 'controller',
    script: 'controller/scale.js',
    // it reads BENCH_QUICK=1 itself (a shorter update stream); --bound-seconds ends it in time to report
    quickArgs: ['--backends', '2000', '--routes', '20', '--changes', '10', '--bound-seconds', '200'],
    fullArgs: [],
    quickTimeoutS: 240,
    fullTimeoutS: 1000,
    missing: () => missingScript(DIST_BENCH, 'controller/scale.js'),
  },
];

/**
 * Benches that appeared under bench/<dir>/ and are not in PLAN: <dir>/run.ts, or the one script in
 * <dir>, compiled under dist/bench/<dir>/. Run with no arguments (BENCH_QUICK=1 in quick mode
 * tells them to be short) and a generous bound. They report through $BENCH_JSON like the others,
 * or get a row saying they did not.
 */
export function discover(distBench: string, srcBench: string): BenchSpec[] {
  const known = new Set(PLAN.map((b) => b.script.split('/')[0]));
  const found: BenchSpec[] = [];
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(srcBench).filter((d) => !known.has(d) && d !== 'lib' && d !== 'results').sort();
  } catch {
    return found;
  }
  for (const d of dirs) {
    let scripts: string[] = [];
    try {
      scripts = fs.readdirSync(path.join(srcBench, d)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
    } catch {
      continue; // not a directory
    }
    const main = scripts.includes('run.ts') ? 'run.ts' : scripts.length === 1 ? scripts[0] : undefined;
    if (!main) continue;
    const script = `${d}/${main.replace(/\.ts$/, '.js')}`;
    if (!fs.existsSync(path.join(distBench, script))) continue;
    found.push({ name: d, script, quickArgs: [], fullArgs: [], quickTimeoutS: 300, fullTimeoutS: 1800, missing: () => null, discovered: true });
  }
  return found;
}
