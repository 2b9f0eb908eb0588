// CONNECT host:port through a dynamicProxy Backend: route (host = the authority, path "/"),
// resolve through the Backend's DNS cache, refuse denied destinations, then tunnel raw TCP.
import * as net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DataPlane } from '../dataplane';
import type { ProxyContext } from '../context';
import { splitAuthority } from './target';

export function proxyConnect(ctx: ProxyContext, dp: DataPlane, req: IncomingMessage, client: Duplex, head: Buffer, port: number): void {
  const answer = (status: string, body = ''): void =>
    void client.end(`HTTP/1.1 ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  client.on('error', () => client.destroy());
  const authority = req.url ?? '';
  const t = splitAuthority(authority, 443);
  if (!t) return answer('400 Bad Request', 'CONNECT needs host:port\n');
  const m = dp.routers.get(port)?.match({
    host: authority,
    path: '/',
    query: '',
    method: 'CONNECT',
    header: (n) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v.join(',') : v;
    },
  });
  if (!m) return answer('404 Not Found', 'route not found\n');
  if (m.rule.invalid) return answer(`${m.rule.invalid.status} Error`, `${m.rule.invalid.reason}\n`);
  const rt = dp.rules.get(m.rule.id)!;
  const idx = rt.picker.pick();
  const ref = idx === null ? undefined : m.rule.backendRefs[idx];
  const runtime = ref ? dp.backends.get(ref.backend) : undefined;
  if (!ref || !runtime) return answer('500 Internal Server Error', 'no backend\n');
  if (!runtime.ir.dynamicProxy) return answer('405 Method Not Allowed', 'CONNECT is served by dynamicProxy Backends only\n');
  const started = performance.now();
  const open = (addrs: string[]) => {
    const address = addrs.find((a) => !ctx.deny.denies(a, t.port));
    if (address === undefined) {
      ctx.observe(m.rule, ref.backend, 403, 0);
      return answer('403 Forbidden', `destination ${t.host} is denied\n`);
    }
    ctx.resolver.used?.(ref.backend, t.host, t.port);
    const upstream = net.connect({ host: address, port: t.port });
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      ctx.observe(m.rule, ref.backend, 200, performance.now() - started);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (upstream.connecting || !client.writable) answer('502 Bad Gateway', `upstream connect error: ${err.code ?? err.message}\n`);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  if (ctx.deny.deniesName(t.host)) {
    ctx.observe(m.rule, ref.backend, 403, 0);
    return answer('403 Forbidden', `destination ${t.host} is denied\n`);
  }
  const addrs = ctx.resolver.resolve(ref.backend, t.host, t.port);
  if (Array.isArray(addrs)) return open(addrs);
  addrs.then(open, (err: Error) => answer('503 Service Unavailable', `${err.message}\n`));
}
