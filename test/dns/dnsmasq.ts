// A real DNS server on loopback for the DNS tests: Debian's dnsmasq (package dnsmasq-base,
// /usr/sbin/dnsmasq), unprivileged port on 127.0.0.1, answering only from an addn-hosts file the
// test rewrites (SIGHUP reloads it). Names under `.test` that are not in the file answer NXDOMAIN;
// a name with only an A record answers NODATA for AAAA. Every answer carries TTL `ttlSec`.
// Every query is logged, so tests can count what reached the server. pause() (SIGSTOP) makes a
// server that stops answering; the process is SIGKILLed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../harness/ports';
import { Tail, terminate, trackChild } from '../harness/process';
import { tempDir } from '../harness/tmp';

export function dnsmasqBinary(): string {
  if (process.env.DNSMASQ_BIN) return process.env.DNSMASQ_BIN;
  for (const p of ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq']) if (fs.existsSync(p)) return p;
  throw new Error('dnsmasq not found (Debian package dnsmasq-base; hack/install-test-deps.sh installs it)');
}

export interface DnsmasqOptions {
  /** TTL of every answer (--local-ttl), seconds */
  ttlSec: number;
  /** name → addresses (v4 and/or v6) */
  records: Record<string, string[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One question straight to the server (not through any cache); bounded. */
export function askServer(server: string, name: string, type: 'A' | 'AAAA', timeoutMs = 1000): Promise<string[] | string> {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([server]);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      r.cancel();
      resolve('TIMEOUT');
    }, timeoutMs + 200);
    const cb = (err: NodeJS.ErrnoException | null, addrs: string[]) => {
      clearTimeout(timer);
      resolve(err ? String(err.code) : addrs);
    };
    if (type === 'A') r.resolve4(name, cb);
    else r.resolve6(name, cb);
  });
}

export class Dnsmasq {
  readonly dir: string;
  readonly hostsFile: string;
  port = 0;
  private child: ChildProcess | undefined;
  private readonly log = new Tail(256 * 1024);
  private records: Record<string, string[]>;
  /** bumped per write; the file also holds `reload-<gen>.test`, so a reload is confirmed without asking the test's names */
  private gen = 0;

  private constructor(private readonly opts: DnsmasqOptions) {
    this.dir = tempDir('switchyard-dnsmasq-');
    fs.chmodSync(this.dir, 0o755);
    this.hostsFile = path.join(this.dir, 'hosts');
    this.records = { ...opts.records };
  }

  /** `127.0.0.1:PORT`, as setServers()/--dns-server take it */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(opts: DnsmasqOptions): Promise<Dnsmasq> {
    const d = new Dnsmasq(opts);
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await d.spawn(await freePort());
        return d;
      } catch (err) {
        lastErr = err;
        await d.kill();
      }
    }
    throw lastErr;
  }

  private writeHosts(): void {
    const lines = Object.entries(this.records).flatMap(([name, addrs]) => addrs.map((a) => `${a} ${name}`));
    lines.push(`127.0.0.1 reload-${this.gen}.test`);
    const tmp = `${this.hostsFile}.tmp`;
    fs.writeFileSync(tmp, lines.join('\n') + '\n', { mode: 0o644 });
    fs.renameSync(tmp, this.hostsFile);
  }

  private async spawn(port: number): Promise<void> {
    this.port = port;
    this.writeHosts();
    const args = [
      '--no-daemon', // foreground, logs to stderr
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      `--addn-hosts=${this.hostsFile}`,
      `--local-ttl=${this.opts.ttlSec}`,
      '--local=/test/', // names under .test not in the file: NXDOMAIN (not REFUSED)
      '--log-queries',
      '--pid-file=',
    ];
    if (process.getuid?.() === 0) args.push(`--user=${os.userInfo().username}`);
    const child = spawn(dnsmasqBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    trackChild(child);
    child.stdout!.on('data', (c: Buffer) => this.log.push(c));
    child.stderr!.on('data', (c: Buffer) => this.log.push(c));
    // ready when it answers (bounded)
    const until = Date.now() + 5000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`dnsmasq exited (${child.exitCode ?? child.signalCode}):\n${this.log.text(20)}`);
      }
      const r = await askServer(this.server, `reload-${this.gen}.test`, 'A', 300);
      if (Array.isArray(r)) return;
      if (Date.now() > until) throw new Error(`dnsmasq did not answer on ${this.server}:\n${this.log.text(20)}`);
      await sleep(50);
    }
  }

  /** Replace the records and reload (SIGHUP); resolves once the server answers from the new file (bounded, 5 s). */
  async setRecords(records: Record<string, string[]>): Promise<void> {
    this.records = { ...records };
    this.gen++;
    this.writeHosts();
    this.child!.kill('SIGHUP');
    const until = Date.now() + 5000;
    for (;;) {
      const got = await askServer(this.server, `reload-${this.gen}.test`, 'A', 500);
      if (Array.isArray(got)) return;
      if (Date.now() > until) throw new Error(`dnsmasq did not reload (got ${String(got)}):\n${this.log.text(20)}`);
      await sleep(25);
    }
  }

  /** Queries the server has logged for `name` (e.g. `query[A] a.test from 127.0.0.1`). */
  queriesFor(name: string, type?: 'A' | 'AAAA'): number {
    const re = new RegExp(`query\\[${type ?? '(?:A|AAAA)'}\\] ${name.replace(/\./g, '\\.')} from`);
    return this.log
      .text()
      .split('\n')
      .filter((l) => re.test(l)).length;
  }

  /** Stop answering (SIGSTOP): queries go unanswered until resume(). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  logTail(lines = 30): string {
    return this.log.text(lines);
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c) return;
    try {
      c.kill('SIGCONT');
    } catch {
      /* gone */
    }
    await terminate(c, 'SIGKILL', 2000);
    this.child = undefined;
  }
}
