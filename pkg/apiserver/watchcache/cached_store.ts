// A Store that hands guaranteedUpdate the watch cache's copy of the object (kube's cacher does
// the same: GuaranteedUpdate gets the cached object as cachedExistingObject), so an update of an
// object the cache holds costs one compare-and-swap instead of a read and a write.
// A stale cached object never decides a request: guaranteedUpdate re-reads when the preconditions
// or tryUpdate fail on it (kube's !origStateIsCurrent), and a stale guess that passes is caught by
// the compare-and-swap itself (the store re-reads and re-applies).
import type { KObject } from '../../../apis/meta/v1/types';
import type { ListOptions, ListResult, Preconditions, Store, StoreWatch, TryUpdate, UpdateResult, WatchHandler, WatchOptions } from '../../storage/interface';

export class CachedExistingStore implements Store {
  constructor(
    private readonly inner: Store,
    /** the cache's current object for a storage key, if it holds one */
    private readonly lookup: (key: string) => KObject | undefined,
  ) {}

  guaranteedUpdate(key: string, pre: Preconditions | undefined, tryUpdate: TryUpdate, cachedExisting?: KObject): Promise<UpdateResult> {
    // guaranteedUpdate re-reads when the checks fail on the cached copy (pkg/storage/update.ts)
    return this.inner.guaranteedUpdate(key, pre, tryUpdate, cachedExisting ?? this.lookup(key));
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
