// The watch cache of one resource: a single store watch fanned out to every client watch, with a
// window of recent events so a client resuming from a revision inside the window is served from
// memory, and the keyed state (current object per name) that LISTs are answered from.
// It starts as kube's reflector does: a list at revision R, then a watch from R; the state and the
// event window advance together, one event at a time. Objects are decoded once, frozen, and
// shared by the state, the events (prevObject is the state's previous object) and every reader.
// "Too old" for a watch is decided by the window, not by store compaction alone: a quiet resource
// keeps old revisions valid (client-node re-watches every 30 s from its last resourceVersion).
// The window is bounded by count and by bytes (each event costs its object's JSON twice, for the
// decoded object and its cached wire form, plus its prevObject's JSON): 1.5 MiB objects cannot
// make 10,000 events hold gigabytes.
// While the cache (re)starts after a broken store watch it registers no watcher (watch answers
// false: the caller reads store history, which misses nothing); waitReady lets callers wait.
import type { KObject } from '../../../apis/meta/v1/types';
import type { ObjectEvent, Store, StoreWatch } from '../../storage/interface';
import { CachedEvent } from './event';
import { deepFreeze } from './freeze';
import type { Freshness } from './list_plan';
import { ProgressTracker } from './progress';
import { Ring } from './ring';
import { KeyedState } from './state';
import { objectJSON } from './serialized';
import { RevisionWaiters } from './waiters';

/** default byte bound of one resource's event window */
export const DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024;

export interface CacheWatcher {
  /** false: the watcher could not keep up and was closed */
  deliver(ev: CachedEvent): boolean;
  progress(revision: number): void;
  /** the cache restarted or stopped; the client should re-watch */
  terminate(reason: string): void;
}

export interface CacherOptions {
  capacity?: number;
  /** bound of the event window in bytes (default DEFAULT_WINDOW_BYTES) */
  maxBytes?: number;
  restartDelayMs?: number;
  /** how long a LIST waits for the cache to reach the revision it needs (kube: 3 s) */
  freshnessTimeoutMs?: number;
  /** while LISTs wait, ask the store for progress this often (kube: 100 ms) */
  progressRequestEveryMs?: number;
  log?: (msg: string, meta?: Record<string, unknown>) => void;
}

/** A LIST answered from the cache: the objects (frozen, shared: never mutate) at `revision`. */
export interface CachedList {
  items: KObject[];
  revision: number;
}

export class Cacher {
  private readonly ring: Ring<CachedEvent>;
  private readonly watchers = new Set<CacheWatcher>();
  private readonly state = new KeyedState();
  private readonly waiters = new RevisionWaiters();
  private readonly progress = new ProgressTracker();
  /** every event with revision > startRevision is in the ring or still to come */
  private startRevision = 0;
  /** the state holds every change up to this revision */
  private latest = 0;
  /** the state is in step with the store (false before the first list and while restarting) */
  private synced = false;
  private storeWatch?: StoreWatch;
  private ready: Promise<void> | undefined;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private progressTimer?: NodeJS.Timeout;
  private readonly readyWaiters = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly opts: CacherOptions = {},
  ) {
    this.ring = new Ring(opts.capacity ?? 10_000, opts.maxBytes ?? DEFAULT_WINDOW_BYTES);
  }

  /** Starts (once) and resolves when the cache follows the store. */
  start(): Promise<void> {
    // a failed start (the store unreachable) is retried by the next caller, not cached forever
    this.ready ??= this.begin().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  get latestRevision(): number {
    return this.latest;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** objects held (0 while not synced) */
  get size(): number {
    return this.synced ? this.state.size : 0;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /** bytes the event window holds */
  get windowBytes(): number {
    return this.ring.bytes;
  }

  /** Resolves true once the cache follows the store (at once if it does), false after timeoutMs. */
  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.readyWaiters.delete(wake);
        resolve(ok);
      };
      const wake = () => done(this.synced);
      const timer = setTimeout(() => done(this.synced), timeoutMs);
      this.readyWaiters.add(wake);
    });
  }

  /**
   * Waits (at most timeoutMs) until the cache has seen `revision`, asking the store for progress
   * meanwhile; false when it has not by then or is not following the store (kube's
   * waitUntilFreshAndBlock, which a watch with sendInitialEvents uses).
   */
  async waitUntilFresh(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.synced && this.latest >= revision) return true;
    if (!this.synced) return false;
    this.askProgress();
    const ok = await this.waiters.wait(revision, this.latest, timeoutMs);
    if (!this.waiters.size) this.stopProgressRequests();
    return ok && this.synced;
  }

  /** The objects matching `predicate` as the cache holds them now (frozen), or undefined while not synced. */
  snapshot(predicate?: (o: KObject) => boolean): CachedList | undefined {
    if (!this.synced) return undefined;
    return { items: this.state.list(predicate), revision: this.latest };
  }

  /** The cached object for a storage key (frozen: never mutate), if the cache holds it. */
  objectFor(key: string): KObject | undefined {
    if (!this.synced || !key.startsWith(this.prefix)) return undefined;
    return this.state.get(key.slice(this.prefix.length));
  }

  /**
   * The objects matching `predicate`, in key order, once the cache is as fresh as asked;
   * undefined when it cannot be (not synced, the wait timed out, a revision the store has not
   * reached): the caller reads from storage, which also answers the errors.
   */
  async list(freshness: Freshness, predicate?: (o: KObject) => boolean): Promise<CachedList | undefined> {
    if (freshness.kind !== 'any') {
      let target: number;
      if (freshness.kind === 'consistent') {
        target = await this.store.currentRevision();
      } else {
        target = freshness.revision;
        if (!(this.synced && this.latest >= target) && target > (await this.store.currentRevision())) return undefined;
      }
      if (!(await this.waitFor(target))) return undefined;
    }
    if (!this.synced) return undefined;
    return { items: this.state.list(predicate), revision: this.latest };
  }

  /**
   * Registers a watcher for events after `revision`. Returns false when that revision is older
   * than the window, or the cache is not following the store (starting, restarting: the events
   * between `revision` and the relist are in no window): the caller serves it from store history
   * (or answers 410).
   */
  watch(revision: number, w: CacheWatcher): boolean {
    if (!this.synced || revision < this.startRevision) return false;
    for (let i = 0; i < this.ring.size; i++) {
      const ev = this.ring.at(i);
      if (ev.revision > revision && !w.deliver(ev)) return true;
    }
    this.watchers.add(w);
    return true;
  }

  unwatch(w: CacheWatcher): void {
    this.watchers.delete(w);
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.stopProgressRequests();
    this.storeWatch?.stop();
    this.synced = false;
    this.waiters.failAll();
    for (const wake of [...this.readyWaiters]) wake();
    for (const w of [...this.watchers]) w.terminate('watch cache stopped');
    this.watchers.clear();
  }

  private async begin(): Promise<void> {
    // list + watch from the list's revision, as kube's reflector: nothing is missed or repeated
    const list = await this.store.list(this.prefix);
    if (this.stopped) return;
    const rev = Number(list.resourceVersion);
    this.state.replace(list.items.map((o) => deepFreeze(o)));
    this.startRevision = rev;
    this.latest = Math.max(this.latest, rev);
    this.progress.reset();
    this.synced = true;
    for (const wake of [...this.readyWaiters]) wake();
    this.storeWatch = this.store.watch(this.prefix, { resourceVersion: String(rev) }, {
      onEvent: (e) => this.onEvent(e),
      onProgress: (r) => this.onProgress(r),
      onError: (err) => this.onError(err),
    });
    this.waiters.notify(this.latest);
  }

  private onEvent(e: ObjectEvent): void {
    const object = deepFreeze(e.object);
    const prev = this.state.apply(e.type, object);
    // the previous state is the one the cache already holds (same bytes as the store's prevKv)
    const prevObject = e.type === 'ADDED' ? e.prevObject && deepFreeze(e.prevObject) : (prev ?? (e.prevObject && deepFreeze(e.prevObject)));
    const ev = new CachedEvent(e.type, object, e.revision, prevObject);
    const evicted = this.ring.push(ev, eventCost(object, prevObject));
    if (evicted.length) this.startRevision = evicted[evicted.length - 1].revision;
    if (ev.revision > this.latest) this.latest = ev.revision;
    for (const w of this.watchers) {
      if (!w.deliver(ev)) this.watchers.delete(w);
    }
    this.waiters.notify(this.latest);
  }

  private onProgress(revision: number): void {
    const trusted = this.progress.sawProgress(revision);
    // a LIST is waiting and this notification is not trusted yet: ask for the one that confirms it
    if (this.waiters.size && revision > trusted && revision > this.latest) this.storeWatch?.requestProgress?.();
    if (trusted <= this.latest) return;
    this.latest = trusted;
    for (const w of this.watchers) w.progress(trusted);
    this.waiters.notify(trusted);
  }

  private async waitFor(revision: number): Promise<boolean> {
    if (this.synced && this.latest >= revision) return true;
    // not following the store (starting, relisting), or the store cannot say how far its watch
    // has come (kube: no RequestWatchProgress → consistent reads from storage): storage answers
    if (!this.synced || !this.askProgress()) return false;
    const ok = await this.waiters.wait(revision, this.latest, this.opts.freshnessTimeoutMs ?? 3000);
    if (!this.waiters.size) this.stopProgressRequests();
    return ok && this.synced;
  }

  /**
   * A quiet resource sees no events: ask the store how far its watch has come, and keep asking
   * while LISTs wait (kube's progressRequester). False when the store cannot answer now.
   */
  private askProgress(): boolean {
    if (!this.storeWatch?.requestProgress?.()) return false;
    if (this.progressTimer) return true;
    this.progressTimer = setInterval(() => {
      if (!this.waiters.size) return this.stopProgressRequests();
      this.storeWatch?.requestProgress?.();
    }, this.opts.progressRequestEveryMs ?? 100);
    this.progressTimer.unref();
    return true;
  }

  private stopProgressRequests(): void {
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = undefined;
  }

  private onError(err: Error): void {
    this.opts.log?.('watch cache lost its store watch; restarting', { prefix: this.prefix, error: err.message });
    this.storeWatch?.stop();
    this.synced = false;
    this.state.clear();
    for (const w of [...this.watchers]) w.terminate(err.message);
    this.watchers.clear();
    this.ring.clear();
    if (this.stopped) return;
    this.restartTimer = setTimeout(() => {
      this.ready = this.begin().catch((e: Error) => this.onError(e));
    }, this.opts.restartDelayMs ?? 250);
  }
}

/**
 * What one event holds in memory, in bytes: its object's JSON (made once here and reused by LISTs
 * and the storage-version watch line) counted twice, for the decoded object and its wire form,
 * plus its prevObject's (usually the previous event's object, its JSON already made).
 */
function eventCost(object: KObject, prevObject: KObject | undefined): number {
  const own = objectJSON(object, object.apiVersion as string).length;
  return 2 * own + (prevObject ? objectJSON(prevObject, prevObject.apiVersion as string).length : 0);
}
