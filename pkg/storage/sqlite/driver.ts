// The embedded store: a thin Driver over better-sqlite3 (WAL, fsync on every commit).
// Writes arriving in the same tick are committed in one transaction (group commit): each keeps its
// own compare-and-swap, all share one fsync, and none is acknowledged before that fsync. This is
// the only writer of the file, so watch events fan out in-process as soon as a batch commits.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Driver, DriverEvent, DriverWatch, KeyValue, RangeOptions, RangeResult, TxnResult, WatchSink } from '../driver';
import { prefixEnd } from '../driver';
import { StorageError } from '../errors';
import { SCHEMA, type Row } from './schema';
import { prepare, type Statements } from './statements';
import { Subscriber } from './subscriber';

type Op =
  | { kind: 'create'; key: string; value: Buffer }
  | { kind: 'update'; key: string; value: Buffer; expected: number }
  | { kind: 'delete'; key: string; expected: number };

interface Pending {
  op: Op;
  resolve: (r: TxnResult<{ prev?: KeyValue }>) => void;
  reject: (e: unknown) => void;
}

export interface SqliteOptions {
  /** file path; ':memory:' for tests of pure semantics */
  file: string;
}

export class SqliteDriver implements Driver {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly st: Statements;
  private rev: number;
  private compacted: number;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private readonly subscribers = new Set<Subscriber>();
  private closed = false;

  constructor(opts: SqliteOptions) {
    if (opts.file !== ':memory:') fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // One process owns the file: a second server on the same data dir fails at once.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('busy_timeout = 0');
    this.db.exec(SCHEMA);
    this.st = prepare(this.db);
    this.rev = this.st.sequence.get()?.seq ?? 0;
    this.compacted = this.st.metaGet.get('compact_revision')?.v ?? 0;
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async get(key: string): Promise<{ kv: KeyValue | null; revision: number }> {
    this.assertOpen();
    const row = this.st.latest.get(key);
    return { kv: row && !row.deleted ? toKV(row) : null, revision: this.rev };
  }

  create(key: string, value: Buffer): Promise<TxnResult> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: Buffer, expected: number): Promise<TxnResult> {
    return this.enqueue({ kind: 'update', key, value, expected });
  }

  delete(key: string, expected: number): Promise<TxnResult<{ prev: KeyValue }>> {
    return this.enqueue({ kind: 'delete', key, expected }) as Promise<TxnResult<{ prev: KeyValue }>>;
  }

  async range(start: string, end: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.assertOpen();
    const revision = opts.revision || this.rev;
    if (revision > this.rev) throw StorageError.tooLarge(revision, this.rev);
    if (revision < this.compacted) throw StorageError.expired(revision, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.st.range.all(start, end, revision, limit === -1 ? -1 : limit + 1);
    const more = limit !== -1 && rows.length > limit;
    const kvs = (more ? rows.slice(0, limit) : rows).map(toKV);
    const count = more ? this.st.count.get(start, end, revision)!.n : kvs.length;
    return { kvs, revision, more, count };
  }

  watch(prefix: string, fromRevision: number, sink: WatchSink): DriverWatch {
    this.assertOpen();
    const sub = new Subscriber(prefix, sink, () => this.subscribers.delete(sub), () => this.rev);
    if (fromRevision > 0 && fromRevision < this.compacted) {
      sub.fail(StorageError.expired(fromRevision - 1, this.compacted)); // names the revision the watch was asked from (kube)
      return sub;
    }
    // History and subscription in the same synchronous step: no commit can fall between them.
    if (fromRevision > 0 && fromRevision <= this.rev) {
      sub.push(this.st.after.all(prefix, prefixEnd(prefix), fromRevision).map(toEvent));
    }
    this.subscribers.add(sub);
    return sub;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.rev) throw StorageError.tooLarge(revision, this.rev);
    if (revision <= this.compacted) return;
    this.db.transaction(() => {
      this.st.compactSuperseded.run(revision, revision);
      this.st.compactTombstones.run(revision);
      this.st.metaSet.run('compact_revision', revision);
    })();
    this.compacted = revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.pending.length) this.flush();
    this.closed = true;
    for (const sub of [...this.subscribers]) sub.cancel();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', 'storage is closed');
  }

  private enqueue(op: Op): Promise<TxnResult<{ prev?: KeyValue }>> {
    if (this.closed) return Promise.reject(new StorageError('Unavailable', 'storage is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const results: TxnResult<{ prev?: KeyValue }>[] = [];
    const events: DriverEvent[] = [];
    const savedRev = this.rev;
    try {
      this.db.transaction(() => {
        for (const p of batch) results.push(this.apply(p.op, events));
      })();
    } catch (err) {
      this.rev = savedRev;
      const e = new StorageError('Unavailable', `sqlite write failed: ${(err as Error).message}`, { cause: err });
      for (const p of batch) p.reject(e);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
    if (events.length) for (const sub of this.subscribers) sub.offer(events, this.rev);
  }

  private apply(op: Op, events: DriverEvent[]): TxnResult<{ prev?: KeyValue }> {
    const latest = this.st.latest.get(op.key);
    const live = latest && !latest.deleted ? latest : undefined;
    const current = live ? toKV(live) : null;
    const id = this.rev + 1;
    if (op.kind === 'create') {
      if (live) return { succeeded: false, current };
      this.st.insert.run(id, op.key, 1, 0, id, latest ? latest.id : 0, op.value, null);
      this.rev = id;
      events.push({ type: 'put', kv: { key: op.key, value: op.value, createRevision: id, modRevision: id } });
      return { succeeded: true, revision: id };
    }
    if (!live || live.id !== op.expected) return { succeeded: false, current };
    const prev = current!;
    if (op.kind === 'update') {
      this.st.insert.run(id, op.key, 0, 0, live.create_revision, live.id, op.value, live.value);
      this.rev = id;
      events.push({ type: 'put', kv: { key: op.key, value: op.value, createRevision: live.create_revision, modRevision: id }, prevKv: prev });
      return { succeeded: true, revision: id };
    }
    this.st.insert.run(id, op.key, 0, 1, live.create_revision, live.id, null, live.value);
    this.rev = id;
    events.push({ type: 'delete', kv: { key: op.key, modRevision: id }, prevKv: prev });
    return { succeeded: true, revision: id, prev };
  }
}

function toKV(row: Row): KeyValue {
  return { key: row.name, value: row.value ?? Buffer.alloc(0), createRevision: row.create_revision, modRevision: row.id };
}

/** A history row as the event it recorded (prev from old_value / prev_revision). */
function toEvent(row: Row): DriverEvent {
  const prevKv: KeyValue | undefined =
    row.old_value && row.prev_revision
      ? { key: row.name, value: row.old_value, createRevision: row.create_revision, modRevision: row.prev_revision }
      : undefined;
  if (row.deleted) return { type: 'delete', kv: { key: row.name, modRevision: row.id }, prevKv };
  return { type: 'put', kv: toKV(row), prevKv: row.created ? undefined : prevKv };
}
