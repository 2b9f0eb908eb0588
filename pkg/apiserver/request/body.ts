// Request bodies: read with a hard size limit (3 MiB, as kube-apiserver), then decode JSON or YAML
// according to Content-Type. Every failure is a 4xx Status, never a crash.
import type { IncomingMessage } from 'node:http';
import * as YAML from 'yaml';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from '../../apierrors/errors';
import { decodeProtobuf, PROTOBUF } from './protobuf';
import { checkBodyDepth } from '../../registry/generic/limits';

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

const JSON_TYPES = new Set(['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json']);
const YAML_TYPES = new Set(['application/yaml', 'application/apply-patch+yaml', 'application/x-yaml', 'text/yaml']);

/** Parse a body as JSON or YAML (one document). Objects only unless allowArray. */
export function decodeBody(buf: Buffer, contentType: string | undefined, opts: { allowArray?: boolean } = {}): unknown {
  const mt = mediaType(contentType);
  const text = buf.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  let value: unknown;
  if (JSON_TYPES.has(mt) || mt === '') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
    }
  } else if (YAML_TYPES.has(mt)) {
    value = parseYaml(text);
  } else if (mt === PROTOBUF) {
    value = decodeProtobuf(buf); // kubectl 1.32's bodies for built-in kinds
  } else {
    throw unsupportedMediaType(mt, ['application/json', 'application/yaml']);
  }
  if (Array.isArray(value) ? !opts.allowArray : value === null || typeof value !== 'object') {
    throw badRequest(`the request body must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  checkBodyDepth(value);
  return value;
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
