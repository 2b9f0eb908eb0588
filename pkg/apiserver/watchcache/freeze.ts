// Objects held by the watch cache are shared by its keyed state, its events, every LIST answered
// from it and the updates that start from it: they are frozen, so a mutation anywhere downstream
// throws (strict mode) instead of silently changing what other requests see.
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const v of value) deepFreeze(v);
  } else {
    for (const k of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[k]);
  }
  return value;
}
