// Request ids: one per request, carried in logs, in the `X-Request-Id` header upstream and back to
// the client (kube-apiserver also answers `Audit-Id`). A caller's own id is kept when it is a
// plausible token (what Envoy, nginx and Heroku's router accept); anything else is replaced, so a
// client cannot inject spaces, quotes or megabytes into every log line.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
export const AUDIT_ID_HEADER = 'audit-id';

const MAX_LEN = 128;

/** The caller's id when it is 1–128 characters of [A-Za-z0-9._:+/=-]; undefined otherwise. */
export function acceptedRequestId(v: string | string[] | undefined): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_LEN) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) || // 0-9
      (c >= 65 && c <= 90) || // A-Z
      (c >= 97 && c <= 122) || // a-z
      c === 45 || c === 46 || c === 95 || c === 58 || c === 43 || c === 47 || c === 61; // - . _ : + / =
    if (!ok) return undefined;
  }
  return v;
}

/** The id for a request: the caller's (if acceptable), else a fresh UUID. */
export function requestIdFor(v: string | string[] | undefined, generate: () => string = randomUUID): string {
  return acceptedRequestId(v) ?? generate();
}
