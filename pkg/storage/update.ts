// guaranteedUpdate: read, let the caller transform, then Txn If(mod_revision == read) Then Put.
// A lost race re-reads and re-applies (level-based, like kube's GuaranteedUpdate). Identical bytes
// write nothing, so a no-op update keeps its resourceVersion.
// A lost race is never taken for "our own retried write" just because the stored bytes equal
// ours: a concurrent writer that computed the same bytes from the same read is far more common
// (two increments from one read), and claiming its write would lose an update. Re-applying
// tryUpdate to the newer object is always right for level-based updates; when the bytes already
// match, that re-application is a no-op (changed=false).
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver, KeyValue } from './driver';
import type { Preconditions, TryUpdate, UpdateResult } from './interface';
import { decode, encode } from './codec';
import { StorageError } from './errors';
import { checkPreconditions } from './preconditions';

const MAX_ATTEMPTS = 64;

export async function guaranteedUpdate(
  driver: Driver,
  key: string,
  pre: Preconditions | undefined,
  tryUpdate: TryUpdate,
  cachedExisting?: KObject,
): Promise<UpdateResult> {
  // kube's cachedExistingObject: a caller that knows the current state saves the read; a wrong
  // guess costs one failed compare-and-swap (or, when it fails the checks, a read) and a retry.
  let fromCache = !!cachedExisting?.metadata.resourceVersion;
  let kv: KeyValue | null = fromCache
    ? { key, value: encode(cachedExisting!), createRevision: 0, modRevision: Number(cachedExisting!.metadata.resourceVersion) }
    : (await driver.get(key)).kv;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!kv) throw StorageError.notFound(key);
    const current = decode(kv);
    let next: KObject;
    try {
      checkPreconditions(key, pre, current);
      next = await tryUpdate(structuredClone(current));
    } catch (err) {
      // a stale guess must never decide the answer (kube's !origStateIsCurrent): the preconditions
      // or the caller's checks may fail only because the cached copy is old; ask the real state
      if (!fromCache) throw err;
      fromCache = false;
      kv = (await driver.get(key)).kv;
      continue;
    }
    const value = encode(next);
    if (value.equals(kv.value)) {
      if (!fromCache) return { object: current, changed: false };
      fromCache = false; // "unchanged" against a possibly stale guess: confirm on the real state
      kv = (await driver.get(key)).kv;
      continue;
    }
    const res = await driver.update(key, value, kv.modRevision);
    if (res.succeeded) {
      return { object: decode({ key, value, createRevision: kv.createRevision, modRevision: res.revision }), changed: true };
    }
    fromCache = false;
    kv = res.current;
  }
  throw StorageError.conflict(key, `too many concurrent updates to ${key}`);
}
