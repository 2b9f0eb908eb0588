// Value-level operations of structured-merge-diff (typed.Merge, typed.Compare, RemoveItems),
// for objects whose only schema knowledge is which lists are associative.
import {
  atomicLists,
  deepEqual,
  FieldPath,
  fieldElement,
  FieldSet,
  isPlainObject,
  ListTypeAt,
  listElements,
  PathElement,
  removeAtPath,
  valueAtPath,
} from './fieldset';

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Defines (never assigns) a key, so `__proto__` is stored as an ordinary field. */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

export function cloneJSON<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** Drops null-valued map entries, recursively (CRD pruning of nulls for non-nullable fields). */
export function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) define(out, k, stripNulls(x));
    return out;
  }
  return v;
}

/** The associative shape shared by two lists, or undefined when they merge atomically. */
function assocPair(lt: ReturnType<ListTypeAt>, a: readonly unknown[], b: readonly unknown[]) {
  const pa = listElements(a, lt);
  const pb = listElements(b, lt);
  return pa && pb ? { pa, pb } : undefined;
}

/**
 * structured-merge-diff's merge of the associative list items: shared items keep the applied
 * (rhs) order, live-only items stay where they were, applied-only items come in applied order.
 */
function mergeAssoc(
  lhs: readonly unknown[],
  rhs: readonly unknown[],
  lhsPEs: readonly PathElement[],
  rhsPEs: readonly PathElement[],
  item: (l: unknown, r: unknown) => unknown,
): unknown[] {
  const observedLHS = new Map<PathElement, unknown>(lhsPEs.map((p, i) => [p, lhs[i]]));
  const observedRHS = new Map<PathElement, unknown>(rhsPEs.map((p, i) => [p, rhs[i]]));
  const sharedOrder = rhsPEs.filter((p) => observedLHS.has(p));
  let nextShared = sharedOrder.shift();
  const mergedRHS = new Set<PathElement>();
  const out: unknown[] = [];
  let lI = 0;
  let rI = 0;
  while (lI < lhsPEs.length || rI < rhsPEs.length) {
    if (lI < lhsPEs.length && rI < rhsPEs.length) {
      const pe = lhsPEs[lI];
      if (pe === rhsPEs[rI]) {
        mergedRHS.add(pe);
        out.push(item(observedLHS.get(pe), observedRHS.get(pe)));
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedRHS.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < lhsPEs.length) {
      const pe = lhsPEs[lI];
      if (!observedRHS.has(pe)) {
        out.push(item(lhs[lI], undefined));
        lI++;
        continue;
      } else if (mergedRHS.has(pe)) {
        lI++;
        continue;
      }
    }
    if (rI < rhsPEs.length) {
      const pe = rhsPEs[rI];
      mergedRHS.add(pe);
      out.push(item(observedLHS.get(pe), observedRHS.get(pe)));
      rI++;
      if (nextShared !== undefined && nextShared === pe) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/**
 * typed.Merge(live, applied): maps merge key by key, associative lists merge by element,
 * everything else (scalars, atomic lists, type changes) takes the applied value. Null entries of
 * the applied config remove the field (as CRD null-pruning would). Neither input is modified.
 */
export function mergeApplied(live: unknown, applied: unknown, listTypeAt: ListTypeAt = atomicLists): unknown {
  const merge = (l: unknown, r: unknown, sp: string[]): unknown => {
    if (r === undefined) return cloneJSON(l);
    if (l === undefined) return stripNulls(cloneJSON(r));
    if (isPlainObject(l) && isPlainObject(r)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(l)) {
        if (l[k] === undefined) continue;
        if (Object.prototype.hasOwnProperty.call(r, k) && r[k] === null) continue;
        define(out, k, merge(l[k], own(r, k) ? r[k] : undefined, [...sp, k]));
      }
      for (const k of Object.keys(r)) {
        if (Object.prototype.hasOwnProperty.call(out, k) || r[k] === null || r[k] === undefined) continue;
        if (Object.prototype.hasOwnProperty.call(l, k) && l[k] !== undefined) continue;
        define(out, k, stripNulls(cloneJSON(r[k])));
      }
      return out;
    }
    if (Array.isArray(l) && Array.isArray(r)) {
      const lt = listTypeAt(sp);
      const pair = assocPair(lt, l, r);
      if (pair) {
        return mergeAssoc(l, r, pair.pa, pair.pb, (li, ri) =>
          lt!.type === 'map' ? merge(li, ri, [...sp, '[]']) : cloneJSON(ri !== undefined ? ri : li),
        );
      }
    }
    return stripNulls(cloneJSON(r));
  };
  return merge(live, applied, []);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

type Kind = 'absent' | 'map' | 'assoc' | 'leaf';

/**
 * typed.Compare(lhs, rhs): leaves (scalars, atomic lists, empty maps/lists) are added, removed or
 * modified; maps and list elements are reported added/removed when they appear/disappear (which is
 * why Update entries own e.g. `"f:spec":{".":{}, ...}` for a spec they created).
 */
export function compareObjects(lhs: unknown, rhs: unknown, listTypeAt: ListTypeAt = atomicLists): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };

  const walk = (l: unknown, r: unknown, path: PathElement[], sp: string[], hook = true): void => {
    if (l === undefined && r === undefined) return;
    let kl: Kind = l === undefined ? 'absent' : isPlainObject(l) ? 'map' : 'leaf';
    let kr: Kind = r === undefined ? 'absent' : isPlainObject(r) ? 'map' : 'leaf';
    let pes: { l?: PathElement[]; r?: PathElement[] } = {};
    const lt = Array.isArray(l) || Array.isArray(r) ? listTypeAt(sp) : undefined;
    if (Array.isArray(l) || Array.isArray(r)) {
      const pl = Array.isArray(l) ? listElements(l, lt) : undefined;
      const pr = Array.isArray(r) ? listElements(r, lt) : undefined;
      // a list merges by element only when every present side is a valid associative list
      const okL = !Array.isArray(l) || !!pl;
      const okR = !Array.isArray(r) || !!pr;
      if (okL && okR) {
        if (Array.isArray(l)) kl = 'assoc';
        if (Array.isArray(r)) kr = 'assoc';
        pes = { l: pl, r: pr };
      }
    }
    const emptyish = (v: unknown, k: Kind) =>
      k === 'absent' || (k === 'map' && Object.keys(v as object).length === 0) || (k === 'assoc' && (v as unknown[]).length === 0);
    const structural = (k: Kind) => k === 'map' || k === 'assoc';

    const leafRule = () => {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!deepEqual(l, r)) c.modified.insert(path);
    };

    const sameKind = kl === kr || kl === 'absent' || kr === 'absent';
    if (!sameKind) {
      // a type change: the field is modified; what hung below either side came or went
      c.modified.insert(path);
      if (structural(kl)) walk(l, undefined, path, sp, false);
      if (structural(kr)) walk(undefined, r, path, sp, false);
      return;
    }
    const kind = kl === 'absent' ? kr : kl;
    if (!structural(kind) || (emptyish(l, kl) && emptyish(r, kr))) {
      if (hook) leafRule();
      return;
    }
    if (kind === 'map') {
      const lo = (l ?? {}) as Record<string, unknown>;
      const ro = (r ?? {}) as Record<string, unknown>;
      const keys = new Set([...Object.keys(lo), ...Object.keys(ro)]);
      for (const k of keys) walk(own(lo, k) ? lo[k] : undefined, own(ro, k) ? ro[k] : undefined, [...path, fieldElement(k)], [...sp, k]);
    } else {
      const la = (l ?? []) as unknown[];
      const ra = (r ?? []) as unknown[];
      const lm = new Map<PathElement, unknown>((pes.l ?? []).map((p, i) => [p, la[i]]));
      const rm = new Map<PathElement, unknown>((pes.r ?? []).map((p, i) => [p, ra[i]]));
      const isMapList = lt?.type === 'map';
      for (const pe of new Set([...lm.keys(), ...rm.keys()])) {
        const li = lm.get(pe);
        const ri = rm.get(pe);
        const ep = [...path, pe];
        if (isMapList) {
          walk(li, ri, ep, [...sp, '[]']);
        } else {
          // set elements are leaves identified by their value: they only come and go
          if (li === undefined) c.added.insert(ep);
          else if (ri === undefined) c.removed.insert(ep);
        }
      }
    }
    if (hook) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  };
  walk(lhs, rhs, [], []);
  return c;
}

/**
 * The prune step of an apply: fields the applier owned last time (`lastApplied`) and no longer
 * applies, that no manager (including the applier's new set) owns, are removed from `obj` (in
 * place). Maps and lists left empty by that, which nobody owns anything in, go too.
 */
export function pruneRemovedFields(obj: unknown, lastApplied: FieldSet, ownedByAnyone: FieldSet): void {
  const toRemove = lastApplied.difference(ownedByAnyone);
  const removedParents: FieldPath[] = [];
  for (const p of toRemove.paths()) {
    if (ownedByAnyone.hasAtOrBelow(p)) continue; // someone still owns something inside it
    if (removeAtPath(obj, p)) removedParents.push(p.slice(0, -1));
  }
  // deepest first, so a chain of now-empty maps collapses
  removedParents.sort((a, b) => b.length - a.length);
  for (let parent of removedParents) {
    while (parent.length > 0) {
      // never drop metadata itself
      if (parent.length === 1 && parent[0] === 'f:metadata') break;
      const v = valueAtPath(obj, parent);
      if (!v.found) break;
      const empty = (isPlainObject(v.value) && Object.keys(v.value).length === 0) || (Array.isArray(v.value) && v.value.length === 0);
      if (!empty || ownedByAnyone.hasAtOrBelow(parent) || !lastApplied.node(parent)) break;
      removeAtPath(obj, parent);
      parent = parent.slice(0, -1);
    }
  }
}
