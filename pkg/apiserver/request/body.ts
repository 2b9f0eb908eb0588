// Request bodies: read with a hard size limit (3 MiB, as kube-apiserver), then decode JSON or YAML
// according to Content-Type. Every failure is a 4xx Status, never a crash.
import type { IncomingMessage } from 'node:http';
import * as YAML from 'yaml';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from '../../apierrors/errors';
import { decodeProtobuf, PROTOBUF } from './protobuf';
import { checkBodyDepth } from '../../registry/generic/limits';
import { duplicateFieldsOf, mayHoldSurrogateEscape, wellFormedValue } from './json_decode';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(badRequest(`reading request body: ${err.message}`));
      failed = true;
    });
  });
}

/** The media type without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Go's mime.ParseMediaType, as kube's NegotiateInputSerializer applies it: the lower-cased
 * type/subtype, or undefined when the header does not parse (`application/json; x`, `a/b c`).
 */
export function parseMediaType(v: string): string | undefined {
  const semi = v.indexOf(';');
  const base = (semi < 0 ? v : v.slice(0, semi)).trim().toLowerCase();
  const t = TOKEN.exec(base);
  if (!t) return undefined;
  let rest = base.slice(t[0].length);
  if (rest !== '') {
    if (!rest.startsWith('/')) return undefined;
    const sub = TOKEN.exec(rest.slice(1));
    if (!sub || rest.slice(1 + sub[0].length) !== '') return undefined;
  }
  rest = semi < 0 ? '' : v.slice(semi);
  const names = new Set<string>();
  while (rest.length) {
    rest = rest.replace(/^\s+/, '');
    if (!rest.length) break;
    const m = /^;\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&'*+\-.^_`|~0-9A-Za-z]+)/.exec(rest);
    if (!m) {
      if (rest.trim() === ';') break; // a trailing semicolon is not an error
      return undefined;
    }
    const name = m[1].toLowerCase();
    if (names.has(name)) return undefined;
    names.add(name);
    rest = rest.slice(m[0].length);
  }
  return base;
}

/** What POST and PUT accept for custom resources (kube's serializers); built-in kinds also take protobuf. */
export const ACCEPTED_BODY_TYPES = ['application/json', 'application/yaml'] as const;

export interface DecodedBody {
  value: unknown;
  /** duplicate object keys (JSON only), as fieldValidation reports them */
  duplicates: string[];
}

/** Parse a body as JSON or YAML (one document). Objects only unless allowArray. */
export function decodeBody(buf: Buffer, contentType: string | undefined, opts: { allowArray?: boolean } = {}): unknown {
  return decodeRequestBody(buf, contentType, opts).value;
}

/**
 * Like decodeBody, and also reports duplicate keys. A Content-Type kube would not negotiate
 * (unparseable, or not JSON/YAML) is a 415; no Content-Type means JSON.
 */
export function decodeRequestBody(buf: Buffer, contentType: string | undefined, opts: { allowArray?: boolean } = {}): DecodedBody {
  const mt = contentType === undefined || contentType === '' ? 'application/json' : parseMediaType(contentType);
  const text = buf.toString('utf8');
  if (mt !== 'application/json' && mt !== 'application/yaml' && mt !== PROTOBUF) throw unsupportedMediaType('', ACCEPTED_BODY_TYPES);
  if (text.trim() === '') throw badRequest('the request body is empty');
  let value: unknown;
  let duplicates: string[] = [];
  if (mt === 'application/json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
    }
    if (mayHoldSurrogateEscape(text)) value = wellFormedValue(value);
    duplicates = duplicateFieldsOf(text, value);
  } else if (mt === PROTOBUF) {
    value = decodeProtobuf(buf); // kubectl 1.32's bodies for built-in kinds (Secret, ConfigMap, Namespace, DeleteOptions)
  } else {
    value = wellFormedValue(parseYaml(text));
  }
  if (Array.isArray(value) ? !opts.allowArray : value === null || typeof value !== 'object') {
    throw badRequest(`the request body must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  checkBodyDepth(value);
  return { value, duplicates };
}

export function parseYaml(text: string): unknown {
  let doc: YAML.Document.Parsed;
  try {
    const docs = YAML.parseAllDocuments(text, { uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.length !== 1) throw badRequest('the request body must hold exactly one YAML document');
    doc = list[0] as YAML.Document.Parsed;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest(`the request body is not valid YAML: ${(err as Error).message}`);
  }
  if (doc.errors.length) throw badRequest(`the request body is not valid YAML: ${doc.errors[0].message}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${(err as Error).message}`);
  }
  // Aliases can make a document refer to itself (`a: &a [*a]`): a cycle no later step could walk.
  // Serializing finds cycles; parsing the text back also un-shares aliased nodes, so that editing
  // one place in the object never edits another.
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${/circular/i.test((err as Error).message) ? 'an alias refers to itself' : (err as Error).message}`);
  }
  const bad = nonJSON(value);
  if (bad) throw badRequest(`the request body is not valid YAML: ${bad} cannot be represented in JSON`);
  return JSON.parse(json) as unknown;
}

/**
 * What a YAML document may hold that JSON cannot (tags such as !!binary, !!timestamp, !!set,
 * .inf/.nan): described, or undefined when the value is plain JSON. Iterative, so nesting depth
 * cannot overflow the stack.
 */
function nonJSON(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return String(v);
      continue;
    }
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const x of Object.values(v as Record<string, unknown>)) stack.push(x);
      continue;
    }
    return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'non-plain'} value` : `a ${typeof v} value`;
  }
  return undefined;
}
