// The kind-agnostic object store: Kubernetes storage semantics written once, over any Driver.
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver } from './driver';
import type { ListOptions, ListResult, Preconditions, Store, StoreWatch, TryUpdate, UpdateResult, WatchHandler, WatchOptions } from './interface';
import { createObject } from './create';
import { getObject } from './get';
import { guaranteedUpdate } from './update';
import { deleteObject } from './delete';
import { listObjects } from './list';
import { watchObjects } from './watch';

export class ObjectStore implements Store {
  constructor(readonly driver: Driver) {}

  create(key: string, obj: KObject): Promise<KObject> {
    return createObject(this.driver, key, obj);
  }
  get(key: string): Promise<KObject> {
    return getObject(this.driver, key);
  }
  guaranteedUpdate(key: string, pre: Preconditions | undefined, tryUpdate: TryUpdate, cachedExisting?: KObject): Promise<UpdateResult> {
    return guaranteedUpdate(this.driver, key, pre, tryUpdate, cachedExisting);
  }
  delete(key: string, pre?: Preconditions, validate?: (current: KObject) => void): Promise<KObject> {
    return deleteObject(this.driver, key, pre, validate);
  }
  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return listObjects(this.driver, prefix, opts);
  }
  watch(prefix: string, opts: WatchOptions, handler: WatchHandler): StoreWatch {
    return watchObjects(this.driver, prefix, opts, handler);
  }
  currentRevision(): Promise<number> {
    return this.driver.currentRevision();
  }
  compact(revision: number): Promise<void> {
    return this.driver.compact(revision);
  }
  close(): Promise<void> {
    return this.driver.close();
  }
}
