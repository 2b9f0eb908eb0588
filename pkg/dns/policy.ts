// The DNS cache policy: Envoy's dynamic-forward-proxy DNS cache semantics (dns_cache_impl.cc), as
// pure state. No timers and no sockets: the clock and the resolver are injected, and the runtime
// (cache.ts) calls tick() when nextDeadline() says something is due.
//
// Semantics (DESIGN.md "DNS cache semantics"):
//  - key host:port (held as port → host → entry, so a hit builds no key string); the host is
//    lower-cased, a trailing dot and IPv6 brackets are dropped (a host already in that form is found
//    without normalizing). Each port is its own entry. An IP literal gets an entry (no query).
//  - first request waits for ONE lookup; concurrent first requests join it (never overflow).
//  - success → next refresh at answer + max(TTL of the first address, minRefreshRate); TTL 0 →
//    minRefreshRate; no TTL known (/etc/hosts, localhost) → refreshRate. refreshRate never caps a TTL.
//  - failure / timeout / empty answer → the last good addresses stay; retry at refreshRate. A host
//    that never resolved answers 'failure' at once (no new query) until a background retry succeeds.
//  - when a host's refresh is due and it was last used more than hostTTL ago → removed, no query.
//    Refreshes (and evictions) happen only then; a request that already holds addresses is unaffected.
//  - a new host while entries ≥ maxHosts → 'overflow', no query. Pending, failed and IP entries count.
//  - the ordered address list differs from the previous one → addressChanges++ (the first
//    resolution of a host is not a change).
//  - lookup family: v4_only A; v6_only AAAA; auto AAAA then A if AAAA gave nothing; v4_preferred
//    A then AAAA if A gave nothing; all: A and AAAA together, every address kept (v4 first).
//    dnsQueryTimeout bounds the whole lookup (both queries of auto/v4_preferred together).
//
// Counters: `queries` counts host lookups (one per first lookup or refresh, not DNS packets);
// `successes` lookups that produced ≥1 address; `failures` every other completed lookup (error,
// timeout, NXDOMAIN/NODATA); `timeouts` the subset of failures that hit dnsQueryTimeout.
import { isIP } from 'node:net';
import type { DnsCacheIR } from './config';
import type { PendingBudget } from './pending';

export type LookupFamily = DnsCacheIR['lookupFamily'];
export type RecordType = 'A' | 'AAAA';

/** One DNS question's outcome. `ttlSec` is the first record's TTL; null: no TTL known (/etc/hosts). */
export type QueryOutcome =
  | { kind: 'ok'; addresses: string[]; ttlSec: number | null }
  | { kind: 'empty' }
  | { kind: 'error'; message: string }
  | { kind: 'timeout' };

/** What the policy needs from a resolver. query() must settle within about timeoutMs and never reject. */
export interface ResolverPort {
  query(host: string, type: RecordType, timeoutMs: number): Promise<QueryOutcome>;
}

export type FailureReason = 'error' | 'timeout' | 'empty' | 'closed';

export interface HitResult {
  readonly status: 'hit';
  readonly addresses: string[];
}
export interface FailureResult {
  readonly status: 'failure';
  readonly reason: FailureReason;
}
export type Settled = HitResult | FailureResult;
export interface PendingResult {
  readonly status: 'pending';
  readonly promise: Promise<Settled>;
}
export interface OverflowResult {
  readonly status: 'overflow';
}
export type LoadResult = HitResult | PendingResult | OverflowResult | FailureResult;

export type HostState = 'resolving' | 'resolved' | 'refreshing' | 'stale' | 'failed' | 'ip';

export interface HostInspect {
  host: string;
  port: number;
  addresses: string[];
  /** what is left of the DNS TTL of the last answer; null when no TTL is known (or never resolved) */
  ttlLeftMs: number | null;
  /** null while a lookup is in flight */
  nextRefreshAt: number | null;
  lastUsedAt: number;
  /** consecutive failed lookups */
  failures: number;
  state: HostState;
  lastFailure: FailureReason | null;
}

export interface DnsCounters {
  queries: number;
  successes: number;
  failures: number;
  timeouts: number;
  evictions: number;
  overflows: number;
  addressChanges: number;
}

export interface DnsCacheStats extends DnsCounters {
  hosts: number;
}

export interface PolicyOptions {
  /** monotonic milliseconds */
  clock: () => number;
  resolver: ResolverPort;
  /** called when the earliest deadline may have moved earlier (the runtime re-arms its timer) */
  onSchedule?: () => void;
  /** the process-wide cap on first lookups in flight (--dns-max-pending); default: none */
  pending?: PendingBudget;
}

const OVERFLOW: OverflowResult = Object.freeze({ status: 'overflow' as const });
const FAILURES: Record<FailureReason, FailureResult> = {
  error: Object.freeze({ status: 'failure' as const, reason: 'error' as const }),
  timeout: Object.freeze({ status: 'failure' as const, reason: 'timeout' as const }),
  empty: Object.freeze({ status: 'failure' as const, reason: 'empty' as const }),
  closed: Object.freeze({ status: 'failure' as const, reason: 'closed' as const }),
};

const NOT_SCHEDULED = -1;

class Entry {
  /** frozen; null until the first successful lookup */
  addresses: string[] | null = null;
  /** the cached `{status:'hit', addresses}` so a hit allocates nothing */
  hit: HitResult | null = null;
  /** DNS TTL of the last answer in ms; -1: unknown */
  ttlMs = -1;
  answeredAt = -1;
  /** Infinity while not scheduled (lookup in flight) */
  nextRefreshAt = Infinity;
  heapIdx = NOT_SCHEDULED;
  failures = 0;
  lastFailure: FailureReason | null = null;
  querying = false;
  /** this entry's first lookup holds a slot of the process-wide pending budget */
  holdsPending = false;
  /** the first lookup that requests wait on (only for a host that never resolved) */
  pending: PendingResult | null = null;
  settle: ((s: Settled) => void) | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly isIP: boolean,
    public lastUsedAt: number,
  ) {}
}

/** host as the cache keys it: lower-case, no trailing dot, no IPv6 brackets. */
export function normalizeHost(host: string): string {
  let h = host;
  const n = h.length;
  if (n > 1 && h.charCodeAt(0) === 91 /* [ */ && h.charCodeAt(n - 1) === 93 /* ] */) h = h.slice(1, -1);
  else if (n > 1 && h.charCodeAt(n - 1) === 46 /* . */) h = h.slice(0, -1);
  return h.toLowerCase();
}

/** `host:port` (`[v6]:port`) of an already normalized host: the key as people write it (logs, console). */
export function keyOf(normalizedHost: string, port: number): string {
  return normalizedHost.indexOf(':') >= 0 ? `[${normalizedHost}]:${port}` : `${normalizedHost}:${port}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class DnsCachePolicy {
  private cfg: DnsCacheIR;
  private readonly clock: () => number;
  private readonly resolver: ResolverPort;
  private readonly onSchedule: (() => void) | undefined;
  private readonly pending: PendingBudget | undefined;
  /** port → normalized host → entry: a hit is two Map lookups on the caller's own strings (no key built) */
  private readonly byPort = new Map<number, Map<string, Entry>>();
  private count = 0;
  /** min-heap on nextRefreshAt; Entry.heapIdx is the position */
  private readonly heap: Entry[] = [];
  private closed = false;
  readonly counters: DnsCounters = {
    queries: 0,
    successes: 0,
    failures: 0,
    timeouts: 0,
    evictions: 0,
    overflows: 0,
    addressChanges: 0,
  };

  constructor(config: DnsCacheIR, opts: PolicyOptions) {
    this.cfg = { ...config };
    this.clock = opts.clock;
    this.resolver = opts.resolver;
    this.onSchedule = opts.onSchedule;
    this.pending = opts.pending;
  }

  get config(): Readonly<DnsCacheIR> {
    return this.cfg;
  }

  /** hosts gauge: every entry (resolving, failed and IP literals included) */
  get size(): number {
    return this.count;
  }

  stats(): DnsCacheStats {
    return { ...this.counters, hosts: this.count };
  }

  /**
   * New numbers take effect from each host's next scheduling (its next lookup completion);
   * maxHosts at the next new host. The lookup family is part of the answers already cached, so a
   * family change needs a new policy (the manager replaces the cache); it is applied here anyway.
   */
  reconfigure(config: DnsCacheIR): void {
    this.cfg = { ...config };
  }

  /** The request path. `host` may be raw (upper case, trailing dot, [v6]); port from the authority or default. */
  resolve(host: string, port: number): LoadResult {
    const e = this.find(host, port);
    if (e !== undefined) {
      if (e.hit !== null) return e.hit;
      if (e.pending !== null) return e.pending;
      return FAILURES[e.lastFailure ?? 'error'];
    }
    if (this.closed) return FAILURES.closed;
    if (this.count >= this.cfg.maxHosts) {
      this.counters.overflows++;
      return OVERFLOW;
    }
    const now = this.clock();
    const h = normalizeHost(host);
    const ip = isIP(h) !== 0;
    // a first lookup needs a slot of the process-wide budget; none left → overflow, no entry, no query
    if (!ip && this.pending !== undefined && !this.pending.tryAcquire()) {
      this.counters.overflows++;
      return OVERFLOW;
    }
    const entry = new Entry(h, port, ip, now);
    entry.holdsPending = !ip && this.pending !== undefined;
    let m = this.byPort.get(port);
    if (m === undefined) this.byPort.set(port, (m = new Map()));
    m.set(h, entry);
    this.count++;
    if (ip) {
      this.setAddresses(entry, [h]);
      // no query ever; the "refresh" of an IP literal only checks hostTTL, like a no-TTL host
      this.schedule(entry, now + this.cfg.refreshRateMs);
      return entry.hit!;
    }
    let settle!: (s: Settled) => void;
    const promise = new Promise<Settled>((resolve) => (settle = resolve));
    entry.pending = Object.freeze({ status: 'pending' as const, promise });
    entry.settle = settle;
    this.startLookup(entry, now);
    return entry.pending;
  }

  /** The entry of host:port: first with `host` as given (already normalized: the common case), then normalized. */
  private find(host: string, port: number): Entry | undefined {
    const m = this.byPort.get(port);
    if (m === undefined) return undefined;
    const e = m.get(host);
    if (e !== undefined) return e;
    const h = normalizeHost(host);
    return h === host ? undefined : m.get(h);
  }

  private remove(e: Entry): void {
    const m = this.byPort.get(e.port);
    if (m !== undefined && m.get(e.host) === e) {
      m.delete(e.host);
      this.count--;
      if (m.size === 0) this.byPort.delete(e.port);
    }
  }

  private isCurrent(e: Entry): boolean {
    return this.byPort.get(e.port)?.get(e.host) === e;
  }

  /** The cached addresses, or undefined; no side effects, no lookup. */
  peek(host: string, port: number): string[] | undefined {
    return this.find(host, port)?.addresses ?? undefined;
  }

  /**
   * The balancer picked host:port for a request (hostTTL counts from the last use). Only a host
   * with addresses can be used: a mark while the first lookup is pending, or after it failed, is
   * ignored (a request that got a 503 sent nothing upstream).
   */
  markUsed(host: string, port: number, now = this.clock()): void {
    const e = this.find(host, port);
    if (e !== undefined && e.addresses !== null) e.lastUsedAt = now;
  }

  /** When tick() should run next (monotonic ms), or null when nothing is scheduled. */
  nextDeadline(): number | null {
    return this.heap.length > 0 ? this.heap[0].nextRefreshAt : null;
  }

  /** Start every due refresh and eviction. Returns how many entries were due. */
  tick(now = this.clock()): number {
    let n = 0;
    const ttl = this.cfg.hostTTLMs;
    while (this.heap.length > 0 && this.heap[0].nextRefreshAt <= now) {
      const e = this.heap[0];
      this.heapRemove(e);
      n++;
      if (now - e.lastUsedAt > ttl) {
        this.remove(e);
        this.counters.evictions++;
      } else if (e.isIP) {
        this.schedule(e, now + this.cfg.refreshRateMs);
      } else {
        this.startLookup(e, now);
      }
    }
    return n;
  }

  inspect(now = this.clock()): HostInspect[] {
    const out: HostInspect[] = [];
    for (const e of this.allEntries()) {
      let state: HostState;
      if (e.isIP) state = 'ip';
      else if (e.querying) state = e.addresses ? 'refreshing' : 'resolving';
      else if (e.addresses) state = e.failures > 0 ? 'stale' : 'resolved';
      else state = 'failed';
      out.push({
        host: e.host,
        port: e.port,
        addresses: e.addresses ? [...e.addresses] : [],
        ttlLeftMs: e.ttlMs >= 0 && e.answeredAt >= 0 ? Math.max(0, e.answeredAt + e.ttlMs - now) : null,
        nextRefreshAt: e.nextRefreshAt === Infinity ? null : e.nextRefreshAt,
        lastUsedAt: e.lastUsedAt,
        failures: e.failures,
        state,
        lastFailure: e.lastFailure,
      });
    }
    return out;
  }

  /** Forget everything; waiting first lookups settle as failure 'closed'; late answers are ignored. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.allEntries()) {
      if (e.settle) {
        const s = e.settle;
        e.settle = null;
        e.pending = null;
        s(FAILURES.closed);
      }
      e.heapIdx = NOT_SCHEDULED;
    }
    this.byPort.clear();
    this.count = 0;
    this.heap.length = 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private *allEntries(): IterableIterator<Entry> {
    for (const m of this.byPort.values()) yield* m.values();
  }

  // ---- lookups ----

  private startLookup(e: Entry, now: number): void {
    e.querying = true;
    e.nextRefreshAt = Infinity;
    this.counters.queries++;
    const deadline = now + this.cfg.queryTimeoutMs;
    this.lookupFamily(e.host, this.cfg.lookupFamily, deadline).then(
      (out) => this.finish(e, out),
      (err: unknown) => this.finish(e, { kind: 'error', message: String(err) }),
    );
  }

  private async ask(host: string, type: RecordType, deadline: number): Promise<QueryOutcome> {
    const left = deadline - this.clock();
    if (left <= 0) return { kind: 'timeout' };
    try {
      return await this.resolver.query(host, type, left);
    } catch (err) {
      return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async lookupFamily(host: string, family: LookupFamily, deadline: number): Promise<QueryOutcome> {
    switch (family) {
      case 'v4_only':
        return this.ask(host, 'A', deadline);
      case 'v6_only':
        return this.ask(host, 'AAAA', deadline);
      case 'auto':
      case 'v4_preferred': {
        const [first, second]: RecordType[] = family === 'auto' ? ['AAAA', 'A'] : ['A', 'AAAA'];
        const a = await this.ask(host, first, deadline);
        if (a.kind === 'ok' && a.addresses.length > 0) return a;
        if (a.kind === 'timeout') return a; // the whole lookup's budget is spent
        const b = await this.ask(host, second, deadline);
        if (b.kind === 'ok' && b.addresses.length > 0) return b;
        return worst(a, b);
      }
      case 'all': {
        const [a, b] = await Promise.all([this.ask(host, 'A', deadline), this.ask(host, 'AAAA', deadline)]);
        const okA = a.kind === 'ok' && a.addresses.length > 0;
        const okB = b.kind === 'ok' && b.addresses.length > 0;
        if (okA && okB) {
          return { kind: 'ok', addresses: [...a.addresses, ...b.addresses], ttlSec: a.ttlSec };
        }
        if (okA) return a;
        if (okB) return b;
        return worst(a, b);
      }
      default:
        return { kind: 'error', message: `unknown dns lookup family ${String(family)}` };
    }
  }

  private finish(e: Entry, out: QueryOutcome): void {
    e.querying = false;
    if (e.holdsPending) {
      e.holdsPending = false;
      this.pending!.release();
    }
    if (this.closed || !this.isCurrent(e)) return;
    const now = this.clock();
    if (out.kind === 'ok' && out.addresses.length > 0) {
      this.counters.successes++;
      if (e.addresses === null) {
        this.setAddresses(e, out.addresses);
      } else if (!sameList(e.addresses, out.addresses)) {
        this.counters.addressChanges++;
        this.setAddresses(e, out.addresses);
      }
      e.failures = 0;
      e.lastFailure = null;
      e.answeredAt = now;
      const ttl = out.ttlSec;
      if (ttl === null || !Number.isFinite(ttl) || ttl < 0) {
        e.ttlMs = -1;
        this.schedule(e, now + this.cfg.refreshRateMs);
      } else {
        e.ttlMs = ttl * 1000;
        this.schedule(e, now + Math.max(e.ttlMs, this.cfg.minRefreshRateMs));
      }
    } else {
      const reason: FailureReason = out.kind === 'timeout' ? 'timeout' : out.kind === 'empty' || out.kind === 'ok' ? 'empty' : 'error';
      this.counters.failures++;
      if (reason === 'timeout') this.counters.timeouts++;
      e.failures++;
      e.lastFailure = reason;
      this.schedule(e, now + this.cfg.refreshRateMs);
    }
    if (e.settle !== null) {
      const s = e.settle;
      e.settle = null;
      e.pending = null;
      s(e.hit ?? FAILURES[e.lastFailure ?? 'error']);
    }
  }

  private setAddresses(e: Entry, addrs: readonly string[]): void {
    const list = Object.freeze([...addrs]) as string[];
    e.addresses = list;
    e.hit = Object.freeze({ status: 'hit' as const, addresses: list });
  }

  // ---- scheduling: an intrusive binary min-heap on nextRefreshAt ----

  private schedule(e: Entry, at: number): void {
    if (e.heapIdx !== NOT_SCHEDULED) this.heapRemove(e);
    e.nextRefreshAt = at;
    e.heapIdx = this.heap.length;
    this.heap.push(e);
    this.siftUp(e.heapIdx);
    if (e.heapIdx === 0 && this.onSchedule) this.onSchedule();
  }

  private heapRemove(e: Entry): void {
    const i = e.heapIdx;
    const last = this.heap.pop()!;
    e.heapIdx = NOT_SCHEDULED;
    e.nextRefreshAt = Infinity;
    if (last !== e) {
      this.heap[i] = last;
      last.heapIdx = i;
      this.siftDown(i);
      this.siftUp(last.heapIdx);
    }
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const x = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].nextRefreshAt <= x.nextRefreshAt) break;
      h[i] = h[p];
      h[i].heapIdx = i;
      i = p;
    }
    h[i] = x;
    x.heapIdx = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const x = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].nextRefreshAt < h[l].nextRefreshAt ? r : l;
      if (h[c].nextRefreshAt >= x.nextRefreshAt) break;
      h[i] = h[c];
      h[i].heapIdx = i;
      i = c;
    }
    h[i] = x;
    x.heapIdx = i;
  }
}

/** Of two failed outcomes, the one to report: timeout > error > empty. */
function worst(a: QueryOutcome, b: QueryOutcome): QueryOutcome {
  const rank = (q: QueryOutcome) => (q.kind === 'timeout' ? 3 : q.kind === 'error' ? 2 : 1);
  const w = rank(b) >= rank(a) ? b : a;
  return w.kind === 'ok' ? { kind: 'empty' } : w;
}
