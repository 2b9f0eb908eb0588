// go-proxy's service registry HTTP API (seeds/service-registry-guide), answering as DESIGN.md says:
//   POST /register    200 {"status":"registered","host","path","backend"}
//                     409 {"error":"route already exists"} (same host + path), 400 {"error":"…"}
//   POST /deregister  200 {"status":"deregistered","host","path"} | 404 {"error":"route not found"}
//   GET  /routes      {"routes":[{host,path,backend,registered_at,options?}],"total":N}
//   GET  /health      {"status":"healthy","registered_routes":N}
// The guide's own clients treat anything but 200 as failure, hence 200 (not 201) for register.
// Hardening the guide asks for ("Authentication (Future)", "Rate Limiting"): with
// SWITCHYARD_REGISTRY_TOKEN set, every endpoint but /health wants `Authorization: Bearer <token>`
// (401 otherwise); writes are rate limited per client IP (SWITCHYARD_REGISTRY_RATE_LIMIT per
// minute, default 120, 0 = off) with 429 and Retry-After.
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '../../apierrors/errors';
import type { Logger } from '../../log/logger';
import { requestIdOf } from '../../log/access_log';
import { facadeApp } from '../common/app';
import type { FacadeMetrics } from '../common/metrics';
import { bearerGuard, writeRateLimit } from '../common/guards';
import { describe, FACADE_LABEL, type Objects } from '../common/objects';
import { HttpError, parseJson, readBody } from '../common/http';
import { FACADE, objectName, objectsFor, parseKey, parseRegistration, viewOf } from './mapping';

export interface RegistryAppOptions {
  /** request counters and latency (the process registry) */
  metrics?: FacadeMetrics;
  objects: Objects;
  log: Logger;
  /** bearer token required on every endpoint but /health (unset: no authentication) */
  token?: string;
  /** writes per minute per client IP (0: unlimited) */
  rateLimitPerMinute?: number;
  now?: () => string;
}

export const DEFAULT_REGISTRY_RATE_LIMIT = 120;

const isRegistry = (o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.[FACADE_LABEL] === FACADE;

export function registryApp(opts: RegistryAppOptions): express.Express {
  const { objects, log } = opts;
  const now = opts.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const limit = opts.rateLimitPerMinute ?? DEFAULT_REGISTRY_RATE_LIMIT;
  /** one registration or deregistration of a name at a time in this process */
  const locks = new Map<string, Promise<unknown>>();
  const app = facadeApp({ component: 'registry', log, metrics: opts.metrics });

  app.get('/health', async (_req, res) => {
    const { items } = await objects.list('httproutes', isRegistry);
    res.json({ status: 'healthy', registered_routes: items.length });
  });

  app.use(bearerGuard({ token: opts.token, realm: 'switchyard-registry', reject: (res) => void res.json({ error: 'unauthorized: send "Authorization: Bearer <token>"' }) }));
  app.use(writeRateLimit({ perMinute: limit, reject: (res, n) => void res.json({ error: `rate limit exceeded: at most ${n} registry writes per minute per client` }) }));

  app.post('/register', async (req, res) => {
    const reg = parseRegistration(await jsonBody(req));
    const built = objectsFor(reg, now());
    await serialized(built.name, async () => {
      // the Backend first, then the route; a route that cannot be written takes its Backend with it
      let backendCreated = false;
      try {
        await objects.create('backends', built.backend);
        backendCreated = true;
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists')) throw err;
        if (await objects.get('httproutes', built.name)) throw new HttpError(409, 'route already exists');
        // a Backend left behind without its route (an interrupted registration): take it over
        const updated = await objects.update('backends', built.name, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: built.backend.metadata.labels, annotations: built.backend.metadata.annotations }, spec: built.backend.spec }));
        if (!updated) {
          await objects.create('backends', built.backend);
          backendCreated = true;
        }
      }
      try {
        await objects.create('httproutes', built.route);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) {
          await objects.delete('backends', built.name).catch(() => undefined);
          throw err;
        }
        if (backendCreated) await objects.delete('backends', built.name).catch(() => undefined);
        throw new HttpError(409, 'route already exists');
      }
    });
    log.info('registry: route registered', { requestId: requestIdOf(res), host: reg.host, path: reg.path, backend: reg.backend, name: built.name });
    res.status(200).json({ status: 'registered', host: reg.host, path: reg.path, backend: reg.backend });
  });

  app.post('/deregister', async (req, res) => {
    const key = parseKey(await jsonBody(req));
    const name = objectName(key.host, key.path);
    const found = await serialized(name, async () => {
      const route = await objects.get('httproutes', name);
      if (!route || !isRegistry(route)) return false;
      await objects.delete('httproutes', name);
      await objects.delete('backends', name);
      return true;
    });
    if (!found) throw new HttpError(404, 'route not found');
    log.info('registry: route deregistered', { requestId: requestIdOf(res), host: key.host, path: key.path, name });
    res.status(200).json({ status: 'deregistered', host: key.host, path: key.path });
  });

  app.get('/routes', async (_req, res) => {
    const { items } = await objects.list('httproutes', isRegistry);
    const routes = items.map(viewOf).sort((a, b) => a.registered_at.localeCompare(b.registered_at) || a.host.localeCompare(b.host) || a.path.localeCompare(b.path));
    res.json({ routes, total: routes.length });
  });

  app.use((req, res) => {
    req.resume();
    const known = ['/register', '/deregister', '/routes', '/health'].includes(req.path);
    res.status(known ? 405 : 404).json({ error: known ? `method ${req.method} is not allowed on ${req.path}` : `no such endpoint: ${req.method} ${req.path}` });
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    if (err instanceof HttpError) return void res.status(err.status === 422 ? 400 : err.status).json({ error: err.message });
    if (err instanceof ApiError) {
      // the apiserver's validation found something the facade's own checks did not: still the client's input
      if (err.code === 422 || err.code === 400) return void res.status(400).json({ error: describe(err) });
      if (err.code === 409) return void res.status(409).json({ error: 'route already exists' });
      log.warn('registry: request failed', { requestId: requestIdOf(res), path: req.path, code: err.code, error: err.message });
      return void res.status(err.code >= 500 ? 503 : err.code).json({ error: err.message });
    }
    log.error('registry: internal error', { requestId: requestIdOf(res), path: req.path, error: String((err as Error)?.stack ?? err) });
    res.status(500).json({ error: 'internal error' });
  });

  async function jsonBody(req: Request): Promise<unknown> {
    // go-proxy decodes whatever it is sent as JSON; so do we (curl -d without a content type too)
    const parsed = parseJson(await readBody(req));
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    return parsed.value;
  }

  async function serialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(name) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (locks.get(name) === tail) locks.delete(name);
    }
  }

  return app;
}
