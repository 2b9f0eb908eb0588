// Runs one bench script as a child process with a hard time bound. The child leads its own process
// group, so a timeout (or run-all's own SIGINT/SIGTERM) ends it and everything it started (etcd,
// nginx, switchyard, wrk) together: SIGTERM to the group, SIGKILL 5 s later.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  seconds: number;
  /** the last non-empty lines of its stderr and stdout, for a "failed" row */
  lastLines: string[];
}

let current: number | undefined;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** End the running bench's process group (for run-all's own signal handlers). */
export function killCurrent(): void {
  if (current !== undefined) killGroup(current, 'SIGKILL');
}

export function runBounded(opts: {
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  timeoutS: number;
  logFile: string;
  /** each output line as it comes, for progress */
  onLine?: (line: string) => void;
}): Promise<ChildResult> {
  const t0 = performance.now();
  const log = fs.createWriteStream(opts.logFile);
  const child = spawn(process.execPath, [opts.script, ...opts.args], { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  current = child.pid;
  const tail: string[] = [];
  let timedOut = false;
  const onData = (buf: Buffer, partial: { s: string }) => {
    log.write(buf);
    partial.s += buf.toString('utf8');
    let nl: number;
    while ((nl = partial.s.indexOf('\n')) >= 0) {
      const line = partial.s.slice(0, nl);
      partial.s = partial.s.slice(nl + 1);
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 8) tail.shift();
      opts.onLine?.(line);
    }
  };
  const out = { s: '' };
  const err = { s: '' };
  child.stdout!.on('data', (b: Buffer) => onData(b, out));
  child.stderr!.on('data', (b: Buffer) => onData(b, err));
  let killer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM');
    killer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), 5000);
  }, opts.timeoutS * 1000);
  return new Promise((resolve) => {
    let finished = false;
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(killer);
      const seconds = (performance.now() - t0) / 1000;
      // whatever it left behind in its group (a killed bench cannot stop its etcd)
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      current = undefined;
      // let the pipes drain (a grandchild holding them must not hang us), then close the log
      const closed = new Promise<void>((r) => (child.stdout!.readableEnded && child.stderr!.readableEnded ? r() : child.once('close', () => r())));
      void Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]).then(() => log.end(() => resolve({ code, signal, timedOut, seconds, lastLines: tail })));
    };
    child.on('error', (e) => {
      tail.push(String(e));
      done(null, null);
    });
    child.on('exit', done);
  });
}
