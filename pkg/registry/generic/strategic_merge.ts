// Strategic merge patch (k8s.io/apimachinery strategicpatch), for the built-in kinds. Maps merge
// as in a JSON merge patch (null deletes); lists replace unless the schema gives them
// `x-kubernetes-patch-strategy: merge` — then lists of objects merge by
// `x-kubernetes-patch-merge-key` and lists of scalars are unions. Directives: `$patch:
// replace|delete|merge` on a map or as a list element, `$retainKeys`,
// `$deleteFromPrimitiveList/<field>`, and `$setElementOrder/<field>` (accepted; the order is that
// of the merge). Pure: no I/O, inputs never mutated, every map lookup an own-property one.
import type { JSONSchemaProps } from '../../schema/types';

export class StrategicMergeError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const define = (o: Obj, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

/** ObjectMeta's patch strategies (every kind has them; CRD-form schemas leave metadata out). */
export const OBJECT_META_PATCH_SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' } as JSONSchemaProps,
    ownerReferences: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid' } as JSONSchemaProps,
  },
};

type Schema = JSONSchemaProps | undefined;

function child(s: Schema, key: string): Schema {
  if (!s) return undefined;
  const props = s.properties as Record<string, JSONSchemaProps> | undefined;
  if (props && Object.hasOwn(props, key)) return props[key];
  const ap = s.additionalProperties as unknown;
  return isObj(ap) ? (ap as JSONSchemaProps) : undefined;
}

function itemsOf(s: Schema): Schema {
  const it = s?.items as unknown;
  return isObj(it) ? (it as JSONSchemaProps) : undefined;
}

function strategyOf(s: Schema): { merge: boolean; retainKeys: boolean; mergeKey?: string } {
  const raw = s ? String((s as Obj)['x-kubernetes-patch-strategy'] ?? '') : '';
  const parts = raw.split(',').map((p) => p.trim());
  const mk = s ? (s as Obj)['x-kubernetes-patch-merge-key'] : undefined;
  return { merge: parts.includes('merge'), retainKeys: parts.includes('retainKeys'), mergeKey: typeof mk === 'string' && mk ? mk : undefined };
}

/**
 * `original` with `patch` applied under `schema` (the kind's schema; its `metadata` is given
 * ObjectMeta's strategies). Throws StrategicMergeError for a malformed patch.
 */
export function strategicMerge(original: unknown, patch: unknown, schema?: JSONSchemaProps): Obj {
  if (!isObj(patch)) throw new StrategicMergeError('a strategic merge patch must be a JSON object');
  const root: JSONSchemaProps = {
    ...(schema ?? { type: 'object' }),
    properties: { ...((schema?.properties as Record<string, JSONSchemaProps>) ?? {}), metadata: OBJECT_META_PATCH_SCHEMA },
  };
  if (own(patch, PATCH) === 'delete') throw new StrategicMergeError('a strategic merge patch may not delete the whole object');
  const out = mergeMap(isObj(original) ? original : {}, patch, root);
  return out ?? {};
}

/** undefined: the map is deleted (`$patch: delete`). */
function mergeMap(original: Obj, patch: Obj, schema: Schema): Obj | undefined {
  const directive = own(patch, PATCH);
  if (directive !== undefined) {
    if (directive === 'delete') return undefined;
    if (directive === 'replace') return stripDirectives(patch) as Obj;
    if (directive !== 'merge') throw new StrategicMergeError(`Unknown patch type: ${JSON.stringify(directive)} in map`);
  }
  const out: Obj = {};
  for (const k of Object.keys(original)) define(out, k, original[k]);
  const retain = own(patch, RETAIN_KEYS);
  if (retain !== undefined) {
    if (!Array.isArray(retain) || retain.some((x) => typeof x !== 'string')) throw new StrategicMergeError(`${RETAIN_KEYS} must be a list of strings`);
    for (const k of Object.keys(patch)) {
      if (k.startsWith('$') || own(patch, k) === null) continue;
      if (!retain.includes(k)) throw new StrategicMergeError(`The ${RETAIN_KEYS} directive must list every field the patch sets; ${JSON.stringify(k)} is missing`);
    }
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    const field = k.slice(DELETE_FROM_PRIMITIVE.length);
    const gone = patch[k];
    if (!Array.isArray(gone)) throw new StrategicMergeError(`${k} must be a list`);
    const cur = own(out, field);
    if (Array.isArray(cur)) define(out, field, cur.filter((v) => !gone.some((g) => deepEqual(g, v))));
  }
  for (const k of Object.keys(patch)) {
    if (k === PATCH || k === RETAIN_KEYS || k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    if (k.startsWith(SET_ELEMENT_ORDER)) {
      if (!Array.isArray(patch[k])) throw new StrategicMergeError(`${k} must be a list`);
      continue;
    }
    const pv = patch[k];
    if (pv === null) {
      delete out[k];
      continue;
    }
    const s = child(schema, k);
    const ov = own(out, k);
    let next: unknown;
    if (isObj(pv)) {
      next = mergeMap(isObj(ov) ? ov : {}, pv, s);
      if (next === undefined) {
        delete out[k];
        continue;
      }
    } else if (Array.isArray(pv)) {
      next = strategyOf(s).merge ? mergeList(Array.isArray(ov) ? ov : [], pv, s) : stripDirectives(pv);
    } else {
      next = pv;
    }
    define(out, k, next);
  }
  return out;
}

function mergeList(original: unknown[], patch: unknown[], schema: Schema): unknown[] {
  const replace = patch.find((e) => isObj(e) && own(e, PATCH) === 'replace');
  if (replace !== undefined) return stripDirectives(patch.filter((e) => e !== replace)) as unknown[];
  const { mergeKey } = strategyOf(schema);
  const items = itemsOf(schema);
  if (!mergeKey) {
    // a set of scalars (or of whole objects): union, in order
    const out = [...original];
    for (const p of patch) {
      if (isObj(p) && own(p, PATCH) !== undefined) throw new StrategicMergeError('a $patch directive in a list needs a merge key');
      if (!out.some((o) => deepEqual(o, p))) out.push(p);
    }
    return out;
  }
  const out: unknown[] = [...original];
  for (const p of patch) {
    if (!isObj(p)) throw new StrategicMergeError(`a list merged by ${mergeKey} must hold objects`);
    const d = own(p, PATCH);
    const key = own(p, mergeKey);
    if (d === 'delete') {
      if (key === undefined) throw new StrategicMergeError(`a $patch: delete element needs its merge key ${mergeKey}`);
      for (let i = out.length - 1; i >= 0; i--) if (isObj(out[i]) && deepEqual(own(out[i] as Obj, mergeKey), key)) out.splice(i, 1);
      continue;
    }
    if (d !== undefined && d !== 'merge') throw new StrategicMergeError(`Unknown patch type: ${JSON.stringify(d)} in list`);
    if (key === undefined) throw new StrategicMergeError(`map: ${JSON.stringify(stripDirectives(p))} does not contain declared merge key: ${mergeKey}`);
    const at = out.findIndex((o) => isObj(o) && deepEqual(own(o, mergeKey), key));
    if (at >= 0) out[at] = mergeMap(out[at] as Obj, p, items) ?? {};
    else out.push(mergeMap({}, p, items) ?? {});
  }
  return out;
}

/** The patch's own value with every directive removed (what a replaced field becomes). */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isObj(e) && own(e, PATCH) !== undefined && Object.keys(e).length === 1)).map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    if (k === PATCH || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    if (v[k] === null) continue;
    define(out, k, stripDirectives(v[k]));
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ak = Object.keys(a as Obj);
  const bk = Object.keys(b as Obj);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(b as Obj, k) && deepEqual((a as Obj)[k], (b as Obj)[k]));
}
