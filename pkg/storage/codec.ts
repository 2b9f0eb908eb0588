// Objects are stored as JSON without metadata.resourceVersion (as kube-apiserver stores them):
// the resourceVersion is the key's mod revision, stamped on the way out.
import type { KObject } from '../../apis/meta/v1/types';
import { StorageError } from './errors';
import type { KeyValue } from './driver';

export function encode(obj: KObject): Buffer {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return Buffer.from(canonicalJSON({ ...obj, metadata: meta }), 'utf8');
}

/**
 * JSON with object keys sorted (Go's encoding of unstructured maps does the same), so the same
 * object always has the same bytes and a no-op write is recognised whatever order the client used.
 */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJSON(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(obj[k])}`).join(',')}}`;
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
