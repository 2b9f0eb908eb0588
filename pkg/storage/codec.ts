// Objects are stored as JSON without metadata.resourceVersion (as kube-apiserver stores them):
// the resourceVersion is the key's mod revision, stamped on the way out.
import type { KObject } from '../../apis/meta/v1/types';
import { StorageError } from './errors';
import type { KeyValue } from './driver';

export function encode(obj: KObject): Buffer {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return Buffer.from(JSON.stringify({ ...obj, metadata: meta }), 'utf8');
}

export function decode(kv: KeyValue, revision = kv.modRevision): KObject {
  let obj: KObject;
  try {
    obj = JSON.parse(kv.value.toString('utf8')) as KObject;
  } catch (err) {
    throw new StorageError('InvalidObject', `stored object at ${kv.key} is not JSON`, { key: kv.key, cause: err });
  }
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
  return obj;
}

/** "" → 0 (unset); otherwise a positive integer, as kube's APIObjectVersioner.ParseResourceVersion. */
export function parseResourceVersion(rv: string | undefined | null): number {
  if (rv === undefined || rv === null || rv === '') return 0;
  if (!/^[0-9]{1,16}$/.test(rv)) {
    throw new StorageError('InvalidResourceVersion', `invalid resource version: ${JSON.stringify(rv)}`);
  }
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) {
    throw new StorageError('InvalidResourceVersion', `invalid resource version: ${JSON.stringify(rv)}`);
  }
  return n;
}
