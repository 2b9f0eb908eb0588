// Real etcd servers for tests: one member or a static cluster on free loopback ports, each with a
// temp data dir. Every wait is bounded; failures carry the tail of etcd's own log. Processes are
// SIGKILLed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePorts } from './ports';
import { tempDir } from './tmp';
import { Tail, terminate, trackChild, waitExit } from './process';

export interface EtcdOptions {
  /** member name (default etcd-<random>) */
  name?: string;
  /** data dir (default: a fresh temp dir) */
  dataDir?: string;
  /** how long to wait for /health (default 20 s) */
  startTimeoutMs?: number;
  /** raft heartbeat / election timeouts in ms (etcd defaults 100 / 1000) */
  heartbeatMs?: number;
  electionTimeoutMs?: number;
  /** more command-line flags */
  extraArgs?: string[];
  /** etcd binary (default: $ETCD_BIN, /usr/bin/etcd, or etcd on PATH) */
  binary?: string;
}

export interface EtcdMember {
  readonly name: string;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly dataDir: string;
  /** pid of the running process (undefined while stopped) */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGTERM, wait (bounded), SIGKILL if needed */
  stop(): Promise<void>;
  /** send a signal (default SIGKILL) and wait (bounded) for the process to exit */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** stop if running, then start again on the same data dir and ports; waits for /health */
  restart(): Promise<void>;
  /** the last lines etcd logged */
  logTail(lines?: number): string;
}

export interface EtcdCluster {
  readonly members: EtcdMember[];
  /** client URLs of all members */
  readonly endpoints: string[];
  /** the member that currently leads (polls, bounded, until one is reported) */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  stop(): Promise<void>;
}

export function etcdBinary(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.ETCD_BIN) return process.env.ETCD_BIN;
  if (fs.existsSync('/usr/bin/etcd')) return '/usr/bin/etcd';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'etcd');
    if (dir && fs.existsSync(p)) return p;
  }
  throw new Error('etcd not found: install etcd-server (Debian) or set ETCD_BIN');
}

interface Spec {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  initialCluster: string;
  token: string;
  opts: EtcdOptions;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Member implements EtcdMember {
  readonly name: string;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly dataDir: string;
  private child: ChildProcess | undefined;
  private readonly log = new Tail(256 * 1024);

  constructor(private readonly spec: Spec) {
    this.name = spec.name;
    this.clientURL = `http://127.0.0.1:${spec.clientPort}`;
    this.peerURL = `http://127.0.0.1:${spec.peerPort}`;
    this.dataDir = spec.dataDir;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  logTail(lines = 40): string {
    return this.log.text(lines);
  }

  args(): string[] {
    const s = this.spec;
    return [
      `--name=${s.name}`,
      `--data-dir=${s.dataDir}`,
      `--listen-client-urls=${this.clientURL}`,
      `--advertise-client-urls=${this.clientURL}`,
      `--listen-peer-urls=${this.peerURL}`,
      `--initial-advertise-peer-urls=${this.peerURL}`,
      `--initial-cluster=${s.initialCluster}`,
      `--initial-cluster-token=${s.token}`,
      '--initial-cluster-state=new',
      `--heartbeat-interval=${s.opts.heartbeatMs ?? 100}`,
      `--election-timeout=${s.opts.electionTimeoutMs ?? 1000}`,
      '--logger=zap',
      '--log-outputs=stderr',
      ...(s.opts.extraArgs ?? []),
    ];
  }

  /** start the process (not waiting for health) */
  spawn(): void {
    if (this.running) throw new Error(`etcd ${this.name} is already running`);
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.log.push(`--- starting etcd ${this.name} at ${new Date().toISOString()}\n`);
    const child = spawn(etcdBinary(this.spec.opts.binary), this.args(), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.arch === 'arm64' ? { ...process.env, ETCD_UNSUPPORTED_ARCH: 'arm64' } : process.env,
    });
    child.on('error', (err) => this.log.push(`spawn error: ${err.message}\n`));
    child.stdout!.on('data', (c: Buffer) => this.log.push(c));
    child.stderr!.on('data', (c: Buffer) => this.log.push(c));
    trackChild(child);
    this.child = child;
  }

  /** wait until GET /health says healthy; fail fast if the process exits */
  async waitHealthy(timeoutMs = this.spec.opts.startTimeoutMs ?? 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`etcd ${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}) before becoming healthy:\n${this.logTail(30)}`);
      }
      try {
        const res = await httpJSON('GET', `${this.clientURL}/health`, undefined, 1000);
        if (res.status === 200 && (res.body as { health?: unknown })?.health === 'true') return;
        last = `HTTP ${res.status} ${JSON.stringify(res.body)}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`etcd ${this.name} not healthy within ${timeoutMs} ms (last: ${last}):\n${this.logTail(30)}`);
  }

  async stop(): Promise<void> {
    if (this.child) await terminate(this.child, 'SIGTERM', 10_000);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') {
      if (!(await waitExit(child, 10_000))) throw new Error(`etcd ${this.name} did not exit after ${signal}`);
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    this.spawn();
    await this.waitHealthy();
  }

  /** {member_id, leader} from the maintenance status JSON gateway */
  async status(timeoutMs = 1000): Promise<{ memberId: string; leader: string }> {
    const res = await httpJSON('POST', `${this.clientURL}/v3/maintenance/status`, {}, timeoutMs);
    const body = res.body as { header?: { member_id?: string }; leader?: string } | undefined;
    if (res.status !== 200 || !body?.header?.member_id) throw new Error(`status of ${this.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return { memberId: String(body.header.member_id), leader: String(body.leader ?? '0') };
  }
}

function isAddrInUse(err: Error): boolean {
  return /address already in use|bind: /i.test(err.message);
}

async function makeSpecs(n: number, opts: EtcdOptions, baseName: string): Promise<Spec[]> {
  const ports = await freePorts(2 * n);
  const token = `switchyard-${randomBytes(6).toString('hex')}`;
  const names = Array.from({ length: n }, (_, i) => (n === 1 ? baseName : `${baseName}-${i}`));
  const initialCluster = names.map((nm, i) => `${nm}=http://127.0.0.1:${ports[2 * i + 1]}`).join(',');
  return names.map((name, i) => ({
    name,
    clientPort: ports[2 * i],
    peerPort: ports[2 * i + 1],
    dataDir: n === 1 && opts.dataDir ? opts.dataDir : path.join(opts.dataDir ?? tempDir('switchyard-etcd-'), `${name}.etcd`),
    initialCluster,
    token,
    opts,
  }));
}

async function launch(n: number, opts: EtcdOptions): Promise<Member[]> {
  const baseName = opts.name ?? `etcd-${randomBytes(3).toString('hex')}`;
  let lastErr: Error | undefined;
  // A port picked as free can be taken by another test process before etcd binds it: retry with
  // fresh ports (and fresh data dirs) a few times when that is what went wrong.
  for (let attempt = 0; attempt < 3; attempt++) {
    const members = (await makeSpecs(n, opts, baseName)).map((s) => new Member(s));
    try {
      for (const m of members) m.spawn();
      await Promise.all(members.map((m) => m.waitHealthy()));
      return members;
    } catch (err) {
      lastErr = err as Error;
      await Promise.all(members.map((m) => m.kill('SIGKILL').catch(() => undefined)));
      if (!isAddrInUse(lastErr)) throw lastErr;
      for (const m of members) fs.rmSync(m.dataDir, { recursive: true, force: true });
    }
  }
  throw lastErr!;
}

/** One etcd member on free loopback ports; resolves once /health is healthy. */
export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdMember> {
  const [m] = await launch(1, opts);
  return m;
}

/** A static n-member cluster on loopback; resolves once every member reports healthy. */
export async function startEtcdCluster(n = 3, opts: EtcdOptions = {}): Promise<EtcdCluster> {
  const members = await launch(n, opts);
  return {
    members,
    endpoints: members.map((m) => m.clientURL),
    async leader(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const statuses = await Promise.all(
          members.map((m) => (m.running ? m.status().catch((e: Error) => e) : Promise.resolve(new Error(`${m.name} down`)))),
        );
        for (let i = 0; i < members.length; i++) {
          const st = statuses[i];
          if (st instanceof Error) {
            last = st.message;
            continue;
          }
          if (st.leader !== '0' && st.leader === st.memberId) return members[i];
          last = `${members[i].name} reports leader ${st.leader}`;
        }
        await sleep(100);
      }
      throw new Error(`no etcd leader within ${timeoutMs} ms (last: ${last})`);
    },
    async stop() {
      // One at a time: stopping members in parallel makes a leader try to hand leadership to a
      // peer that is itself shutting down, and wait for that to time out (seconds).
      for (const m of members) await m.stop();
    },
  };
}

interface HttpAnswer {
  status: number;
  body: unknown;
}

function httpJSON(method: string, url: string, body: unknown, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method,
        timeout: timeoutMs,
        agent: false,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
