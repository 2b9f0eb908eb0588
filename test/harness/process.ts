// Child processes the tests start: tracked so they are SIGKILLed when the test process exits
// (exit hook), and also when it dies without running hooks (a watchdog shell that outlives it
// and kills the recorded pids). Plus a node-child helper with captured, line-split output.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onExit } from './cleanup';
import { tempDir } from './tmp';

const live = new Map<number, ChildProcess>();
let pidFile: string | undefined;
let hooked = false;

function writePidFile(): void {
  if (!pidFile) return;
  try {
    fs.writeFileSync(pidFile, [...live.keys()].join('\n') + '\n');
  } catch {
    /* best effort */
  }
}

function startWatchdog(): void {
  pidFile = path.join(tempDir('switchyard-pids-'), 'children.pid');
  writePidFile();
  const script =
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `if [ -f '${pidFile}' ]; then for p in $(cat '${pidFile}'); do kill -9 "$p" 2>/dev/null; done; fi`;
  try {
    const dog = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', detached: true });
    dog.on('error', () => undefined);
    dog.unref();
  } catch {
    /* no watchdog: the exit hook still runs in the usual cases */
  }
}

function killAllSync(): void {
  for (const [pid, child] of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  live.clear();
  if (pidFile) {
    try {
      fs.rmSync(pidFile, { force: true });
    } catch {
      /* best effort */
    }
  }
}

/** Kill this child at test-process exit (and if the test process itself is killed). */
export function trackChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (!hooked) {
    hooked = true;
    onExit(killAllSync, 0);
    startWatchdog();
  }
  const pid = child.pid;
  live.set(pid, child);
  writePidFile();
  child.once('exit', () => {
    live.delete(pid);
    writePidFile();
  });
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when the child has exited (immediately if it already has). */
export function exitOf(child: ChildProcess): Promise<ExitStatus> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Waits at most `ms` for the child to exit; true if it did. */
export async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([exitOf(child).then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/** Signal, wait up to graceMs, then SIGKILL and wait (bounded) again. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<ExitStatus> {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
    if (!(await waitExit(child, graceMs)) && signal !== 'SIGKILL') {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
      await waitExit(child, 5000);
    }
  }
  return { code: child.exitCode, signal: child.signalCode };
}

/** The last `max` characters written to a stream, kept as it arrives. */
export class Tail {
  private buf = '';
  constructor(private readonly max = 64 * 1024) {}
  push(chunk: Buffer | string): void {
    this.buf += chunk.toString();
    if (this.buf.length > this.max * 2) this.buf = this.buf.slice(-this.max);
  }
  text(lines?: number): string {
    const t = this.buf.slice(-this.max);
    if (lines === undefined) return t;
    return t.split('\n').slice(-lines - 1).join('\n');
  }
}

export interface NodeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** complete stdout lines seen so far */
  readonly lines: string[];
  stdout(): string;
  stderr(): string;
  /** called for every complete stdout line from now on */
  onLine(fn: (line: string) => void): void;
  /** resolves with the first stdout line (already seen or future) matching; rejects after timeoutMs or on exit */
  waitForLine(pred: (line: string) => boolean, timeoutMs: number): Promise<string>;
  exited: Promise<ExitStatus>;
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

/** Run `node script args...` with captured output, killed at test-process exit. */
export function spawnNode(script: string, args: string[] = [], opts: SpawnOptions = {}): NodeChild {
  const child = spawn(process.execPath, [script, ...args], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start node ${script}`);
  trackChild(child);
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  const out = new Tail(1024 * 1024);
  const err = new Tail();
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out.push(chunk);
    partial += chunk.toString('utf8');
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const fn of listeners) fn(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = exitOf(child);
  return {
    child,
    pid: child.pid,
    lines,
    stdout: () => out.text(),
    stderr: () => err.text(),
    onLine: (fn) => void listeners.push(fn),
    waitForLine(pred, timeoutMs) {
      const seen = lines.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line from ${script} within ${timeoutMs} ms; stderr:\n${err.text(30)}`)),
          timeoutMs,
        );
        listeners.push((line) => {
          if (pred(line)) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        void exited.then((st) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited (${st.code ?? st.signal}) before a matching line; stderr:\n${err.text(30)}`));
        });
      });
    },
    exited,
    kill: (signal = 'SIGKILL') => terminate(child, signal),
  };
}
