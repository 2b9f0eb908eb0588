// Field sets: the trie of field paths structured-merge-diff (sigs.k8s.io/structured-merge-diff/v4
// fieldpath) uses for managedFields, with kube's FieldsV1 JSON encoding.
//
// A path is a list of path elements, each in its FieldsV1 spelling:
//   f:<name>           a field of a map (struct field or map key)
//   k:{"type":"Ready"} an element of an associative list (x-kubernetes-list-type: map), by its keys
//   v:"x"              an element of a set list (x-kubernetes-list-type: set), by its value
//   i:3                an element by index (only ever read from foreign FieldsV1; never produced)
// A node is "owned" (a member of the set) or merely an interior node leading to owned paths; a node
// that is both owned and has children encodes as `".":{}` next to its children.

import { compareGoStrings, goQuote } from '../util/go_strings';

/** One path element in FieldsV1 spelling (`f:spec`, `k:{"type":"Ready"}`, `v:"x"`, `i:0`). */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

/** How a list at some schema path merges. Lists are atomic unless said otherwise. */
export type ListType = { type: 'map'; keys: readonly string[] } | { type: 'set' } | { type: 'atomic' };

/**
 * Where lists are associative. `schemaPath` is the list's path from the object root made of field
 * names, with `[]` for stepping into a list element: `['status','conditions']`,
 * `['spec','rules','[]','matches']`. Map keys (labels, annotations...) appear as field names.
 */
export type ListTypeAt = (schemaPath: readonly string[]) => ListType | undefined;

export const atomicLists: ListTypeAt = () => undefined;

// ---- JSON helpers -------------------------------------------------------------------------------

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!Object.prototype.hasOwnProperty.call(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** JSON the way Go's encoder writes a value: map keys sorted, <, >, &, U+2028/9 escaped. */
export function goJSON(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (isPlainObject(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort(compareGoStrings)) out[k] = sortKeys(x[k]);
      return out;
    }
    return x;
  };
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// ---- path elements ------------------------------------------------------------------------------

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const indexElement = (i: number): PathElement => `i:${i}`;
export const valueElement = (v: unknown): PathElement => `v:${goJSON(v)}`;
export function keyElement(keys: Record<string, unknown>): PathElement {
  return `k:${goJSON(keys)}`;
}

export type ParsedElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; keys: Record<string, unknown> }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

/** Parses (and validates) one FieldsV1 key. Throws Error on anything else. */
export function parseElement(pe: string): ParsedElement {
  const tag = pe.slice(0, 2);
  const rest = pe.slice(2);
  switch (tag) {
    case 'f:':
      return { kind: 'field', name: rest };
    case 'k:': {
      const keys = JSON.parse(rest) as unknown;
      if (!isPlainObject(keys) || Object.keys(keys).length === 0) throw new Error(`invalid key path element ${pe}`);
      return { kind: 'key', keys };
    }
    case 'v:':
      return { kind: 'value', value: JSON.parse(rest) as unknown };
    case 'i:':
      if (!/^(0|[1-9][0-9]*)$/.test(rest)) throw new Error(`invalid index path element ${pe}`);
      return { kind: 'index', index: Number(rest) };
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(pe)}`);
  }
}

/** Re-spell an element canonically (sorted keys, Go escaping). */
export function canonicalElement(pe: string): PathElement {
  const p = parseElement(pe);
  switch (p.kind) {
    case 'field':
      return pe;
    case 'key':
      return keyElement(p.keys);
    case 'value':
      return valueElement(p.value);
    case 'index':
      return indexElement(p.index);
  }
}

const KIND_RANK: Record<ParsedElement['kind'], number> = { field: 0, key: 1, value: 2, index: 3 };

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isPlainObject(v)) return 4;
  return 5; // null
}

/** structured-merge-diff value.Compare: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareGoStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length;
    }
    case 4: {
      const ma = a as Record<string, unknown>;
      const mb = b as Record<string, unknown>;
      const ka = Object.keys(ma).sort(compareGoStrings);
      const kb = Object.keys(mb).sort(compareGoStrings);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c = compareGoStrings(ka[i], kb[i]) || compareValues(ma[ka[i]], mb[kb[i]]);
        if (c) return c;
      }
      return ka.length - kb.length;
    }
    default:
      return 0;
  }
}

/** PathElement.Compare: fields < keys < values < indexes, each in its own order. */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  // two fields (the common case): the same "f:" prefix on both sides leaves the Go string order of
  // the names, without parsing either
  if (a.startsWith('f:') && b.startsWith('f:')) return compareGoStrings(a, b);
  const pa = parseElement(a);
  const pb = parseElement(b);
  if (pa.kind !== pb.kind) return KIND_RANK[pa.kind] - KIND_RANK[pb.kind];
  switch (pa.kind) {
    case 'field':
      return compareGoStrings(pa.name, (pb as { name: string }).name);
    case 'key': {
      // FieldList.Compare over (name, value) pairs sorted by name
      const ka = Object.keys(pa.keys).sort(compareGoStrings);
      const kbObj = (pb as { keys: Record<string, unknown> }).keys;
      const kb = Object.keys(kbObj).sort(compareGoStrings);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c = compareGoStrings(ka[i], kb[i]) || compareValues(pa.keys[ka[i]], kbObj[kb[i]]);
        if (c) return c;
      }
      return ka.length - kb.length;
    }
    case 'value':
      return compareValues(pa.value, (pb as { value: unknown }).value);
    case 'index':
      return pa.index - (pb as { index: number }).index;
  }
}

function toStringValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[${v.map(toStringValue).join(', ')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort(compareGoStrings)
      .map((k) => `${k}=${toStringValue(v[k])}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** PathElement.String(): `.name`, `[type="Ready"]`, `[="x"]`, `[0]`. */
export function elementToString(pe: PathElement): string {
  let p: ParsedElement;
  try {
    p = parseElement(pe);
  } catch {
    return '{{invalid path element}}';
  }
  switch (p.kind) {
    case 'field':
      return `.${p.name}`;
    case 'key':
      return `[${Object.keys(p.keys)
        .sort(compareGoStrings)
        .map((k) => `${k}=${toStringValue(p.keys[k])}`)
        .join(',')}]`;
    case 'value':
      return `[=${toStringValue(p.value)}]`;
    case 'index':
      return `[${p.index}]`;
  }
}

/** fieldpath.Path.String(): `.spec.protocol`, `.status.conditions[type="Ready"].status`. */
export function pathToString(path: FieldPath): string {
  return path.map(elementToString).join('');
}

/** `f:` elements from a dotted-free list of names: fieldPath('metadata','labels','app'). */
export function fieldPath(...names: string[]): PathElement[] {
  return names.map(fieldElement);
}

// ---- the set --------------------------------------------------------------------------------------

export class FieldSet {
  owned = false;
  readonly children = new Map<PathElement, FieldSet>();

  static empty(): FieldSet {
    return new FieldSet();
  }

  static fromPaths(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (and the interior nodes leading to it). The empty path is ignored, like SMD. */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) {
        c = new FieldSet();
        n.children.set(pe, c);
      }
      n = c;
    }
    n.owned = true;
    return this;
  }

  /** The node at path (owned or interior), if any. */
  node(path: FieldPath): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) {
      n = n.children.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  /** Is exactly this path a member? */
  has(path: FieldPath): boolean {
    return path.length > 0 && !!this.node(path)?.owned;
  }

  /** Is this path or any path below it a member? */
  hasAtOrBelow(path: FieldPath): boolean {
    const n = this.node(path);
    return !!n && !n.isEmpty();
  }

  /** Removes the membership of exactly this path (children stay), pruning empty interior nodes. */
  remove(path: FieldPath): this {
    if (path.length === 0) return this;
    const [head, ...rest] = path;
    const c = this.children.get(head);
    if (!c) return this;
    if (rest.length === 0) c.owned = false;
    else c.remove(rest);
    if (c.isEmpty()) this.children.delete(head);
    return this;
  }

  isEmpty(): boolean {
    if (this.owned) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Number of member paths. */
  get size(): number {
    let n = this.owned ? 1 : 0;
    for (const c of this.children.values()) n += c.size;
    return n;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.owned = this.owned;
    for (const [k, v] of this.children) s.children.set(k, v.clone());
    return s;
  }

  union(o: FieldSet): FieldSet {
    const s = this.clone();
    s.owned = this.owned || o.owned;
    for (const [k, oc] of o.children) {
      const mine = s.children.get(k);
      s.children.set(k, mine ? mine.union(oc) : oc.clone());
    }
    return s.compact();
  }

  /** Members of this not in o (exact-path difference, like SMD's Set.Difference). */
  difference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.owned = this.owned && !o.owned;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? c.difference(oc) : c.clone();
      if (!d.isEmpty()) s.children.set(k, d);
    }
    return s;
  }

  intersection(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.owned = this.owned && o.owned;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (!i.isEmpty()) s.children.set(k, i);
    }
    return s;
  }

  equals(o: FieldSet): boolean {
    if (this.owned !== o.owned) return false;
    const mine = [...this.children].filter(([, c]) => !c.isEmpty());
    const theirs = [...o.children].filter(([, c]) => !c.isEmpty());
    if (mine.length !== theirs.length) return false;
    for (const [k, c] of mine) {
      const oc = o.children.get(k);
      if (!oc || !c.equals(oc)) return false;
    }
    return true;
  }

  /** Drops empty interior nodes. */
  compact(): this {
    for (const [k, c] of this.children) {
      c.compact();
      if (c.isEmpty()) this.children.delete(k);
    }
    return this;
  }

  private sortedChildren(): Array<[PathElement, FieldSet]> {
    return [...this.children].sort((a, b) => compareElements(a[0], b[0]));
  }

  /** Every member path, in SMD's iteration order (a parent before its children, elements sorted). */
  *paths(prefix: PathElement[] = []): Generator<FieldPath> {
    for (const [pe, c] of this.sortedChildren()) {
      const p = [...prefix, pe];
      if (c.owned) yield p;
      yield* c.paths(p);
    }
  }

  /** Member paths that have no member below them. */
  *leaves(): Generator<FieldPath> {
    for (const p of this.paths()) {
      const n = this.node(p)!;
      if (n.children.size === 0 || [...n.children.values()].every((c) => c.isEmpty())) yield p;
    }
  }

  toString(): string {
    return [...this.paths()].map(pathToString).join('\n');
  }
}

// ---- FieldsV1 -------------------------------------------------------------------------------------

function encodeNode(n: FieldSet, includeSelf: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kids: [PathElement, FieldSet][] = [];
  for (const e of n.children) if (!e[1].isEmpty()) kids.push(e);
  if (kids.length > 1) kids.sort((a, b) => compareElements(a[0], b[0]));
  if (includeSelf && n.owned && kids.length > 0) out['.'] = {};
  for (const [pe, c] of kids) out[pe] = encodeNode(c, true);
  return out;
}

/** kube's FieldsV1 object: `{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{".":{},"f:x":{}}}`. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  return encodeNode(set, false);
}

/** Parses a FieldsV1 object (re-spelling keys canonically). Throws Error when it is not one. */
export function fromFieldsV1(obj: unknown): FieldSet {
  const decode = (o: unknown, where: string): FieldSet => {
    if (!isPlainObject(o)) throw new Error(`FieldsV1 ${where}: expected an object`);
    const s = new FieldSet();
    let anyChild = false;
    for (const [k, v] of Object.entries(o)) {
      if (k === '.') {
        s.owned = true;
        continue;
      }
      anyChild = true;
      const pe = canonicalElement(k);
      const child = decode(v, k);
      const prev = s.children.get(pe);
      s.children.set(pe, prev ? prev.union(child) : child);
    }
    if (!anyChild) s.owned = true;
    return s;
  };
  if (!isPlainObject(obj)) throw new Error('FieldsV1: expected an object');
  const root = new FieldSet();
  for (const [k, v] of Object.entries(obj)) {
    if (k === '.') continue;
    const pe = canonicalElement(k);
    const child = decode(v, k);
    const prev = root.children.get(pe);
    root.children.set(pe, prev ? prev.union(child) : child);
  }
  return root;
}

// ---- lists ----------------------------------------------------------------------------------------

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * The path element of every item of `list` when it can be merged per `lt`, or undefined when the
 * list must be treated atomically (atomic type, an item without its keys, duplicate items...).
 */
export function listElements(list: readonly unknown[], lt: ListType | undefined): PathElement[] | undefined {
  if (!lt || lt.type === 'atomic') return undefined;
  const pes: PathElement[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    let pe: PathElement;
    if (lt.type === 'set') {
      if (!isScalar(item)) return undefined;
      pe = valueElement(item);
    } else {
      if (!isPlainObject(item) || lt.keys.length === 0) return undefined;
      const keys: Record<string, unknown> = {};
      for (const k of lt.keys) {
        const kv = Object.prototype.hasOwnProperty.call(item, k) ? item[k] : undefined;
        if (kv === undefined || !isScalar(kv) || kv === null) return undefined;
        keys[k] = kv;
      }
      pe = keyElement(keys);
    }
    if (seen.has(pe)) return undefined;
    seen.add(pe);
    pes.push(pe);
  }
  return pes;
}

/**
 * The fields an object sets, as structured-merge-diff's ToFieldSet computes them for a structural
 * schema: scalars, atomic lists and empty maps are members; non-empty maps are only interior nodes;
 * every element of an associative/set list is a member, map elements with their fields below.
 */
export function fieldSetFromObject(obj: unknown, listTypeAt: ListTypeAt = atomicLists): FieldSet {
  const root = new FieldSet();
  const walk = (node: FieldSet, v: unknown, sp: string[]) => {
    if (isPlainObject(v)) {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined);
      if (keys.length === 0) node.owned = true;
      for (const k of keys) walk(child(node, fieldElement(k)), v[k], [...sp, k]);
      return;
    }
    if (Array.isArray(v)) {
      const lt = listTypeAt(sp);
      const pes = listElements(v, lt);
      if (!pes) {
        node.owned = true;
        return;
      }
      v.forEach((item, i) => {
        const c = child(node, pes[i]);
        c.owned = true;
        if (lt!.type === 'map') walkFields(c, item as Record<string, unknown>, [...sp, '[]']);
      });
      return;
    }
    node.owned = true;
  };
  const walkFields = (node: FieldSet, o: Record<string, unknown>, sp: string[]) => {
    for (const k of Object.keys(o)) if (o[k] !== undefined) walk(child(node, fieldElement(k)), o[k], [...sp, k]);
  };
  const child = (n: FieldSet, pe: PathElement) => {
    let c = n.children.get(pe);
    if (!c) {
      c = new FieldSet();
      n.children.set(pe, c);
    }
    return c;
  };
  if (isPlainObject(obj)) walkFields(root, obj, []);
  return root.compact();
}

// ---- reading values at paths ----------------------------------------------------------------------

function findElement(list: readonly unknown[], p: ParsedElement): number {
  switch (p.kind) {
    case 'key':
      return list.findIndex(
        (item) => isPlainObject(item) && Object.entries(p.keys).every(([k, v]) => Object.prototype.hasOwnProperty.call(item, k) && deepEqual(item[k], v)),
      );
    case 'value':
      return list.findIndex((item) => deepEqual(item, p.value));
    case 'index':
      return p.index < list.length ? p.index : -1;
    default:
      return -1;
  }
}

/** The value at a field path in an object: `{ found: false }` when any step is missing. */
export function valueAtPath(obj: unknown, path: FieldPath): { found: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const pe of path) {
    let p: ParsedElement;
    try {
      p = parseElement(pe);
    } catch {
      return { found: false };
    }
    if (p.kind === 'field') {
      if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, p.name) || cur[p.name] === undefined) {
        return { found: false };
      }
      cur = cur[p.name];
    } else {
      if (!Array.isArray(cur)) return { found: false };
      const i = findElement(cur, p);
      if (i < 0) return { found: false };
      cur = cur[i];
    }
  }
  return { found: true, value: cur };
}

/** True when both objects hold equal values (or are both missing) at the path. */
export function sameValueAtPath(a: unknown, b: unknown, path: FieldPath): boolean {
  const va = valueAtPath(a, path);
  const vb = valueAtPath(b, path);
  return va.found === vb.found && (!va.found || deepEqual(va.value, vb.value));
}

/** Deletes the value at path (a map field or a list element); returns whether something was removed. */
export function removeAtPath(obj: unknown, path: FieldPath): boolean {
  if (path.length === 0) return false;
  const parent = valueAtPath(obj, path.slice(0, -1));
  if (!parent.found) return false;
  let p: ParsedElement;
  try {
    p = parseElement(path[path.length - 1]);
  } catch {
    return false;
  }
  const container = parent.value;
  if (p.kind === 'field') {
    if (!isPlainObject(container) || !Object.prototype.hasOwnProperty.call(container, p.name)) return false;
    delete container[p.name];
    return true;
  }
  if (!Array.isArray(container)) return false;
  const i = findElement(container, p);
  if (i < 0) return false;
  container.splice(i, 1);
  return true;
}

export { compareGoStrings, goQuote };
