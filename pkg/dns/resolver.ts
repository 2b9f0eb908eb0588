// The real ResolverPort: c-ares through node:dns `Resolver` (TTLs known), after /etc/hosts and
// `localhost`, which c-ares' resolve*() never consults.
//
// Timeouts: every query has our own timer (the caller's remaining dnsQueryTimeout budget); when it
// fires the query settles as 'timeout' and the Resolver is cancel()ed. cancel() cancels EVERY
// pending query of that Resolver, so a Resolver never carries more than one query at a time: each
// query takes a Resolver from a small idle pool (or makes one) and returns it when c-ares has called
// back (for a cancelled query: with ECANCELLED). Per query rather than per host because the cache
// holds up to maxHosts hosts (100k Resolvers, each a c-ares channel with its own sockets, would be
// far too many) while only a few queries are in flight; the pool avoids re-initialising a channel
// (which re-reads resolv.conf) on every query. c-ares itself is told tries: 1 and the same timeout,
// so it never retries on its own behind our back.
import { Resolver, type RecordWithTtl } from 'node:dns';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import type { QueryOutcome, RecordType, ResolverPort } from './policy';

export interface SystemResolverOptions {
  /** DNS servers as setServers() takes them ('127.0.0.1:5353', '[::1]:53', '10.0.0.2'); default: the system's */
  servers?: string[];
  /** hosts file to honour; default /etc/hosts; null: none (localhost is still answered) */
  hostsFile?: string | null;
  /** c-ares per-try timeout (the query timer is per call); default 5000 */
  queryTimeoutMs?: number;
  /** idle Resolvers kept for reuse; default 8 */
  maxIdle?: number;
}

/** `--dns-server` value: comma-separated HOST[:PORT] / [V6]:PORT, validated the way setServers parses it. */
export function parseDnsServers(arg: string): string[] {
  const servers = arg
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new Error('--dns-server: no server given');
  try {
    new Resolver().setServers(servers);
  } catch (err) {
    throw new Error(`--dns-server ${arg}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return servers;
}

interface HostsRecord {
  v4: string[];
  v6: string[];
}

/** /etc/hosts, parsed once and again whenever its mtime/size/inode change (checked per lookup). */
export class HostsFile {
  private names = new Map<string, HostsRecord>();
  private sig = '';
  private checking: Promise<void> | null = null;

  constructor(readonly path: string) {}

  static parse(text: string): Map<string, HostsRecord> {
    const names = new Map<string, HostsRecord>();
    for (const raw of text.split('\n')) {
      const hash = raw.indexOf('#');
      const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
      if (line === '') continue;
      const fields = line.split(/\s+/);
      let addr = fields[0];
      const pct = addr.indexOf('%');
      if (pct >= 0) addr = addr.slice(0, pct); // fe80::1%eth0: zone ids are not for us
      const fam = isIP(addr);
      if (fam === 0) continue;
      for (let i = 1; i < fields.length; i++) {
        let name = fields[i].toLowerCase();
        if (name.endsWith('.')) name = name.slice(0, -1);
        if (name === '') continue;
        let rec = names.get(name);
        if (!rec) names.set(name, (rec = { v4: [], v6: [] }));
        const list = fam === 4 ? rec.v4 : rec.v6;
        if (!list.includes(addr)) list.push(addr);
      }
    }
    return names;
  }

  /** The file's addresses for `name` of that type ([] if it lists the name for the other family only); undefined: not listed. */
  async lookup(name: string, type: RecordType): Promise<string[] | undefined> {
    await this.check();
    const rec = this.names.get(name);
    if (!rec) return undefined;
    return type === 'A' ? rec.v4 : rec.v6;
  }

  private check(): Promise<void> {
    if (!this.checking) {
      this.checking = this.reload().finally(() => (this.checking = null));
    }
    return this.checking;
  }

  private async reload(): Promise<void> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(this.path);
    } catch {
      this.names = new Map();
      this.sig = 'missing';
      return;
    }
    const sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (sig === this.sig) return;
    try {
      const text = await fs.promises.readFile(this.path, 'utf8');
      this.names = HostsFile.parse(text);
      this.sig = sig;
    } catch {
      /* keep what we had; try again next time */
    }
  }
}

function isLocalhost(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

interface InFlight {
  resolver: Resolver;
  finish: (o: QueryOutcome) => void;
}

export class SystemResolver implements ResolverPort {
  private readonly servers: string[] | undefined;
  private readonly hosts: HostsFile | null;
  private readonly maxIdle: number;
  private queryTimeoutMs: number;
  private idle: Resolver[] = [];
  private readonly inflight = new Set<InFlight>();
  private closed = false;

  constructor(opts: SystemResolverOptions = {}) {
    this.servers = opts.servers && opts.servers.length > 0 ? [...opts.servers] : undefined;
    if (this.servers) new Resolver().setServers(this.servers); // throws now on a bad address
    const hostsPath = opts.hostsFile === undefined ? '/etc/hosts' : opts.hostsFile;
    this.hosts = hostsPath === null ? null : new HostsFile(hostsPath);
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 5000;
    this.maxIdle = opts.maxIdle ?? 8;
  }

  /** Resolvers made from now on use this c-ares timeout. */
  setQueryTimeout(ms: number): void {
    if (ms === this.queryTimeoutMs) return;
    this.queryTimeoutMs = ms;
    this.idle = [];
  }

  /** Queries in flight right now (each holds its own Resolver). */
  get inFlight(): number {
    return this.inflight.size;
  }

  async query(host: string, type: RecordType, timeoutMs: number): Promise<QueryOutcome> {
    if (this.closed) return { kind: 'error', message: 'resolver closed' };
    if (this.hosts) {
      const listed = await this.hosts.lookup(host, type);
      if (listed !== undefined) {
        return listed.length > 0 ? { kind: 'ok', addresses: [...listed], ttlSec: null } : { kind: 'empty' };
      }
    }
    if (isLocalhost(host)) {
      return { kind: 'ok', addresses: [type === 'A' ? '127.0.0.1' : '::1'], ttlSec: null };
    }
    if (this.closed) return { kind: 'error', message: 'resolver closed' };
    return this.ask(host, type, timeoutMs);
  }

  private ask(host: string, type: RecordType, timeoutMs: number): Promise<QueryOutcome> {
    return new Promise<QueryOutcome>((resolve) => {
      const resolver = this.acquire();
      let done = false;
      const flight: InFlight = {
        resolver,
        finish: (o) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.inflight.delete(flight);
          resolve(o);
        },
      };
      const timer = setTimeout(
        () => {
          flight.finish({ kind: 'timeout' });
          resolver.cancel(); // this Resolver carries only this query
        },
        Math.max(1, Math.ceil(timeoutMs)),
      );
      this.inflight.add(flight);
      const cb = (err: NodeJS.ErrnoException | null, records: RecordWithTtl[]) => {
        // c-ares is done with this Resolver (answered, failed or cancelled): it may serve another query
        this.release(resolver);
        flight.finish(err ? classify(err) : toOutcome(records));
      };
      try {
        if (type === 'A') resolver.resolve4(host, { ttl: true }, cb);
        else resolver.resolve6(host, { ttl: true }, cb);
      } catch (err) {
        this.release(resolver);
        flight.finish({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  private acquire(): Resolver {
    const r = this.idle.pop();
    if (r) return r;
    const fresh = new Resolver({ timeout: Math.max(1, Math.ceil(this.queryTimeoutMs)), tries: 1 });
    if (this.servers) fresh.setServers(this.servers);
    return fresh;
  }

  private release(r: Resolver): void {
    if (!this.closed && this.idle.length < this.maxIdle && this.idle.indexOf(r) < 0) this.idle.push(r);
  }

  /** Cancel everything in flight (those queries settle as errors) and drop the pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of [...this.inflight]) {
      f.finish({ kind: 'error', message: 'resolver closed' });
      f.resolver.cancel();
    }
    this.idle = [];
  }
}

function classify(err: NodeJS.ErrnoException): QueryOutcome {
  switch (err.code) {
    case 'ENODATA': // NODATA: the name exists, no record of this type
    case 'ENOTFOUND': // NXDOMAIN
      return { kind: 'empty' };
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return { kind: 'timeout' };
    default:
      return { kind: 'error', message: err.code ? `${err.code}: ${err.message}` : err.message };
  }
}

function toOutcome(records: RecordWithTtl[]): QueryOutcome {
  if (!records || records.length === 0) return { kind: 'empty' };
  return { kind: 'ok', addresses: records.map((r) => r.address), ttlSec: records[0].ttl };
}
