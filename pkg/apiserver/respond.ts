// Writing responses: JSON (or YAML when asked), Warning headers, and Status for every error.
import type { Response } from 'express';
import * as YAML from 'yaml';
import { ApiError, internal } from '../apierrors/errors';
import { StorageError } from '../storage/errors';
import { fromStorage } from '../apierrors/errors';

export function warn(res: Response, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  const uniq = [...new Set(warnings)].slice(0, 50);
  // A bad header must never turn a write that already happened into an error.
  try {
    res.setHeader('Warning', uniq.map((w) => warningValue(w)));
  } catch {
    /* the write still succeeded; drop the warnings */
  }
}

/**
 * `299 - "text"` in plain ASCII. Warnings quote what the client sent (names, field paths), which
 * may hold any character: node refuses header characters above U+00FF (a Backend named with an
 * emoji was created, then answered 500), and encodes the rest as latin1 or UTF-8 depending on how
 * the body is written. So control characters become spaces and everything outside printable
 * ASCII is escaped as \uXXXX inside the quoted text (JSON string syntax), which every client
 * can carry and a reader can decode.
 */
export function warningValue(text: string): string {
  const clean = text.replace(/[\p{Cc}]+/gu, ' ').slice(0, 4096);
  const quoted = JSON.stringify(clean).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `299 - ${quoted}`;
}

export function send(res: Response, code: number, body: unknown, yaml = false): void {
  if (yaml) {
    res.status(code).type('application/yaml').send(YAML.stringify(body));
    return;
  }
  const text = JSON.stringify(body);
  res.status(code).setHeader('Content-Type', 'application/json');
  res.end(text);
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageError) return fromStorage(err, { group: '', resource: '' }, '');
  // errors express raises itself carry an HTTP status (http-errors), e.g. a path segment that
  // is not valid percent-encoding: "Failed to decode param '%zz'" is the client's fault
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const msg = err instanceof Error ? err.message : String(err);
    return new ApiError(status, CLIENT_REASONS[status] ?? 'BadRequest', msg);
  }
  return internal(err instanceof Error ? err.message : String(err));
}

const CLIENT_REASONS: Record<number, ApiError['reason']> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
};

export function sendError(res: Response, err: unknown): void {
  const e = toApiError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e.reason === 'TooManyRequests' && e.details?.retryAfterSeconds) res.setHeader('Retry-After', String(e.details.retryAfterSeconds));
  send(res, e.code, e.toStatus());
}
