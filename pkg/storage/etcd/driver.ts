// The scale-out store: a thin Driver over etcd v3 (etcd3 client, raw KV and Watch RPCs).
// Key layout and transactions as kube-apiserver's etcd3 store: resourceVersion = mod_revision,
// create = Txn If(mod_revision == 0), update/delete = Txn If(mod_revision == rv). Every unary
// call carries a deadline (etcd3 sets none and would hang while quorum is lost).
import { Etcd3 } from 'etcd3';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, retry } from 'cockatiel';
import type { ITxnResponse } from 'etcd3/lib/rpc';
import type { Driver, DriverWatch, KeyValue, RangeOptions, RangeResult, TxnResult, WatchSink } from '../driver';
import { toKV } from './convert';
import { fromEtcdError } from './errors';
import { EtcdWatch } from './watch';
import { LeanTxnClient } from './txn_client';
import type { TxnAnswer, TxnOp } from './txn_codec';

export interface EtcdOptions {
  endpoints: string[];
  /** deadline for each write (default 3 s: a write in flight when the leader dies is never answered) */
  callTimeoutMs?: number;
  /** deadline for each read (default 10 s: a large list on a loaded member takes longer) */
  readTimeoutMs?: number;
  /** where the last compaction revision is recorded, like kube's compact_rev_key */
  compactKey?: string;
}

const b = (s: string) => Buffer.from(s, 'utf8');

/** The request could not have been delivered: connection refused or never established. */
export function neverReachedServer(err: Error): boolean {
  return /ECONNREFUSED|No connection established|failed to connect|connect ECONN|BrokenCircuit/i.test(err?.message ?? '');
}

export class EtcdDriver implements Driver {
  readonly name = 'etcd';
  private readonly client: Etcd3;
  private readonly compactKey: string;
  private readonly watches = new Set<DriverWatch>();
  /** writes' Txn calls while its session is up (plain-HTTP members only); else the etcd3 client */
  private readonly lean: LeanTxnClient | undefined;

  constructor(opts: EtcdOptions) {
    const timeout = opts.callTimeoutMs ?? 3000;
    const readTimeout = opts.readTimeoutMs ?? 10_000;
    this.compactKey = opts.compactKey ?? 'compact_rev_key';
    if (opts.endpoints.length && opts.endpoints.every((e) => e.startsWith('http://'))) this.lean = new LeanTxnClient(opts.endpoints, timeout);
    this.client = new Etcd3({
      hosts: opts.endpoints,
      dialTimeout: timeout,
      // gRPC's default 4 MiB receive limit fails a list of ~6,000 Backends (informers list with no
      // limit); etcd's own limit on a request is separate (--max-request-bytes)
      grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + (ctx.method === 'range' ? readTimeout : timeout) }),
      faultHandling: {
        // A dead member must not take a share of calls: one connection failure opens its breaker,
        // the pool then tries the next member, and the member is tried again after a second.
        // Slow calls (an election in progress) do not count, or every member would open at once
        // (etcd3's default of 3 failures / 5 s turned a 1.5 s election into a 5 s outage).
        host: () => circuitBreaker(handleWhen(neverReachedServer), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(1) }),
        // Only a call that provably never reached etcd is retried: etcd3's default retry also
        // re-sent transactions that may have applied. The store re-reads on conflict instead.
        global: retry(handleWhen(neverReachedServer), { maxAttempts: 2 }),
      },
    });
  }

  async currentRevision(): Promise<number> {
    try {
      const res = await this.client.kv.range({ key: b(this.compactKey), count_only: true });
      return Number(res.header.revision);
    } catch (err) {
      throw fromEtcdError(err, 'revision');
    }
  }

  async get(key: string): Promise<{ kv: KeyValue | null; revision: number }> {
    try {
      const res = await this.client.kv.range({ key: b(key) });
      return { kv: res.kvs.length ? toKV(res.kvs[0]) : null, revision: Number(res.header.revision) };
    } catch (err) {
      throw fromEtcdError(err, `get ${key}`);
    }
  }

  async create(key: string, value: Buffer): Promise<TxnResult> {
    const k = b(key);
    const res = await this.txn(key, k, 0, { put: { key: k, value } }, 'create');
    return res.succeeded ? { succeeded: true, revision: res.revision } : notApplied(res);
  }

  async update(key: string, value: Buffer, expected: number): Promise<TxnResult> {
    const k = b(key);
    const res = await this.txn(key, k, expected, { put: { key: k, value } }, 'update');
    return res.succeeded ? { succeeded: true, revision: res.revision } : notApplied(res);
  }

  async delete(key: string, expected: number): Promise<TxnResult<{ prev: KeyValue }>> {
    const k = b(key);
    const res = await this.txn(key, k, expected, { deleteWithPrev: { key: k } }, 'delete');
    if (!res.succeeded) return notApplied(res);
    const prev = res.kvs[0];
    if (!prev) return { succeeded: false, current: null }; // deleted by someone else meanwhile
    return { succeeded: true, revision: res.revision, prev };
  }

  async range(start: string, end: string, opts: RangeOptions = {}): Promise<RangeResult> {
    try {
      const res = await this.client.kv.range({
        key: b(start),
        range_end: b(end),
        limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
        revision: opts.revision && opts.revision > 0 ? opts.revision : 0,
      });
      const revision = opts.revision && opts.revision > 0 ? opts.revision : Number(res.header.revision);
      return { kvs: res.kvs.map(toKV), revision, more: !!res.more, count: Number(res.count) };
    } catch (err) {
      throw fromEtcdError(err, `list ${start}`);
    }
  }

  watch(prefix: string, fromRevision: number, sink: WatchSink): DriverWatch {
    const w = new EtcdWatch(this.client.watchClient, prefix, fromRevision, {
      onEvents: (ev) => sink.onEvents(ev),
      onProgress: (rev) => sink.onProgress?.(rev),
      onError: (err) => {
        this.watches.delete(w);
        sink.onError(err);
      },
    });
    this.watches.add(w);
    return {
      cancel: () => {
        this.watches.delete(w);
        w.cancel();
      },
      requestProgress: () => w.requestProgress(),
    };
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: false });
    } catch (err) {
      const e = fromEtcdError(err, 'compact');
      if (e.code !== 'Expired') throw e; // already compacted at or beyond revision
    }
    try {
      await this.client.kv.put({ key: b(this.compactKey), value: b(String(revision)) });
    } catch (err) {
      throw fromEtcdError(err, 'compact');
    }
  }

  async compactedRevision(): Promise<number> {
    const { kv } = await this.get(this.compactKey);
    return kv ? Number(kv.value.toString('utf8')) || 0 : 0;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.cancel();
    this.watches.clear();
    this.lean?.close();
    this.client.close();
  }

  /** Txn If(mod_revision(key) == expected) Then op Else Get(key) */
  private async txn(key: string, k: Buffer, expected: number, op: TxnOp, what: string): Promise<TxnAnswer> {
    try {
      if (this.lean?.usable()) return await this.lean.txn(k, expected, op);
      // one key buffer for the compare, the op and the read: encoding only reads it
      const res: ITxnResponse = await this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expected }],
        success: ['put' in op ? { request_put: { key: k, value: op.put.value } } : { request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
      const r0 = res.responses[0];
      const kvs = (res.succeeded ? r0?.response_delete_range?.prev_kvs : r0?.response_range?.kvs) ?? [];
      return { revision: Number(res.header.revision), succeeded: res.succeeded, kvs: kvs.map(toKV) };
    } catch (err) {
      throw fromEtcdError(err, `${what} ${key}`);
    }
  }
}

function notApplied(res: TxnAnswer): { succeeded: false; current: KeyValue | null } {
  return { succeeded: false, current: res.kvs[0] ?? null };
}
