// Bounds on what an object may be, checked before anything is stored: nesting depth (recursive
// code all the way down — pruning, defaulting, managedFields, canonical JSON — must never run out
// of stack, which a body nested 5,000 levels deep did) and encoded size (etcd refuses requests
// over 1.5 MiB by default, and a JSON patch that copies a subtree into itself doubles an object
// on every call: without a bound a few patches made a 17 MB object that froze the server).
import { ApiError, badRequest } from '../../apierrors/errors';

/** deepest nesting a request body may have (objects and arrays count one level each) */
export const MAX_BODY_DEPTH = 100;
/** a stored object also carries managedFields, which mirror its shape a few levels deeper */
export const MAX_OBJECT_DEPTH = MAX_BODY_DEPTH + 16;
/** etcd's default --max-request-bytes is 1.5 MiB for the whole request; leave room for the rest */
export const MAX_OBJECT_BYTES = 1536 * 1024 - 16 * 1024;

/** Nesting depth of a JSON value, computed without recursion; stops counting past `limit`. */
export function depthOf(root: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
    }
  }
  return max;
}

/** 400 for a request body nested deeper than MAX_BODY_DEPTH. */
export function checkBodyDepth(value: unknown): void {
  if (depthOf(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw badRequest(`the request body is nested too deeply: the limit is ${MAX_BODY_DEPTH} levels`);
  }
}

/** 422/413 for an object that may not be stored (too deep, or too large once encoded). */
export function checkObjectBounds(obj: unknown, kind: { group: string; kind: string }, name: string): void {
  if (depthOf(obj, MAX_OBJECT_DEPTH) > MAX_OBJECT_DEPTH) {
    throw new ApiError(422, 'Invalid', `${kind.kind}.${kind.group} "${name}" is invalid: the object is nested more than ${MAX_OBJECT_DEPTH} levels deep`, {
      name,
      group: kind.group,
      kind: kind.kind,
      causes: [{ reason: 'FieldValueInvalid', message: `nested more than ${MAX_OBJECT_DEPTH} levels deep`, field: '' }],
    });
  }
  const bytes = Buffer.byteLength(JSON.stringify(obj), 'utf8');
  if (bytes > MAX_OBJECT_BYTES) {
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: ${kind.kind}.${kind.group} "${name}" would be ${bytes} bytes; the limit is ${MAX_OBJECT_BYTES}`, {
      name,
      group: kind.group,
      kind: kind.kind,
    });
  }
}
