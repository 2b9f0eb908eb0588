// The in-process proxy: node:http listeners (no framework in the hot path), a compiled data plane
// swapped atomically per snapshot, undici pools upstream. Keeps serving its last good snapshot
// whatever happens to the apiserver.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import client from 'prom-client';
import type { Logger } from '../log/logger';
import { DEFAULT_LISTENER_ID, DEFAULT_TLS_LISTENER_ID, type ListenerIR, type RuleIR, type Snapshot } from './ir';
import { randomUUID } from 'node:crypto';
import { acceptedRequestId } from '../log/request_id';
import { RequestLog } from './access_log';
import { emptySnapshot } from './ir';
import { compileDataPlane, type DataPlane, type RuleRuntime } from './dataplane';
import { ListenerManager, type TlsSource } from './listeners';
import { UpstreamPools } from './upstream/pools';
import type { UpstreamTrust } from './upstream/tls';
import type { HostResolver } from './resolve';
import { Exchange } from './exchange';
import { ProxyMetrics } from './metrics';
import { ProxyStats } from './stats/ring';
import { redirectLocation } from './filters/redirect';
import { isPreflight, preflightHeaders } from './filters/cors';
import { removeDotSegments } from './filters/dot_segments';
import { proxyUpgrade } from './upgrade';
import { ActiveHealthChecker } from './health/active';
import { DenyList } from './forward/denylist';
import { forwardTarget } from './forward/target';
import { proxyConnect } from './forward/connect';
import type { ProxyContext } from './context';
import { absoluteAuthority, appendVia, distrustForwarded, manyHosts, MAX_REQUEST_HEADERS, replaceHost, TrustedPeers, viaHasToken } from './front';
import { answerAndClose, logDetached, plainAnswer } from './tunnel';
import { upstreamTimeouts, type UpstreamTimeouts } from './upstream/timeouts';
import type { RouteMatch, RouteRequest } from './router/compile';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { adaptH2Request, isHTTP2 } from './h2_request';
import { isGrpcRequest, writeGrpcError } from './grpc';
import type { RateLimitResult } from './resilience/rate_limit';

export interface ProxyOptions {
  /** the default listener (--proxy-listen) */
  listen: { host: string; port: number };
  log: Logger;
  resolver: HostResolver;
  metricsRegistry?: client.Registry;
  now?: () => number;
  rand?: () => number;
  /** a new bind error or a freed port: the controller re-reports Gateway status */
  onListenersChanged?: () => void;
  /** forward-proxy deny-list (default: link-local metadata ranges) */
  deny?: DenyList;
  /** a client must finish sending its request headers within this (default 30 s; slowloris) */
  headersTimeoutMs?: number;
  /** one structured log line per request (--proxy-access-log) */
  accessLog?: boolean;
  /** the certificate TLS listeners present; `listen` adds an HTTPS twin of the default listener */
  tls?: { certificate: TlsSource; listen?: { host: string; port: number } };
  /** what tls/h2 upstreams are verified against (default: the system trust store) */
  upstreamTrust?: UpstreamTrust;
  /** peers whose X-Forwarded-*, Forwarded and X-Request-Id are kept (--trusted-proxies; default none) */
  trustedProxies?: TrustedPeers;
  /** this proxy's Via pseudonym (--proxy-via-name); a request already carrying it has looped: 508 */
  viaName?: string;
  /** CONNECT and WebSocket tunnels idle both ways this long are closed (--tunnel-idle-timeout; 0: never; default 1 h) */
  tunnelIdleMs?: number;
  /** upstream response headers / body idle and client body idle timeouts (default 60 s each; 0 disables) */
  timeouts?: Partial<UpstreamTimeouts>;
  /** a proxy worker (--proxy-workers > 1, workers/): what the main process does for the whole process */
  worker?: WorkerHooks;
  /** plain listeners serve common HTTP/1.1 requests on the fast path (pkg/proxy/http1; default on) */
  http1FastPath?: boolean;
}

/** How a worker process's Proxy defers to the main process (pkg/proxy/workers). */
export interface WorkerHooks {
  /** the rate limit buckets live in the main: one bucket for every worker */
  takeToken(ruleId: string, key: string): Promise<RateLimitResult>;
  /** finished requests go to the main's stats and metrics instead of this process's */
  observe(route: string, backend: string, status: number, ms: number, at: number): void;
}

/** the Via pseudonym when none is given (the binary passes one per data dir) */
const DEFAULT_VIA_NAME = `switchyard-${randomUUID().slice(0, 8)}`;
const DEFAULT_TUNNEL_IDLE_MS = 3_600_000;

/** What the front door decided for a request before routing. */
interface Admission {
  /** the proxy answers itself: status and message */
  refuse?: { status: number; reason: string; msg: string };
  /** the request id (the client's only from a trusted peer, when acceptable) */
  rid: string;
  generatedId: boolean;
}

export class Proxy implements ProxyContext {
  readonly pools: UpstreamPools;
  readonly resolver: HostResolver;
  readonly deny: DenyList;
  readonly metrics: ProxyMetrics;
  /** per-route/per-backend rings for the web console (15 min at 10 s) */
  readonly stats = new ProxyStats();
  readonly listeners: ListenerManager;
  readonly requestLog: RequestLog;
  readonly timeouts: UpstreamTimeouts;
  private dp: DataPlane;
  readonly health: ActiveHealthChecker;
  private readonly deps: { now: () => number; rand: () => number };
  private snapshotQueue: Promise<void> = Promise.resolve();
  private readonly routeRequest = new ReusedRouteRequest();
  private readonly trusted: TrustedPeers;
  readonly viaName: string;
  private readonly tunnelIdleMs: number;
  /** a proxy worker: rate limit tokens come from the main process (ProxyContext) */
  readonly takeToken: ProxyContext['takeToken'];

  constructor(private readonly opts: ProxyOptions) {
    this.takeToken = opts.worker?.takeToken;
    this.resolver = opts.resolver;
    this.pools = new UpstreamPools({ trust: opts.upstreamTrust });
    this.deny = opts.deny ?? new DenyList();
    this.trusted = opts.trustedProxies ?? new TrustedPeers([]);
    this.viaName = opts.viaName ?? DEFAULT_VIA_NAME;
    this.tunnelIdleMs = opts.tunnelIdleMs ?? DEFAULT_TUNNEL_IDLE_MS;
    this.metrics = new ProxyMetrics(opts.metricsRegistry ?? new client.Registry());
    this.requestLog = new RequestLog(opts.log, opts.accessLog ?? false);
    this.timeouts = upstreamTimeouts(opts.timeouts);
    this.deps = { now: opts.now ?? Date.now, rand: opts.rand ?? Math.random };
    this.listeners = new ListenerManager(
      {
        request: (req, res, port) => this.onRequest(req, res, port),
        upgrade: (req, socket, head, port) => this.onUpgrade(req, socket, head, port),
        connect: (req, socket, head, port) => this.onConnect(req, socket, head, port),
      },
      () => {
        this.deny.setListening('proxy', this.listeners.boundAddresses());
        opts.onListenersChanged?.();
      },
      opts.headersTimeoutMs ? { headersTimeout: opts.headersTimeoutMs } : {},
      opts.tls?.certificate,
      opts.http1FastPath ?? process.env.SWITCHYARD_HTTP1_FAST_PATH !== '0',
    );
    this.dp = compileDataPlane(emptySnapshot(), new Map(), undefined, this.deps);
    this.health = new ActiveHealthChecker({
      pools: this.pools,
      resolver: this.resolver,
      now: this.deps.now,
      onVerdict: (backend, endpoint, healthy) => opts.log.info('endpoint health changed', { backend, endpoint, healthy }),
    });
  }

  now(): number {
    return this.deps.now();
  }

  observe(rule: Parameters<ProxyMetrics['observe']>[0], backend: string, status: number, ms: number): void {
    const w = this.opts.worker;
    if (w !== undefined) return w.observe(rule ? rule.route : '', backend, status, ms, Date.now());
    this.metrics.observe(rule, backend, status, ms);
    this.stats.observe(rule ? rule.route : '', backend, status, ms, Date.now());
  }

  get snapshot(): Snapshot {
    return this.dp.snapshot;
  }

  get dataPlane(): DataPlane {
    return this.dp;
  }

  /** Opens the default listener. */
  async start(): Promise<void> {
    await this.listeners.reconcile(this.allListeners(this.dp.snapshot));
    this.dp = compileDataPlane(this.dp.snapshot, this.listeners.idsByPort(), this.dp, this.deps);
    const err = this.listeners.bindErrors.get(DEFAULT_LISTENER_ID) ?? this.listeners.bindErrors.get(DEFAULT_TLS_LISTENER_ID);
    if (err) throw new Error(err);
  }

  defaultPort(): number | undefined {
    return this.listeners.boundPort(DEFAULT_LISTENER_ID);
  }

  /** the bound port of --proxy-tls-listen */
  tlsPort(): number | undefined {
    return this.listeners.boundPort(DEFAULT_TLS_LISTENER_ID);
  }

  schemeFor(port: number): 'http' | 'https' {
    return this.listeners.isTLS(port) ? 'https' : 'http';
  }

  /** Swap in a snapshot (serialized: listeners bind before the routers that use them). */
  setSnapshot(s: Snapshot): Promise<void> {
    this.snapshotQueue = this.snapshotQueue.then(async () => {
      await this.listeners.reconcile(this.allListeners(s));
      this.dp = compileDataPlane(s, this.listeners.idsByPort(), this.dp, this.deps);
      // workers: the main process runs the active checks and pushes verdicts (workers/)
      if (!this.opts.worker) this.health.sync(this.dp.backends);
      // a verdict belongs to the TLS settings it was made with
      this.pools.verdicts.prune(s.backends);
      this.metrics.generation.set(s.generation);
      this.metrics.upstreamPools.set(this.pools.size);
      this.opts.log.debug('snapshot served', { generation: s.generation, rules: s.rules.length, backends: Object.keys(s.backends).length });
    }).catch((err: Error) => void this.opts.log.error('snapshot swap failed', { error: err.message }));
    return this.snapshotQueue;
  }

  async close(): Promise<void> {
    this.health.stop();
    await this.listeners.close();
    await this.pools.close();
  }

  private allListeners(s: Snapshot): ListenerIR[] {
    const out: ListenerIR[] = [{ id: DEFAULT_LISTENER_ID, host: this.opts.listen.host, port: this.opts.listen.port }];
    const tl = this.opts.tls?.listen;
    if (tl) out.push({ id: DEFAULT_TLS_LISTENER_ID, host: tl.host, port: tl.port, tls: true });
    return [...out, ...s.listeners];
  }

  /**
   * Every request (plain, Upgrade, CONNECT) passes here first: header limits (431), loops (508),
   * absolute-form authority → Host, untrusted X-Forwarded-* / Forwarded / X-Request-Id, and this
   * proxy's Via. Rewrites req.rawHeaders (and req.headers) in place: what is forwarded is built from them.
   */
  private admit(req: IncomingMessage, port: number): Admission {
    const peer = req.socket.remoteAddress ?? '';
    const trusted = this.trusted.trusts(peer);
    // the caller's id when acceptable and from a trusted peer (then sent upstream as it is), else a new one
    const callerId = trusted ? acceptedRequestId(req.headers['x-request-id']) : undefined;
    const adm: Admission = { rid: callerId ?? randomUUID(), generatedId: callerId === undefined };
    // node's maxHeadersCount is one above the limit: more fields than it are dropped, so "above the
    // limit" is seen here and answered, never forwarded without the fields past it
    if (req.rawHeaders.length > MAX_REQUEST_HEADERS * 2) {
      adm.refuse = { status: 431, reason: 'Request Header Fields Too Large', msg: `more than ${MAX_REQUEST_HEADERS} request header fields` };
      return adm;
    }
    if (manyHosts(req.rawHeaders)) {
      adm.refuse = { status: 400, reason: 'Bad Request', msg: 'more than one Host header' };
      return adm;
    }
    if (viaHasToken(req.headers.via, this.viaName)) {
      adm.refuse = { status: 508, reason: 'Loop Detected', msg: 'request loop: it already passed this proxy (Via)' };
      return adm;
    }
    const authority = absoluteAuthority(req.url ?? '/');
    if (authority !== null && req.headers.host !== authority) {
      req.rawHeaders = replaceHost(req.rawHeaders, authority);
      req.headers.host = authority;
    }
    if (!trusted) {
      const raw = distrustForwarded(req.rawHeaders, peer, this.schemeFor(port), req.headers.host);
      if (raw !== null) {
        req.rawHeaders = raw;
        delete req.headers['x-forwarded-proto'];
        delete req.headers['x-forwarded-host'];
        delete req.headers.forwarded;
      }
    }
    appendVia(req.rawHeaders, this.viaName);
    return adm;
  }

  private onRequest(r: IncomingMessage | Http2ServerRequest, w: ServerResponse | Http2ServerResponse, port: number): void {
    const started = performance.now();
    let rid = '';
    // an HTTP/2 request is adapted in place (h2_request.ts) and then read like an HTTP/1.1 one
    const req = r as IncomingMessage;
    const res = w as ServerResponse;
    try {
      if (isHTTP2(r)) {
        const refusal = adaptH2Request(r);
        if (refusal) return this.answer(req, res, randomUUID(), refusal.status, refusal.msg, null, started);
      }
      const adm = this.admit(req, port);
      rid = adm.rid;
      if (adm.refuse) {
        res.shouldKeepAlive = false;
        return this.answer(req, res, rid, adm.refuse.status, adm.refuse.msg, null, started);
      }
      this.route(req, res, port, rid, adm.generatedId, started);
    } catch (err) {
      this.failed(req, res, rid, started, err as Error);
    }
  }

  private route(req: IncomingMessage, res: ServerResponse, port: number, rid: string, generatedId: boolean, started: number): void {
    const dp = this.dp;
    const router = dp.routers.get(port);
    let url = req.url ?? '/';
    // an absolute-form authority has already replaced Host (admit): routing sees the Host sent upstream
    const host = req.headers.host ?? '';
    if (url.charCodeAt(0) !== 47 /* '/' */ && /^https?:\/\//i.test(url)) {
      // absolute-form (a forward-proxy request): route on the URI's path
      const t = forwardTarget(url, host, 80);
      if (!t) return this.answer(req, res, rid, 400, 'malformed absolute URI', null, started);
      url = t.path;
    }
    const q = url.indexOf('?');
    // dot-segments resolved before routing, and the normalized path goes upstream (path confusion)
    const path = removeDotSegments(q < 0 ? url : url.slice(0, q));
    const query = q < 0 ? '' : url.slice(q + 1);
    let m: RouteMatch | null = null;
    if (router !== undefined) {
      // match() is synchronous: one RouteRequest object serves every request
      const rr = this.routeRequest;
      rr.set(req, host, path, query);
      m = router.match(rr);
      rr.req = null;
    }
    if (!m) return this.answer(req, res, rid, 404, 'route not found', null, started);
    const rule = m.rule;
    if (rule.invalid) return this.answer(req, res, rid, rule.invalid.status, rule.invalid.reason, rule, started);
    const rt = dp.rules.get(rule.id)!;
    const clientIP = req.socket.remoteAddress ?? '';
    if (rt.limiter) {
      const w = this.opts.worker;
      if (w !== undefined) {
        // one bucket for the whole process: the main process holds it (workers/)
        w.takeToken(rule.id, rt.limiter.keyFor(clientIP)).then(
          (verdict) => this.limited(verdict, dp, m!, rt, req, res, port, rid, generatedId, host, path, query, clientIP, started),
          (err: Error) => this.failed(req, res, rid, started, err),
        );
        return;
      }
      const verdict = rt.limiter.take(rt.limiter.keyFor(clientIP), this.deps.now());
      if (!verdict.allowed) {
        res.setHeader('retry-after', String(verdict.retryAfterSeconds));
        return this.answer(req, res, rid, 429, 'rate limit exceeded', rule, started);
      }
    }
    this.dispatch(dp, m, rt, req, res, port, rid, generatedId, host, path, query, clientIP, started);
  }

  /** a worker's rate limit verdict came back from the main process */
  private limited(verdict: RateLimitResult, dp: DataPlane, m: RouteMatch, rt: RuleRuntime, req: IncomingMessage, res: ServerResponse, port: number, rid: string, generatedId: boolean, host: string, path: string, query: string, clientIP: string, started: number): void {
    if (res.destroyed || res.writableEnded) return;
    try {
      if (!verdict.allowed) {
        res.setHeader('retry-after', String(verdict.retryAfterSeconds));
        return this.answer(req, res, rid, 429, 'rate limit exceeded', m.rule, started);
      }
      this.dispatch(dp, m, rt, req, res, port, rid, generatedId, host, path, query, clientIP, started);
    } catch (err) {
      this.failed(req, res, rid, started, err as Error);
    }
  }

  /** a bug must cost one request, never the process */
  private failed(req: IncomingMessage, res: ServerResponse, rid: string, started: number, err: Error): void {
    this.opts.log.error('proxy request failed', { requestId: rid, error: err.stack ?? String(err) });
    if (!res.headersSent) this.answer(req, res, rid, 500, 'internal proxy error', null, started);
    else res.destroy();
  }

  /** after routing and the rate limit: a redirect, or the exchange with the upstream */
  private dispatch(dp: DataPlane, m: RouteMatch, rt: RuleRuntime, req: IncomingMessage, res: ServerResponse, port: number, rid: string, generatedId: boolean, host: string, path: string, query: string, clientIP: string, started: number): void {
    const rule = m.rule;
    if (rt.cors && isPreflight(req.method, req.headers.origin, req.headers['access-control-request-method'] as string | undefined)) {
      // CORS preflight: the proxy answers (filters/cors.ts)
      const h = preflightHeaders(rt.cors, req.headers.origin!, req.headers['access-control-request-method'] as string, req.headers['access-control-request-headers'] as string | undefined);
      h.push('x-request-id', rid); // a 204 has no body and no Content-Length
      res.writeHead(204, h);
      res.end();
      this.observe(rule, '', 204, 0);
      if (this.requestLog.accessEnabled) this.logAnswer(req, rid, 204, undefined, rule, started);
      return;
    }
    for (const f of rule.filters) {
      if (f.type === 'RequestRedirect') {
        const r = redirectLocation({ scheme: this.schemeFor(port), host, path, query, listenerPort: port }, f, m.matchedPrefix);
        res.writeHead(r.status, { location: r.location, 'content-length': 0, 'x-request-id': rid });
        res.end();
        this.observe(rule, '', r.status, 0);
        if (this.requestLog.accessEnabled) this.logAnswer(req, rid, r.status, undefined, rule, started);
        return;
      }
    }
    new Exchange(this, dp, rule, rt, req, res, path, query, m.matchedPrefix, clientIP, rid, generatedId, host, this.schemeFor(port)).start();
  }

  /** A proxy-made answer (no route, rate limited, invalid rule, …). */
  private answer(req: IncomingMessage, res: ServerResponse, rid: string, status: number, msg: string, rule: RuleIR | null, started: number): void {
    // gRPC: HTTP 200 with grpc-status (grpc.ts); metrics and the access log keep the HTTP status
    if (isGrpcRequest(req)) writeGrpcError(res, status, msg, rid, req.httpVersionMajor === 2);
    else {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(msg) + 1, 'x-request-id': rid });
      res.end(msg + '\n');
    }
    this.observe(rule, '', status, 0);
    if (this.requestLog.wants(true)) this.logAnswer(req, rid, status, msg, rule, started);
  }

  private logAnswer(req: IncomingMessage, rid: string, status: number, reason: string | undefined, rule: RuleIR | null, started: number): void {
    const url = req.url ?? '/';
    this.requestLog.write({
      requestId: rid,
      method: req.method ?? '',
      host: req.headers.host ?? '',
      path: url,
      status,
      durationMs: performance.now() - started,
      route: rule?.route ?? '',
      backend: '',
      client: req.socket.remoteAddress ?? '',
      userAgent: req.headers['user-agent'],
      protocol: `HTTP/${req.httpVersion}`,
      reason,
    });
  }

  /** the front door for CONNECT and Upgrade: null when the proxy answered (and closed) itself */
  private admitDetached(req: IncomingMessage, socket: Duplex, port: number): Admission | null {
    const started = performance.now();
    const adm = this.admit(req, port);
    if (!adm.refuse) return adm;
    const { status, reason, msg } = adm.refuse;
    this.observe(null as unknown as RuleIR, '', status, 0);
    logDetached(this, req, { requestId: adm.rid, status, started, rule: null, reason: msg });
    answerAndClose(socket, plainAnswer(status, reason, msg + '\n', { 'X-Request-Id': adm.rid }));
    return null;
  }

  private onConnect(req: IncomingMessage, socket: Duplex, head: Buffer, port: number): void {
    try {
      const adm = this.admitDetached(req, socket, port);
      if (adm) proxyConnect(this, this.dp, req, socket, head, port, { requestId: adm.rid, generatedId: adm.generatedId, tunnelIdleMs: this.tunnelIdleMs });
    } catch (err) {
      this.opts.log.error('proxy CONNECT failed', { error: (err as Error).stack ?? String(err) });
      socket.destroy();
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, port: number): void {
    try {
      const adm = this.admitDetached(req, socket, port);
      if (adm) proxyUpgrade(this, this.dp, req, socket, head, port, { requestId: adm.rid, generatedId: adm.generatedId, tunnelIdleMs: this.tunnelIdleMs });
    } catch (err) {
      this.opts.log.error('proxy upgrade failed', { error: (err as Error).stack ?? String(err) });
      socket.destroy();
    }
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  // own properties only: req.headers is a plain object (`constructor`, `__proto__` are not headers)
  const v = Object.hasOwn(req.headers, name) ? req.headers[name] : undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** The request as the router sees it (reused: set before each match). */
class ReusedRouteRequest implements RouteRequest {
  req: IncomingMessage | null = null;
  host = '';
  path = '';
  query = '';
  method = 'GET';
  set(req: IncomingMessage, host: string, path: string, query: string): void {
    this.req = req;
    this.host = host;
    this.path = path;
    this.query = query;
    this.method = req.method ?? 'GET';
  }
  header(name: string): string | undefined {
    return headerOf(this.req!, name);
  }
}
