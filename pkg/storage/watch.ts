// watch: changes under a prefix after a revision, as object events. "" / "0" first replays the
// current state as ADDED (kube's "get state and start at most recent"). With a predicate, an
// object that starts or stops matching becomes ADDED / DELETED, as kube's filtered watch does.
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver, DriverEvent, DriverWatch } from './driver';
import type { ObjectEvent, StoreWatch, WatchHandler, WatchOptions } from './interface';
import { decode, parseResourceVersion } from './codec';
import { listObjects } from './list';

export function watchObjects(driver: Driver, prefix: string, opts: WatchOptions, handler: WatchHandler): StoreWatch {
  let stopped = false;
  let inner: DriverWatch | undefined;
  const match = opts.predicate;

  const start = (fromRevision: number) => {
    if (stopped) return;
    inner = driver.watch(prefix, fromRevision, {
      onEvents: (events) => {
        for (const ev of events) {
          if (stopped) return;
          const out = toObjectEvent(ev, match);
          if (out) handler.onEvent(out);
        }
      },
      onProgress: (rev) => {
        if (!stopped) handler.onProgress?.(rev);
      },
      onError: (err) => {
        if (!stopped) handler.onError(err);
      },
    });
  };

  let rv: number;
  try {
    rv = parseResourceVersion(opts.resourceVersion);
  } catch (err) {
    queueMicrotask(() => handler.onError(err as Error));
    return { stop: () => void (stopped = true) };
  }
  if (rv > 0) {
    start(rv + 1);
  } else {
    listObjects(driver, prefix, { predicate: match }).then(
      (list) => {
        const revision = Number(list.resourceVersion);
        for (const obj of list.items) {
          if (stopped) return;
          handler.onEvent({ type: 'ADDED', object: obj, revision: Number(obj.metadata.resourceVersion) });
        }
        start(revision + 1);
      },
      (err) => {
        if (!stopped) handler.onError(err);
      },
    );
  }
  return {
    stop() {
      stopped = true;
      inner?.cancel();
    },
    requestProgress() {
      return !stopped && !!inner?.requestProgress?.();
    },
  };
}

export function toObjectEvent(ev: DriverEvent, match?: (o: KObject) => boolean): ObjectEvent | null {
  if (ev.type === 'delete') {
    if (!ev.prevKv) return null;
    return selectEvent('DELETED', decode(ev.prevKv, ev.kv.modRevision), decode(ev.prevKv), ev.kv.modRevision, match);
  }
  const object = decode(ev.kv);
  const prevObject = ev.prevKv ? decode(ev.prevKv) : undefined;
  const isCreate = ev.kv.createRevision === ev.kv.modRevision || !prevObject;
  return selectEvent(isCreate ? 'ADDED' : 'MODIFIED', object, prevObject, ev.kv.modRevision, match);
}

/**
 * An event as a filtered watch sees it: an object that starts matching is ADDED, one that stops
 * matching is DELETED, as kube's filtered watch does. kube (etcd3 watcher and cacher) sends the
 * last state that matched for that DELETED, stamped with the revision of the change.
 */
export function selectEvent(
  type: ObjectEvent['type'],
  object: KObject,
  prevObject: KObject | undefined,
  revision: number,
  match?: (o: KObject) => boolean,
): ObjectEvent | null {
  if (!match) return { type, object, prevObject, revision };
  if (type === 'DELETED') return match(object) ? { type, object, prevObject, revision } : null;
  const nowMatches = match(object);
  const wasMatching = type === 'MODIFIED' && !!prevObject && match(prevObject);
  if (nowMatches && wasMatching) return { type: 'MODIFIED', object, prevObject, revision };
  if (nowMatches) return { type: 'ADDED', object, revision };
  if (wasMatching) {
    const last = { ...prevObject!, metadata: { ...prevObject!.metadata, resourceVersion: String(revision) } };
    return { type: 'DELETED', object: last, prevObject, revision };
  }
  return null;
}
