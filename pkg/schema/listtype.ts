// Uniqueness of x-kubernetes-list-type lists, as apiextensions-apiserver's
// pkg/apiserver/schema/listtype validates them: a `set` list may not hold an element twice and a
// `map` list may not hold two elements with the same key fields (two `Ready` conditions). Each
// repeat is one Duplicate error at its index, carrying the key map (kube prints it with %#v).
// Pure; schemas and objects are walked with own-property lookups only.
import { duplicate, FieldPath, invalid, type FieldErrorList } from '../../apis/meta/v1/field';
import type { JSONSchemaProps } from './types';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Every duplicate in set and map lists of `obj` under `schema`. */
export function validateListSetsAndMaps(schema: JSONSchemaProps, obj: unknown): FieldErrorList {
  const errs: FieldErrorList = [];
  if (isObj(obj)) walkObject(FieldPath.root(), schema, obj, errs);
  return errs;
}

function walk(path: FieldPath, s: JSONSchemaProps | undefined, v: unknown, errs: FieldErrorList): void {
  if (!s) return;
  if (Array.isArray(v)) walkArray(path, s, v, errs);
  else if (isObj(v)) walkObject(path, s, v, errs);
}

function walkObject(path: FieldPath, s: JSONSchemaProps, obj: Record<string, unknown>, errs: FieldErrorList): void {
  const addl = isObj(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
  const props = isObj(s.properties) ? s.properties : undefined;
  for (const k of Object.keys(obj)) {
    if (addl) walk(path.key(k), addl, obj[k], errs);
    if (props && own(props, k)) walk(path.child(k), props[k], obj[k], errs);
  }
}

function walkArray(path: FieldPath, s: JSONSchemaProps, list: unknown[], errs: FieldErrorList): void {
  const t = s['x-kubernetes-list-type'];
  if (t === 'set') {
    for (const i of repeats(list)) errs.push(duplicate(path.index(i), list[i]));
  } else if (t === 'map') {
    errs.push(...validateListMap(path, s['x-kubernetes-list-map-keys'] ?? [], list));
  }
  if (s.items) list.forEach((x, i) => walk(path.index(i), s.items, x, errs));
}

function validateListMap(path: FieldPath, keyFields: readonly string[], list: unknown[]): FieldErrorList {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObj(x)) return [invalid(path.index(i), x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isObj(x)) for (const f of keyFields) if (own(x, f)) key[f] = x[f];
    return key;
  });
  return repeats(keys).map((i) => duplicate(path.index(i), keys[i]));
}

/** Indexes of the second appearance of each repeated value (kube's validateListSet). */
function repeats(values: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const k = canonical(v);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    if (n === 1) out.push(i);
  });
  return out;
}

/** JSON with sorted keys, so that two equal objects compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
