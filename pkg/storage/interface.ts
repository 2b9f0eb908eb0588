// The object store every kind is kept in: Kubernetes storage semantics (k8s.io/apiserver
// storage.Interface) over a Driver. It knows no kind; strategies live in pkg/registry.
import type { KObject } from '../../apis/meta/v1/types';

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface ListOptions {
  /** max items per page (0/undefined: all) */
  limit?: number;
  /** token from a previous page; pins the read to that page's revision */
  continue?: string;
  /** "" (latest, consistent), "0" (any), or a revision */
  resourceVersion?: string;
  resourceVersionMatch?: '' | 'Exact' | 'NotOlderThan';
  /** keep only objects the predicate accepts (selectors); limit counts kept items */
  predicate?: (obj: KObject) => boolean;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ObjectEvent {
  type: WatchEventType;
  object: KObject;
  /** the state before a MODIFIED or DELETED, when known */
  prevObject?: KObject;
  revision: number;
}

export interface WatchOptions {
  /** "" or "0": synthetic ADDED for current objects, then changes; N: changes after N */
  resourceVersion?: string;
  predicate?: (obj: KObject) => boolean;
}

export interface WatchHandler {
  onEvent(ev: ObjectEvent): void;
  /** nothing under the prefix is pending below this revision (bookmark material) */
  onProgress?(revision: number): void;
  /** terminal; Expired when the revision was compacted */
  onError(err: Error): void;
}

export interface StoreWatch {
  stop(): void;
  /**
   * ask for a progress notification (onProgress) at the store's current revision; false (or
   * absent) when the watch cannot give a trustworthy one now
   */
  requestProgress?(): boolean;
}

export type TryUpdate = (current: KObject) => KObject | Promise<KObject>;

export interface UpdateResult {
  object: KObject;
  /** false when tryUpdate produced identical bytes: nothing was written, resourceVersion kept */
  changed: boolean;
}

export interface Store {
  create(key: string, obj: KObject): Promise<KObject>;
  get(key: string): Promise<KObject>;
  /**
   * Read-modify-write with optimistic concurrency, as kube's GuaranteedUpdate: tryUpdate gets the
   * current object (and may throw, e.g. Conflict for a stale user resourceVersion); on a lost
   * race it is called again with the newer object.
   */
  guaranteedUpdate(key: string, preconditions: Preconditions | undefined, tryUpdate: TryUpdate, cachedExisting?: KObject): Promise<UpdateResult>;
  delete(key: string, preconditions?: Preconditions, validate?: (current: KObject) => void): Promise<KObject>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  watch(prefix: string, opts: WatchOptions, handler: WatchHandler): StoreWatch;
  currentRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
