// Upgrade requests (WebSocket and others) pass through: the same routing, rate limit, redirect,
// URLRewrite, deny-list (dynamicProxy), access log and metrics as any request. The request head goes
// upstream alone and the upstream's answer is parsed (node's llhttp): only a 101 opens a raw tunnel;
// any other answer is relayed as an ordinary response and the connection closed, so no client byte
// after the head reaches the upstream unless it switched protocols (no smuggling through a failed
// upgrade). A rule with websocket disabled (registry facade) answers 400.
import { detachedVerdict } from './resilience/detached_limit';
import type { RateLimitResult } from './resilience/rate_limit';
import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DataPlane } from './dataplane';
import type { ProxyContext } from './context';
import { cancelRequest, finishRequest, startRequest } from './balancer/endpoint_state';
import type { EndpointState } from './balancer/endpoint_state';
import { applyHeaderMod } from './filters/headers';
import { appendForwarded, stripHopByHop } from './filters/hop_by_hop';
import { redirectLocation } from './filters/redirect';
import { removeDotSegments } from './filters/dot_segments';
import { rewritePath } from './filters/rewrite';
import { setHeader } from './filters/header_list';
import { forwardTarget } from './forward/target';
import { ClientHold, answerAndClose, dialInOrder, joinTunnel, logDetached, plainAnswer, type Dialing } from './tunnel';
import { upgradeTLSOptions } from './upstream/tls';
import { withoutHeader } from './upstream/attempt_error';

export { answerAndClose } from './tunnel';

/** the upstream must answer the upgrade's head within this long (a route's timeouts.request wins) */
const UPGRADE_ANSWER_TIMEOUT_MS = 60_000;

/** Response headers never relayed from a refused upgrade's answer (hop-by-hop, and the framing we redo). */
const DROP_FROM_ANSWER = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer', 'te']);

export interface DetachedOptions {
  /** the request id of this request (the caller's when accepted, else generated) */
  requestId: string;
  /** the id was generated here: it replaces whatever the client sent upstream */
  generatedId: boolean;
  /** --tunnel-idle-timeout (0: none) */
  tunnelIdleMs: number;
  /** the rate limit verdict, already taken (a proxy worker asks the main process: resilience/detached_limit.ts) */
  limitVerdict?: RateLimitResult;
}

export function proxyUpgrade(ctx: ProxyContext, dp: DataPlane, req: IncomingMessage, client: Duplex, head: Buffer, port: number, o: DetachedOptions): void {
  const started = performance.now();
  const rid = o.requestId;
  client.on('error', () => client.destroy());
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  // dot-segments resolved before routing, and the normalized target goes upstream (as proxy.ts)
  const path = rawUrl.charCodeAt(0) === 47 /* '/' */ ? removeDotSegments(q < 0 ? rawUrl : rawUrl.slice(0, q)) : q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const url = q < 0 ? path : `${path}?${query}`;
  const m = dp.routers.get(port)?.match({
    host: req.headers.host ?? '',
    path,
    query,
    method: req.method ?? 'GET',
    header: (n) => {
      const v = Object.hasOwn(req.headers, n) ? req.headers[n] : undefined;
      return Array.isArray(v) ? v.join(',') : v;
    },
  });
  const rule = m?.rule ?? null;
  /** the proxy answers itself and closes; metrics and the access log see it like any request */
  const refuse = (status: number, reason: string, msg: string, backend = '', extra: Record<string, string> = {}): void => {
    ctx.observe(rule!, backend, status, performance.now() - started);
    logDetached(ctx, req, { requestId: rid, status, started, rule, backend, reason: msg });
    answerAndClose(client, plainAnswer(status, reason, msg + '\n', { 'X-Request-Id': rid, ...extra }));
  };
  if (!m || !rule) return refuse(404, 'Not Found', 'route not found');
  if (rule.invalid) return refuse(rule.invalid.status, 'Error', rule.invalid.reason);
  const h2c = isH2cUpgrade(req.headers.upgrade);
  // (an h2c upgrade is served as a plain request below, so a rule without upgrades serves it too)
  if (!rule.websocket && !h2c) return refuse(400, 'Bad Request', 'upgrade is disabled on this route');
  // the body of an upgrade request would have to go upstream before the 101: refused
  const cl = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0')) return refuse(400, 'Bad Request', 'an upgrade request carries no body');
  const rt = dp.rules.get(rule.id)!;
  const clientIP = req.socket.remoteAddress ?? '';
  if (rt.limiter) {
    const verdict = detachedVerdict(ctx, rt.limiter, rule.id, clientIP, o.limitVerdict, client, (v) => proxyUpgrade(ctx, dp, req, client, head, port, { ...o, limitVerdict: v }));
    if (verdict === undefined) return;
    if (!verdict.allowed) return refuse(429, 'Too Many Requests', 'rate limit exceeded', '', { 'Retry-After': String(verdict.retryAfterSeconds) });
  }
  let target = url;
  let rewriteHost: string | undefined;
  for (const f of rule.filters) {
    if (f.type === 'RequestRedirect') {
      const r = redirectLocation({ scheme: ctx.schemeFor(port), host: req.headers.host ?? '', path, query, listenerPort: port }, f, m.matchedPrefix);
      ctx.observe(rule, '', r.status, 0);
      logDetached(ctx, req, { requestId: rid, status: r.status, started, rule });
      return answerAndClose(client, `HTTP/1.1 ${r.status} Redirect\r\nLocation: ${r.location}\r\nX-Request-Id: ${rid}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    if (f.type === 'URLRewrite') {
      if (f.hostname) rewriteHost = f.hostname;
      if (f.path) target = rewritePath(path, query, f, m.matchedPrefix);
    }
  }
  const idx = rt.picker.pick();
  const ref = idx === null ? undefined : rule.backendRefs[idx];
  const runtime = ref ? dp.backends.get(ref.backend) : undefined;
  if (!ref || !runtime) return refuse(500, 'Internal Server Error', 'no backend to route to');
  const backend = ref.backend;

  // From here the client may leave at any time (DNS, dial, the upstream's answer): its bytes are
  // held, not forwarded, and its leaving cancels whatever is under way.
  let state: EndpointState | null = null;
  let dialing: Dialing | null = null;
  let upstreamReq: http.ClientRequest | null = null;
  let settled = false;
  /** the endpoint's verdict, once: failed (upstream-side), succeeded, or cancelled (the client left) */
  const settle = (outcome: 'ok' | 'failed' | 'cancelled'): void => {
    if (settled) return;
    settled = true;
    if (!state) return;
    if (outcome === 'cancelled') cancelRequest(state);
    else finishRequest(state, outcome === 'failed', ctx.now());
  };
  const hold = new ClientHold(client, head, () => {
    dialing?.cancel();
    upstreamReq?.destroy();
    settle('cancelled');
    ctx.observe(rule, backend, 499, performance.now() - started);
    logDetached(ctx, req, { requestId: rid, status: 499, started, rule, backend, reason: 'client went away' });
    client.destroy();
  });
  const fail = (status: number, reason: string, msg: string, upstream?: string): void => {
    hold.release();
    settle('failed');
    ctx.observe(rule, backend, status, performance.now() - started);
    logDetached(ctx, req, { requestId: rid, status, started, rule, backend, upstream, reason: msg });
    answerAndClose(client, plainAnswer(status, reason, msg + '\n', { 'X-Request-Id': rid }));
  };

  let upstreamPort: number;
  let hostForSNI: string | undefined;
  const useTLS = runtime.ir.protocol === 'tls' || runtime.ir.protocol === 'h2';
  const dial = (resolved: string[]) => {
    if (hold.gone) return;
    // never the control plane (API server, admin), whatever a route's endpoints say
    const addresses = resolved.filter((a) => !ctx.deny.deniesControlPlane(a, upstreamPort));
    if (resolved.length > 0 && addresses.length === 0) return fail(403, 'Forbidden', `upstream ${resolved[0]}:${upstreamPort} is switchyard's control plane`);
    dialing = dialInOrder({ addresses, port: upstreamPort, tls: useTLS ? (address) => upgradeTLSOptions(ctx.pools.trust, runtime.ir, rewriteHost ?? hostForSNI, address) : undefined }, (err, sock, address) => {
      dialing = null;
      if (err || !sock) return fail(502, 'Bad Gateway', `upstream connect error: ${(err as NodeJS.ErrnoException | null)?.code ?? err?.message ?? 'no address'}`, `${address}:${upstreamPort}`);
      if (hold.gone) return void sock.destroy();
      sendHead(sock, `${address}:${upstreamPort}`);
    });
  };

  const sendHead = (sock: net.Socket, upstreamAddr: string) => {
    // an h2c upgrade is never tunnelled (Envoy strips it): once switched, every HTTP/2 stream the
    // client opens would reach this backend on any path, past the routing, filters and limits of
    // the rules (h2c smuggling). The request goes as a plain one; the answer is relayed and closed.
    let headers = stripHopByHop(req.rawHeaders, !h2c);
    if (h2c) headers = withoutHeader(headers, 'http2-settings');
    if (rt.requestMod) headers = applyHeaderMod(headers, rt.requestMod);
    headers = appendForwarded(headers, clientIP, ctx.schemeFor(port), req.headers.host);
    if (rewriteHost) headers = setHeader(headers, 'host', rewriteHost);
    if (o.generatedId) headers = setHeader(headers, 'x-request-id', rid);
    let r: http.ClientRequest;
    try {
      // node's client writes the head alone (no body: refused above) and parses the answer with
      // llhttp: 'upgrade' only for a 101, 'response' for anything else
      r = http.request({ method: req.method, path: target, headers, setHost: false, createConnection: () => sock });
    } catch (err) {
      sock.destroy();
      return fail(502, 'Bad Gateway', `upgrade request refused: ${(err as Error).message}`, upstreamAddr);
    }
    upstreamReq = r;
    const answerMs = rule.timeouts.requestMs || UPGRADE_ANSWER_TIMEOUT_MS;
    const timer = setTimeout(() => {
      r.destroy();
      fail(504, 'Gateway Timeout', 'upstream did not answer the upgrade in time', upstreamAddr);
    }, answerMs);
    r.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (hold.gone || settled) return;
      fail(502, 'Bad Gateway', `upstream error: ${err.code ?? err.message}`, upstreamAddr);
    });
    r.on('upgrade', (res: IncomingMessage, upSock: net.Socket, upHead: Buffer) => {
      clearTimeout(timer);
      if (hold.gone) return void upSock.destroy();
      if (h2c) {
        upSock.destroy();
        return fail(502, 'Bad Gateway', 'upstream switched protocols on a request that asked for none', upstreamAddr);
      }
      const early = hold.take();
      let text = `HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}\r\n`;
      const raw = res.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
      client.write(text + '\r\n');
      if (upHead.length) client.write(upHead);
      if (early.length) upSock.write(early);
      settle('ok');
      ctx.observe(rule, backend, 101, performance.now() - started);
      logDetached(ctx, req, { requestId: rid, status: 101, started, rule, backend, upstream: upstreamAddr });
      joinTunnel(client, upSock, o.tunnelIdleMs, () => undefined);
    });
    r.on('response', (res: IncomingMessage) => {
      clearTimeout(timer);
      if (hold.gone) return void r.destroy();
      // not switching: an ordinary response, then the connection closes (the held bytes are dropped)
      hold.release();
      settle(res.statusCode! >= 500 ? 'failed' : 'ok');
      relayRefusal(res, client, rid);
      ctx.observe(rule, backend, res.statusCode!, performance.now() - started);
      logDetached(ctx, req, { requestId: rid, status: res.statusCode!, started, rule, backend, upstream: upstreamAddr });
    });
    r.end();
  };

  if (runtime.ir.dynamicProxy) {
    // forward proxy: the target is the request's (absolute URI or Host), through the deny-list
    const t = forwardTarget(url, req.headers.host, runtime.ir.defaultPort);
    if (!t) return fail(400, 'Bad Request', 'forward proxy: the request names no target host');
    upstreamPort = t.port;
    hostForSNI = t.host;
    target = t.path;
    const go = (addrs: string[]) => {
      if (hold.gone) return;
      const allowed = addrs.filter((a) => !ctx.deny.denies(a, t.port));
      if (allowed.length === 0) return fail(403, 'Forbidden', `forward proxy: destination ${t.host} is denied`);
      ctx.resolver.used?.(backend, t.host, t.port);
      dial(allowed);
    };
    if (ctx.deny.deniesName(t.host)) return fail(403, 'Forbidden', `forward proxy: destination ${t.host} is denied`);
    const addrs = ctx.resolver.resolve(backend, t.host, t.port);
    if (Array.isArray(addrs)) return go(addrs);
    addrs.then(go, (err: Error) => (hold.gone ? undefined : fail(503, 'Service Unavailable', `DNS: ${err.message}`)));
    return;
  }
  const picked = runtime.balancer.pick({ clientIP, path, header: (n) => (Object.hasOwn(req.headers, n) ? (req.headers[n] as string | undefined) : undefined), cookie: () => undefined });
  if (!picked) {
    hold.release();
    return refuse(503, 'Service Unavailable', 'no healthy upstream', backend);
  }
  state = picked;
  upstreamPort = picked.ep.port || ref.port || runtime.ir.defaultPort;
  hostForSNI = picked.ep.isIP ? undefined : picked.ep.host;
  startRequest(picked);
  if (picked.ep.isIP) return dial([picked.ep.host]);
  const addrs = ctx.resolver.resolve(backend, picked.ep.host, upstreamPort);
  ctx.resolver.used?.(backend, picked.ep.host, upstreamPort);
  if (Array.isArray(addrs)) return dial(addrs);
  addrs.then(dial, (err: Error) => {
    if (hold.gone) return;
    settle('cancelled'); // a name that does not resolve says nothing about the endpoint's health
    fail(503, 'Service Unavailable', `DNS: ${err.message}`);
  });
}

/**
 * Relays the upstream's non-101 answer to an upgrade as an ordinary response: its status, its
 * end-to-end headers and its body (as the upstream framed it, parsed by node), then closes. A body
 * without Content-Length is delimited by the close.
 */
function relayRefusal(res: IncomingMessage, client: Duplex, rid: string): void {
  let text = `HTTP/1.1 ${res.statusCode} ${res.statusMessage || ''}\r\n`;
  const raw = res.rawHeaders;
  let hasId = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i].toLowerCase();
    if (DROP_FROM_ANSWER.has(n)) continue;
    if (n === 'content-length' && res.headers['transfer-encoding'] !== undefined) continue;
    if (n === 'x-request-id') hasId = true;
    text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  if (!hasId) text += `X-Request-Id: ${rid}\r\n`;
  text += 'Connection: close\r\n\r\n';
  client.removeAllListeners('data');
  client.resume(); // what the client still sends is read and dropped
  client.write(text);
  res.on('data', (c: Buffer) => {
    if (!client.write(c)) {
      res.pause();
      client.once('drain', () => res.resume());
    }
  });
  const done = () => {
    res.socket?.destroy();
    answerAndClose(client, '');
  };
  res.once('end', done);
  res.once('error', () => client.destroy());
  client.once('close', () => res.socket?.destroy());
}

/** Does the Upgrade header ask for h2c (HTTP/2 over cleartext, RFC 7540 §3.2)? */
export function isH2cUpgrade(upgrade: string | undefined): boolean {
  if (upgrade === undefined) return false;
  return upgrade.split(',').some((t) => t.trim().toLowerCase() === 'h2c');
}
