// Writing responses: JSON (or YAML when asked), Warning headers, and Status for every error.
import type { Response } from 'express';
import * as YAML from 'yaml';
import { ApiError, internal } from '../apierrors/errors';
import { StorageError } from '../storage/errors';
import { fromStorage } from '../apierrors/errors';

export function warn(res: Response, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  const uniq = [...new Set(warnings)].slice(0, 50);
  res.setHeader('Warning', uniq.map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' ').slice(0, 4096))}`));
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
  return internal(err instanceof Error ? err.message : String(err));
}

export function sendError(res: Response, err: unknown): void {
  const e = toApiError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e.reason === 'TooManyRequests' && e.details?.retryAfterSeconds) res.setHeader('Retry-After', String(e.details.retryAfterSeconds));
  send(res, e.code, e.toStatus());
}
