// The REST surface: express 5 routing onto the generic handlers. Discovery, OpenAPI, health,
// version and metrics sit beside the resource routes; every error leaves as a metav1.Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import client from 'prom-client';
import { ApiError, forbidden, methodNotAllowed, namespaceTerminating, unauthorized } from '../apierrors/errors';
import type { KObject } from '../../apis/meta/v1/types';
import type { TokenAuthenticator, User } from '../auth/tokens';
import { baseOf, inNamespace, type Resource } from '../registry/resource';
import type { RegistryContext } from '../registry/generic/context';
import type { Logger } from '../log/logger';
import { accessLog, requestIdOf } from '../log/access_log';
import { Cacher } from './watchcache/cacher';
import type { ServerContext } from './context';
import { handleGet, handleList } from './handlers/read';
import { handleCreate, handlePatch, handleUpdate } from './handlers/write';
import { handleDelete, handleDeleteCollection } from './handlers/delete';
import { aggregatedDiscovery, AGGREGATED_CONTENT_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions, emptyAggregatedDiscovery, groupsOf } from './discovery';
import { buildV2, buildV3, v3Index } from './openapi/document';
import { encodeV2, V2_PROTOBUF } from './openapi/v2_protobuf';
import { negotiate } from './request/negotiate';
import { str, type Query } from './request/query';
import { send, sendError } from './respond';
import { apiserverMetrics } from './metrics';
import { guardNamespaceDelete, isTerminating, requireNamespace } from './namespaces';
import { matchResourcePath } from './resource_path';

export const SERVER_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-switchyard', gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'node', platform: `${process.platform}/${process.arch}` };

export interface ApiServerOptions {
  registry: RegistryContext;
  resources: Resource[];
  log: Logger;
  /** undefined: no authentication (tests, or an explicit --anonymous on loopback) */
  auth?: TokenAuthenticator;
  metricsRegistry?: client.Registry;
  /** extra routers mounted before the 404 (console, facades served on the API port) */
  extraRoutes?: (app: express.Express) => void;
}

export interface ApiServer {
  app: express.Express;
  /**
   * The request listener to serve: a served resource's URL goes straight to its handler (the same
   * access log, authentication and dispatch express would run, without its router); every other
   * URL, and any unusual form of a resource URL, goes to `app`.
   */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  ctx: ServerContext;
  /** ends watches (with a final bookmark) and stops the caches */
  shutdown(): void;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export function createApiServer(opts: ApiServerOptions): ApiServer {
  const cachers = new Map<Resource, Cacher>();
  // a Set: each watch unregisters when it ends, so a long-lived server holds only the open ones
  const closeFns = new Set<() => void>();
  const closing = {
    closed: false,
    onClose: (fn: () => void) => {
      closeFns.add(fn);
      return () => void closeFns.delete(fn);
    },
  };
  const ctx: ServerContext = {
    registry: opts.registry,
    resources: opts.resources,
    log: opts.log,
    closing,
    cacherFor(view) {
      // a namespace view shares its resource's cache (listopts.ts filters by namespace)
      const r = baseOf(view);
      let c = cachers.get(r);
      if (!c) {
        c = new Cacher(opts.registry.store, r.keyPrefix, { log: (msg, meta) => opts.log.warn(msg, meta) });
        cachers.set(r, c);
      }
      return c;
    },
  };
  // Start every watch cache now, as kube-apiserver does: a list then answers at a revision the
  // cache already covers, so a client re-watching a quiet resource from that list's
  // resourceVersion is served from the cache window and never sent to (compacted) store history.
  for (const r of opts.resources) {
    ctx.cacherFor(r).start().catch((err: Error) => opts.log.warn('watch cache did not start; retried on first use', { resource: r.plural, error: err.message }));
  }
  const metricsRegistry = opts.metricsRegistry ?? new client.Registry();
  const metrics = apiserverMetrics(metricsRegistry, () => [...cachers].map(([r, c]) => ({ group: r.group, resource: r.plural, count: c.watcherCount })));
  const groups = groupsOf(opts.resources);
  const v3 = buildV3(opts.resources, SERVER_VERSION.gitVersion);
  const v3ByPath = new Map(v3.map((d) => [d.path, d]));
  const v2 = buildV2(opts.resources, SERVER_VERSION.gitVersion);

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  // a request id on every answer (X-Request-Id and kube's Audit-Id) and one log line per request
  const logAccess = accessLog({
    log: opts.log,
    component: 'apiserver',
    auditId: true,
    quiet: new Set(['/healthz', '/livez', '/readyz', '/metrics']),
    // controllers' own bookkeeping: status writes and leader-election Lease renewals (every 2 s per replica)
    routine: (req) => req.path.endsWith('/status') || req.path.startsWith('/apis/coordination.k8s.io/'),
    user: (req) => (req as Request & { user?: User }).user?.name,
  });
  app.use(logAccess);

  // public: health and version (kube's system:public-info-viewer)
  const ok = (_req: Request, res: Response) => void res.type('text/plain').send('ok');
  app.get('/healthz', ok);
  app.get('/livez', ok);
  app.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(opts.registry.store.currentRevision(), 2000);
      res.type('text/plain').send('ok');
    } catch (err) {
      res.status(503).type('text/plain').send(`[-]storage failed: ${(err as Error).message}\nreadyz check failed`);
    }
  });
  app.get('/version', (_req, res) => send(res, 200, SERVER_VERSION));

  // authentication for everything else
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    if (!opts.auth) return next();
    const user = opts.auth.authenticate(req.headers.authorization);
    if (!user) return sendError(res, unauthorized());
    (req as Request & { user?: User }).user = user;
    next();
  };
  app.use(authenticate);

  // The resource routes first after authentication: the routes below never match a path of three
  // to five segments under /apis/ that names a served resource, so order changes no answer, and
  // the busiest requests skip a dozen route matches.
  const byPath = new Map<string, { r: Resource; version: string }>();
  for (const r of opts.resources) for (const v of r.versions) byPath.set(`${r.group}/${v.name}/${r.plural}`, { r, version: v.name });

  // /api/<v>/… is the core group (""); /…/namespaces/<ns>/<plural>/… a namespaced resource's
  const dispatch = async (req: Request, res: Response, next: NextFunction) => {
    const group = (req.params.group as string | undefined) ?? '';
    const hit = byPath.get(`${group}/${req.params.version}/${req.params.plural}`);
    // not a served resource: the routes below (Leases, the console's stats), else the 404 at the end
    if (!hit) return next();
    const namespace = req.params.namespace as string | undefined;
    // namespaces/<name>/status is the Namespace's status, not a resource named "status"
    if (namespace !== undefined && !hit.r.namespaced) return next();
    const { version } = hit;
    const r = namespace !== undefined ? inNamespace(hit.r, namespace) : hit.r;
    const name = req.params.name as string | undefined;
    const sub = req.params.sub as string | undefined;
    if (sub !== undefined && (sub !== 'status' || !r.hasStatus)) return notFoundPath(res);
    // a namespaced resource across namespaces: list and watch only, as kube
    if (r.namespaced && namespace === undefined && name !== undefined) return notFoundPath(res);
    const verb = verbOf(req.method, !!name, sub, str(req.query as Query, 'watch'));
    const started = process.hrtime.bigint();
    try {
      if (!verb || (!sub && !r.verbs.includes(verb)) || (r.namespaced && namespace === undefined && verb !== 'list' && verb !== 'watch')) {
        throw methodNotAllowed(req.method, sub ? `${r.plural}/${sub}` : r.plural);
      }
      const user = (req as Request & { user?: User }).user;
      if (user && user.role !== 'admin' && (WRITE_VERBS.has(verb) || r.strategy.adminOnlyRead)) throw forbidden(r.gr, name ?? '', user.name, verb, namespace);
      if (name !== undefined && name === '') throw methodNotAllowed(req.method, r.plural);
      // new content (POST, or an apply that creates) in a terminating namespace is refused, as kube's NamespaceLifecycle
      let admitCreate: ((obj: KObject) => void) | undefined;
      if (namespace !== undefined && (verb === 'create' || verb === 'update' || verb === 'patch')) {
        const ns = await requireNamespace(ctx, namespace, verb !== 'update');
        if (ns && isTerminating(ns)) admitCreate = (obj) => { throw namespaceTerminating(r.gr, obj.metadata.name ?? '', namespace); };
      }
      if (verb === 'delete' && r.group === '' && r.plural === 'namespaces') await guardNamespaceDelete(ctx, name!);
      switch (verb) {
        case 'list':
        case 'watch':
          await handleList(ctx, r, version, req, res);
          break;
        case 'create':
          await handleCreate(ctx, r, version, req, res, admitCreate);
          break;
        case 'deletecollection':
          await handleDeleteCollection(ctx, r, version, req, res);
          break;
        case 'get':
          await handleGet(ctx, r, version, req, res);
          break;
        case 'update':
          await handleUpdate(ctx, r, version, req, res, sub === 'status' ? 'status' : undefined);
          break;
        case 'patch':
          await handlePatch(ctx, r, version, req, res, sub === 'status' ? 'status' : undefined, admitCreate);
          break;
        case 'delete':
          await handleDelete(ctx, r, version, req, res);
          break;
      }
    } catch (err) {
      if (!(err instanceof ApiError) || err.code >= 500) opts.log.warn('request failed', { requestId: requestIdOf(res), method: req.method, path: req.path, error: (err as Error).message });
      sendError(res, err);
    } finally {
      metrics.record(verb ?? req.method, r.group, r.plural, sub ?? '', res.statusCode, verb === 'watch' ? undefined : Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  app.all('/api/:version/namespaces/:namespace/:plural', dispatch);
  app.all('/api/:version/namespaces/:namespace/:plural/:name', dispatch);
  app.all('/api/:version/namespaces/:namespace/:plural/:name/:sub', dispatch);
  app.all('/api/:version/:plural', dispatch);
  app.all('/api/:version/:plural/:name', dispatch);
  app.all('/api/:version/:plural/:name/:sub', dispatch);
  app.all('/apis/:group/:version/namespaces/:namespace/:plural', dispatch);
  app.all('/apis/:group/:version/namespaces/:namespace/:plural/:name', dispatch);
  app.all('/apis/:group/:version/namespaces/:namespace/:plural/:name/:sub', dispatch);
  app.all('/apis/:group/:version/:plural', dispatch);
  app.all('/apis/:group/:version/:plural/:name', dispatch);
  app.all('/apis/:group/:version/:plural/:name/:sub', dispatch);

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.end(await metricsRegistry.metrics());
  });

  const core = groups.find((g) => g.name === '');
  const named = groups.filter((g) => g.name !== '');
  app.get('/api', (req, res) => {
    if (negotiate(req.headers.accept).aggregatedDiscovery) return sendAggregated(res, core ? aggregatedDiscovery([core]) : emptyAggregatedDiscovery());
    send(res, 200, apiVersions(core?.versions ?? []));
  });
  app.get('/api/:version', (req, res) => {
    if (!core || !core.versions.includes(req.params.version as string)) return notFoundPath(res);
    send(res, 200, apiResourceList(core, req.params.version as string));
  });
  app.get('/apis', (req, res) => {
    if (negotiate(req.headers.accept).aggregatedDiscovery) return sendAggregated(res, aggregatedDiscovery(named));
    send(res, 200, apiGroupList(named));
  });
  app.get('/apis/:group', (req, res) => {
    const g = named.find((x) => x.name === req.params.group);
    if (!g) return notFoundPath(res);
    send(res, 200, apiGroup(g));
  });
  app.get('/apis/:group/:version', (req, res) => {
    const g = named.find((x) => x.name === req.params.group);
    if (!g || !g.versions.includes(req.params.version as string)) return notFoundPath(res);
    send(res, 200, apiResourceList(g, req.params.version as string));
  });

  app.get('/openapi/v3', (_req, res) => send(res, 200, v3Index(v3)));
  app.get(['/openapi/v3/apis/:group/:version', '/openapi/v3/api/:version'], (req, res) => {
    const d = v3ByPath.get(req.params.group === undefined ? `api/${req.params.version}` : `apis/${req.params.group}/${req.params.version}`);
    if (!d) return notFoundPath(res);
    if (req.query.hash === d.hash) res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('Etag', `"${d.hash}"`);
    send(res, 200, d.doc);
  });
  const v2pb = encodeV2(v2 as Parameters<typeof encodeV2>[0]);
  app.get('/openapi/v2', (req, res) => {
    // kubectl asks for protobuf (1.20 cannot apply without it); other clients get JSON
    const accept = req.headers.accept ?? '';
    if (accept.includes(V2_PROTOBUF)) {
      res.status(200).setHeader('Content-Type', 'application/octet-stream'); // as kube-openapi: Go's mime parser rejects the '@'
      res.end(v2pb);
      return;
    }
    if (accept && !/application\/json|\*\/\*/.test(accept)) return notFoundPath(res);
    send(res, 200, v2);
  });

  opts.extraRoutes?.(app);


  app.use((_req: Request, res: Response) => notFoundPath(res));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (!(err instanceof ApiError) || err.code >= 500) opts.log.warn('request failed', { requestId: requestIdOf(res), method: req.method, path: req.path, error: (err as Error)?.message ?? String(err) });
    sendError(res, err);
  });

  // The direct route table: what express's app.handle and router would do for a resource URL that
  // dispatch serves (it never calls next() for one: a served group/version/plural, namespaced when
  // the URL names a namespace), in the same order: access log, authentication, dispatch.
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const params = matchResourcePath(req.url ?? '');
    const hit = params && byPath.get(`${params.group ?? ''}/${params.version}/${params.plural}`);
    if (!params || !hit || (params.namespace !== undefined && !hit.r.namespaced)) return void app(req, res);
    const rq = req as Request;
    const rs = res as Response;
    rq.res = rs;
    rs.req = rq;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    if (!rs.locals) rs.locals = Object.create(null);
    rq.originalUrl = req.url!;
    rq.params = params as unknown as Request['params'];
    const notServed = () => notFoundPath(rs); // not reached: dispatch serves every URL let through here
    try {
      logAccess(rq, rs, () => authenticate(rq, rs, () => void dispatch(rq, rs, notServed)));
    } catch (err) {
      if (!(err instanceof ApiError) || err.code >= 500) opts.log.warn('request failed', { requestId: requestIdOf(rs), method: req.method, path: rq.path, error: (err as Error)?.message ?? String(err) });
      sendError(rs, err);
    }
  };

  return {
    app,
    handler,
    ctx,
    shutdown() {
      if (closing.closed) return;
      closing.closed = true;
      const fns = [...closeFns];
      closeFns.clear();
      for (const fn of fns) {
        try {
          fn();
        } catch {
          /* a closed socket */
        }
      }
      for (const c of cachers.values()) c.stop();
    },
  };
}

function verbOf(method: string, item: boolean, sub: string | undefined, watch: string | undefined): string | undefined {
  if (sub) return method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : undefined;
  if (!item) {
    // Go's ParseBool, as handleList reads it (an invalid value is its 400)
    if (method === 'GET') return watch !== undefined && watch !== '' && !['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(watch) ? 'watch' : 'list';
    return method === 'POST' ? 'create' : method === 'DELETE' ? 'deletecollection' : undefined;
  }
  return ({ GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method];
}

function notFoundPath(res: Response): void {
  sendError(res, new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}));
}

function sendAggregated(res: Response, body: object): void {
  res.status(200).setHeader('Content-Type', AGGREGATED_CONTENT_TYPE);
  res.setHeader('Vary', 'Accept');
  res.end(JSON.stringify(body));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}
