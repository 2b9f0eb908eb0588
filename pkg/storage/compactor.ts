// Coordinated periodic compaction, as kube-apiserver's compactor (storage/etcd3/compact.go) does it,
// written once over the Store so it holds for etcd and SQLite alike.
//
// Every replica ticks every interval. A tick is a compare-and-swap on one record (kube's
// compact_rev_key): "if the record is still the version I saw last tick, bump it". Only one replica
// can win a given version, so with N replicas on one store exactly one compacts per interval; the
// others lose the race, learn the new version and the current revision, and try again next tick.
// While the winner lives it keeps winning (it is the only one that saw its own write); when it dies
// the others win within two intervals. The winner compacts to the revision it observed at its
// previous tick, so at least one interval of history always stays for watchers to resume from, and
// nothing is compacted on the first (bootstrap) win.
import { randomUUID } from 'node:crypto';
import type { KObject } from '../../apis/meta/v1/types';
import type { Store } from './interface';
import { isStorageError } from './errors';

export type CompactOutcome = 'compacted' | 'bootstrap' | 'lost' | 'error';

export interface CompactTick {
  outcome: CompactOutcome;
  /** compacted: the revision compacted to */
  revision?: number;
  error?: Error;
}

export interface CompactorOptions {
  intervalMs: number;
  /** the coordination record's key; every replica on one store must use the same one */
  key: string;
  onTick?(t: CompactTick): void;
}

export interface Compactor {
  stop(): void;
  /** one tick (for tests; the timer calls it too) */
  tick(): Promise<CompactTick>;
}

/** `<prefix>/compact_rev_key`: the record beside the objects, under the same store prefix. */
export function compactKey(prefix = '/registry'): string {
  return `${prefix.replace(/\/+$/, '')}/compact_rev_key`;
}

interface RecordSpec {
  /** the revision the winner of this version will compact to next time (informational) */
  revision: number;
  /** a logical clock: +1 on every successful swap (kube uses the etcd key's version) */
  time: number;
}

function record(key: string, spec: RecordSpec): KObject {
  return {
    apiVersion: 'switchyard.dev/v1',
    kind: 'CompactionRecord',
    metadata: { name: key.slice(key.lastIndexOf('/') + 1), uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
    spec,
  } as KObject;
}

export function startCompactor(store: Store, opts: CompactorOptions): Compactor {
  /** the record's resourceVersion as of our last tick ('' = none seen yet) */
  let version = '';
  /** the store's revision at our last tick: what the next win compacts to */
  let rev = 0;
  let running: Promise<CompactTick> | undefined;

  const swap = async (): Promise<boolean> => {
    try {
      if (version === '') {
        const created = await store.create(opts.key, record(opts.key, { revision: rev, time: 1 }));
        version = created.metadata.resourceVersion!;
      } else {
        const res = await store.guaranteedUpdate(opts.key, { resourceVersion: version }, (cur) => {
          const spec = (cur as KObject & { spec?: Partial<RecordSpec> }).spec ?? {};
          return { ...cur, spec: { revision: rev, time: (spec.time ?? 0) + 1 } } as KObject;
        });
        version = res.object.metadata.resourceVersion!;
      }
      return true;
    } catch (err) {
      if (isStorageError(err, 'AlreadyExists') || isStorageError(err, 'Conflict') || isStorageError(err, 'NotFound')) return false;
      throw err;
    }
  };

  const once = async (): Promise<CompactTick> => {
    try {
      if (!(await swap())) {
        // Lost: another replica swapped this version. Learn its version and the current revision.
        try {
          version = (await store.get(opts.key)).metadata.resourceVersion ?? '';
        } catch (err) {
          if (!isStorageError(err, 'NotFound')) throw err;
          version = '';
        }
        rev = await store.currentRevision();
        return { outcome: 'lost' };
      }
      const target = rev;
      rev = Number(version); // the revision of our own swap (kube: the txn's header revision)
      if (target <= 0) return { outcome: 'bootstrap' };
      await store.compact(target);
      return { outcome: 'compacted', revision: target };
    } catch (err) {
      return { outcome: 'error', error: err as Error };
    }
  };

  const tick = (): Promise<CompactTick> => {
    if (running) return running;
    running = once().then((t) => {
      running = undefined;
      try {
        opts.onTick?.(t);
      } catch {
        /* a reporting bug must not stop compaction */
      }
      return t;
    });
    return running;
  };

  const timer = opts.intervalMs > 0 ? setInterval(() => void tick(), opts.intervalMs) : undefined;
  timer?.unref();
  return { stop: () => timer && clearInterval(timer), tick };
}
