// Starts the real binary (`bin/switchyard serve|apiserver`) on free loopback ports with a temp data
// dir, waits until it logs that it is ready, and hands back what clients need.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from './ports';
import { tempDir } from './tmp';
import { terminate, trackChild } from './process';

export const REPO_ROOT = process.env.SWITCHYARD_REPO_ROOT ?? path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'switchyard');

export interface SwitchyardProcess {
  child: ChildProcess;
  dataDir: string;
  apiURL: string;
  apiPort: number;
  kubeconfig: string;
  readonlyKubeconfig: string;
  adminToken: string;
  readonlyToken: string;
  caFile: string;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** same data dir and ports, new process */
  restart(): Promise<SwitchyardProcess>;
}

export interface StartOptions {
  command?: 'serve' | 'apiserver';
  dataDir?: string;
  apiPort?: number;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}


export async function startSwitchyard(opts: StartOptions = {}): Promise<SwitchyardProcess> {
  const dataDir = opts.dataDir ?? tempDir('switchyard-test-');
  const apiPort = opts.apiPort ?? (await freePort());
  const command = opts.command ?? 'serve';
  const args = [command, '--data-dir', dataDir, '--api-listen', `127.0.0.1:${apiPort}`, ...(opts.extraArgs ?? [])];
  if (command === 'serve' && !args.includes('--proxy-listen')) args.push('--proxy-listen', `127.0.0.1:${await freePort()}`);
  // SWITCHYARD_TEST_NODE_ARGS: extra node flags for the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`,
  // which NODE_OPTIONS refuses); space-separated.
  const nodeArgs = (process.env.SWITCHYARD_TEST_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // SWITCHYARD_TEST_EXEC_WRAPPER: a command the server runs under (e.g. `valgrind --tool=callgrind …`
  // for instruction counts, bench/apiserver/creates.ts --instructions); space-separated.
  const wrapper = (process.env.SWITCHYARD_TEST_EXEC_WRAPPER ?? '').split(' ').filter(Boolean);
  const [cmd, ...cmdArgs] = [...wrapper, process.execPath, ...nodeArgs, BIN, ...args];
  const child = spawn(cmd, cmdArgs, {
    env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'debug', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // generous: a loaded 2-core CI machine has taken over 30 s to start serve
  const timeoutMs = opts.readyTimeoutMs ?? 90_000;
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`switchyard not ready after ${timeoutMs}ms:\n${out.slice(-4000)}`)), timeoutMs);
    const check = () => {
      if (out.includes('switchyard is ready')) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`switchyard exited with ${code} before ready:\n${out.slice(-4000)}`));
    });
  });
  // a server that never got ready must not outlive the test (it would hold the file open until its timeout)
  await ready.catch(async (err: Error) => {
    await terminate(child, 'SIGKILL', 2_000).catch(() => undefined);
    throw err;
  });
  const tokens = fs.readFileSync(path.join(dataDir, 'tokens.csv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const tokenOf = (u: string) => tokens.find((l) => l.split(',')[1] === u)?.split(',')[0] ?? '';
  const proc: SwitchyardProcess = {
    child,
    dataDir,
    apiURL: `https://127.0.0.1:${apiPort}`,
    apiPort,
    kubeconfig: path.join(dataDir, 'kubeconfig'),
    readonlyKubeconfig: path.join(dataDir, 'kubeconfig-readonly'),
    adminToken: tokenOf('admin'),
    readonlyToken: tokenOf('viewer'),
    caFile: path.join(dataDir, 'ca.crt'),
    logs: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      return (await terminate(child, signal, 10_000)).code;
    },
    async restart() {
      await proc.stop();
      return startSwitchyard({ ...opts, dataDir, apiPort });
    },
  };
  return proc;
}
