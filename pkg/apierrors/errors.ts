// The one error registry of the REST surface: every failure is an ApiError that renders as a
// metav1.Status with kube's exact reason and message shapes. Handlers throw; server.ts renders.
import type { Status, StatusCause, StatusDetails } from '../../apis/meta/v1/types';
import { formatFieldError, type FieldErrorList } from '../../apis/meta/v1/field';
import { StorageError } from '../storage/errors';

export type Reason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** group/resource as kube prints it: `backends.core.apoxy.dev` */
export interface GroupResource {
  group: string;
  resource: string;
}

export const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: Reason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

export const badRequest = (msg: string) => new ApiError(400, 'BadRequest', msg);
export const unauthorized = (msg = 'Unauthorized') => new ApiError(401, 'Unauthorized', msg);
export const methodNotAllowed = (verb: string, what: string) =>
  new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on ${what}`);
export const notAcceptable = (accept: string) =>
  new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml; got ${JSON.stringify(accept)}`);
export const tooLarge = (limit: number) =>
  new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
export const unsupportedMediaType = (_got: string, accepted: readonly string[]) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    // kube's negotiation.unsupportedMediaTypeError: the list only, never what was sent
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
export const tooManyRequests = (msg: string, retryAfterSeconds: number) =>
  new ApiError(429, 'TooManyRequests', msg, { retryAfterSeconds });
export const internal = (msg: string) =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
export const unavailable = (msg: string) => new ApiError(503, 'ServiceUnavailable', msg);
export const timeout = (msg: string) => new ApiError(504, 'Timeout', msg);
export const expired = (msg: string) => new ApiError(410, 'Expired', msg);

export function forbidden(gr: GroupResource, name: string, user: string, verb: string, namespace?: string): ApiError {
  const target = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return new ApiError(
    403,
    'Forbidden',
    `${target} is forbidden: User "${user}" cannot ${verb} resource "${gr.resource}" in API group "${gr.group}" ${scope}`,
    { name: name || undefined, group: gr.group, kind: gr.resource },
  );
}

/** kube's answer to content created in a terminating namespace (admission.NewForbidden + cause) */
export function namespaceTerminating(gr: GroupResource, name: string, ns: string): ApiError {
  const target = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new ApiError(403, 'Forbidden', `${target} is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
    name: name || undefined,
    group: gr.group,
    kind: gr.resource,
    causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
  });
}

export const notFound = (gr: GroupResource, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });

export const alreadyExists = (gr: GroupResource, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group, kind: gr.resource });

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 with every field error as a cause, as apierrors.NewInvalid. */
export function invalid(kind: { group: string; kind: string }, name: string, errs: FieldErrorList): ApiError {
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: formatFieldError({ ...e, field: '' }), field: e.field }));
  const texts = errs.map(formatFieldError);
  const list = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, {
    name,
    group: kind.group,
    kind: kind.kind,
    causes,
  });
}

/** A storage failure seen through one resource. */
export function fromStorage(err: unknown, gr: GroupResource, name: string): ApiError {
  if (err instanceof ApiError) return err;
  if (!(err instanceof StorageError)) return internal(err instanceof Error ? err.message : String(err));
  switch (err.code) {
    case 'NotFound':
      return notFound(gr, name);
    case 'AlreadyExists':
      return alreadyExists(gr, name);
    case 'Conflict':
      return conflict(gr, name, err.message.startsWith('Precondition failed') ? err.message : MODIFIED);
    case 'Expired':
      return expired(err.message);
    case 'TooLargeResourceVersion':
      return new ApiError(504, 'Timeout', `Too large resource version: ${err.message.replace(/^.*resource version: /, '')}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    case 'InvalidContinue':
    case 'InvalidResourceVersion':
      return badRequest(err.message);
    case 'Timeout':
      return timeout(err.message);
    case 'TooLarge':
      return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: ${err.message}`);
    case 'Unavailable':
      return unavailable(err.message);
    default:
      return internal(err.message);
  }
}
