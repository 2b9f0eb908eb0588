// RequestHeaderModifier / ResponseHeaderModifier over node's flat raw header arrays
// ([name, value, name, value, ...]), which keep every occurrence and the received spelling (node's
// joined `req.headers` would turn an appended value into `a, b`; Gateway API wants `a,b`).
//
// Semantics, applied as Envoy does (remove first, then set, then add):
//   remove  drops every occurrence of the name (case-insensitive);
//   set     replaces every occurrence with one header carrying the configured value (at the position
//           of the first occurrence, else appended);
//   add     appends `,value` to the last occurrence (a bare comma), or adds the header when absent.
//           `set-cookie` is never comma-joined: add always appends a separate header.
// Compile a HeaderModIR once (compileHeaderMod) and apply it per request (applyHeaderMod).
import type { HeaderModIR } from '../ir';

export interface CompiledHeaderMod {
  readonly setLower: readonly string[];
  readonly setName: readonly string[];
  readonly setValue: readonly string[];
  readonly addLower: readonly string[];
  readonly addName: readonly string[];
  readonly addValue: readonly string[];
  readonly removeLower: readonly string[];
  /** nothing to do: apply returns a copy */
  readonly empty: boolean;
}

/**
 * Precomputes lower-case names. Duplicate names: the first `set` wins; several `add`s of one name
 * are joined into one value (`a,b`), exactly what adding them one after the other would give.
 */
export function compileHeaderMod(mod: HeaderModIR): CompiledHeaderMod {
  const setLower: string[] = [];
  const setName: string[] = [];
  const setValue: string[] = [];
  for (const h of mod.set ?? []) {
    const l = h.name.toLowerCase();
    if (setLower.includes(l)) continue;
    setLower.push(l);
    setName.push(h.name);
    setValue.push(h.value);
  }
  const addLower: string[] = [];
  const addName: string[] = [];
  const addValue: string[] = [];
  for (const h of mod.add ?? []) {
    const l = h.name.toLowerCase();
    const k = addLower.indexOf(l);
    if (k >= 0 && l !== 'set-cookie') {
      addValue[k] = addValue[k] + ',' + h.value;
      continue;
    }
    addLower.push(l);
    addName.push(h.name);
    addValue.push(h.value);
  }
  const removeLower: string[] = [];
  for (const n of mod.remove ?? []) {
    const l = n.toLowerCase();
    if (!removeLower.includes(l)) removeLower.push(l);
  }
  return {
    setLower,
    setName,
    setValue,
    addLower,
    addName,
    addValue,
    removeLower,
    empty: setLower.length + addLower.length + removeLower.length === 0,
  };
}

const cache = new WeakMap<HeaderModIR, CompiledHeaderMod>();

/** compileHeaderMod, memoised per HeaderModIR object (snapshots are immutable). */
export function headerModFor(mod: HeaderModIR): CompiledHeaderMod {
  let c = cache.get(mod);
  if (c === undefined) {
    c = compileHeaderMod(mod);
    cache.set(mod, c);
  }
  return c;
}

function indexOfName(list: readonly string[], lname: string): number {
  for (let i = 0; i < list.length; i++) if (list[i] === lname) return i;
  return -1;
}

/** Applies a compiled modifier to flat raw headers, returning a new array (the input is not touched). */
export function applyHeaderMod(raw: readonly string[], mod: CompiledHeaderMod): string[] {
  if (mod.empty) return raw.slice();
  const { setLower, setName, setValue, addLower, addValue, removeLower } = mod;
  const nSet = setLower.length;
  const nAdd = addLower.length;
  const out: string[] = [];
  // which sets were written already; index in `out` of the last value of each add's name
  const setDone: boolean[] | null = nSet === 0 ? null : new Array<boolean>(nSet).fill(false);
  const addAt: number[] | null = nAdd === 0 ? null : new Array<number>(nAdd).fill(-1);
  const end = raw.length - 1;
  for (let i = 0; i < end; i += 2) {
    const name = raw[i];
    const lname = name.toLowerCase();
    if (nSet !== 0) {
      const k = indexOfName(setLower, lname);
      if (k >= 0) {
        if (!(setDone as boolean[])[k]) {
          (setDone as boolean[])[k] = true;
          out.push(setName[k], setValue[k]);
          if (addAt !== null) {
            const a = indexOfName(addLower, lname);
            if (a >= 0) addAt[a] = out.length - 1;
          }
        }
        continue;
      }
    }
    if (removeLower.length !== 0 && indexOfName(removeLower, lname) >= 0) continue;
    out.push(name, raw[i + 1]);
    if (addAt !== null) {
      const a = indexOfName(addLower, lname);
      if (a >= 0) addAt[a] = out.length - 1;
    }
  }
  for (let k = 0; k < nSet; k++) {
    if ((setDone as boolean[])[k]) continue;
    out.push(setName[k], setValue[k]);
    if (addAt !== null) {
      const a = indexOfName(addLower, setLower[k]);
      if (a >= 0) addAt[a] = out.length - 1;
    }
  }
  for (let k = 0; k < nAdd; k++) {
    const at = (addAt as number[])[k];
    if (at >= 0 && addLower[k] !== 'set-cookie') {
      const v = out[at];
      out[at] = v.length === 0 ? addValue[k] : v + ',' + addValue[k];
    } else {
      out.push(mod.addName[k], addValue[k]);
    }
  }
  return out;
}

/** Convenience: applyHeaderMod(raw, headerModFor(mod)). */
export function modifyHeaders(raw: readonly string[], mod: HeaderModIR): string[] {
  return applyHeaderMod(raw, headerModFor(mod));
}

/**
 * Headers the proxy frames messages with, or that belong to one hop: never set or added from
 * configuration (a route's header filters, the response-headers annotation, the registry's
 * `headers` option). A configured `Content-Length: 2` or `Transfer-Encoding: chunked` sat beside
 * the real framing: two lengths, or a length and chunking, in one response — downstream parsers
 * then disagree on where it ends (response splitting, cache poisoning).
 */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** The modifier without set/add entries for framing headers (removing them stays allowed). */
export function withoutFramingHeaders(mod: HeaderModIR): HeaderModIR {
  const ok = (h: { name: string }) => !FRAMING_HEADERS.has(h.name.toLowerCase());
  if ((mod.set ?? []).every(ok) && (mod.add ?? []).every(ok)) return mod;
  return { set: (mod.set ?? []).filter(ok), add: (mod.add ?? []).filter(ok), remove: mod.remove ?? [] };
}
