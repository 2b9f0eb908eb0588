// The watch cache of one resource: a single store watch fanned out to every client watch, with a
// window of recent events so a client resuming from a revision inside the window is served from
// memory. "Too old" is decided by the window, not by store compaction alone: a quiet resource keeps
// old revisions valid (client-node re-watches every 30 s from its last resourceVersion).
import type { Store, StoreWatch } from '../../storage/interface';
import { CachedEvent } from './event';
import { Ring } from './ring';

export interface CacheWatcher {
  /** false: the watcher could not keep up and was closed */
  deliver(ev: CachedEvent): boolean;
  progress(revision: number): void;
  /** the cache restarted or stopped; the client should re-watch */
  terminate(reason: string): void;
}

export interface CacherOptions {
  capacity?: number;
  restartDelayMs?: number;
  log?: (msg: string, meta?: Record<string, unknown>) => void;
}

export class Cacher {
  private readonly ring: Ring<CachedEvent>;
  private readonly watchers = new Set<CacheWatcher>();
  /** every event with revision > startRevision is in the ring or still to come */
  private startRevision = 0;
  private latest = 0;
  private storeWatch?: StoreWatch;
  private ready: Promise<void> | undefined;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly opts: CacherOptions = {},
  ) {
    this.ring = new Ring(opts.capacity ?? 10_000);
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

  /**
   * Registers a watcher for events after `revision`. Returns false when that revision is older
   * than the window: the caller serves it from store history (or answers 410).
   */
  watch(revision: number, w: CacheWatcher): boolean {
    if (revision < this.startRevision) return false;
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
    this.storeWatch?.stop();
    for (const w of [...this.watchers]) w.terminate('watch cache stopped');
    this.watchers.clear();
  }

  private async begin(): Promise<void> {
    const rev = await this.store.currentRevision();
    this.startRevision = rev;
    this.latest = Math.max(this.latest, rev);
    this.storeWatch = this.store.watch(this.prefix, { resourceVersion: String(rev) }, {
      onEvent: (e) => this.onEvent(new CachedEvent(e.type, e.object, e.revision, e.prevObject)),
      onProgress: (r) => this.onProgress(r),
      onError: (err) => this.onError(err),
    });
  }

  private onEvent(ev: CachedEvent): void {
    const evicted = this.ring.push(ev);
    if (evicted) this.startRevision = evicted.revision;
    if (ev.revision > this.latest) this.latest = ev.revision;
    for (const w of this.watchers) {
      if (!w.deliver(ev)) this.watchers.delete(w);
    }
  }

  private onProgress(revision: number): void {
    if (revision <= this.latest) return;
    this.latest = revision;
    for (const w of this.watchers) w.progress(revision);
  }

  private onError(err: Error): void {
    this.opts.log?.('watch cache lost its store watch; restarting', { prefix: this.prefix, error: err.message });
    this.storeWatch?.stop();
    for (const w of [...this.watchers]) w.terminate(err.message);
    this.watchers.clear();
    this.ring.clear();
    if (this.stopped) return;
    this.restartTimer = setTimeout(() => {
      this.ready = this.begin().catch((e: Error) => this.onError(e));
    }, this.opts.restartDelayMs ?? 250);
  }
}
