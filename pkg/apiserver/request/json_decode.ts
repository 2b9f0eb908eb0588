// JSON request bodies decoded as kube-apiserver's Go decoder (sigs.k8s.io/json) decodes them:
// - strings and object keys that hold a lone UTF-16 surrogate (`"\ud800"`) become U+FFFD, as Go's
//   unquote does, so a name cannot differ from what every Go client sees;
// - duplicate object keys are reported with their path (`metadata.name`, `spec.endpoints[0].ip`)
//   for fieldValidation (Strict refuses them, Warn warns), the last value winning as in Go;
// - decoded objects are plain objects whose keys are all own properties (`__proto__` included).
// Pure functions over the request text.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The string with every unpaired surrogate replaced by U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Replaces lone surrogates in every string and key of a parsed JSON value. Iterative (request
 * bodies may be deeply nested); returns the same value, or a copy where a key had to change.
 */
export function wellFormedValue(root: unknown): unknown {
  const fix = (v: unknown): unknown => (typeof v === 'string' ? wellFormed(v) : v);
  if (!isObj(root) && !Array.isArray(root)) return fix(root);
  const stack: (Record<string, unknown> | unknown[])[] = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        v[i] = fix(v[i]);
        if (v[i] !== null && typeof v[i] === 'object') stack.push(v[i] as Record<string, unknown>);
      }
      continue;
    }
    const keys = Object.keys(v);
    if (keys.some((k) => HAS_LONE_SURROGATE.test(k))) {
      // rebuild in order: a fixed key takes the place (and, when repeated, the value) Go gives it
      const entries = keys.map((k) => [wellFormed(k), v[k]] as const);
      for (const k of keys) delete v[k];
      for (const [k, x] of entries) Object.defineProperty(v, k, { value: x, writable: true, enumerable: true, configurable: true });
    }
    for (const k of Object.keys(v)) {
      v[k] = fix(v[k]);
      if (v[k] !== null && typeof v[k] === 'object') stack.push(v[k] as Record<string, unknown>);
    }
  }
  return root;
}

interface Frame {
  array: boolean;
  path: string;
  keys?: Set<string>;
  index: number;
}

/**
 * The paths of duplicate object keys in a JSON text that JSON.parse accepted, in document order,
 * each once (sigs.k8s.io/json's `duplicate field "<path>"` strict errors).
 */
export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack: Frame[] = [];
  let pendingKey: string | undefined;
  const childPath = (f: Frame | undefined, key: string | undefined): string => {
    if (!f) return '';
    if (f.array) return `${f.path}[${f.index}]`;
    return f.path ? `${f.path}.${key}` : key!;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && pendingKey === undefined && expectsKey(text, i)) {
        const key = wellFormed(JSON.parse(text.slice(i, j + 1)) as string);
        if (top.keys!.has(key)) {
          const p = childPath(top, key);
          if (!seen.has(p)) {
            seen.add(p);
            out.push(p);
          }
        } else top.keys!.add(key);
        pendingKey = key;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const top = stack[stack.length - 1];
      const path = childPath(top, pendingKey);
      pendingKey = undefined;
      stack.push(c === 0x7b ? { array: false, path, keys: new Set(), index: 0 } : { array: true, path, index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      pendingKey = undefined;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      pendingKey = undefined;
    }
  }
  return out;
}

/** True when the string at `at` is an object key: the previous non-space character is `{` or `,`. */
function expectsKey(text: string, at: number): boolean {
  for (let k = at - 1; k >= 0; k--) {
    const ch = text[k];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    return ch === '{' || ch === ',';
  }
  return false;
}

/**
 * Whether a JSON text decoded from bytes may hold a lone surrogate once parsed: only a `\uD800`–
 * `\uDFFF` escape can make one (decoding UTF-8 never does). False lets wellFormedValue be skipped.
 */
export function mayHoldSurrogateEscape(text: string): boolean {
  return /\\u[dD][89a-fA-F]/.test(text);
}

/**
 * duplicateFields(text) for the value JSON.parse (and wellFormedValue) made of it: none at once
 * when the value holds as many object keys as the text names — a repeated key (or two keys made
 * equal by U+FFFD) leaves one fewer — else the full scan with paths.
 */
export function duplicateFieldsOf(text: string, parsed: unknown): string[] {
  return countKeys(parsed) === countKeyTokens(text) ? [] : duplicateFields(text);
}

/** object keys in a parsed value, at every level (iterative: bodies may be deep) */
function countKeys(root: unknown): number {
  let n = 0;
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') stack.push(v[i]);
      continue;
    }
    const keys = Object.keys(v);
    n += keys.length;
    for (let i = 0; i < keys.length; i++) {
      const x = (v as Record<string, unknown>)[keys[i]];
      if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return n;
}

/** strings followed by `:` in a JSON text JSON.parse accepted: its object keys, repeats included */
function countKeyTokens(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x22) continue;
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
    let k = j + 1;
    while (k < text.length) {
      const c = text.charCodeAt(k);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      k++;
    }
    if (text.charCodeAt(k) === 0x3a) n++;
    i = j;
  }
  return n;
}
