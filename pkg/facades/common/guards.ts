// The two guards every facade may put in front of its endpoints: an optional bearer token and a
// per-client-IP rate limit on writes. Each facade renders the rejection in its own error shape.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiter } from '../../proxy/resilience/rate_limit';
import { bearerMatches, clientIP } from './http';

export interface BearerGuardOptions {
  /** unset: no authentication */
  token?: string;
  realm: string;
  /** paths that stay open (health checks) */
  open?: ReadonlySet<string>;
  reject(res: Response): void;
}

/** 401 with `WWW-Authenticate: Bearer` unless the request carries the token. */
export function bearerGuard(opts: BearerGuardOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!opts.token || opts.open?.has(req.path) || bearerMatches(req, opts.token)) return next();
    req.resume();
    res.status(401).set('WWW-Authenticate', `Bearer realm="${opts.realm}"`);
    opts.reject(res);
  };
}

export interface WriteRateLimitOptions {
  /** writes per minute per client IP, with a burst of as many; 0: unlimited */
  perMinute: number;
  /** which requests count (default: every method but GET/HEAD/OPTIONS) */
  counts?: (req: Request) => boolean;
  reject(res: Response, perMinute: number): void;
  now?: () => number;
}

const isWrite = (req: Request) => req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';

/** 429 with Retry-After once a client has spent its writes for the minute. */
export function writeRateLimit(opts: WriteRateLimitOptions): RequestHandler {
  if (!(opts.perMinute > 0)) return (_req, _res, next) => next();
  const limiter = new RateLimiter({ requestsPerMinute: opts.perMinute, perClientIP: true });
  const counts = opts.counts ?? isWrite;
  const now = opts.now ?? Date.now;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!counts(req)) return next();
    const r = limiter.take(limiter.keyFor(clientIP(req)), now());
    if (r.allowed) return next();
    req.resume();
    res.status(429).set('Retry-After', String(r.retryAfterSeconds));
    opts.reject(res, opts.perMinute);
  };
}
