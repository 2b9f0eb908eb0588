// The real ResolverPort: c-ares through node:dns `Resolver` (TTLs known), after /etc/hosts and
// `localhost`, which c-ares' resolve*() never consults.
//
// Channels: a Resolver is a c-ares channel (its own UDP sockets). Queries share a bounded number of
// them (`maxChannels`, round-robin), never one per query in flight: a flood of distinct names costs
// DNS packets, not sockets.
//
// Timeouts: every query has our own timer (the caller's remaining dnsQueryTimeout budget); when it
// fires the query settles as 'timeout' and its late answer is ignored. cancel() would cancel EVERY
// query of the channel, so it is only used by close(). c-ares must never time a query out before
// our timer: Node 20's c-ares (1.34) derives a reused channel's per-try timeout from the server's
// past latency (5 × the average, at least 250 ms), so after fast answers a 2 s-late answer would be
// an ETIMEOUT at ~1 s whatever `timeout` says. So c-ares is given several tries (each retransmits
// the same question, and the first transmission's answer is still accepted) with the first try at
// our timeout, and an ETIMEOUT from c-ares while our budget lasts asks again on the channel.
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
  /** c-ares channels queries share (round-robin); default 4 */
  maxChannels?: number;
  /** older name of maxChannels */
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

/** c-ares tries per question: with the shortened 250 ms first try, 250+500+1000+2000 ms pass before c-ares gives up */
const CARES_TRIES = 4;
/** how many times one query asks again after an early c-ares ETIMEOUT (bounded) */
const MAX_REASKS = 8;

export class SystemResolver implements ResolverPort {
  private readonly servers: string[] | undefined;
  private readonly hosts: HostsFile | null;
  private readonly maxChannels: number;
  private queryTimeoutMs: number;
  private channels: Resolver[] = [];
  private next = 0;
  private readonly inflight = new Set<InFlight>();
  private closed = false;
  /** channels made so far (tests: bounded whatever the number of queries) */
  channelsCreated = 0;

  constructor(opts: SystemResolverOptions = {}) {
    this.servers = opts.servers && opts.servers.length > 0 ? [...opts.servers] : undefined;
    if (this.servers) new Resolver().setServers(this.servers); // throws now on a bad address
    const hostsPath = opts.hostsFile === undefined ? '/etc/hosts' : opts.hostsFile;
    this.hosts = hostsPath === null ? null : new HostsFile(hostsPath);
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 5000;
    this.maxChannels = Math.max(1, opts.maxChannels ?? opts.maxIdle ?? 4);
  }

  /** Channels made from now on use this c-ares timeout (the current ones finish what they carry). */
  setQueryTimeout(ms: number): void {
    if (ms === this.queryTimeoutMs) return;
    this.queryTimeoutMs = ms;
    this.channels = [];
  }

  /** Queries in flight right now. */
  get inFlight(): number {
    return this.inflight.size;
  }

  /** c-ares channels open now (at most maxChannels). */
  get channelCount(): number {
    return this.channels.length;
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
      const resolver = this.channel();
      const deadline = Date.now() + timeoutMs;
      let done = false;
      let reasks = 0;
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
      // ours: the channel is shared, so a timeout settles this query and leaves the channel alone
      const timer = setTimeout(() => flight.finish({ kind: 'timeout' }), Math.max(1, Math.ceil(timeoutMs)));
      this.inflight.add(flight);
      const send = (): void => {
        const cb = (err: NodeJS.ErrnoException | null, records: RecordWithTtl[]) => {
          if (done) return; // a late answer after our timer, or after close()
          // c-ares gave up before our budget (its per-try timeout shrinks on a reused channel): ask again
          if (err && err.code === 'ETIMEOUT' && !this.closed && reasks < MAX_REASKS && deadline - Date.now() > 1) {
            reasks++;
            return send();
          }
          flight.finish(err ? classify(err) : toOutcome(records));
        };
        try {
          if (type === 'A') resolver.resolve4(host, { ttl: true }, cb);
          else resolver.resolve6(host, { ttl: true }, cb);
        } catch (err) {
          flight.finish({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        }
      };
      send();
    });
  }

  /** the next channel, round-robin; made on first use up to maxChannels */
  private channel(): Resolver {
    if (this.channels.length < this.maxChannels) {
      const timeout = Math.max(1, Math.ceil(this.queryTimeoutMs)) + 50; // the first try outlives our timer
      const fresh = new Resolver({ timeout, tries: CARES_TRIES });
      if (this.servers) fresh.setServers(this.servers);
      this.channels.push(fresh);
      this.channelsCreated++;
      return fresh;
    }
    this.next = (this.next + 1) % this.channels.length;
    return this.channels[this.next];
  }

  /** Cancel everything in flight (those queries settle as errors) and drop the channels. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const resolvers = new Set<Resolver>(this.channels);
    for (const f of [...this.inflight]) {
      resolvers.add(f.resolver);
      f.finish({ kind: 'error', message: 'resolver closed' });
    }
    for (const r of resolvers) r.cancel();
    this.channels = [];
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
