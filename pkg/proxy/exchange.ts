// One proxied request: pick a backend and endpoint, dispatch upstream through undici's handler
// API (no streams layered on streams: chunks go straight to the client response, with pause/resume
// for back-pressure), apply timeouts (504), retries (bodiless requests only: a streamed body cannot
// be replayed), passive health and the circuit breaker, then write the response.
//
// On a hostile network (DESIGN "The edge on a hostile network"):
// - what the client did wrong (a request undici refuses, a body that stops or breaks) is answered by
//   the proxy (400, 408) and never counted against the endpoint; `Expect` is not forwarded (node's
//   server already answered 100 Continue);
// - a connect failure tries the endpoint's next resolved address before it counts, and a request
//   that could not connect anywhere (nothing sent, body unread) is retried once on another endpoint
//   or backendRef, whatever the route's retry says (nginx's proxy_next_upstream error);
// - a backendRef whose endpoints are all unavailable is passed over for the rule's other refs;
// - retries (the route's and that one) stay within the Backend's retry budget;
// - default timeouts: upstream response headers (504), upstream body idle (abort), client body idle (408).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { BackendRefIR, RuleIR } from './ir';
import type { DataPlane, RuleRuntime } from './dataplane';
import type { BackendRuntime } from './runtime';
import type { EndpointState } from './balancer/endpoint_state';
import { cancelRequest, finishRequest, startRequest } from './balancer/endpoint_state';
import { retryDecision } from './resilience/retry';
import type { RetryBudget } from './resilience/retry_budget';
import { pickExcept } from './balancer/weights';
import { classifyAttemptError, withoutHeader, type AttemptErrorKind } from './upstream/attempt_error';
import { bodyTimeoutFor, headersTimeoutFor } from './upstream/timeouts';
import { applyHeaderMod, FRAMING_HEADERS } from './filters/headers';
import { appendForwarded, forwardRequestHeaders, stripHopByHop } from './filters/hop_by_hop';
import { rewritePath } from './filters/rewrite';
import { forwardTarget } from './forward/target';
import { setHeader } from './filters/header_list';
import type { ProxyContext } from './context';
import { upstreamFailureReason } from './upstream/tls';
import { requestBodyless } from './h2_request';
import { isGrpcRequest, takeTrailersOnlyStatus, upstreamTrailers, writeGrpcError } from './grpc';
import { MIRROR_BODY_LIMIT, mirrorHeaders, sampleMirrors, sendMirror, teeBody, type MirrorCopy } from './mirror';
import { applyCorsResponse } from './filters/cors';
import type { MirrorIR } from './ir';
import { newSessionToken, pickRefByKey, sessionResponseHeader, sessionToken } from './balancer/session';

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate']);

class TimeoutError extends Error {}

/** the Exchange a ServerResponse (and its request) belongs to: listeners are shared functions, not closures per request */
const kExchange = Symbol('exchange');

type Owned = { [kExchange]: Exchange };

function onResponseClose(this: ServerResponse): void {
  (this as ServerResponse & Owned)[kExchange].onClientClose();
}

function onRequestBodyData(this: IncomingMessage): void {
  (this as IncomingMessage & Owned)[kExchange].onClientBodyData();
}

function onRequestBodyEnd(this: IncomingMessage): void {
  (this as IncomingMessage & Owned)[kExchange].clearBodyTimer();
}

/**
 * The undici handler of ONE attempt. The exchange moves on (retry, next address, timeout) without
 * waiting for an abandoned attempt to wind down; whatever that attempt reports afterwards is stale
 * and must not touch the exchange.
 */
class Attempt implements Dispatcher.DispatchHandler {
  constructor(
    private readonly ex: Exchange,
    private readonly id: number,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.ex.attemptId !== this.id) return void controller.abort(new RetryAbort());
    this.ex.onRequestStart(controller);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (this.ex.attemptId !== this.id) return void controller.abort(new RetryAbort());
    this.ex.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.ex.attemptId === this.id) this.ex.onResponseData(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers?: Record<string, string | string[] | undefined>): void {
    if (this.ex.attemptId === this.id) this.ex.onResponseEnd(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.ex.attemptId === this.id) this.ex.onResponseError(controller, err);
  }
}

export class Exchange {
  private attempt = 0;
  /** the live attempt's id (Attempt objects with another id are stale); 0 once finished */
  attemptId = 0;
  private attemptSeq = 0;
  private controller: Dispatcher.DispatchController | null = null;
  private state: EndpointState | null = null;
  private attemptOpen = false;
  /** the open attempt is a retry (the retry budget counts it) */
  private attemptIsRetry = false;
  /** the retry budget the open attempt is counted in */
  private budget: RetryBudget | null = null;
  /** the live attempt reached a connected socket: bytes may have gone upstream */
  private sent = false;
  /** the request body started flowing upstream: it cannot be sent again */
  private bodyRead = false;
  /** the one retry of a request that could not connect was used */
  private connectRetried = false;
  /** while that retry picks: the failure it answers with when nothing but the failed endpoint is left */
  private connectFailure: string | null = null;
  private clientGone = false;
  /** the endpoint that just failed: a retry avoids it */
  private lastFailed: EndpointState | null = null;
  private backendTimer: NodeJS.Timeout | null = null;
  private requestTimer: NodeJS.Timeout | null = null;
  /** client request body idle (--client-body-timeout) */
  private bodyTimer: NodeJS.Timeout | null = null;
  private bodyListening = false;
  private finished = false;
  private responding = false;
  private runtime: BackendRuntime | null = null;
  private backendName = '';
  /** the addresses of the endpoint being tried, the one being dialled, its port and TLS name */
  private addrs: readonly string[] = [];
  private addrIdx = 0;
  private port = 0;
  private hostForSNI = '';
  /** address and port of the last attempt (access log) */
  private upstreamAddress = '';
  private upstreamPort = 0;
  /** set when the proxy answers itself (access log) */
  private reason: string | undefined;
  private readonly started = performance.now();
  private readonly bodyless: boolean;
  private readonly grpc: boolean;
  /** the status of a proxy-made gRPC error (the client gets 200 + grpc-status) */
  private proxyStatus = 0;
  /** a trailers-only gRPC answer's status, sent on as trailers */
  private grpcStatus: Record<string, string> | null = null;
  private onDrain: (() => void) | null = null;
  /** bytes of the response body still to come when the upstream gave a Content-Length; -1: unknown */
  private bodyLeft = -1;
  /** the response's last chunk (per Content-Length), held for a single res.end(chunk) */
  private lastChunk: Buffer | null = null;
  /** the backendRef of the live attempt (its own filters) */
  private refIdx = 0;
  /** RequestMirror: the mirrors drawn for this request until their copy is armed (mirror.ts) */
  private mirrors: MirrorIR[] | null = null;
  /** a bodied request's copy, sent once the tee has the whole body */
  private mirrorCopy: MirrorCopy | null = null;
  /** sessionPersistence: the session's token (balancer/session.ts); made here when the request had none */
  private session: string | null = null;
  private newSession = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly dp: DataPlane,
    private readonly rule: RuleIR,
    private readonly rt: RuleRuntime,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly path: string,
    private readonly query: string,
    private readonly matchedPrefix: string | undefined,
    readonly clientIP: string,
    /** the request id (the client's, or generated: then also written upstream) */
    private readonly requestId: string,
    private readonly rewriteRequestId: boolean,
    private readonly host: string,
    private readonly scheme: 'http' | 'https',
  ) {
    this.bodyless = requestBodyless(req);
    this.grpc = isGrpcRequest(req);
    (res as ServerResponse & Owned)[kExchange] = this;
    res.on('close', onResponseClose);
    const t = rule.timeouts.requestMs;
    if (t) this.requestTimer = setTimeout(() => this.onRequestTimeout(), t);
  }

  /** the client's response closed (finished, or the client went away) */
  onClientClose(): void {
    if (this.finished) return;
    this.clientGone = true; // recorded as 499, as nginx does
    this.abort(new Error('client went away'), true);
  }

  start(): void {
    if (this.rt.mirrors !== undefined) {
      const m = sampleMirrors(this.rt.mirrors, this.rt.rand);
      if (m.length > 0) this.mirrors = m;
    }
    let idx: number | null;
    const sp = this.rule.sessionPersistence;
    if (sp !== undefined) {
      const t = sessionToken(sp, this);
      this.newSession = t === undefined;
      this.session = t ?? newSessionToken();
      idx = pickRefByKey(this.rule.backendRefs, this.session);
    } else idx = this.rt.picker.pick();
    if (idx === null) return this.fail(500, 'no backend to route to');
    this.send(idx);
  }

  /**
   * An attempt on backendRef `idx`. A ref whose Backend has no available endpoint (all ejected,
   * breakers open, down by active checks, at their limits), or only the endpoint that just failed,
   * is passed over for the rule's other refs by weight; only when none can take it: 503.
   */
  private send(idx: number): void {
    const cf = this.connectFailure;
    this.connectFailure = null;
    const refs = this.rule.backendRefs;
    let ref = refs[idx]!;
    let refIdx = idx;
    let runtime = this.dp.backends.get(ref.backend);
    if (!runtime) return this.fail(500, `backend ${ref.backend || '(invalid reference)'} is not available`);
    let state: EndpointState | null = null;
    if (!runtime.ir.dynamicProxy) {
      state = this.session !== null ? runtime.balancer.pickByKey(this.session, this.exclude) : runtime.balancer.pick(this);
      if ((state === null || state === this.lastFailed) && refs.length > 1) {
        const alt = this.failover(idx);
        if (alt !== null) {
          refIdx = alt.idx;
          ref = refs[alt.idx]!;
          runtime = alt.runtime;
          state = alt.state;
        }
      }
      // the connect-failure retry with no other endpoint or ref to go to: the one that just
      // failed is not dialled again
      if (cf !== null && (state === null || state === this.lastFailed)) return this.fail(502, cf);
      if (!state) return this.fail(503, 'no healthy upstream');
    }
    this.runtime = runtime;
    this.backendName = ref.backend;
    this.refIdx = refIdx;
    this.openAttempt(runtime, state);
    if (state === null) return this.sendForward(ref.backend, runtime.ir.defaultPort);
    const ep = state.ep;
    const port = ep.port || ref.port || runtime.ir.defaultPort;
    if (ep.isIP) return this.dispatchTo([ep.host], port, ep.host);
    const backend = ref.backend;
    const addrs = this.ctx.resolver.resolve(backend, ep.host, port);
    if (Array.isArray(addrs)) {
      this.ctx.resolver.used?.(backend, ep.host, port);
      return this.dispatchTo(addrs, port, ep.host);
    }
    const id = this.attemptId;
    addrs.then(
      (a) => {
        if (this.finished || this.attemptId !== id) return;
        // marked used only once the name resolved: a failing name must not stay alive on requests
        this.ctx.resolver.used?.(backend, ep.host, port);
        this.dispatchTo(a, port, ep.host);
      },
      (err: Error) => (this.attemptId === id ? this.onAttemptError(err, 'dns') : undefined),
    );
  }

  /** Another ref of the rule that has an endpoint to take the request (not the one that just failed). */
  private failover(first: number): { idx: number; runtime: BackendRuntime; state: EndpointState } | null {
    const refs = this.rule.backendRefs;
    const skip = new Array<boolean>(refs.length).fill(false);
    skip[first] = true;
    for (;;) {
      const i = pickExcept(refs, skip, this.rt.rand);
      if (i === null) return null;
      skip[i] = true;
      const runtime = this.dp.backends.get(refs[i]!.backend);
      // a forward-proxy ref has no endpoints to be unhealthy; an invalid ref is not a way out
      if (!runtime || runtime.ir.dynamicProxy) continue;
      const state = runtime.balancer.pick(this);
      if (state !== null && state !== this.lastFailed) return { idx: i, runtime, state };
    }
  }

  /** dynamicProxy: the upstream host comes from the request, resolved through the Backend's cache */
  private sendForward(backend: string, defaultPort: number): void {
    const t = forwardTarget(this.req.url ?? '/', this.req.headers.host, defaultPort);
    if (!t) return this.fail(400, 'forward proxy: the request names no target host');
    if (this.ctx.deny.deniesName(t.host)) return this.fail(403, `forward proxy: destination ${t.host} is denied`);
    const id = this.attemptId;
    const go = (addrs: string[]) => {
      if (this.finished || this.attemptId !== id) return;
      const allowed = addrs.filter((a) => !this.ctx.deny.denies(a, t.port));
      if (allowed.length === 0) return this.fail(403, `forward proxy: destination ${t.host} is denied`);
      this.ctx.resolver.used?.(backend, t.host, t.port);
      this.dispatchTo(allowed, t.port, t.host);
    };
    const addrs = this.ctx.resolver.resolve(backend, t.host, t.port);
    if (Array.isArray(addrs)) return go(addrs);
    addrs.then(go, (err: Error) => (this.attemptId === id ? this.onAttemptError(err, 'dns') : undefined));
  }

  // PickContext for the balancer (consistent hashing)
  header(name: string): string | undefined {
    // own properties only: req.headers is a plain object (`constructor`, `__proto__` are not headers)
    const h = this.req.headers;
    const v = Object.hasOwn(h, name) ? h[name] : undefined;
    return Array.isArray(v) ? v[0] : v;
  }
  cookie(name: string): string | undefined {
    const c = this.req.headers.cookie;
    if (!c) return undefined;
    for (const part of c.split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
    }
    return undefined;
  }
  get exclude(): EndpointState | undefined {
    return this.lastFailed ?? undefined;
  }

  /** Dial the endpoint's addresses in order (the resolver's order): the next one on a connect failure. */
  private dispatchTo(resolved: readonly string[], port: number, hostForSNI: string): void {
    if (resolved.length === 0) return this.onAttemptError(new Error('DNS resolution failure: no address'), 'dns');
    // never the control plane (API server, admin): a route's endpoints are trusted, loopback
    // included, but must not publish the loopback-only API on a Gateway's listener
    const addrs = resolved.filter((a) => !this.ctx.deny.deniesControlPlane(a, port));
    if (addrs.length === 0) return this.fail(403, `upstream ${resolved[0]}:${port} is switchyard's control plane`);
    this.addrs = addrs;
    this.addrIdx = 0;
    this.port = port;
    this.hostForSNI = hostForSNI;
    this.dispatch(addrs[0]!, port, hostForSNI);
  }

  private dispatch(address: string, port: number, hostForSNI: string): void {
    if (this.finished) return;
    const runtime = this.runtime!;
    let rewriteHost: string | undefined;
    let path = this.path;
    let query = this.query;
    for (const f of this.rule.filters) {
      if (f.type === 'URLRewrite') {
        if (f.hostname) rewriteHost = f.hostname;
        if (f.path) {
          const p = rewritePath(path, query, f, this.matchedPrefix);
          const q = p.indexOf('?');
          path = q < 0 ? p : p.slice(0, q);
          query = q < 0 ? '' : p.slice(q + 1);
        }
      }
    }
    const rid = this.rewriteRequestId ? this.requestId : undefined;
    const refMod = this.rt.refRequestMods?.[this.refIdx];
    let headers = this.rt.requestMod || refMod ? null : forwardRequestHeaders(this.req.rawHeaders, this.clientIP, this.scheme, this.req.headers.host, rewriteHost || undefined, rid);
    if (headers === null) {
      headers = stripHopByHop(this.req.rawHeaders);
      if (this.rt.requestMod) headers = applyHeaderMod(headers, this.rt.requestMod);
      // the mirror's copy goes with the route's modifications only, never this ref's, but with
      // what the proxy itself sets (X-Forwarded-*, Host rewrite, its X-Request-Id) as the main
      // request does: never the client's own unchecked X-Forwarded-For or request id alone
      if (this.mirrors !== null && refMod) this.armMirrors(query ? `${path}?${query}` : path, this.proxySet(headers, rewriteHost, rid), rewriteHost);
      if (refMod) headers = applyHeaderMod(headers, refMod);
      headers = this.proxySet(headers, rewriteHost, rid);
    }
    // Expect is the proxy's business: node's server answered `100 Continue` before the request
    // reached us (as Envoy does); undici refuses to send it
    if (this.req.headers.expect !== undefined) headers = withoutHeader(headers, 'expect');
    if (this.mirrors !== null) this.armMirrors(query ? `${path}?${query}` : path, headers, rewriteHost);
    // gRPC servers expect `te: trailers` (stripped above as hop-by-hop); HTTP/2 upstreams only
    if (this.grpc && (runtime.ir.protocol === 'h2' || runtime.ir.protocol === 'h2c')) headers.push('te', 'trailers');
    this.upstreamAddress = address;
    this.upstreamPort = port;
    const servername = rewriteHost ?? hostForSNI;
    const pool = this.ctx.pools.poolFor(runtime.ir.protocol, address, port, servername, runtime.ir);
    const bt = this.rule.timeouts.backendRequestMs;
    if (bt) this.backendTimer = setTimeout(() => this.abort(new TimeoutError('upstream request timeout'), false), bt);
    this.sent = false;
    this.controller = null;
    const id = ++this.attemptSeq;
    this.attemptId = id;
    pool.dispatch(
      {
        origin: undefined as unknown as string,
        path: query ? `${path}?${query}` : path,
        method: this.req.method as Dispatcher.HttpMethod,
        headers,
        body: this.bodyless ? null : this.req,
        // undici would take it from the Host header, and a connection whose servername differs
        // from the request's is torn down: pin it to the pool's (its connector decides the SNI)
        servername,
        headersTimeout: headersTimeoutFor(this.rule, this.ctx.timeouts),
        bodyTimeout: bodyTimeoutFor(this.rule, this.ctx.timeouts),
      } as Dispatcher.DispatchOptions,
      new Attempt(this, id),
    );
    // a bodiless request's copies go right behind the main request, never ahead of it
    if (this.mirrorCopy !== null && this.bodyless) this.fireMirrors(null);
  }

  /** what the proxy sets on every request it sends upstream (a copy: `headers` is left as it is) */
  private proxySet(headers: string[], rewriteHost: string | undefined, rid: string | undefined): string[] {
    let h = appendForwarded(headers, this.clientIP, this.scheme, this.req.headers.host);
    if (rewriteHost) h = setHeader(h, 'host', rewriteHost);
    if (rid !== undefined) h = setHeader(h, 'x-request-id', rid);
    return h;
  }

  /** RequestMirror: the copy of the first attempt's request (mirror.ts) */
  private armMirrors(target: string, headers: string[], rewriteHost: string | undefined): void {
    if (this.mirrorCopy !== null) return; // armed by an earlier attempt (or earlier in this one)
    this.mirrorCopy = { method: this.req.method ?? 'GET', target, headers: mirrorHeaders(headers), ...(rewriteHost ? { servername: rewriteHost } : {}), url: this.req.url ?? '/', hostHeader: this.req.headers.host };
  }

  /** body: the teed body (null: bodiless); `false`: the body was over the limit or broke off, no copy */
  private fireMirrors(body: Buffer | null | false): void {
    const copy = this.mirrorCopy;
    const mirrors = this.mirrors;
    this.mirrorCopy = null;
    this.mirrors = null;
    if (copy === null || mirrors === null || body === false) return;
    for (const m of mirrors) sendMirror(this.ctx, this.dp.backends, this.rule, m, copy, body, this);
  }

  /** HTTP/1.1 upstream: its parser ends the message in the same call as the body's last byte */
  private get http1(): boolean {
    const p = this.runtime?.ir.protocol;
    return p === '' || p === 'tls';
  }

  // ---- undici DispatchHandler (through the live Attempt) ----
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.sent = true;
    if (!this.bodyless) {
      if (this.mirrorCopy !== null && !this.bodyRead) {
        // teed from the main upstream's first read (undici attaches its reader in this same tick)
        teeBody(this.req, MIRROR_BODY_LIMIT, (body) => this.fireMirrors(body));
      }
      this.bodyRead = true;
      this.watchClientBody();
    }
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    // undici reports informational answers (100, 102, 103) here too, before the final one: written
    // as the response they would end it (node sends no body for a 1xx) and the final response would
    // be lost, so the client would take the NEXT response on its connection for this one (desync).
    // They are dropped, as Envoy does for 1xx other than 100 (the proxy answered 100 itself).
    if (statusCode < 200) return;
    this.clearBackendTimer();
    const retry = this.rule.retry;
    if (retry && this.bodyless && retry.codes.includes(statusCode)) {
      const d = retryDecision(retry, this.attempt, { kind: 'status', status: statusCode }, this.req.method ?? 'GET');
      if (d.retry && !this.requestTimedOut() && this.budgetAllows()) {
        this.endAttempt(statusCode >= 500);
        controller.abort(new RetryAbort());
        this.retryAfter(d.delayMs);
        return;
      }
    }
    this.responding = true;
    // one flat [name, value, …] list in the order of the parsed headers (a repeated header's values
    // together, where it first appeared), as node would write that object
    let flat: string[] = [];
    let hasId = false;
    // RFC 9110 §7.6.1: the headers the upstream's Connection names are hop-by-hop too
    const named = connectionNamed(headers.connection);
    for (const k in headers) {
      const v = headers[k];
      if (v === undefined || HOP_BY_HOP_RESPONSE.has(k) || (named !== null && named.includes(k))) continue;
      if (k === 'x-request-id') hasId = true;
      else if (k === 'content-length' && typeof v === 'string' && this.http1) this.bodyLeft = contentLength(v);
      if (typeof v === 'string') flat.push(k, v);
      else for (let i = 0; i < v.length; i++) flat.push(k, v[i]);
    }
    if (!hasId) flat.push('x-request-id', this.requestId);
    if (this.rule.responseHeaders) {
      // configured headers never carry the framing (see FRAMING_HEADERS)
      for (const h of this.rule.responseHeaders) if (!FRAMING_HEADERS.has(h.name.toLowerCase())) flat.push(h.name, h.value);
    }
    if (this.rt.responseMod) flat = applyHeaderMod(flat, this.rt.responseMod);
    const refResponseMod = this.rt.refResponseMods?.[this.refIdx];
    if (refResponseMod) flat = applyHeaderMod(flat, refResponseMod);
    if (this.rt.cors) flat = applyCorsResponse(this.rt.cors, this.header('origin'), flat);
    if (this.newSession) {
      const sh = sessionResponseHeader(this.rule.sessionPersistence!, this.session!, this.scheme === 'https');
      if (sh !== null) flat.push(sh[0], sh[1]);
    }
    this.statusCode = statusCode;
    if (this.grpc && this.req.httpVersionMajor === 2) this.grpcStatus = takeTrailersOnlyStatus(flat);
    if (this.res.headersSent) return;
    try {
      // HTTP/2 has no reason phrase (node warns when given one)
      this.res.writeHead(statusCode, this.req.httpVersionMajor === 2 ? undefined : statusMessage || undefined, flat);
    } catch (err) {
      // a header node will not write (a route's header value stored before write-time validation
      // refused such characters): the proxy's own fault, never the upstream's, and one request's
      // (thrown into undici, it would count as an upstream failure and open the breaker)
      this.responding = false;
      this.statusCode = 0;
      this.cancelAttempt();
      controller.abort(new RetryAbort());
      this.fail(502, `invalid response header: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  private statusCode = 0;

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.bodyLeft >= 0 && (this.bodyLeft -= chunk.length) === 0) {
      // the body's last byte (undici's parser completes the message in the same call): one
      // res.end(chunk) instead of write + end
      this.lastChunk = chunk;
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', (this.onDrain ??= () => this.controller?.resume()));
    }
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers?: Record<string, string | string[] | undefined>): void {
    this.endAttempt(this.statusCode >= 500);
    this.complete();
    // trailers (gRPC's grpc-status) reach HTTP/2 clients; HTTP/1.1 has no place for them here
    if (this.req.httpVersionMajor === 2) {
      const t = upstreamTrailers(trailers, (controller as { rawTrailers?: unknown } | undefined)?.rawTrailers);
      if (t !== null || this.grpcStatus !== null) this.res.addTrailers({ ...this.grpcStatus, ...t });
    }
    const last = this.lastChunk;
    if (last !== null) {
      this.lastChunk = null;
      this.res.end(last);
    } else this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (err instanceof RetryAbort || this.finished) return;
    this.clearBackendTimer();
    this.clearBodyTimer();
    if (this.clientBodyBroken(err)) {
      // the client stopped or broke its request body: nothing to say about the upstream
      this.cancelAttempt();
      this.clientGone = true;
      this.complete();
      this.res.destroy();
      return;
    }
    const kind: AttemptErrorKind = err instanceof TimeoutError ? 'timeout' : classifyAttemptError(err, this.sent);
    if (kind === 'client') {
      this.cancelAttempt();
      return this.fail(400, `bad request: ${err.message}`);
    }
    if (this.responding) {
      this.endAttempt(true);
      this.complete();
      this.res.destroy(err);
      return;
    }
    if (kind === 'connect' && this.addrIdx + 1 < this.addrs.length) {
      // the endpoint's next address, before this counts as the endpoint's failure
      this.dispatch(this.addrs[++this.addrIdx]!, this.port, this.hostForSNI);
      return;
    }
    this.onAttemptError(err, kind);
  }

  /**
   * The client's request body broke (it went away mid-body, or broke the framing) rather than the
   * upstream: undici destroys the body with the upstream's error too, so the body's error decides.
   */
  private clientBodyBroken(err: Error): boolean {
    const r = this.req;
    if (this.bodyless || r.complete) return false;
    const e = r.errored;
    if (e === null || e === undefined) return false; // (an HTTP/2 compat request has no `errored`)
    return e !== err || isClientStreamError(e);
  }

  // ---- client body idle ----
  private watchClientBody(): void {
    const ms = this.ctx.timeouts.clientBodyMs;
    if (ms <= 0 || this.req.complete) return;
    if (!this.bodyListening) {
      this.bodyListening = true;
      const req = this.req as IncomingMessage & Owned;
      req[kExchange] = this;
      // undici attaches its own 'data' listener in this same tick: no chunk is lost to this one
      req.on('data', onRequestBodyData);
      req.once('end', onRequestBodyEnd);
    }
    if (this.bodyTimer) this.bodyTimer.refresh();
    else this.bodyTimer = setTimeout(() => this.onClientBodyTimeout(), ms);
  }

  onClientBodyData(): void {
    this.bodyTimer?.refresh();
  }

  clearBodyTimer(): void {
    if (this.bodyTimer) {
      clearTimeout(this.bodyTimer);
      this.bodyTimer = null;
    }
  }

  private onClientBodyTimeout(): void {
    this.bodyTimer = null;
    if (this.finished || this.req.complete) return;
    if (this.req.readableFlowing === false) {
      // paused by undici: the upstream is not reading, the client is not idle
      this.bodyTimer = setTimeout(() => this.onClientBodyTimeout(), this.ctx.timeouts.clientBodyMs);
      return;
    }
    // the client's fault: the upstream attempt ends without a verdict, and its connection (half a
    // body written) is closed, never held or reused
    const c = this.controller;
    this.cancelAttempt();
    const abortUpstream = () => {
      if (c && !c.aborted) c.abort(new Error('client body timeout'));
    };
    if (this.res.headersSent) {
      this.reason = 'client body timeout';
      this.complete();
      abortUpstream();
      this.res.destroy();
      return;
    }
    this.res.shouldKeepAlive = false; // `Connection: close`: the client's side closes after the 408
    this.res.once('finish', abortUpstream);
    this.fail(408, 'client body timeout');
  }

  // ---- lifecycle ----
  private onAttemptError(err: Error, kind: 'connect' | 'reset' | 'timeout' | 'dns'): void {
    if (this.finished) return;
    this.endAttempt(true);
    const timedOut = this.requestTimedOut();
    const retry = this.rule.retry;
    if (retry && this.bodyless && kind !== 'dns' && !timedOut) {
      const d = retryDecision(retry, this.attempt, kind === 'timeout' ? { kind: 'timeout' } : { kind: 'connect-error' }, this.req.method ?? 'GET');
      if (d.retry && this.budgetAllows()) return this.retryAfter(d.delayMs);
    }
    // nothing reached the upstream and the body is untouched: one more try elsewhere is safe for
    // any method (nginx's proxy_next_upstream error), whatever the route's retry says
    const message = upstreamFailureReason(err); // a TLS verification failure says so
    // (a forward-proxy target is the client's choice: there is no other endpoint to try)
    if (kind === 'connect' && this.state !== null && !this.connectRetried && !this.bodyRead && !timedOut && this.budgetAllows()) {
      this.connectRetried = true;
      this.connectFailure = message;
      return this.retryAfter(0);
    }
    if (kind === 'timeout') return this.fail(504, 'upstream request timeout');
    if (kind === 'dns') return this.fail(503, err.message || 'DNS resolution failure');
    this.fail(502, message);
  }

  private budgetAllows(): boolean {
    return this.runtime === null || this.runtime.budget.allows();
  }

  private retryAfter(delayMs: number): void {
    this.attempt++;
    this.controller = null;
    this.attemptId = 0; // whatever the old attempt still reports is stale
    const again = () => {
      if (this.finished) return;
      const idx = this.rt.picker.pick();
      this.send(idx === null ? 0 : idx);
    };
    if (delayMs > 0) setTimeout(again, delayMs);
    else again();
  }

  private openAttempt(runtime: BackendRuntime, state: EndpointState | null): void {
    this.state = state;
    if (state !== null) startRequest(state);
    this.attemptOpen = true;
    this.attemptIsRetry = this.attempt > 0;
    this.budget = runtime.budget;
    runtime.budget.start(this.attemptIsRetry);
  }

  private closeAttempt(): boolean {
    if (!this.attemptOpen) return false;
    this.attemptOpen = false;
    this.budget?.finish(this.attemptIsRetry);
    this.budget = null;
    return this.state !== null;
  }

  /** the attempt's endpoint gets its outcome (breaker, passive health, in-flight count) */
  private endAttempt(failed: boolean): void {
    if (!this.closeAttempt()) return;
    finishRequest(this.state!, failed, this.ctx.now());
    if (failed) this.lastFailed = this.state;
  }

  /** the attempt ended without an outcome (client gone, client fault, proxy-made answer) */
  private cancelAttempt(): void {
    if (!this.closeAttempt()) return;
    cancelRequest(this.state!);
  }

  private onRequestTimeout(): void {
    this.requestTimer = null;
    if (this.finished) return;
    if (this.responding) {
      this.abort(new TimeoutError('request timeout'), true);
      this.res.destroy();
      return;
    }
    this.abort(new TimeoutError('request timeout'), true);
    this.fail(504, 'upstream request timeout');
  }

  private requestTimedOut(): boolean {
    const t = this.rule.timeouts.requestMs;
    return t !== undefined && t > 0 && performance.now() - this.started >= t; // 0: no timeout
  }

  private abort(err: Error, final: boolean): void {
    const c = this.controller;
    if (final) {
      this.cancelAttempt();
      this.complete();
    }
    if (c && !c.aborted) c.abort(err);
    else if (!final && err instanceof TimeoutError) {
      // still connecting: the attempt is abandoned (stale from now on) and counts as a timeout
      this.attemptId = 0;
      this.onAttemptError(err, 'timeout');
    }
  }

  private clearBackendTimer(): void {
    if (this.backendTimer) {
      clearTimeout(this.backendTimer);
      this.backendTimer = null;
    }
  }

  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.attemptId = 0;
    this.cancelAttempt();
    this.clearBackendTimer();
    this.clearBodyTimer();
    if (this.requestTimer) clearTimeout(this.requestTimer);
    const status = this.clientGone ? 499 : this.proxyStatus || this.res.statusCode || this.statusCode;
    const ms = performance.now() - this.started;
    this.ctx.observe(this.rule, this.backendName, status, ms);
    const rl = this.ctx.requestLog;
    if (rl.wants(this.reason !== undefined || this.clientGone)) {
      rl.write({
        requestId: this.requestId,
        method: this.req.method ?? '',
        host: this.host,
        path: this.query ? `${this.path}?${this.query}` : this.path,
        status,
        durationMs: ms,
        route: this.rule.route,
        backend: this.backendName,
        upstream: this.upstreamAddress ? `${this.upstreamAddress}:${this.upstreamPort}` : undefined,
        attempts: this.attempt + 1,
        client: this.clientIP,
        userAgent: this.req.headers['user-agent'],
        protocol: `HTTP/${this.req.httpVersion}`,
        reason: this.reason ?? (this.clientGone ? 'client went away' : undefined),
      });
    }
  }

  private fail(status: number, message: string): void {
    this.cancelAttempt();
    this.reason = message;
    if (this.res.headersSent) {
      this.complete();
      this.res.destroy();
      return;
    }
    if (this.grpc) {
      // a gRPC client reads the error from grpc-status (HTTP 200); logs and metrics keep the proxy's status
      this.proxyStatus = status;
      this.complete();
      return writeGrpcError(this.res, status, message, this.requestId, this.req.httpVersionMajor === 2);
    }
    // status first: complete() records what the client got (a proxy-made 502 is not a 200); the
    // reason phrase is this status's own, not one an upstream head that failed to relay left behind
    if (this.req.httpVersionMajor !== 2) (this.res as ServerResponse).statusMessage = STATUS_CODES[status] ?? '';
    this.res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(message) + 1, 'x-request-id': this.requestId });
    this.complete();
    this.res.end(message + '\n');
  }
}

class RetryAbort extends Error {}

/** node's own errors on a server request stream: the client left (`aborted`) or sent a bad message (HPE_*) */
function isClientStreamError(e: Error): boolean {
  const x = e as NodeJS.ErrnoException;
  if (x.code === undefined) return false;
  return x.code.startsWith('HPE_') || (x.code === 'ECONNRESET' && x.message === 'aborted' && x.syscall === undefined);
}

/** A Content-Length value's byte count (digits only, as undici accepts it); -1 when it is anything else. */
function contentLength(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Lower-case header names listed in a response's Connection header, besides the usual tokens; null: none. */
function connectionNamed(v: string | string[] | undefined): string[] | null {
  if (v === undefined) return null;
  const s = Array.isArray(v) ? v.join(',') : v;
  if (s.length <= 10) {
    const l = s.toLowerCase();
    if (l === 'keep-alive' || l === 'close' || l === '') return null;
  }
  let out: string[] | null = null;
  for (const part of s.split(',')) {
    const t = part.trim().toLowerCase();
    if (t === '' || t === 'close' || t === 'keep-alive' || HOP_BY_HOP_RESPONSE.has(t)) continue;
    (out ??= []).push(t);
  }
  return out;
}
