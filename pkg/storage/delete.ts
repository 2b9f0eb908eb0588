// delete with preconditions: Txn If(mod_revision == read) Then Delete, re-read on a lost race.
// A key that is gone by then was deleted by someone else: NotFound, as kube's conditionalDelete
// answers the second of two concurrent DELETEs (the drivers never re-send a transaction that may
// have applied, so "gone" is never our own earlier attempt).
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver } from './driver';
import type { Preconditions } from './interface';
import { decode } from './codec';
import { StorageError } from './errors';
import { checkPreconditions } from './preconditions';

const MAX_ATTEMPTS = 64;

export async function deleteObject(
  driver: Driver,
  key: string,
  pre: Preconditions | undefined,
  validate?: (current: KObject) => void,
): Promise<KObject> {
  let { kv } = await driver.get(key);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!kv) throw StorageError.notFound(key);
    const current = decode(kv);
    checkPreconditions(key, pre, current);
    validate?.(current);
    const res = await driver.delete(key, kv.modRevision);
    if (res.succeeded) return decode(res.prev ?? kv, res.revision);
    if (res.current === null) throw StorageError.notFound(key);
    kv = res.current;
  }
  throw StorageError.conflict(key, `too many concurrent updates to ${key}`);
}
