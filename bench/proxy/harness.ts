// What the proxy benchmarks share: starting a process (pinned to a core or not), waiting for its
// port, an nginx config, one wrk run (with the CPU seconds the proxy under test spent meanwhile).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { trackChild } from '../../test/harness/process';

export const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

export interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
}

export function start(name: string, cpu: number | null, cmd: string, args: string[]): Proc {
  // cpu null: unpinned (the kernel spreads the threads and processes over every core)
  const child = cpu === null ? spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('taskset', ['-a', '-c', String(cpu), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  return { name, child, output: () => out };
}

export async function waitPort(p: Proc, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`${p.name} did not listen on ${port}:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function nginxConf(dir: string, name: string, server: string, extra = '', workerProcesses = 1): string {
  const conf = path.join(dir, `${name}.conf`);
  const tmp = path.join(dir, `${name}-tmp`);
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(
    conf,
    `worker_processes ${workerProcesses};
daemon off;
pid ${dir}/${name}.pid;
error_log ${dir}/${name}-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  ${extra}
  server {
    ${server}
  }
}
`,
  );
  return conf;
}

const WRK_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"mean":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
`;

/** nginx as the reference reverse proxy: keep-alive upstream pool, the headers switchyard sets. */
export function nginxProxyConf(dir: string, name: string, port: number, upPort: number, workers = 1): string {
  return nginxConf(
    dir,
    name,
    `listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }`,
    `upstream up { server 127.0.0.1:${upPort}; keepalive 64; keepalive_requests 1000000; }`,
    workers,
  );
}

export interface WrkResult {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  rps: number;
  errors: number;
  /** CPU seconds the proxy under test used during the run (NaN for direct) */
  cpu: number;
}

export interface WrkOptions {
  /** each connection waits this long between requests (fixed load) */
  delayMs?: number;
  /** whose CPU time to count (the process and its children) */
  proxyPid?: number;
  connections: number;
  /** the core wrk runs on; null: unpinned */
  cpu: number | null;
}

export function wrk(dir: string, port: number, seconds: number, o: WrkOptions): Promise<WrkResult> {
  const delayMs = o.delayMs ?? 0;
  const proxyPid = o.proxyPid;
  const cpu0 = cpuSeconds(proxyPid);
  const script = path.join(dir, delayMs ? `wrk-delay-${delayMs}.lua` : 'wrk.lua');
  if (!fs.existsSync(script)) fs.writeFileSync(script, (delayMs ? `function delay() return ${delayMs} end\n` : '') + WRK_DONE);
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${o.connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, `http://127.0.0.1:${port}/`];
    const child = o.cpu === null ? spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('taskset', ['-c', String(o.cpu), 'wrk', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.on('exit', () => {
      clearTimeout(t);
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (!line) return reject(new Error(`wrk gave no result:\n${out}`));
      const r = JSON.parse(line.slice(8)) as WrkResult;
      r.rps = r.requests / (r.duration_us / 1e6);
      r.errors = r.connect + r.read + r.write + r.status + r.timeout;
      r.cpu = cpuSeconds(proxyPid) - cpu0;
      resolve(r);
    });
  });
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** CPU seconds (user + system, every thread) used so far by `pid` and its child processes (nginx's workers, switchyard's proxy workers). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  let ticks = 0;
  const pids = [pid];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const kids = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (kids) pids.push(...kids.split(/\s+/).map(Number));
    }
  } catch {
    /* no children file: the process alone */
  }
  for (const p of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch {
      /* gone */
    }
  }
  return ticks / CLK_TCK;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const ms = (us: number) => (us / 1000).toFixed(2);

