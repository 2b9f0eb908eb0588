// The thin driver contract, in the spirit of kine's Backend: an etcd-shaped key-value log with
// global revisions. Drivers only store bytes and answer compare-and-swap; everything kind- or
// object-aware lives above them (store.ts and the per-verb files), written once for both.

export interface KeyValue {
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
}

export type DriverEvent =
  | { type: 'put'; kv: KeyValue; prevKv?: KeyValue }
  /** kv.modRevision is the revision of the delete; prevKv is the last stored value */
  | { type: 'delete'; kv: { key: string; modRevision: number }; prevKv?: KeyValue };

/** A compare-and-swap that did not apply is a value, not an exception (kine: "updated=false"). */
export type TxnResult<T extends object = object> =
  | ({ succeeded: true; revision: number } & T)
  | { succeeded: false; current: KeyValue | null };

export interface RangeOptions {
  /** at most this many keys (0/undefined: all) */
  limit?: number;
  /** read at this revision (0/undefined: latest) */
  revision?: number;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** the revision the read was served at */
  revision: number;
  /** more keys exist in [start, end) after the returned ones */
  more: boolean;
  /** number of keys in [start, end) at that revision */
  count: number;
}

export interface WatchSink {
  /** events in revision order; each batch holds whole revisions */
  onEvents(events: DriverEvent[]): void;
  /** the driver knows nothing below `revision` is pending for this watch */
  onProgress?(revision: number): void;
  /** terminal: the watch is over (Expired when the start revision was compacted) */
  onError(err: Error): void;
}

export interface DriverWatch {
  cancel(): void;
  /**
   * ask for onProgress at the current revision once every pending event is delivered; false when
   * the watch cannot promise that now (not created yet, or still catching up on history)
   */
  requestProgress?(): boolean;
}

export interface Driver {
  readonly name: string;
  currentRevision(): Promise<number>;
  get(key: string): Promise<{ kv: KeyValue | null; revision: number }>;
  /** create-if-absent: Txn If(mod_revision(key) == 0) Then Put */
  create(key: string, value: Buffer): Promise<TxnResult>;
  /** Txn If(mod_revision(key) == expected) Then Put */
  update(key: string, value: Buffer, expectedModRevision: number): Promise<TxnResult>;
  /** Txn If(mod_revision(key) == expected) Then Delete; prev is the deleted value */
  delete(key: string, expectedModRevision: number): Promise<TxnResult<{ prev: KeyValue }>>;
  /** keys in [start, end) in key order */
  range(start: string, end: string, opts?: RangeOptions): Promise<RangeResult>;
  /** events for keys under prefix with revision >= fromRevision, then live ones */
  watch(prefix: string, fromRevision: number, sink: WatchSink): DriverWatch;
  /** forget history at or below revision; reads/watches there answer Expired */
  compact(revision: number): Promise<void>;
  /** the highest compacted revision (0 if none) */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The smallest key greater than every key with this prefix (etcd's GetPrefixRangeEnd). Prefixes
 * here are ASCII and end in "/", so incrementing the last code unit is exact.
 */
export function prefixEnd(prefix: string): string {
  if (prefix.length === 0) return '\0';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
