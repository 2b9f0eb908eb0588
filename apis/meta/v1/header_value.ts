// Values the control plane hands to the data plane as HTTP header text (HTTPRoute header filters,
// redirect/rewrite values, the switchyard.dev/* annotations the controller and facades read) must
// not carry CR, LF or NUL: one such value would split a header (request smuggling, header
// injection) or make every request on a route fail. Refused at write time, with the field path.
import { FieldErrorList, FieldPath, invalid } from './field';
import type { KObject } from './types';

const CONTROL = /[\r\n\0]/;

/** CR, LF or NUL anywhere in a string value → one error naming `path`. Non-strings are another check's business. */
export function validateNoControlChars(v: unknown, path: FieldPath): FieldErrorList {
  if (typeof v !== 'string' || !CONTROL.test(v)) return [];
  return [invalid(path, v, 'must not contain CR, LF or NUL characters')];
}

/** what an HTTP field value may not carry besides CR/LF/NUL: other controls but HTAB, DEL, and anything above U+00FF (RFC 9110 §5.5; node and undici refuse them) */
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * A value the proxy writes as a header: CR, LF, NUL (as validateNoControlChars), and every other
 * character node's and undici's header writers refuse. Such a value passed write-time checks would
 * make every request on the route fail when its header is written.
 */
export function validateHeaderFieldValue(v: unknown, path: FieldPath): FieldErrorList {
  const crlf = validateNoControlChars(v, path);
  if (crlf.length || typeof v !== 'string' || !NOT_FIELD_VALUE.test(v)) return crlf;
  return [invalid(path, v, 'must be a valid HTTP header value: visible characters, spaces and tabs only (no other control characters, none above U+00FF)')];
}

/** The prefix of every annotation switchyard's controller and facades read. */
export const SWITCHYARD_ANNOTATION_PREFIX = 'switchyard.dev/';

/** Annotations whose JSON value becomes response headers (its keys are header names). */
const HEADER_MAP_ANNOTATIONS = new Set(['switchyard.dev/response-headers']);

const TOKEN_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Every switchyard.dev/* annotation: no CR/LF/NUL in the value, nor in any string a JSON value
 * carries once parsed (a JSON "\r\n" escape is CR LF to whoever reads it); a header-map
 * annotation's keys must be header names (RFC 7230 tokens).
 */
export function validateSwitchyardAnnotations(obj: KObject): FieldErrorList {
  const ann = (obj as { metadata?: { annotations?: unknown } })?.metadata?.annotations;
  if (!ann || typeof ann !== 'object' || Array.isArray(ann)) return [];
  const base = FieldPath.root('metadata').child('annotations');
  const errs: FieldErrorList = [];
  for (const key of Object.keys(ann)) {
    if (!key.startsWith(SWITCHYARD_ANNOTATION_PREFIX)) continue;
    const v = (ann as Record<string, unknown>)[key];
    const p = base.key(key);
    if (typeof v !== 'string') continue;
    const direct = validateNoControlChars(v, p);
    if (direct.length) {
      errs.push(...direct);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      continue; // not JSON: the raw check above is the whole story
    }
    if (jsonHasControlChars(parsed, 0)) errs.push(invalid(p, v, 'must not contain CR, LF or NUL characters (JSON escapes included)'));
    else if (HEADER_MAP_ANNOTATIONS.has(key) && parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const bad = Object.keys(parsed).find((n) => !TOKEN_RE.test(n));
      if (bad !== undefined) errs.push(invalid(p, v, `header name ${JSON.stringify(bad)} must be a valid HTTP header name (an RFC 7230 token)`));
      else {
        const badValue = Object.values(parsed).find((x) => typeof x === 'string' && NOT_FIELD_VALUE.test(x));
        if (badValue !== undefined) errs.push(invalid(p, v, `header value ${JSON.stringify(badValue)} must be a valid HTTP header value (no control characters, none above U+00FF)`));
      }
    }
  }
  return errs;
}

function jsonHasControlChars(v: unknown, depth: number): boolean {
  if (depth > 32) return false; // JSON.parse already bounded the size; the depth bounds the walk
  if (typeof v === 'string') return CONTROL.test(v);
  if (Array.isArray(v)) return v.some((x) => jsonHasControlChars(x, depth + 1));
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => CONTROL.test(k) || jsonHasControlChars(x, depth + 1));
  return false;
}
