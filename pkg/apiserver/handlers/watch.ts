// GET …?watch=1: newline-delimited events. Headers go out as soon as the watch's start is settled
// (at once for every watch but sendInitialEvents at a future revision; client-node's informer waits
// for them). Events come from the resource's watch cache (serialized once for all watchers) or, for
// a revision older than its window, from store history; a compacted revision is one ERROR event
// with a 410 Status, then the stream closes. Bookmarks only when asked (kubectl get -w never asks).
// Where the watch starts, as kube's cacher decides it:
//   resourceVersion unset or "0", no sendInitialEvents → the current objects as ADDED, then changes
//   sendInitialEvents=true  → the cache's objects once it has reached resourceVersion (unset: the
//                             store's current revision; "0": as it is); a revision the cache does
//                             not reach within 3 s is one ERROR "Too large resource version" (504)
//   sendInitialEvents=false → changes after resourceVersion; unset: after the store's current
//                             revision ("most recent"), "0": after the cache's ("any"); no replay
//   resourceVersion=N       → changes after N (a future N waits silently, as in kube)
// timeoutSeconds unset or 0 is the server's default (kube: random in [1800, 3600) s). While the
// watch cache (re)starts a watch waits for it up to 3 s, then is refused with 429 (kube's
// "storage is (re)initializing"). A replay (from the cache window or store history) that cannot be
// written without buffering more than MAX_BUFFERED_BYTES ends with an ERROR event (410 Expired),
// so the client lists again instead of re-watching into the same cut. Initial events are written
// only as fast as the client reads them (a client that never reads pins one high-water mark, not
// the whole list), and an ended watch that cannot flush within CLOSE_GRACE_MS is destroyed.
import type { Request, Response } from 'express';
import type { KObject } from '../../../apis/meta/v1/types';
import { badRequest, expired, toStatusLine } from '../watch_errors';
import type { Resource } from '../../registry/resource';
import { apiVersionOf } from '../../registry/resource';
import { listObjects } from '../../registry/generic/read';
import { parseResourceVersion } from '../../storage/codec';
import { selectEvent } from '../../storage/watch';
import { isStorageError, StorageError } from '../../storage/errors';
import type { StoreWatch } from '../../storage/interface';
import { fromStorage, tooManyRequests } from '../../apierrors/errors';
import type { ServerContext } from '../context';
import type { CacheWatcher } from '../watchcache/cacher';
import { CachedEvent, type WireLine } from '../watchcache/event';
import { objectJSON } from '../watchcache/serialized';
import { bool, int, str, type Query } from '../request/query';
import { selectorPredicate, sendInitialEvents, validateListOptions } from '../listopts';
import { tableOf, type IncludeObject } from '../table';
import { bookmarkRevision } from './watch_bookmark';
import { WatchWriter } from './watch_writer';

const BOOKMARK_EVERY_MS = 15_000;
/** a watcher whose socket holds this much unsent data is cut off (kube's cacher drops blocked watchers) */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** unsent initial-event bytes past which a watch waits for the client to read (kube streams them) */
export const INITIAL_HIGH_WATER_BYTES = 1024 * 1024;
/** how long an ended watch may take to flush before its connection is destroyed */
const CLOSE_GRACE_MS = 10_000;
/** how long a watch waits for the cache to (re)start, and for a sendInitialEvents revision (kube: 3 s) */
const WAIT_MS = 3000;
/** kube-apiserver's --min-request-timeout: a watch without timeoutSeconds ends after 1–2× this */
const MIN_REQUEST_TIMEOUT_S = 1800;

export async function serveWatch(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response, table: IncludeObject | null): Promise<void> {
  const q = req.query as Query;
  validateListOptions(q, true);
  const rvParam = str(q, 'resourceVersion') ?? '';
  let rv: number;
  try {
    rv = parseResourceVersion(rvParam);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  // 0 is "the server's default", as in kube (a client sending 0 must not hot-loop)
  const timeoutSeconds = int(q, 'timeoutSeconds', 0) || Math.floor(MIN_REQUEST_TIMEOUT_S * (1 + Math.random()));
  const bookmarks = bool(q, 'allowWatchBookmarks');
  const sendInitial = sendInitialEvents(q);
  const match = selectorPredicate(r, q);

  let clientGone = false;
  req.on('close', () => (clientGone = true));
  const cacher = ctx.cacherFor(r);
  await cacher.start();
  if (!(await cacher.waitReady(WAIT_MS))) throw tooManyRequests('storage is (re)initializing', 1);

  // sendInitialEvents=true: the cache must reach the asked revision first (kube's waitUntilFreshAndBlock)
  // (unset: the store's current revision, which storage answers when the cache cannot get there)
  let tooLarge: StorageError | undefined;
  let initialFromStorage = false;
  if (sendInitial === true) {
    const target = rvParam === '' ? await currentRevision(ctx) : rv;
    if (!(await cacher.waitUntilFresh(target, WAIT_MS))) {
      if (rvParam === '') initialFromStorage = true;
      else if (cacher.isSynced) tooLarge = StorageError.tooLarge(target, cacher.latestRevision);
      else throw tooManyRequests('storage is (re)initializing', 1);
    }
  }

  const w = new HttpWatcher(r, version, res, match, table);
  res.status(200);
  res.setHeader('Content-Type', table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.flushHeaders();
  if (tooLarge) {
    // as kube's errWatcher: HTTP 200, one ERROR event carrying the 504 Status, nothing before it
    w.fail(fromStorage(tooLarge, r.gr, ''));
    return;
  }

  let storeWatch: StoreWatch | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  /** the newest revision this watcher may claim in a bookmark: never beyond what it was sent */
  const safeRevision = (): number =>
    bookmarkRevision(storeWatch ? 'store' : w.following ? 'cache' : 'none', w.lastRevision, w.progressRevision, cacher.latestRevision);
  const finish = (withBookmark: boolean) => {
    if (w.closed) return;
    if (withBookmark && bookmarks) w.bookmark(safeRevision());
    w.close();
  };
  // a timer longer than 2^31-1 ms would fire at once (Node's TimeoutOverflowWarning)
  const timeout = setTimeout(() => finish(true), Math.min(timeoutSeconds * 1000, 2 ** 31 - 1));
  let offClosing: (() => void) | undefined;
  const cleanup = () => {
    clearTimeout(timeout);
    offClosing?.();
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    cacher.unwatch(w);
    storeWatch?.stop();
  };
  w.onClose = cleanup;
  offClosing = ctx.closing.onClose(() => finish(true));
  req.on('close', () => w.close());
  if (clientGone) w.close();

  try {
    let from = rv;
    /** the initial state: the cache's objects (shared by every watcher, as kube's cacher), else a store list; its revision */
    const sendInitialState = async (fromStorage: boolean): Promise<number> => {
      const snap = fromStorage ? undefined : cacher.snapshot(match);
      if (snap) {
        await w.initialAll(snap.items, true);
        return snap.revision;
      }
      const list = await listObjects(ctx.registry, r, version, { predicate: match });
      await w.initialAll(list.items);
      return Number(list.metadata.resourceVersion);
    };
    if (sendInitial === true) {
      from = await sendInitialState(initialFromStorage);
      if (bookmarks) w.bookmark(from, true);
    } else if (sendInitial === false) {
      // no initial state: "most recent" (unset) is the store's revision, "any" (0) the cache's
      if (rvParam === '') from = await currentRevision(ctx);
      else if (rv === 0) from = cacher.latestRevision;
    } else if (rv === 0) {
      // "any"
      from = await sendInitialState(false);
    }
    if (w.closed) return;
    w.lastRevision = Math.max(w.lastRevision, from);
    w.startedAfter = from;
    w.replaying = true;
    w.following = cacher.watch(from, w);
    w.replaying = false;
    if (!w.following && !w.closed) {
      // older than the cache's window (or the cache restarted meanwhile): store history, whose
      // replay is cut with 410 when the client cannot take it (410 if compacted there too)
      w.replaying = true;
      storeWatch = ctx.registry.store.watch(r.keyPrefix, { resourceVersion: String(from) }, {
        onEvent: (e) => w.deliver(new CachedEvent(e.type, e.object, e.revision, e.prevObject)),
        onProgress: (rev) => w.progress(rev),
        onError: (err) => w.fail(isStorageError(err, 'Expired') ? expired(err.message) : err),
      });
    }
    if (bookmarks && !w.closed) {
      bookmarkTimer = setInterval(() => {
        const latest = safeRevision();
        if (latest > w.lastRevision) w.bookmark(latest);
      }, BOOKMARK_EVERY_MS);
      bookmarkTimer.unref();
    }
  } catch (err) {
    w.fail(err);
  }
}

async function currentRevision(ctx: ServerContext): Promise<number> {
  try {
    return await ctx.registry.store.currentRevision();
  } catch (err) {
    throw fromStorage(err, { group: '', resource: '' }, '');
  }
}

export class HttpWatcher implements CacheWatcher {
  closed = false;
  lastRevision = 0;
  progressRevision = 0;
  /** registered with the watch cache: every event up to its latest revision was offered */
  following = false;
  /** writing a replay: a cut ends with 410, not a clean EOF the client would resume into again */
  replaying = false;
  /** the revision the watch started after, named by a replay cut */
  startedAfter = 0;
  onClose?: () => void;
  private readonly apiVersion: string;
  private readonly out: WatchWriter;
  private sentColumns = false;

  constructor(
    private readonly r: Resource,
    private readonly version: string,
    private readonly res: Response,
    private readonly match: ((o: KObject) => boolean) | undefined,
    private readonly table: IncludeObject | null,
  ) {
    this.apiVersion = apiVersionOf(r, version);
    this.out = new WatchWriter(res);
  }

  /**
   * The initial state as ADDED events, written only as fast as the client reads: past
   * INITIAL_HIGH_WATER_BYTES of unsent data it waits for the socket to drain, so a client that never
   * reads pins one high-water mark, not a copy of the whole list per watcher.
   */
  async initialAll(items: KObject[], shared = false): Promise<void> {
    for (const obj of items) {
      if (this.closed) return;
      // the cache's objects: their JSON is made once per object and version for every reader
      if (shared && !this.table) this.write(`{"type":"ADDED","object":${objectJSON(obj, this.apiVersion)}}\n`);
      else this.write(this.lineOf('ADDED', { ...obj, apiVersion: this.apiVersion }));
      if (this.res.writableLength > INITIAL_HIGH_WATER_BYTES) await this.drained();
    }
  }

  /** resolves when the response drains or closes */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
      if (this.closed || this.res.destroyed) done();
    });
  }

  deliver(ev: CachedEvent): boolean {
    if (this.closed) return false;
    if (ev.revision <= this.lastRevision) return true;
    this.lastRevision = ev.revision;
    if (!this.match && !this.table) {
      this.writeShared(ev.wire(this.apiVersion));
    } else {
      const sel = selectEvent(ev.type, ev.object, ev.prevObject, ev.revision, this.match);
      if (!sel) return true;
      // an event the selector passes unchanged (a namespace view's, most label selectors') takes the
      // line serialized once for every watcher; only a rewritten one (ADDED/DELETED at the selector's
      // edge) or a Table is serialized for this watcher
      if (!this.table && sel.type === ev.type && sel.object === ev.object) this.writeShared(ev.wire(this.apiVersion));
      else this.write(this.lineOf(sel.type, { ...sel.object, apiVersion: this.apiVersion }));
    }
    if (this.out.pendingBytes > MAX_BUFFERED_BYTES) {
      if (this.replaying) {
        this.fail(expired(`too old resource version: ${this.startedAfter} (the events since then are more than a watch may replay; list again)`));
      } else {
        this.close();
      }
      return false;
    }
    return true;
  }

  progress(revision: number): void {
    if (revision > this.progressRevision) this.progressRevision = revision;
  }

  terminate(): void {
    this.close();
  }

  bookmark(revision: number, initialEventsEnd = false): void {
    if (this.closed || revision <= 0) return;
    const metadata: Record<string, unknown> = { resourceVersion: String(revision), creationTimestamp: null };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.lastRevision = Math.max(this.lastRevision, revision);
    this.write(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: this.r.kind, apiVersion: this.apiVersion, metadata })}}\n`);
  }

  fail(err: unknown): void {
    if (this.closed) return;
    this.write(toStatusLine(err));
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.out.flush(true);
    this.closed = true;
    this.onClose?.();
    if (!this.res.writableEnded) this.res.end();
    // a client that stopped reading never takes the rest: the unsent bytes would stay pinned for
    // the connection's life, so a response not flushed within CLOSE_GRACE_MS is torn down
    if (!this.res.writableFinished) {
      const t = setTimeout(() => {
        if (!this.res.writableFinished) this.res.destroy();
      }, CLOSE_GRACE_MS);
      t.unref();
      this.res.once('close', () => clearTimeout(t));
    }
  }

  private lineOf(type: string, obj: KObject): string {
    if (!this.table) return `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
    const t = tableOf(this.r, this.version, [obj], { resourceVersion: obj.metadata.resourceVersion }, this.table, !this.sentColumns);
    this.sentColumns = true;
    return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
  }

  private write(line: string): void {
    if (!this.closed) this.out.text(line);
  }

  private writeShared(w: WireLine): void {
    if (!this.closed) this.out.shared(w);
  }

}
