// Access logging for the express servers (apiserver, facades): every request gets an id
// (request_id.ts) echoed in `X-Request-Id` (and kube's `Audit-Id` on the apiserver), available to
// handlers as `res.locals.requestId`, and one structured line when the response ends. Mutations and
// failures are logged at info (5xx at warn), reads at debug: the default log is an audit trail of
// changes, `--log-level debug` shows everything.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';
import { AUDIT_ID_HEADER, REQUEST_ID_HEADER, requestIdFor } from './request_id';

export type AccessLevel = 'warn' | 'info' | 'debug';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Which level a finished request is logged at. */
export function accessLevel(method: string, status: number): AccessLevel {
  if (status >= 500) return 'warn';
  if (status >= 400 || !READS.has(method)) return 'info';
  return 'debug';
}

export interface AccessLogOptions {
  log: Logger;
  /** names the server in each line: apiserver, edgeproxy, registry, upstreams */
  component: string;
  /** kube-apiserver's header: accept an incoming `Audit-Id` and answer with one */
  auditId?: boolean;
  /** paths assigned an id but never logged (health probes, metrics scrapes) */
  quiet?: ReadonlySet<string>;
  /** successful requests logged at debug even though they are writes (heartbeats) */
  routine?: (req: Request) => boolean;
  /** the authenticated user, once known */
  user?: (req: Request) => string | undefined;
}

export function requestIdOf(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

export function accessLog(opts: AccessLogOptions): RequestHandler {
  const { log, component } = opts;
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers[REQUEST_ID_HEADER] ?? (opts.auditId ? req.headers[AUDIT_ID_HEADER] : undefined);
    const id = requestIdFor(incoming);
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    if (opts.auditId) res.setHeader('Audit-Id', id);
    if (opts.quiet?.has(req.path)) return next();
    const started = performance.now();
    res.once('close', () => {
      const aborted = !res.writableFinished;
      const level = res.statusCode < 400 && opts.routine?.(req) ? 'debug' : accessLevel(req.method, res.statusCode);
      if (!log.isLevelEnabled(level)) return;
      log.log(level, 'http request', {
        component,
        requestId: id,
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(aborted ? { aborted: true } : {}),
        user: opts.user?.(req),
        remote: req.socket.remoteAddress,
        userAgent: req.headers['user-agent'],
      });
    });
    next();
  };
}
