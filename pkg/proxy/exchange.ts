// One proxied request: pick a backend and endpoint, dispatch upstream through undici's handler
// API (no streams layered on streams: chunks go straight to the client response, with pause/resume
// for back-pressure), apply timeouts (504), retries (bodiless requests only: a streamed body cannot
// be replayed), passive health and the circuit breaker, then write the response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { BackendRefIR, RuleIR } from './ir';
import type { DataPlane, RuleRuntime } from './dataplane';
import type { BackendRuntime } from './runtime';
import type { EndpointState } from './balancer/endpoint_state';
import { cancelRequest, finishRequest, startRequest } from './balancer/endpoint_state';
import { retryDecision } from './resilience/retry';
import { applyHeaderMod } from './filters/headers';
import { appendForwarded, forwardRequestHeaders, stripHopByHop } from './filters/hop_by_hop';
import { rewritePath } from './filters/rewrite';
import { forwardTarget } from './forward/target';
import { setHeader } from './filters/header_list';
import type { ProxyContext } from './context';
import { upstreamFailureReason } from './upstream/tls';
import { requestBodyless } from './h2_request';
import { isGrpcRequest, takeTrailersOnlyStatus, upstreamTrailers, writeGrpcError } from './grpc';

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate']);

class TimeoutError extends Error {}

/** the Exchange a ServerResponse belongs to: its 'close' listener is one shared function, not a closure per request */
const kExchange = Symbol('exchange');

function onResponseClose(this: ServerResponse): void {
  (this as ServerResponse & { [kExchange]: Exchange })[kExchange].onClientClose();
}

export class Exchange implements Dispatcher.DispatchHandler {
  private attempt = 0;
  private controller: Dispatcher.DispatchController | null = null;
  private state: EndpointState | null = null;
  private attemptOpen = false;
  private clientGone = false;
  /** the endpoint that just failed: a retry avoids it */
  private lastFailed: EndpointState | null = null;
  private backendTimer: NodeJS.Timeout | null = null;
  private requestTimer: NodeJS.Timeout | null = null;
  private finished = false;
  private responding = false;
  private runtime: BackendRuntime | null = null;
  private backendName = '';
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
    (res as ServerResponse & { [kExchange]: Exchange })[kExchange] = this;
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
    const idx = this.rt.picker.pick();
    if (idx === null) return this.fail(500, 'no backend to route to');
    this.send(this.rule.backendRefs[idx]);
  }

  private send(ref: BackendRefIR): void {
    const runtime = this.dp.backends.get(ref.backend);
    if (!runtime) return this.fail(500, `backend ${ref.backend || '(invalid reference)'} is not available`);
    this.runtime = runtime;
    this.backendName = ref.backend;
    if (runtime.ir.dynamicProxy) return this.sendForward(ref.backend, runtime.ir.defaultPort);
    const state = runtime.balancer.pick(this);
    if (!state) return this.fail(503, 'no healthy upstream');
    this.state = state;
    const ep = state.ep;
    const port = ep.port || ref.port || runtime.ir.defaultPort;
    startRequest(state);
    this.attemptOpen = true;
    if (ep.isIP) return this.dispatch(ep.host, port, ep.host);
    const addrs = this.ctx.resolver.resolve(ref.backend, ep.host, port);
    this.ctx.resolver.used?.(ref.backend, ep.host, port);
    if (Array.isArray(addrs)) return this.dispatch(addrs[0], port, ep.host);
    addrs.then(
      (a) => (this.finished ? undefined : this.dispatch(a[0], port, ep.host)),
      (err: Error) => this.onAttemptError(err, 'dns'),
    );
  }

  /** dynamicProxy: the upstream host comes from the request, resolved through the Backend's cache */
  private sendForward(backend: string, defaultPort: number): void {
    const t = forwardTarget(this.req.url ?? '/', this.req.headers.host, defaultPort);
    if (!t) return this.fail(400, 'forward proxy: the request names no target host');
    if (this.ctx.deny.deniesName(t.host)) return this.fail(403, `forward proxy: destination ${t.host} is denied`);
    const go = (addrs: string[]) => {
      if (this.finished) return;
      const address = addrs.find((a) => !this.ctx.deny.denies(a, t.port));
      if (address === undefined) return this.fail(403, `forward proxy: destination ${t.host} is denied`);
      this.ctx.resolver.used?.(backend, t.host, t.port);
      this.dispatch(address, t.port, t.host);
    };
    const addrs = this.ctx.resolver.resolve(backend, t.host, t.port);
    if (Array.isArray(addrs)) return go(addrs);
    addrs.then(go, (err: Error) => this.onAttemptError(err, 'dns'));
  }

  // PickContext for the balancer (consistent hashing)
  header(name: string): string | undefined {
    const v = this.req.headers[name];
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
    let headers = this.rt.requestMod ? null : forwardRequestHeaders(this.req.rawHeaders, this.clientIP, this.scheme, this.req.headers.host, rewriteHost || undefined, rid);
    if (headers === null) {
      headers = stripHopByHop(this.req.rawHeaders);
      if (this.rt.requestMod) headers = applyHeaderMod(headers, this.rt.requestMod);
      headers = appendForwarded(headers, this.clientIP, this.scheme, this.req.headers.host);
      if (rewriteHost) headers = setHeader(headers, 'host', rewriteHost);
      if (rid !== undefined) headers = setHeader(headers, 'x-request-id', rid);
    }
    // gRPC servers expect `te: trailers` (stripped above as hop-by-hop); HTTP/2 upstreams only
    if (this.grpc && (runtime.ir.protocol === 'h2' || runtime.ir.protocol === 'h2c')) headers.push('te', 'trailers');
    this.upstreamAddress = address;
    this.upstreamPort = port;
    const servername = rewriteHost ?? hostForSNI;
    const pool = this.ctx.pools.poolFor(runtime.ir.protocol, address, port, servername, runtime.ir);
    const bt = this.rule.timeouts.backendRequestMs;
    if (bt) this.backendTimer = setTimeout(() => this.abort(new TimeoutError('upstream request timeout'), false), bt);
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
      } as Dispatcher.DispatchOptions,
      this,
    );
  }

  /** HTTP/1.1 upstream: its parser ends the message in the same call as the body's last byte */
  private get http1(): boolean {
    const p = this.runtime?.ir.protocol;
    return p === '' || p === 'tls';
  }

  // ---- undici DispatchHandler ----
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.clearBackendTimer();
    const retry = this.rule.retry;
    if (retry && this.bodyless && retry.codes.includes(statusCode)) {
      const d = retryDecision(retry, this.attempt, { kind: 'status', status: statusCode }, this.req.method ?? 'GET');
      if (d.retry && !this.requestTimedOut()) {
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
    if (this.rule.responseHeaders) for (const h of this.rule.responseHeaders) flat.push(h.name, h.value);
    if (this.rt.responseMod) flat = applyHeaderMod(flat, this.rt.responseMod);
    this.statusCode = statusCode;
    if (this.grpc && this.req.httpVersionMajor === 2) this.grpcStatus = takeTrailersOnlyStatus(flat);
    // HTTP/2 has no reason phrase (node warns when given one)
    if (!this.res.headersSent) this.res.writeHead(statusCode, this.req.httpVersionMajor === 2 ? undefined : statusMessage || undefined, flat);
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

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (err instanceof RetryAbort || this.finished) return;
    this.clearBackendTimer();
    if (this.responding) {
      this.endAttempt(true);
      this.complete();
      this.res.destroy(err);
      return;
    }
    this.onAttemptError(err, err instanceof TimeoutError ? 'timeout' : 'connect');
  }

  // ---- lifecycle ----
  private onAttemptError(err: Error, kind: 'connect' | 'timeout' | 'dns'): void {
    if (this.finished) return;
    this.endAttempt(true);
    const retry = this.rule.retry;
    if (retry && this.bodyless && kind !== 'dns' && !this.requestTimedOut()) {
      const d = retryDecision(retry, this.attempt, kind === 'timeout' ? { kind: 'timeout' } : { kind: 'connect-error' }, this.req.method ?? 'GET');
      if (d.retry) return this.retryAfter(d.delayMs);
    }
    if (kind === 'timeout') return this.fail(504, 'upstream request timeout');
    if (kind === 'dns') return this.fail(503, err.message || 'DNS resolution failure');
    this.fail(502, upstreamFailureReason(err));
  }

  private retryAfter(delayMs: number): void {
    this.attempt++;
    this.controller = null;
    const again = () => {
      if (this.finished) return;
      const idx = this.rt.picker.pick();
      this.send(idx === null ? this.rule.backendRefs[0] : this.rule.backendRefs[idx]);
    };
    if (delayMs > 0) setTimeout(again, delayMs);
    else again();
  }

  /** the attempt's endpoint gets its outcome (breaker, passive health, in-flight count) */
  private endAttempt(failed: boolean): void {
    if (!this.attemptOpen || !this.state) return;
    this.attemptOpen = false;
    finishRequest(this.state, failed, this.ctx.now());
    if (failed) this.lastFailed = this.state;
  }

  /** the attempt ended without an outcome (client gone, proxy-made answer) */
  private cancelAttempt(): void {
    if (!this.attemptOpen || !this.state) return;
    this.attemptOpen = false;
    cancelRequest(this.state);
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
    return this.rule.timeouts.requestMs !== undefined && performance.now() - this.started >= this.rule.timeouts.requestMs;
  }

  private abort(err: Error, final: boolean): void {
    const c = this.controller;
    if (final) {
      this.cancelAttempt();
      this.complete();
    }
    if (c && !c.aborted) c.abort(err);
    else if (!final && err instanceof TimeoutError) this.onAttemptError(err, 'timeout');
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
    this.clearBackendTimer();
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
    // status first: complete() records what the client got (a proxy-made 502 is not a 200)
    this.res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(message) + 1, 'x-request-id': this.requestId });
    this.complete();
    this.res.end(message + '\n');
  }
}

class RetryAbort extends Error {}

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
