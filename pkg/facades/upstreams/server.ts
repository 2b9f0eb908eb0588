// Upstreams & targets admin API (seeds/upstreams-and-targets, DESIGN.md "Facades"):
//   GET/POST        /api/upstreams                 list {data:[…],meta:{total}} / create 201 {data}
//   GET/PATCH/DELETE /api/upstreams/:id            by id (or by name); DELETE → 204
//   GET/POST        /api/upstreams/:id/targets     Kong's nested form of the two below
//   GET/POST        /api/targets[?upstreamId=]     list / create 201 {data}
//   GET/PATCH/DELETE /api/targets/:id
// Errors: {"error":{"code":"NOT_FOUND"|"CONFLICT"|"VALIDATION_ERROR","message","details"?}} with
// 404/409/400 (413 for a body over 1 MiB). With SWITCHYARD_UPSTREAMS_TOKEN set every request
// needs `Authorization: Bearer <token>` (401 UNAUTHORIZED); writes are rate limited per client IP
// (SWITCHYARD_UPSTREAMS_RATE_LIMIT per minute, default 600, 0 = off: 429 RATE_LIMITED + Retry-After).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { KObject } from '../../../apis/meta/v1/types';
import { ApiError } from '../../apierrors/errors';
import type { Logger } from '../../log/logger';
import { requestIdOf } from '../../log/access_log';
import { facadeApp } from '../common/app';
import type { FacadeMetrics } from '../common/metrics';
import { HttpError, isObject, parseJson, readBody } from '../common/http';
import { bearerGuard, writeRateLimit } from '../common/guards';
import { invalidCauses, type Objects } from '../common/objects';
import {
  editableTargets,
  ID_LABEL,
  isUpstream,
  newId,
  newTargetMeta,
  parseTarget,
  targetFields,
  targetsOf,
  upstreamBackend,
  upstreamFields,
  upstreamMeta,
  upstreamName,
  upstreamView,
  ValidationError,
  withTargets,
  withUpstream,
  DEFAULT_WEIGHT,
  type Target,
} from './mapping';

export interface UpstreamsAppOptions {
  /** request counters and latency (the process registry) */
  metrics?: FacadeMetrics;
  objects: Objects;
  log: Logger;
  token?: string;
  /** writes (POST/PATCH/PUT/DELETE) per minute per client IP; 0: unlimited */
  rateLimitPerMinute?: number;
}

export const DEFAULT_UPSTREAMS_RATE_LIMIT = 600;

const BODY_LIMIT = 1024 * 1024;

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const notFound = (what: string, id: string) => new ApiFailure(404, 'NOT_FOUND', `${what} ${JSON.stringify(id)} not found`);
const conflictErr = (msg: string, details?: unknown) => new ApiFailure(409, 'CONFLICT', msg, details);

export function upstreamsApp(opts: UpstreamsAppOptions): express.Express {
  const { objects, log } = opts;
  const app = facadeApp({ component: 'upstreams', log, metrics: opts.metrics });

  app.use(bearerGuard({ token: opts.token, realm: 'switchyard-upstreams', reject: (res) => void res.json({ error: { code: 'UNAUTHORIZED', message: 'send "Authorization: Bearer <token>"' } }) }));
  app.use(writeRateLimit({
    perMinute: opts.rateLimitPerMinute ?? DEFAULT_UPSTREAMS_RATE_LIMIT,
    reject: (res, n) => void res.json({ error: { code: 'RATE_LIMITED', message: `rate limit exceeded: at most ${n} writes per minute per client` } }),
  }));

  // ---- upstreams ----
  app.get('/api/upstreams', async (_req, res) => {
    const items = (await listUpstreams()).map(upstreamView);
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    res.json({ data: items, meta: { total: items.length } });
  });

  app.post('/api/upstreams', async (req, res) => {
    const body = await objectBody(req);
    const name = upstreamName(body.name);
    const meta = upstreamFields(body);
    const id = newId('upstream');
    try {
      const o = await objects.create('backends', upstreamBackend(name, id, meta));
      log.info('upstreams: upstream created', { requestId: requestIdOf(res), id, name });
      res.status(201).json({ data: upstreamView(o) });
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) throw conflictErr(`an upstream (or Backend) named ${JSON.stringify(name)} already exists`, { field: 'name' });
      throw err;
    }
  });

  app.get('/api/upstreams/:id', async (req, res) => {
    res.json({ data: upstreamView(await findUpstream(req.params.id as string)) });
  });

  app.patch('/api/upstreams/:id', async (req, res) => {
    const body = await objectBody(req);
    const cur = await findUpstream(req.params.id as string);
    if (body.name !== undefined && body.name !== cur.metadata.name) {
      throw new ValidationError('name cannot be changed: it is the name of the upstream\'s Backend', { field: 'name' });
    }
    const o = await objects.update('backends', cur.metadata.name!, (c) => {
      if (!isUpstream(c) || c.metadata.uid !== cur.metadata.uid) throw notFound('upstream', req.params.id as string);
      return withUpstream(c, upstreamFields(body, upstreamMeta(c)));
    });
    if (!o) throw notFound('upstream', req.params.id as string);
    res.json({ data: upstreamView(o) });
  });

  app.delete('/api/upstreams/:id', async (req, res) => {
    req.resume();
    const cur = await findUpstream(req.params.id as string);
    if (!(await objects.delete('backends', cur.metadata.name!, { uid: cur.metadata.uid }).catch(gone))) throw notFound('upstream', req.params.id as string);
    log.info('upstreams: upstream deleted', { requestId: requestIdOf(res), id: req.params.id, name: cur.metadata.name });
    res.status(204).end();
  });

  // ---- targets ----
  app.get('/api/upstreams/:id/targets', async (req, res) => {
    const data = targetsOf(await findUpstream(req.params.id as string));
    res.json({ data, meta: { total: data.length } });
  });

  app.post('/api/upstreams/:id/targets', async (req, res) => {
    const body = await objectBody(req);
    res.status(201).json({ data: await addTarget(req.params.id as string, body, requestIdOf(res)) });
  });

  app.get('/api/targets', async (req, res) => {
    const q = req.query.upstreamId;
    if (q !== undefined && typeof q !== 'string') throw new ValidationError('upstreamId must be given once', { field: 'upstreamId' });
    const data: Target[] = q ? targetsOf(await findUpstream(q)) : (await listUpstreams()).flatMap(targetsOf);
    res.json({ data, meta: { total: data.length } });
  });

  app.post('/api/targets', async (req, res) => {
    const body = await objectBody(req);
    if (typeof body.upstreamId !== 'string' || body.upstreamId === '') throw new ValidationError('upstreamId is required', { field: 'upstreamId' });
    res.status(201).json({ data: await addTarget(body.upstreamId, body, requestIdOf(res)) });
  });

  app.get('/api/targets/:id', async (req, res) => {
    res.json({ data: (await findTarget(req.params.id as string)).target });
  });

  app.patch('/api/targets/:id', async (req, res) => {
    const body = await objectBody(req);
    const id = req.params.id as string;
    const fields = targetFields(body);
    const parsed = body.target !== undefined ? parseTarget(body.target) : undefined;
    if (body.upstreamId !== undefined && typeof body.upstreamId !== 'string') throw new ValidationError('upstreamId must be a string', { field: 'upstreamId' });
    const found = await findTarget(id);
    if (body.upstreamId !== undefined && body.upstreamId !== found.target.upstreamId) throw new ValidationError('a target cannot move to another upstream', { field: 'upstreamId' });
    const o = await objects.update('backends', found.upstream.metadata.name!, (cur) => {
      if (!isUpstream(cur) || cur.metadata.uid !== found.upstream.metadata.uid) throw notFound('target', id);
      const list = editableTargets(cur);
      const t = list.find((x) => x.meta.id === id);
      if (!t) throw notFound('target', id);
      if (parsed) {
        if (parsed.key !== t.meta.key && list.some((x) => x.meta.key === parsed.key)) throw conflictErr(`target ${parsed.key} already exists in this upstream`, { field: 'target' });
        checkScheme(cur, list.length > 1, parsed.tls);
        t.endpoint = { ...parsed.endpoint, weight: t.endpoint.weight ?? DEFAULT_WEIGHT };
        t.meta = { ...t.meta, key: parsed.key, target: String(body.target).trim() };
        t.tls = parsed.tls;
      }
      if (fields.weight !== undefined) t.endpoint.weight = fields.weight;
      if (fields.tags !== undefined) t.meta = { ...t.meta, tags: fields.tags };
      return withTargets(cur, list);
    });
    if (!o) throw notFound('target', id);
    const t = targetsOf(o).find((x) => x.id === id);
    if (!t) throw notFound('target', id);
    res.json({ data: t });
  });

  app.delete('/api/targets/:id', async (req, res) => {
    req.resume();
    const id = req.params.id as string;
    const found = await findTarget(id);
    const o = await objects.update('backends', found.upstream.metadata.name!, (cur) => {
      const list = editableTargets(cur);
      if (!list.some((x) => x.meta.id === id)) throw notFound('target', id);
      return withTargets(cur, list.filter((x) => x.meta.id !== id));
    });
    if (!o) throw notFound('target', id);
    log.info('upstreams: target removed', { requestId: requestIdOf(res), id, upstream: found.upstream.metadata.name });
    res.status(204).end();
  });

  app.use((req, res) => {
    req.resume();
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no such endpoint: ${req.method} ${req.path}` } });
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    const send = (status: number, code: string, message: string, details?: unknown) =>
      void res.status(status).json({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
    if (err instanceof ApiFailure) return send(err.status, err.code, err.message, err.details);
    if (err instanceof ValidationError) return send(400, 'VALIDATION_ERROR', err.message, err.details);
    if (err instanceof HttpError) return send(err.status, 'VALIDATION_ERROR', err.message);
    if (err instanceof ApiError) {
      if (err.code === 422 || err.code === 400) {
        const causes = invalidCauses(err);
        return send(400, 'VALIDATION_ERROR', causes.length ? causes.map((c) => `${c.field}: ${c.message}`).join('; ') : err.message, causes.length ? causes : undefined);
      }
      if (err.code === 404) return send(404, 'NOT_FOUND', err.message);
      if (err.code === 409) return send(409, 'CONFLICT', err.message);
      log.warn('upstreams: request failed', { requestId: requestIdOf(res), path: req.path, code: err.code, error: err.message });
      return send(err.code >= 500 ? 503 : err.code, 'UNAVAILABLE', err.message);
    }
    log.error('upstreams: internal error', { requestId: requestIdOf(res), path: req.path, error: String((err as Error)?.stack ?? err) });
    send(500, 'INTERNAL_ERROR', 'internal error');
  });

  async function objectBody(req: Request): Promise<Record<string, unknown>> {
    const parsed = parseJson(await readBody(req, BODY_LIMIT));
    if (!parsed.ok) throw new ValidationError(parsed.error);
    if (!isObject(parsed.value)) throw new ValidationError('the request body must be a JSON object');
    return parsed.value;
  }

  async function listUpstreams(): Promise<KObject[]> {
    return (await objects.list('backends', isUpstream)).items;
  }

  /** By id (`upstream_…`), else by name. */
  async function findUpstream(idOrName: string): Promise<KObject> {
    const byId = (await objects.list('backends', (o) => isUpstream(o) && o.metadata.labels?.[ID_LABEL] === idOrName)).items[0];
    if (byId) return byId;
    const byName = await objects.get('backends', idOrName);
    if (byName && isUpstream(byName)) return byName;
    throw notFound('upstream', idOrName);
  }

  async function findTarget(id: string): Promise<{ upstream: KObject; target: Target }> {
    for (const u of await listUpstreams()) {
      const t = targetsOf(u).find((x) => x.id === id);
      if (t) return { upstream: u, target: t };
    }
    throw notFound('target', id);
  }

  /** All of an upstream's targets speak one scheme (the Backend's protocol). */
  function checkScheme(cur: KObject, hasOthers: boolean, tls: boolean): void {
    if (!hasOthers) return;
    const curTls = (cur.spec as { protocol?: string } | undefined)?.protocol === 'tls';
    if (curTls !== tls) throw new ValidationError(`the upstream's targets use ${curTls ? 'https' : 'http'}; a target cannot use ${tls ? 'https' : 'http'}`, { field: 'target' });
  }

  async function addTarget(upstreamRef: string, body: Record<string, unknown>, requestId: string | undefined): Promise<Target> {
    const parsed = parseTarget(body.target);
    const fields = targetFields(body);
    const up = await findUpstream(upstreamRef);
    const meta = newTargetMeta(parsed, String(body.target), fields.tags ?? []);
    const o = await objects.update('backends', up.metadata.name!, (cur) => {
      if (!isUpstream(cur) || cur.metadata.uid !== up.metadata.uid) throw notFound('upstream', upstreamRef);
      const list = editableTargets(cur);
      if (list.some((x) => x.meta.key === parsed.key)) throw conflictErr(`target ${parsed.key} already exists in this upstream`, { field: 'target' });
      checkScheme(cur, list.length > 0, parsed.tls);
      list.push({ meta, endpoint: { ...parsed.endpoint, weight: fields.weight ?? DEFAULT_WEIGHT }, tls: parsed.tls });
      return withTargets(cur, list);
    });
    if (!o) throw notFound('upstream', upstreamRef);
    const t = targetsOf(o).find((x) => x.id === meta.id)!;
    log.info('upstreams: target added', { requestId, id: t.id, upstream: up.metadata.name, target: t.target, weight: t.weight });
    return t;
  }

  return app;
}

function gone(err: unknown): boolean {
  if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return false;
  throw err;
}
