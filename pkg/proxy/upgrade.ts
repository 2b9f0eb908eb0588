// Upgrade requests (WebSocket and others) pass through: the same routing, then a raw tunnel once
// the upstream answers 101. A rule with websocket disabled (registry facade) answers 400.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DataPlane } from './dataplane';
import type { ProxyContext } from './context';
import { cancelRequest, finishRequest, startRequest } from './balancer/endpoint_state';
import { applyHeaderMod } from './filters/headers';
import { appendForwarded, stripHopByHop } from './filters/hop_by_hop';

export function proxyUpgrade(ctx: ProxyContext, dp: DataPlane, req: IncomingMessage, client: Duplex, head: Buffer, port: number): void {
  const reject = (status: string): void => void client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
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
  const idx = rt.picker.pick();
  const ref = idx === null ? undefined : rule.backendRefs[idx];
  const runtime = ref ? dp.backends.get(ref.backend) : undefined;
  if (!ref || !runtime) return reject('500 Internal Server Error');
  const clientIP = req.socket.remoteAddress ?? '';
  const state = runtime.balancer.pick({ clientIP, path, header: (n) => req.headers[n] as string | undefined, cookie: () => undefined });
  if (!state) return reject('503 Service Unavailable');
  const upstreamPort = state.ep.port || ref.port || runtime.ir.defaultPort;
  startRequest(state);
  let ended = false;
  const finish = (failed: boolean) => {
    if (ended) return;
    ended = true;
    finishRequest(state, failed, ctx.now());
  };
  const connectTo = (address: string) => {
    const useTLS = runtime.ir.protocol === 'tls' || runtime.ir.protocol === 'h2';
    const upstream: net.Socket = useTLS
      ? tls.connect({ host: address, port: upstreamPort, servername: state.ep.isIP ? undefined : state.ep.host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: address, port: upstreamPort });
    upstream.once(useTLS ? 'secureConnect' : 'connect', () => {
      let headers = stripHopByHop(req.rawHeaders, true);
      if (rt.requestMod) headers = applyHeaderMod(headers, rt.requestMod);
      headers = appendForwarded(headers, clientIP, ctx.scheme, req.headers.host);
      let text = `${req.method} ${url} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      upstream.write(text + '\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      finish(false);
      ctx.observe(rule, ref.backend, 101, 0);
    });
    upstream.on('error', () => {
      if (!ended) {
        finish(true);
        reject('502 Bad Gateway');
      }
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
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
