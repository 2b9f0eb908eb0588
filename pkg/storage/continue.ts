// Continue tokens in kube's format: base64url(JSON {v, rv, start}) — the page's revision is pinned
// in the token, and start is the next key relative to the listed prefix.
import { StorageError } from './errors';

const VERSION = 'meta.k8s.io/v1';

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, nextKeySuffix: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, rv, start: nextKeySuffix }), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  const bad = (why: string) => new StorageError('InvalidContinue', `continue key is not valid: ${why}`);
  if (token.length > 4096 || !/^[A-Za-z0-9_=-]+$/.test(token)) throw bad('not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  if (!parsed || typeof parsed !== 'object') throw bad('not an object');
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== VERSION) throw bad('server does not recognize this encoding');
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) throw bad('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof start !== 'string' || start.length === 0) throw bad('encoded start key empty');
  if (start.startsWith('/') || start.split('/').some((seg) => seg === '..' || seg === '.')) throw bad('path traversal attempt');
  return { rv, start };
}
