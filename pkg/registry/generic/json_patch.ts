// RFC 6902 JSON patch with the semantics and the error texts of gopkg.in/evanphx/json-patch.v4,
// which kube-apiserver applies (handlers/patch.go): negative array indexes count from the end,
// `replace` of a missing object member adds it, `test` without a value passes for a missing
// member, and every failure is a message a client may see ("add operation does not apply: doc
// is missing path: \"/spec/x\": missing value"), never a JavaScript TypeError. Object members
// are own properties only and are defined, never assigned, so `__proto__` is an ordinary name.
// Pure: works on the value it is handed (callers pass a copy).

export class JsonPatchError extends Error {}

/** kube's maxJSONPatchOperations */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

type Container = Record<string, unknown> | unknown[];
type Op = Record<string, unknown>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/** What DecodePatch accepts: an array of objects. Throws JsonPatchError with Go's decode text. */
export function decodeJsonPatch(patch: unknown): Op[] {
  if (!Array.isArray(patch)) throw new JsonPatchError(`json: cannot unmarshal ${goType(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (!isObj(op) && op !== null) throw new JsonPatchError(`json: cannot unmarshal ${goType(op)} into Go value of type jsonpatch.Operation`);
  }
  return patch.map((op) => (op === null ? {} : (op as Op)));
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
}

/** Applies `ops` to `doc` (modified in place) and returns the result. */
export function applyJsonPatch(doc: Record<string, unknown>, ops: readonly Op[]): unknown {
  let root: Container = doc;
  for (const op of ops) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add':
        add(root, op);
        break;
      case 'remove':
        remove(root, op);
        break;
      case 'replace': {
        const r = replace(root, op);
        if (r) root = r;
        break;
      }
      case 'move':
        move(root, op);
        break;
      case 'test':
        test(root, op);
        break;
      case 'copy':
        copy(root, op);
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${kind}`);
    }
  }
  return root;
}

const str = (op: Op, k: 'path' | 'from'): string | undefined => (own(op, k) && typeof op[k] === 'string' ? (op[k] as string) : undefined);
/** the op's value; a missing or null value is Go's nil node (stored as null) */
const valueOf = (op: Op): unknown => (own(op, 'value') && op.value !== undefined ? op.value : null);
const hasValue = (op: Op): boolean => own(op, 'value') && op.value !== null && op.value !== undefined;

const decodeKey = (k: string) => k.replace(/~1/g, '/').replace(/~0/g, '~');

/** The container holding the last element of `path`, and that element's key (findObject). */
function findObject(root: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc: Container = root;
  for (const part of split.slice(1, -1)) {
    const r = get(doc, decodeKey(part));
    if (r.err !== undefined || r.value === undefined) return undefined;
    const next = r.value;
    if (Array.isArray(next) || isObj(next)) doc = next;
    else return undefined;
  }
  return { con: doc, key: decodeKey(split[split.length - 1]) };
}

/** Go's strconv.Atoi */
function atoi(key: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(key)) return `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
  const n = Number(key);
  if (!Number.isSafeInteger(n)) return `strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`;
  return n;
}

/** value undefined: no such member (Go's nil node); err: an array index that does not resolve */
function get(con: Container, key: string): { value?: unknown; err?: string } {
  if (!Array.isArray(con)) return own(con, key) ? { value: con[key] } : {};
  const i = atoi(key);
  if (typeof i === 'string') return { err: i };
  let idx = i;
  if (idx < 0) {
    if (idx < -con.length) return { err: `Unable to access invalid index: ${i}: ${INVALID_INDEX}` };
    idx += con.length;
  }
  if (idx >= con.length) return { err: `Unable to access invalid index: ${i}: ${INVALID_INDEX}` };
  return { value: con[idx] };
}

function addTo(con: Container, key: string, val: unknown): string | undefined {
  if (!Array.isArray(con)) {
    define(con, key, val);
    return undefined;
  }
  if (key === '-') {
    con.push(val);
    return undefined;
  }
  const i = atoi(key);
  if (typeof i === 'string') return `value was not a proper array index: '${key}': ${i}`;
  const size = con.length + 1;
  let idx = i;
  if (idx >= size) return `Unable to access invalid index: ${i}: ${INVALID_INDEX}`;
  if (idx < 0) {
    if (idx < -size) return `Unable to access invalid index: ${i}: ${INVALID_INDEX}`;
    idx += size;
  }
  con.splice(idx, 0, val);
  return undefined;
}

function removeFrom(con: Container, key: string): string | undefined {
  if (!Array.isArray(con)) {
    if (!own(con, key)) return `Unable to remove nonexistent key: ${key}: ${MISSING}`;
    delete con[key];
    return undefined;
  }
  const i = atoi(key);
  if (typeof i === 'string') return i;
  let idx = i;
  if (idx >= con.length) return `Unable to access invalid index: ${i}: ${INVALID_INDEX}`;
  if (idx < 0) {
    if (idx < -con.length) return `Unable to access invalid index: ${i}: ${INVALID_INDEX}`;
    idx += con.length;
  }
  con.splice(idx, 1);
  return undefined;
}

function add(root: Container, op: Op): void {
  const path = str(op, 'path');
  if (path === undefined) throw new JsonPatchError(`add operation failed to decode path: ${MISSING}`);
  const f = findObject(root, path);
  if (!f) throw new JsonPatchError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  const err = addTo(f.con, f.key, structuredClone(valueOf(op)));
  if (err) throw new JsonPatchError(`error in add for path: '${path}': ${err}`);
}

function remove(root: Container, op: Op): void {
  const path = str(op, 'path');
  if (path === undefined) throw new JsonPatchError(`remove operation failed to decode path: ${MISSING}`);
  const f = findObject(root, path);
  if (!f) throw new JsonPatchError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  const err = removeFrom(f.con, f.key);
  if (err) throw new JsonPatchError(`error in remove for path: '${path}': ${err}`);
}

/** Returns a new root when the whole document is replaced. */
function replace(root: Container, op: Op): Container | undefined {
  const path = str(op, 'path');
  if (path === undefined) throw new JsonPatchError(`replace operation failed to decode path: operation missing path field: ${MISSING}`);
  if (path === '') {
    const v = valueOf(op);
    if (!Array.isArray(v) && !isObj(v)) throw new JsonPatchError('replace operation value must be object or array: %!w(<nil>)');
    return structuredClone(v);
  }
  const f = findObject(root, path);
  if (!f) throw new JsonPatchError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
  const g = get(f.con, f.key);
  if (g.err !== undefined) throw new JsonPatchError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
  const v = structuredClone(valueOf(op));
  if (Array.isArray(f.con)) {
    const i = atoi(f.key) as number;
    f.con[i < 0 ? i + f.con.length : i] = v;
  } else define(f.con, f.key, v);
  return undefined;
}

function move(root: Container, op: Op): void {
  const from = str(op, 'from');
  if (from === undefined) throw new JsonPatchError(`move operation failed to decode from: operation, missing from field: ${MISSING}`);
  const f = findObject(root, from);
  if (!f) throw new JsonPatchError(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const g = get(f.con, f.key);
  if (g.err !== undefined) throw new JsonPatchError(`error in move for path: '${f.key}': ${g.err}`);
  const rmErr = removeFrom(f.con, f.key);
  if (rmErr) throw new JsonPatchError(`error in move for path: '${f.key}': ${rmErr}`);
  const path = str(op, 'path');
  if (path === undefined) throw new JsonPatchError(`move operation failed to decode path: operation missing path field: ${MISSING}`);
  const t = findObject(root, path);
  if (!t) throw new JsonPatchError(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
  const err = addTo(t.con, t.key, g.value === undefined ? null : g.value);
  if (err) throw new JsonPatchError(`error in move for path: '${path}': ${err}`);
}

function test(root: Container, op: Op): void {
  const path = str(op, 'path');
  if (path === undefined) throw new JsonPatchError(`test operation failed to decode path: operation missing path field: ${MISSING}`);
  if (path === '') {
    if (jsonEqual(root, valueOf(op))) return;
    throw new JsonPatchError(`testing value ${path} failed: test failed`);
  }
  const f = findObject(root, path);
  if (!f) throw new JsonPatchError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
  const g = get(f.con, f.key);
  if (g.err !== undefined) throw new JsonPatchError(`error in test for path: '${path}': ${g.err}`);
  if (g.value === undefined) {
    if (!hasValue(op)) return;
    throw new JsonPatchError(`testing value ${path} failed: test failed`);
  }
  if (!own(op, 'value') || op.value === undefined) throw new JsonPatchError(`testing value ${path} failed: test failed`);
  if (jsonEqual(g.value, op.value)) return;
  throw new JsonPatchError(`testing value ${path} failed: test failed`);
}

function copy(root: Container, op: Op): void {
  const from = str(op, 'from');
  if (from === undefined) throw new JsonPatchError(`copy operation failed to decode from: operation, missing from field: ${MISSING}`);
  const f = findObject(root, from);
  if (!f) throw new JsonPatchError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const g = get(f.con, f.key);
  if (g.err !== undefined) throw new JsonPatchError(`error in copy for from: '${from}': ${g.err}`);
  const path = str(op, 'path');
  if (path === undefined) throw new JsonPatchError(`copy operation failed to decode path: ${MISSING}`);
  const t = findObject(root, path);
  if (!t) throw new JsonPatchError(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
  const err = addTo(t.con, t.key, g.value === undefined ? null : structuredClone(g.value));
  if (err) throw new JsonPatchError(`error while adding value during copy: ${err}`);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => own(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
