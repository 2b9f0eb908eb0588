// edgeProxy's Auto-Discovery API (seeds/edgeproxy-auto-discovery-api), answering as the original
// does where the document is silent (DESIGN.md "Facades"):
//   GET    /health                  {"status":"ok","version","backends","registered_backends","uptime_secs"}
//   POST   /api/v1/register         upsert → 201 {"id","registered":true,"message":"Backend registered successfully"}
//   POST   /api/v1/heartbeat/:id    200 {"id","status":"ok"} | 404 {"id","error":"backend not registered"}
//   GET    /api/v1/backends         {"backends":[…],"total":N}
//   GET    /api/v1/backends/:id     the backend | 404 {"error":"backend not found"}
//   DELETE /api/v1/backends/:id     200 {"id","deregistered":true} | 404 {"id","error":"backend not found"}
// Bad input: malformed JSON 400, wrong or missing fields 422, no JSON content type 415, body over
// 64 KiB 413; always a JSON {"error": …} that says what is wrong. Hardening (off the document):
// SWITCHYARD_EDGEPROXY_TOKEN → bearer token on everything but /health (401); registrations and
// deregistrations limited per client IP (SWITCHYARD_EDGEPROXY_RATE_LIMIT per minute, default 600,
// 0 = off: 429 + Retry-After); heartbeats are never limited.
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '../../apierrors/errors';
import type { Logger } from '../../log/logger';
import { requestIdOf } from '../../log/access_log';
import { facadeApp } from '../common/app';
import type { FacadeMetrics } from '../common/metrics';
import { describe, isFacadeObject, type Objects } from '../common/objects';
import { HttpError, isJsonContentType, parseJson, readBody } from '../common/http';
import { bearerGuard, writeRateLimit } from '../common/guards';
import { checkId, parseRegistration, type Registration } from './payload';
import { applyRegistration, backendObject, FACADE, routeObject, routeName, viewOf } from './objects';
import type { Liveness } from './liveness';

/** The Auto-Discovery API version this facade implements (the document's). */
export const EDGEPROXY_API_VERSION = '0.2.0';

export interface EdgeProxyAppOptions {
  /** request counters and latency (the process registry) */
  metrics?: FacadeMetrics;
  objects: Objects;
  liveness: Liveness;
  log: Logger;
  /** extra hostname suffix for app routes: <app>.<appDomain> */
  appDomain?: string;
  now?: () => number;
  /** bearer token for every endpoint but /health (unset: open, as the original API is) */
  token?: string;
  /** registrations and deregistrations per minute per client IP (heartbeats are not counted); 0: unlimited */
  rateLimitPerMinute?: number;
}

export const DEFAULT_EDGEPROXY_RATE_LIMIT = 600;

const isEdge = (o: Parameters<typeof isFacadeObject>[0]) => isFacadeObject(o, FACADE);

export function edgeProxyApp(opts: EdgeProxyAppOptions): express.Express {
  const { objects, liveness, log } = opts;
  const now = opts.now ?? Date.now;
  const started = now();
  const app = facadeApp({ component: 'edgeproxy', log, metrics: opts.metrics, routine: (req) => req.path.startsWith('/api/v1/heartbeat/') });

  app.get('/health', (_req, res) => {
    const n = liveness.entries.size;
    res.json({ status: 'ok', version: EDGEPROXY_API_VERSION, backends: n, registered_backends: n, uptime_secs: Math.floor((now() - started) / 1000) });
  });
  app.use(bearerGuard({ token: opts.token, realm: 'switchyard-edgeproxy', reject: (res) => void res.json({ error: 'unauthorized: send "Authorization: Bearer <token>"' }) }));
  app.use(writeRateLimit({
    perMinute: opts.rateLimitPerMinute ?? DEFAULT_EDGEPROXY_RATE_LIMIT,
    counts: (req) => (req.method === 'POST' && req.path === '/api/v1/register') || req.method === 'DELETE',
    reject: (res, n) => void res.json({ error: `rate limit exceeded: at most ${n} registrations per minute per client` }),
  }));

  app.post('/api/v1/register', async (req, res) => {
    if (!isJsonContentType(req.headers['content-type'])) {
      req.resume();
      throw new HttpError(415, `expected a request with "Content-Type: application/json"${req.headers['content-type'] ? `, got ${JSON.stringify(req.headers['content-type'])}` : ''}`);
    }
    const parsed = parseJson(await readBody(req));
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    const reg = parseRegistration(parsed.value);
    await register(reg, requestIdOf(res));
    res.status(201).json({ id: reg.id, registered: true, message: 'Backend registered successfully' });
  });

  app.post('/api/v1/heartbeat/:id', async (req, res) => {
    req.resume();
    const id = req.params.id as string;
    if (!(await liveness.heartbeat(id))) {
      res.status(404).json({ id, error: 'backend not registered' });
      return;
    }
    res.json({ id, status: 'ok' });
  });

  app.get('/api/v1/backends', async (_req, res) => {
    const { items } = await objects.list('backends', isEdge);
    const t = now();
    const backends = items.map((o) => viewOf(o, liveness.liveness(o), t)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    res.json({ backends, total: backends.length });
  });

  app.get('/api/v1/backends/:id', async (req, res) => {
    const o = await objects.get('backends', req.params.id as string);
    if (!isEdge(o)) {
      res.status(404).json({ error: 'backend not found' });
      return;
    }
    res.json(viewOf(o!, liveness.liveness(o!), now()));
  });

  app.delete('/api/v1/backends/:id', async (req, res) => {
    req.resume();
    const id = req.params.id as string;
    const o = await objects.get('backends', id);
    if (!isEdge(o) || !(await objects.delete('backends', id, { uid: o!.metadata.uid }).catch(notFoundAsFalse))) {
      res.status(404).json({ id, error: 'backend not found' });
      return;
    }
    liveness.forget(id);
    log.info('edgeproxy: backend deregistered', { requestId: requestIdOf(res), id });
    res.json({ id, deregistered: true });
  });

  const known = ['/health', '/api/v1/register', '/api/v1/backends'];
  app.use((req, res) => {
    const p = req.path;
    const exists = known.includes(p) || /^\/api\/v1\/(heartbeat|backends)\/[^/]+$/.test(p);
    res.status(exists ? 405 : 404).json({ error: exists ? `method ${req.method} is not allowed on ${p}` : `no such endpoint: ${req.method} ${p}` });
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    const id = typeof req.params?.id === 'string' ? req.params.id : undefined;
    if (err instanceof HttpError) return void res.status(err.status).json({ ...(err.extra ?? {}), error: err.message });
    if (err instanceof ApiError) {
      if (err.code === 422 || err.code === 400) return void res.status(422).json({ ...(id ? { id } : {}), error: describe(err) });
      if (err.code === 409) return void res.status(409).json({ ...(id ? { id } : {}), error: err.message });
      log.warn('edgeproxy: request failed', { requestId: requestIdOf(res), path: req.path, code: err.code, error: err.message });
      return void res.status(err.code >= 500 ? 503 : err.code).json({ error: err.message });
    }
    const e = err as { status?: number; type?: string; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return void res.status(e.status).json({ error: e.message ?? 'bad request' });
    log.error('edgeproxy: internal error', { requestId: requestIdOf(res), path: req.path, error: String((err as Error)?.stack ?? err) });
    res.status(500).json({ error: 'internal error' });
  });

  /** Upsert the Backend, then make sure the app's route exists (undoing a fresh Backend if that fails). */
  async function register(reg: Registration, requestId: string | undefined): Promise<void> {
    checkId(reg.id);
    const t = now();
    const desired = backendObject(reg, t);
    let stored;
    let created = false;
    for (let attempt = 0; !stored; attempt++) {
      try {
        stored = await objects.create('backends', desired);
        created = true;
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists') || attempt > 3) throw err;
        stored = await objects.update('backends', reg.id, (cur) => {
          if (!isEdge(cur)) {
            throw new HttpError(409, `a Backend named ${JSON.stringify(reg.id)} exists and is not managed by the edgeProxy API`, { id: reg.id });
          }
          return applyRegistration(cur, desired);
        });
        // undefined: deleted in between; create again
      }
    }
    try {
      await ensureRoute(reg.app);
    } catch (err) {
      if (created) await objects.delete('backends', reg.id, { uid: stored.metadata.uid }).catch(() => undefined);
      throw err;
    }
    liveness.registered(stored, t);
    log.info('edgeproxy: backend registered', { requestId, id: reg.id, app: reg.app, region: reg.region, endpoint: `${reg.ip}:${reg.port}`, created });
  }

  async function ensureRoute(appName: string): Promise<void> {
    if (await objects.get('httproutes', routeName(appName))) return;
    try {
      await objects.create('httproutes', routeObject(appName, opts.appDomain));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }

  return app;
}

function notFoundAsFalse(err: unknown): boolean {
  if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return false;
  throw err;
}
