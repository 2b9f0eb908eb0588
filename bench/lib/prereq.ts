// Prerequisite checks for bench/run-all.ts: each returns why a bench cannot run, or null.
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { etcdBinary } from '../../test/harness/etcd';

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The first missing command, as "<cmd> not installed (<hint>)", or null. */
export function missingCommands(cmds: string[], hint = 'hack/install-test-deps.sh installs it'): string | null {
  for (const c of cmds) if (!hasCommand(c)) return `${c} not installed (${hint})`;
  return null;
}

export function missingEtcd(): string | null {
  try {
    etcdBinary();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function missingCores(n: number): string | null {
  const have = os.cpus().length;
  return have < n ? `needs ${n} cores, this machine has ${have}` : null;
}

/** The first reason a bench cannot run, or null when every check passes. */
export function firstMissing(...checks: Array<() => string | null>): string | null {
  for (const check of checks) {
    const why = check();
    if (why) return why;
  }
  return null;
}
