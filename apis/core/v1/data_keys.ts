// Keys and base64 values of Secret and ConfigMap data, as kube checks them (IsConfigMapKey, and
// the []byte JSON decoding of `data` / `binaryData`). Error texts never carry a value: Secret data
// must not leak into answers or logs.
import { FieldPath, invalid, type FieldErrorList } from '../../meta/v1/field';

const CONFIG_KEY_FMT = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MAX = 253;
export const CONFIG_KEY_ERROR_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** kube's validation.IsConfigMapKey */
export function configMapKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > CONFIG_KEY_MAX) errs.push(`must be no more than ${CONFIG_KEY_MAX} characters`);
  if (!CONFIG_KEY_FMT.test(key)) errs.push(CONFIG_KEY_ERROR_MSG);
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Errors for every bad key of a data map at `path` (the key is shown; the value never). */
export function validateKeys(map: Record<string, unknown> | undefined, path: FieldPath): FieldErrorList {
  const out: FieldErrorList = [];
  if (!map) return out;
  for (const k of Object.keys(map)) for (const msg of configMapKeyErrors(k)) out.push(invalid(path.key(k), k, msg));
  return out;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Go's base64.StdEncoding as encoding/json uses it for []byte: padding required, CR and LF ignored.
 * Returns the canonical text, or the byte offset of the first bad input (Go's "illegal base64 data
 * at input byte N").
 */
export function canonicalBase64(text: string): { ok: true; value: string } | { ok: false; offset: number } {
  const clean = text.replace(/[\r\n]/g, '');
  if (!B64.test(clean)) return { ok: false, offset: firstBadOffset(clean) };
  return { ok: true, value: Buffer.from(clean, 'base64').toString('base64') };
}

function firstBadOffset(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '=') return i;
    if (!/[A-Za-z0-9+/]/.test(c)) return i;
  }
  // only the length is wrong: Go reports where the incomplete quantum begins
  return s.length - (s.length % 4);
}

/** Byte length of a map's decoded values (base64) or UTF-8 values. */
export function dataBytes(map: Record<string, string> | undefined, base64: boolean): number {
  let n = 0;
  if (!map) return n;
  for (const v of Object.values(map)) {
    if (typeof v !== 'string') continue;
    n += base64 ? Buffer.from(v, 'base64').length : Buffer.byteLength(v, 'utf8');
  }
  return n;
}
