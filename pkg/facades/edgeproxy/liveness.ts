// Heartbeats without a store write per heartbeat.
//
// Every replica keeps a table of the edgeProxy Backends (listed, then kept current by a store watch)
// with, per backend: `lastMs`, the last heartbeat THIS process received (memory only);
// `persistedMs`, the heartbeat time stored in the Backend's annotation; and `observedMs`, when this
// process last saw that stored time move (or first saw the backend: at start, for a restart).
// A heartbeat updates memory and rewrites the annotation only when the stored one is P old,
//   P = max(persistEveryMs (default: the TTL), backends ÷ persistRatePerSec)
// so heartbeat writes stay under a global budget (default 1 write/s on one replica) whatever the
// number of backends. Why so few: every Backend write is a watch event, and the controller
// re-translates every Backend on each one (≈0.5 s at 10,000 Backends), so a steady stream of
// annotation writes would keep it — and the proxy sharing its process — busy.
//
// Expiry deadline, as kube's node lifecycle controller judges node leases (from the time it
// observed a renewal, never from a stored timestamp alone, so a server outage does not expire
// backends that could not reach it):
//   one replica:      max(lastMs, observedMs) + TTL — exact while running; after a restart every
//                     backend has one TTL from the restart to heartbeat again;
//   several replicas: max(lastMs, observedMs) + TTL + P (heartbeats may reach another replica, which
//                     stores them every P; P is then the TTL, with no global budget).
// `healthy` in the API is "before the deadline". Past it, the leader marks the Backend
// (switchyard.dev/edge-expired annotation: translate drops it from the pool at once, one write per
// expiry) and the sweep, every min(30 s, TTL/2) like the original's 30 s cleanup, deletes it with
// a resourceVersion precondition (a heartbeat that renewed it in between wins). A heartbeat for a
// marked backend renews it and clears the mark. The stored heartbeat also serves
// `last_heartbeat_secs` after a restart.
import type { KObject } from '../../../apis/meta/v1/types';
import { ApiError } from '../../apierrors/errors';
import type { Logger } from '../../log/logger';
import { isFacadeObject, Unchanged, type Objects } from '../common/objects';
import { ANNOTATION_EDGE_EXPIRED, ANNOTATION_HEARTBEAT, FACADE, iso, persistedTimes } from './objects';

export interface LivenessConfig {
  ttlMs: number;
  /** the least time between two heartbeat writes of one backend (default: ttlMs) */
  persistEveryMs?: number;
  /** global budget of heartbeat writes per second (default 1 on one replica; 0 or Infinity: none) */
  persistRatePerSec?: number;
  /** other replicas may receive heartbeats (etcd): never trust memory alone */
  multiReplica?: boolean;
  /** only the leader marks and sweeps (issue 7's lease plugs in here); default: always */
  isLeader?: () => boolean;
  now?: () => number;
  /** check interval for expiry (default clamp(TTL/10, 200 ms, 1 s)) */
  tickMs?: number;
  /** sweep interval (default clamp(TTL/2, 1 s, 30 s)) */
  sweepMs?: number;
}

export interface Entry {
  name: string;
  app: string;
  uid: string;
  rv: string;
  /** heartbeat this process saw (0: none since start) */
  lastMs: number;
  persistedMs: number;
  /** when this process saw persistedMs move, or first saw the backend */
  observedMs: number;
  registeredMs: number;
  /** the Backend carries the expired mark */
  expired: boolean;
  /** a write for this entry in flight */
  pending: Promise<unknown> | null;
}

const isEdge = (o: KObject | undefined) => isFacadeObject(o, FACADE);
const MAX_MARKS_PER_TICK = 64;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Is resourceVersion a older than b (numeric revisions; opaque ones never compare older)? */
function olderRV(a: string, b: string): boolean {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

export class Liveness {
  readonly entries = new Map<string, Entry>();
  readonly ttlMs: number;
  readonly persistEveryMs: number;
  readonly persistRatePerSec: number;
  private readonly now: () => number;
  private readonly multi: boolean;
  private readonly isLeader: () => boolean;
  private readonly tickMs: number;
  private readonly sweepMs: number;
  /** the Backend watch (only stopped here; the store's type stays the store's) */
  private watch: { stop(): void } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private sweeping = false;

  constructor(
    private readonly objects: Objects,
    private readonly log: Logger,
    cfg: LivenessConfig,
  ) {
    this.ttlMs = cfg.ttlMs;
    this.persistEveryMs = cfg.persistEveryMs ?? cfg.ttlMs;
    this.multi = !!cfg.multiReplica;
    // several replicas: correctness needs other replicas' heartbeats stored within the TTL
    const rate = this.multi ? Infinity : (cfg.persistRatePerSec ?? 1);
    this.persistRatePerSec = rate > 0 ? rate : Infinity;
    this.isLeader = cfg.isLeader ?? (() => true);
    this.now = cfg.now ?? Date.now;
    this.tickMs = cfg.tickMs ?? clamp(cfg.ttlMs / 10, 200, 1000);
    this.sweepMs = cfg.sweepMs ?? clamp(cfg.ttlMs / 2, 1000, 30_000);
  }

  /** List the edgeProxy Backends, follow them with a store watch, start the expiry timers. */
  async start(): Promise<void> {
    await this.resync();
    this.timers.push(setInterval(() => this.tick(), this.tickMs), setInterval(() => void this.sweep(), this.sweepMs));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.watch = null;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private async resync(): Promise<void> {
    const list = await this.objects.list('backends', isEdge);
    const seen = new Set<string>();
    for (const o of list.items) {
      this.absorb(o);
      seen.add(o.metadata.name!);
    }
    for (const name of [...this.entries.keys()]) if (!seen.has(name)) this.entries.delete(name);
    this.startWatch(list.resourceVersion);
  }

  private startWatch(rv: string): void {
    if (this.stopped) return;
    const r = this.objects.resource('backends');
    this.watch = this.objects.ctx.store.watch(r.keyPrefix, { resourceVersion: rv }, {
      onEvent: (ev) => {
        const name = ev.object.metadata.name!;
        if (ev.type === 'DELETED' || !isEdge(ev.object)) {
          // gone (or no longer ours); a newer incarnation under the same name is kept
          if (this.entries.get(name)?.uid === ev.object.metadata.uid) this.entries.delete(name);
          return;
        }
        this.absorb(ev.object);
      },
      onError: (err) => {
        if (this.stopped) return;
        this.log.debug('edgeproxy: backend watch ended; relisting', { error: err.message });
        this.watch = null;
        const t = setTimeout(() => {
          this.timers = this.timers.filter((x) => x !== t);
          this.resync().catch((e: Error) => {
            this.log.warn('edgeproxy: relist failed', { error: e.message });
            this.startWatchLater();
          });
        }, 1000);
        t.unref();
        this.timers.push(t);
      },
    });
  }

  private startWatchLater(): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      this.resync().catch(() => this.startWatchLater());
    }, 2000);
    t.unref();
    this.timers.push(t);
  }

  /** Take what a stored edgeProxy Backend says (memory's lastMs is kept). */
  absorb(o: KObject): Entry {
    const name = o.metadata.name!;
    const rv = o.metadata.resourceVersion ?? '';
    const uid = o.metadata.uid ?? '';
    let e = this.entries.get(name);
    if (e && e.uid === uid && olderRV(rv, e.rv)) return e; // a late event: we know newer
    const t = persistedTimes(o);
    if (!e || e.uid !== uid) {
      e = { name, app: '', uid, rv, lastMs: 0, persistedMs: t.heartbeatMs, observedMs: this.now(), registeredMs: 0, expired: false, pending: e?.pending ?? null };
      this.entries.set(name, e);
    }
    e.app = o.metadata.labels?.app ?? '';
    e.rv = rv;
    if (t.heartbeatMs > e.persistedMs) e.observedMs = this.now(); // renewed (here or on another replica)
    e.persistedMs = t.heartbeatMs;
    e.registeredMs = t.registeredMs;
    e.expired = t.expired;
    return e;
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  /** P: how stale a stored heartbeat may be (see the top of this file). */
  persistInterval(): number {
    const budget = this.persistRatePerSec === Infinity ? 0 : (this.entries.size / this.persistRatePerSec) * 1000;
    return Math.max(this.persistEveryMs, budget);
  }

  /** When the backend expires, from what this process knows. */
  deadline(e: Pick<Entry, 'lastMs' | 'observedMs'>): number {
    const seen = Math.max(e.lastMs, e.observedMs);
    return this.multi ? seen + this.ttlMs + this.persistInterval() : seen + this.ttlMs;
  }

  /** healthy / last heartbeat / registration for an object (its entry when known). */
  liveness(o: KObject): { healthy: boolean; lastHeartbeatMs: number; registeredMs: number } {
    const t = persistedTimes(o);
    const e = this.entries.get(o.metadata.name!);
    const known = e && e.uid === o.metadata.uid ? e : undefined;
    const healthy = known ? this.now() <= this.deadline(known) : true; // not seen yet: just written
    return { healthy, lastHeartbeatMs: Math.max(known?.lastMs ?? 0, t.heartbeatMs), registeredMs: t.registeredMs };
  }

  /** How many known backends are within their deadline (and not marked expired), and how many are not. */
  counts(): { healthy: number; expired: number } {
    const now = this.now();
    let healthy = 0;
    for (const e of this.entries.values()) if (!e.expired && now <= this.deadline(e)) healthy++;
    return { healthy, expired: this.entries.size - healthy };
  }

  /** After a register (the stored object and when it happened). */
  registered(o: KObject, nowMs: number): void {
    const e = this.absorb(o);
    e.lastMs = Math.max(e.lastMs, nowMs);
  }

  /**
   * A heartbeat for `name`: false when no such edgeProxy backend exists. Writes the Backend only
   * when the stored heartbeat is P old (persistInterval) or the backend was marked expired.
   */
  async heartbeat(name: string): Promise<boolean> {
    let e = this.entries.get(name);
    if (!e) {
      const o = await this.objects.get('backends', name); // registered through another replica a moment ago?
      if (!isEdge(o)) return false;
      e = this.absorb(o!);
    }
    const now = this.now();
    e.lastMs = Math.max(e.lastMs, now);
    while (e.pending) await e.pending.catch(() => undefined);
    if (!this.entries.has(name)) return false;
    const p = this.persistInterval();
    if (!e.expired && now - e.persistedMs < p) return true;
    const entry = e;
    const write = this.objects
      .update('backends', name, (cur) => {
        if (!isEdge(cur)) throw new Unchanged();
        const ann = (cur.metadata.annotations ??= {});
        const stored = persistedTimes(cur);
        if (!stored.expired && entry.lastMs - stored.heartbeatMs < p) throw new Unchanged();
        ann[ANNOTATION_HEARTBEAT] = iso(Math.max(entry.lastMs, stored.heartbeatMs));
        delete ann[ANNOTATION_EDGE_EXPIRED];
        return cur;
      })
      .then((o) => {
        if (!o || !isEdge(o)) {
          this.entries.delete(name);
          return false;
        }
        this.absorb(o);
        return true;
      });
    entry.pending = write;
    try {
      return await write;
    } catch (err) {
      // memory has the heartbeat; the next one persists it
      this.log.warn('edgeproxy: persisting a heartbeat failed', { id: name, error: (err as Error).message });
      return true;
    } finally {
      if (entry.pending === write) entry.pending = null;
    }
  }

  expiredNow(e: Entry, now = this.now()): boolean {
    return now > this.deadline(e);
  }

  /** Mark newly expired backends (leader only), so translate drops them from the pool at once. */
  tick(): void {
    if (this.stopped || !this.isLeader()) return;
    const now = this.now();
    let started = 0;
    for (const e of this.entries.values()) {
      if (e.expired || e.pending || !this.expiredNow(e, now)) continue;
      if (++started > MAX_MARKS_PER_TICK) break; // a mass expiry is marked over a few ticks
      const entry = e;
      const write = this.objects
        .update('backends', e.name, (cur) => {
          if (!isEdge(cur) || cur.metadata.uid !== entry.uid) throw new Unchanged();
          const stored = persistedTimes(cur);
          // renewed meanwhile (the stored time moved), or no longer past the deadline: leave it
          if (stored.expired || stored.heartbeatMs > entry.persistedMs || this.now() <= this.deadline(entry)) throw new Unchanged();
          (cur.metadata.annotations ??= {})[ANNOTATION_EDGE_EXPIRED] = iso(this.now());
          return cur;
        })
        .then((o) => {
          if (o && isEdge(o)) {
            const before = entry.expired;
            this.absorb(o);
            if (!before && entry.expired) {
              this.log.info('edgeproxy: backend heartbeat expired; removed from load balancing', { id: entry.name, app: entry.app });
            }
          }
        })
        .catch((err: Error) => this.log.debug('edgeproxy: marking an expired backend failed', { id: entry.name, error: err.message }))
        .finally(() => {
          if (entry.pending === write) entry.pending = null;
        });
      entry.pending = write;
    }
  }

  /** Delete expired backends (leader only). Resolves to how many went. */
  async sweep(): Promise<number> {
    if (this.stopped || this.sweeping || !this.isLeader()) return 0;
    this.sweeping = true;
    let removed = 0;
    try {
      const now = this.now();
      for (const e of [...this.entries.values()]) {
        if (this.stopped) break;
        if (e.pending || !this.expiredNow(e, now)) continue;
        try {
          if (await this.objects.delete('backends', e.name, { uid: e.uid, resourceVersion: e.rv })) {
            removed++;
            this.log.info('edgeproxy: expired backend deregistered', { id: e.name, app: e.app });
          }
          if (this.entries.get(e.name) === e) this.entries.delete(e.name);
        } catch (err) {
          // 409: it changed (renewed) since we looked; the watch brings the new state
          if (!(err instanceof ApiError && err.code === 409)) this.log.warn('edgeproxy: sweeping a backend failed', { id: e.name, error: (err as Error).message });
        }
      }
    } finally {
      this.sweeping = false;
    }
    return removed;
  }
}
