// A closed loop bounded by a count instead of a time: `workers` loops share one counter and stop
// once `count` operations were started (or `maxSeconds` passed), so two phases compared with each
// other do exactly the same work. Also what each phase cost in CPU: this process's (the load
// generator) and any other process's by pid (from /proc/<pid>/stat).
import * as fs from 'node:fs';
import { pct, type Measured } from './measure';

/** user + system CPU seconds a process has used so far (Linux /proc/<pid>/stat), NaN when unknown */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: count fields after its closing parenthesis
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 (utime) and 15 (stime), in clock ticks: index 11 and 12 after field 2
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK) */
const CLOCK_TICKS = 100;

export interface CountMeasured extends Measured {
  /** CPU seconds per watched pid during the phase */
  cpu: Record<string, number>;
  /** this process's CPU seconds during the phase */
  selfCpu: number;
}

export async function measureCount(
  count: number,
  workers: number,
  one: (i: number) => Promise<void>,
  opts: { pids?: Record<string, number | undefined>; maxSeconds?: number; maxErrors?: number; log?: (line: string) => void } = {},
): Promise<CountMeasured> {
  const lat: number[] = [];
  let next = 0;
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  const pids = Object.entries(opts.pids ?? {});
  const cpu0 = pids.map(([, pid]) => cpuSecondsOf(pid));
  const self0 = process.cpuUsage();
  const start = performance.now();
  const end = start + (opts.maxSeconds ?? 120) * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count && performance.now() < end) {
        const i = next++;
        const t = performance.now();
        try {
          await one(i);
          lat.push(performance.now() - t);
          ops++;
        } catch (err) {
          errors++;
          firstError ??= err;
          if (errors > (opts.maxErrors ?? 100)) throw new Error(`too many errors; first: ${String(firstError)}`);
        }
      }
    }),
  );
  const took = (performance.now() - start) / 1000;
  const self = process.cpuUsage(self0);
  const cpu: Record<string, number> = {};
  pids.forEach(([name, pid], k) => (cpu[name] = cpuSecondsOf(pid) - cpu0[k]));
  lat.sort((a, b) => a - b);
  if (errors) (opts.log ?? ((l) => process.stderr.write(l + '\n')))(`  ${errors} errors, first: ${String(firstError)}`);
  return { ops, errors, seconds: took, rate: ops / took, p50: pct(lat, 50), p99: pct(lat, 99), cpu, selfCpu: (self.user + self.system) / 1e6 };
}
