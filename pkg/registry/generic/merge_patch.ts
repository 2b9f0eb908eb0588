// RFC 7386 JSON merge patch: the whole algorithm of section 2 (null deletes, objects merge
// recursively, anything else replaces).
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else {
      // define, never assign: `out["__proto__"] = …` would swap the object's prototype and
      // let a patch plant fields (say metadata.deletionTimestamp) that reads then see
      const cur = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
      Object.defineProperty(out, k, { value: mergePatch(cur, v), writable: true, enumerable: true, configurable: true });
    }
  }
  return out;
}
