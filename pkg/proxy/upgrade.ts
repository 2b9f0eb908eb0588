// Upgrade requests (WebSocket and others) pass through: the same routing, rate limit, redirect and
// URLRewrite as any request, then a raw tunnel once the upstream answers 101. A rule with websocket
// disabled (registry facade) answers 400.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DataPlane } from './dataplane';
import type { ProxyContext } from './context';
import { cancelRequest, finishRequest, startRequest } from './balancer/endpoint_state';
import { applyHeaderMod } from './filters/headers';
import { appendForwarded, stripHopByHop } from './filters/hop_by_hop';
import { redirectLocation } from './filters/redirect';
import { rewritePath } from './filters/rewrite';
import { setHeader } from './filters/header_list';
import { acceptedRequestId } from '../log/request_id';
import { randomUUID } from 'node:crypto';
import { upgradeTLSOptions } from './upstream/tls';

/** An upstream that accepts no connection within this long answers 502 (as the pools' connectTimeout). */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Answer a detached (upgrade or CONNECT) socket and close it. Nothing reads such a socket any more,
 * so the client's FIN would never be seen and the half-open socket would linger (and hold up the
 * listener's close): drain what the client still sends, end our side, and destroy it if the client
 * has not closed within LINGER_MS.
 */
export function answerAndClose(socket: Duplex, response: string): void {
  socket.resume();
  socket.end(response);
  const t = setTimeout(() => socket.destroy(), LINGER_MS);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}

const LINGER_MS = 5_000;

export function proxyUpgrade(ctx: ProxyContext, dp: DataPlane, req: IncomingMessage, client: Duplex, head: Buffer, port: number): void {
  const reject = (status: string): void => answerAndClose(client, `HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  client.on('error', () => client.destroy());
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const m = dp.routers.get(port)?.match({
    host: req.headers.host ?? '',
    path,
    query,
    method: req.method ?? 'GET',
    header: (n) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v.join(',') : v;
    },
  });
  if (!m) return reject('404 Not Found');
  const rule = m.rule;
  if (rule.invalid) return reject(`${rule.invalid.status} Internal Server Error`);
  if (!rule.websocket) return reject('400 Bad Request');
  const rt = dp.rules.get(rule.id)!;
  const clientIP = req.socket.remoteAddress ?? '';
  if (rt.limiter) {
    const verdict = rt.limiter.take(rt.limiter.keyFor(clientIP), ctx.now());
    if (!verdict.allowed) {
      ctx.observe(rule, '', 429, 0);
      return answerAndClose(client, `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${verdict.retryAfterSeconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
  }
  let target = url;
  let rewriteHost: string | undefined;
  for (const f of rule.filters) {
    if (f.type === 'RequestRedirect') {
      const r = redirectLocation({ scheme: ctx.schemeFor(port), host: req.headers.host ?? '', path, query, listenerPort: port }, f, m.matchedPrefix);
      ctx.observe(rule, '', r.status, 0);
      return answerAndClose(client, `HTTP/1.1 ${r.status} Redirect\r\nLocation: ${r.location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    if (f.type === 'URLRewrite') {
      if (f.hostname) rewriteHost = f.hostname;
      if (f.path) target = rewritePath(path, query, f, m.matchedPrefix);
    }
  }
  const idx = rt.picker.pick();
  const ref = idx === null ? undefined : rule.backendRefs[idx];
  const runtime = ref ? dp.backends.get(ref.backend) : undefined;
  if (!ref || !runtime) return reject('500 Internal Server Error');
  const state = runtime.balancer.pick({ clientIP, path, header: (n) => req.headers[n] as string | undefined, cookie: () => undefined });
  if (!state) return reject('503 Service Unavailable');
  const upstreamPort = state.ep.port || ref.port || runtime.ir.defaultPort;
  startRequest(state);
  let ended = false;
  /** the upstream accepted the connection and the request went out: bytes flow both ways */
  let tunnel = false;
  const finish = (failed: boolean) => {
    if (ended) return;
    ended = true;
    finishRequest(state, failed, ctx.now());
  };
  const connectTo = (address: string) => {
    const useTLS = runtime.ir.protocol === 'tls' || runtime.ir.protocol === 'h2';
    // SNI as for other requests (upstream/pools.ts): URLRewrite's hostname, else the endpoint FQDN, never an IP
    const sni = rewriteHost ?? (state.ep.isIP ? undefined : state.ep.host);
    const upstream: net.Socket = useTLS
      ? tls.connect({ host: address, port: upstreamPort, ...upgradeTLSOptions(ctx.pools.trust, runtime.ir, sni && net.isIP(sni) === 0 ? sni : undefined, address), ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: address, port: upstreamPort });
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('upstream connect timeout')));
    upstream.once(useTLS ? 'secureConnect' : 'connect', () => {
      upstream.setTimeout(0);
      tunnel = true;
      let headers = stripHopByHop(req.rawHeaders, true);
      if (rt.requestMod) headers = applyHeaderMod(headers, rt.requestMod);
      headers = appendForwarded(headers, clientIP, ctx.schemeFor(port), req.headers.host);
      if (rewriteHost) headers = setHeader(headers, 'host', rewriteHost);
      if (!acceptedRequestId(req.headers['x-request-id'])) headers = setHeader(headers, 'x-request-id', randomUUID());
      let text = `${req.method} ${target} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      upstream.write(text + '\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      finish(false);
      ctx.observe(rule, ref.backend, 101, 0);
    });
    upstream.on('error', () => {
      if (!tunnel) {
        // before the tunnel: the client gets a 502 (end() flushes it, then closes)
        finish(true);
        ctx.observe(rule, ref.backend, 502, 0);
        reject('502 Bad Gateway');
        return;
      }
      client.destroy();
    });
    client.on('close', () => {
      upstream.destroy();
      if (!ended) {
        // the client left before the tunnel opened: no verdict for the endpoint
        ended = true;
        cancelRequest(state);
      }
    });
    // a clean end is passed on by pipe() (client.end() flushes what the upstream sent)
    upstream.on('close', (hadError: boolean) => {
      if (tunnel && hadError) client.destroy();
    });
  };
  if (state.ep.isIP) return connectTo(state.ep.host);
  const addrs = ctx.resolver.resolve(ref.backend, state.ep.host, upstreamPort);
  if (Array.isArray(addrs)) return connectTo(addrs[0]);
  addrs.then(
    (a) => connectTo(a[0]),
    () => {
      cancelRequest(state);
      reject('503 Service Unavailable');
    },
  );
}
