// create: Txn If(mod_revision == 0) Then Put. A create whose reply was lost and retried by the
// client library comes back "not succeeded" with our own object stored: recognise it by uid and
// bytes and report success rather than a spurious AlreadyExists.
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver } from './driver';
import { decode, encode } from './codec';
import { StorageError } from './errors';

export async function createObject(driver: Driver, key: string, obj: KObject): Promise<KObject> {
  if (obj.metadata?.resourceVersion) {
    throw new StorageError('InvalidObject', 'resourceVersion should not be set on objects to be created', { key });
  }
  const value = encode(obj);
  const res = await driver.create(key, value);
  if (res.succeeded) {
    return decode({ key, value, createRevision: res.revision, modRevision: res.revision });
  }
  const cur = res.current;
  if (cur && obj.metadata.uid && cur.createRevision === cur.modRevision && cur.value.equals(value)) {
    return decode(cur);
  }
  throw StorageError.alreadyExists(key);
}
