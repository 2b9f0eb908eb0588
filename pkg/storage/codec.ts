// Objects are stored as JSON without metadata.resourceVersion (as kube-apiserver stores them):
// the resourceVersion is the key's mod revision, stamped on the way out.
import type { KObject } from '../../apis/meta/v1/types';
import { StorageError } from './errors';
import type { KeyValue } from './driver';
import { canonicalJSON, canonicalObject } from '../util/canonical_json';

export { canonicalJSON };

export function encode(obj: KObject): Buffer {
  return Buffer.from(encodeJSON(obj), 'utf8');
}

/** encode()'s text: canonicalJSON of the object with metadata.resourceVersion left out. */
export function encodeJSON(obj: KObject): string {
  const m = obj.metadata as unknown;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
    return canonicalJSON({ ...obj, metadata: meta });
  }
  // as canonicalJSON({ ...obj, metadata: meta }) without copying: the metadata key is written with
  // its resourceVersion skipped
  const o = obj as unknown as Record<string, unknown>;
  const keys = Object.keys(o);
  if (!Object.prototype.hasOwnProperty.call(o, 'metadata')) keys.push('metadata');
  keys.sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = k === 'metadata' ? m : o[k];
    if (v === undefined) continue;
    if (s.length > 1) s += ',';
    s += JSON.stringify(k) + ':' + (k === 'metadata' ? canonicalObject(v as Record<string, unknown>, 'resourceVersion') : canonicalJSON(v));
  }
  return s + '}';
}


export function decode(kv: KeyValue, revision = kv.modRevision): KObject {
  let obj: KObject;
  try {
    obj = JSON.parse(kv.value.toString('utf8')) as KObject;
  } catch (err) {
    throw new StorageError('InvalidObject', `stored object at ${kv.key} is not JSON`, { key: kv.key, cause: err });
  }
  const m = obj.metadata as unknown;
  // the parsed metadata is ours: stamping it in place keeps the key order a copy would have
  if (m !== null && typeof m === 'object' && !Array.isArray(m)) (m as Record<string, unknown>).resourceVersion = String(revision);
  else obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
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
