// JSON of the cache's objects, made once per object and version and reused by every LIST that
// returns it (kube's cacher likewise serializes an event once for all watchers). Keyed weakly by
// the frozen object, so a replaced or deleted object takes its text with it; made lazily, so a
// resource nobody lists costs no memory here.
import type { KObject } from '../../../apis/meta/v1/types';

const own = new WeakMap<KObject, string>();
const other = new WeakMap<KObject, Map<string, string>>();

/** JSON.stringify of the object as served in `apiVersion` (only apiVersion differs between versions). */
export function objectJSON(obj: KObject, apiVersion: string): string {
  if (obj.apiVersion === apiVersion) {
    let s = own.get(obj);
    if (s === undefined) own.set(obj, (s = JSON.stringify(obj)));
    return s;
  }
  let m = other.get(obj);
  let s = m?.get(apiVersion);
  if (s === undefined) {
    s = JSON.stringify({ ...obj, apiVersion });
    if (!m) other.set(obj, (m = new Map()));
    m.set(apiVersion, s);
  }
  return s;
}

/** The text JSON.stringify gives for {apiVersion, kind, metadata, items} with items served in `itemApiVersion`. */
export function listJSON(apiVersion: string, kind: string, metadata: unknown, items: readonly KObject[], itemApiVersion: string): string {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = objectJSON(items[i], itemApiVersion);
  return `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(kind)},"metadata":${JSON.stringify(metadata)},"items":[${parts.join(',')}]}`;
}
