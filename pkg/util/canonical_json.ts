// Canonical JSON: object keys sorted at every level, so the same value always has the same bytes
// (no-op writes, change detection, config hashes). Shared by storage, the controller and the proxy,
// none of which may import another for it.

/**
 * JSON with object keys sorted (Go's encoding of unstructured maps does the same), so the same
 * object always has the same bytes and a no-op write is recognised whatever order the client used.
 */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      // a hole (never in parsed JSON) stays empty, as Array.prototype.map + join left it
      if (!(i in value)) continue;
      const v = value[i];
      s += v === undefined ? 'null' : canonicalJSON(v);
    }
    return s + ']';
  }
  return canonicalObject(value as Record<string, unknown>);
}

export function canonicalObject(obj: Record<string, unknown>, skip?: string): string {
  const keys = Object.keys(obj).sort();
  let s = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === skip) continue;
    const v = obj[k];
    if (v === undefined) continue;
    if (first) first = false;
    else s += ',';
    s += JSON.stringify(k) + ':' + canonicalJSON(v);
  }
  return s + '}';
}
