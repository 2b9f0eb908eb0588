// GET …?watch=1: newline-delimited events. Headers go out at once (client-node's informer waits for
// them). Events come from the resource's watch cache (serialized once for all watchers) or, for a
// revision older than its window, from store history; a compacted revision is one ERROR event with
// a 410 Status, then the stream closes. Bookmarks only when asked (kubectl get -w never asks).
import type { Request, Response } from 'express';
import type { KObject } from '../../../apis/meta/v1/types';
import { badRequest, expired, toStatusLine } from '../watch_errors';
import type { Resource } from '../../registry/resource';
import { apiVersionOf } from '../../registry/resource';
import { listObjects } from '../../registry/generic/read';
import { parseResourceVersion } from '../../storage/codec';
import { selectEvent } from '../../storage/watch';
import { isStorageError } from '../../storage/errors';
import type { StoreWatch } from '../../storage/interface';
import type { ServerContext } from '../context';
import type { CacheWatcher } from '../watchcache/cacher';
import { CachedEvent } from '../watchcache/event';
import { bool, int, str, type Query } from '../request/query';
import { selectorPredicate } from '../listopts';
import { tableOf, type IncludeObject } from '../table';

const BOOKMARK_EVERY_MS = 15_000;
/** a watcher whose socket holds this much unsent data is cut off (kube's cacher drops blocked watchers) */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export async function serveWatch(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response, table: IncludeObject | null): Promise<void> {
  const q = req.query as Query;
  const rvParam = str(q, 'resourceVersion') ?? '';
  let rv: number;
  try {
    rv = parseResourceVersion(rvParam);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const timeoutSeconds = int(q, 'timeoutSeconds', 0) ?? Math.floor(1800 * (1 + Math.random()));
  const bookmarks = bool(q, 'allowWatchBookmarks');
  const sendInitialParam = str(q, 'sendInitialEvents');
  const sendInitial = sendInitialParam === undefined ? undefined : bool(q, 'sendInitialEvents');
  if (sendInitial && str(q, 'resourceVersionMatch') !== 'NotOlderThan') {
    throw badRequest('sendInitialEvents is forbidden unless resourceVersionMatch is NotOlderThan');
  }
  const match = selectorPredicate(r, q);
  const w = new HttpWatcher(r, version, res, match, table);

  res.status(200);
  res.setHeader('Content-Type', table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.flushHeaders();

  let storeWatch: StoreWatch | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const cacher = ctx.cacherFor(r);
  const finish = (withBookmark: boolean) => {
    if (w.closed) return;
    if (withBookmark && bookmarks) w.bookmark(Math.max(w.lastRevision, cacher.latestRevision));
    w.close();
  };
  const timeout = setTimeout(() => finish(true), timeoutSeconds * 1000);
  const cleanup = () => {
    clearTimeout(timeout);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    cacher.unwatch(w);
    storeWatch?.stop();
  };
  w.onClose = cleanup;
  req.on('close', () => w.close());
  ctx.closing.onClose(() => finish(true));

  try {
    await cacher.start();
    let from = rv;
    if ((rv === 0 && sendInitial !== false) || sendInitial === true) {
      const list = await listObjects(ctx.registry, r, version, { predicate: match });
      for (const obj of list.items) w.initial(obj);
      from = Number(list.metadata.resourceVersion);
      if (sendInitial === true) w.bookmark(from, true);
    }
    if (w.closed) return;
    w.lastRevision = Math.max(w.lastRevision, from);
    if (!cacher.watch(from, w)) {
      // older than the cache's window: replay from store history (410 if compacted there too)
      storeWatch = ctx.registry.store.watch(r.keyPrefix, { resourceVersion: String(from) }, {
        onEvent: (e) => w.deliver(new CachedEvent(e.type, e.object, e.revision, e.prevObject)),
        onProgress: (rev) => w.progress(rev),
        onError: (err) => w.fail(isStorageError(err, 'Expired') ? expired(err.message) : err),
      });
    }
    if (bookmarks) {
      bookmarkTimer = setInterval(() => {
        const latest = storeWatch ? w.progressRevision : cacher.latestRevision;
        if (latest > w.lastRevision) w.bookmark(latest);
      }, BOOKMARK_EVERY_MS);
      bookmarkTimer.unref();
    }
  } catch (err) {
    w.fail(err);
  }
}

class HttpWatcher implements CacheWatcher {
  closed = false;
  lastRevision = 0;
  progressRevision = 0;
  onClose?: () => void;
  private readonly apiVersion: string;
  private sentColumns = false;

  constructor(
    private readonly r: Resource,
    private readonly version: string,
    private readonly res: Response,
    private readonly match: ((o: KObject) => boolean) | undefined,
    private readonly table: IncludeObject | null,
  ) {
    this.apiVersion = apiVersionOf(r, version);
  }

  initial(obj: KObject): void {
    this.write(this.lineOf('ADDED', { ...obj, apiVersion: this.apiVersion }));
  }

  deliver(ev: CachedEvent): boolean {
    if (this.closed) return false;
    if (ev.revision <= this.lastRevision) return true;
    this.lastRevision = ev.revision;
    let line: string;
    if (!this.match && !this.table) {
      line = ev.line(this.apiVersion);
    } else {
      const sel = selectEvent(ev.type, ev.object, ev.prevObject, ev.revision, this.match);
      if (!sel) return true;
      line = this.lineOf(sel.type, { ...sel.object, apiVersion: this.apiVersion });
    }
    this.write(line);
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
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
    this.closed = true;
    this.onClose?.();
    if (!this.res.writableEnded) this.res.end();
  }

  private lineOf(type: string, obj: KObject): string {
    if (!this.table) return `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
    const t = tableOf(this.r, this.version, [obj], { resourceVersion: obj.metadata.resourceVersion }, this.table, !this.sentColumns);
    this.sentColumns = true;
    return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
  }

  private write(line: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(line);
  }
}
