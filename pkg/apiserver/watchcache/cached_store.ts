// A Store that hands guaranteedUpdate the watch cache's copy of the object (kube's cacher does
// the same: GuaranteedUpdate gets the cached object as cachedExistingObject), so an update of an
// object the cache holds costs one compare-and-swap instead of a read and a write.
// A stale cached object must never decide a request: when the preconditions or tryUpdate fail on
// it (e.g. a client's resourceVersion newer than the cache's copy → "conflict"), the update is
// run again from the stored object, as kube's etcd3 store does when !origStateIsCurrent. A stale
// guess that passes is caught by the compare-and-swap itself (the store re-reads and re-applies).
import type { KObject } from '../../../apis/meta/v1/types';
import type { ListOptions, ListResult, Preconditions, Store, StoreWatch, TryUpdate, UpdateResult, WatchHandler, WatchOptions } from '../../storage/interface';

export class CachedExistingStore implements Store {
  constructor(
    private readonly inner: Store,
    /** the cache's current object for a storage key, if it holds one */
    private readonly lookup: (key: string) => KObject | undefined,
  ) {}

  async guaranteedUpdate(key: string, pre: Preconditions | undefined, tryUpdate: TryUpdate, cachedExisting?: KObject): Promise<UpdateResult> {
    const cached = cachedExisting ?? this.lookup(key);
    if (!cached?.metadata.resourceVersion) return this.inner.guaranteedUpdate(key, pre, tryUpdate);
    let calls = 0;
    let failedOnCached = false;
    const wrapped: TryUpdate = async (cur) => {
      const onCached = calls++ === 0 && cur.metadata.resourceVersion === cached.metadata.resourceVersion;
      try {
        return await tryUpdate(cur);
      } catch (err) {
        failedOnCached = onCached;
        throw err;
      }
    };
    try {
      return await this.inner.guaranteedUpdate(key, pre, wrapped, cached);
    } catch (err) {
      // calls === 0: the preconditions failed on the cached object (nothing else runs before them)
      if (!failedOnCached && !(calls === 0 && pre)) throw err;
      return this.inner.guaranteedUpdate(key, pre, tryUpdate);
    }
  }

  create(key: string, obj: KObject): Promise<KObject> {
    return this.inner.create(key, obj);
  }
  get(key: string): Promise<KObject> {
    return this.inner.get(key);
  }
  delete(key: string, pre?: Preconditions, validate?: (current: KObject) => void): Promise<KObject> {
    return this.inner.delete(key, pre, validate);
  }
  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.inner.list(prefix, opts);
  }
  watch(prefix: string, opts: WatchOptions, handler: WatchHandler): StoreWatch {
    return this.inner.watch(prefix, opts, handler);
  }
  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }
  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
