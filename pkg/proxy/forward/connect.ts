// CONNECT host:port through a dynamicProxy Backend: route (host = the authority, path "/"), the
// route's rate limit, resolve through the Backend's DNS cache, refuse denied destinations, dial the
// allowed addresses in order, then tunnel raw TCP. Metrics and the access log see it like any
// request. A client that leaves while the target is resolved or dialled leaves no upstream socket;
// a CONNECT that cannot be dialled gets its 502 (flushed) before the close.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DataPlane } from '../dataplane';
import type { ProxyContext } from '../context';
import type { DetachedOptions } from '../upgrade';
import { ClientHold, answerAndClose, dialInOrder, joinTunnel, logDetached, plainAnswer, type Dialing } from '../tunnel';
import { splitAuthority } from './target';
import { detachedVerdict } from '../resilience/detached_limit';

export function proxyConnect(ctx: ProxyContext, dp: DataPlane, req: IncomingMessage, client: Duplex, head: Buffer, port: number, o: DetachedOptions): void {
  const started = performance.now();
  const rid = o.requestId;
  client.on('error', () => client.destroy());
  const authority = req.url ?? '';
  const m0 = splitAuthority(authority, 443)
    ? dp.routers.get(port)?.match({
        host: authority,
        path: '/',
        query: '',
        method: 'CONNECT',
        header: (n) => {
          const v = Object.hasOwn(req.headers, n) ? req.headers[n] : undefined;
          return Array.isArray(v) ? v.join(',') : v;
        },
      })
    : undefined;
  const rule = m0?.rule ?? null;
  let backend = '';
  const answer = (status: number, reason: string, msg: string, extra: Record<string, string> = {}, upstream?: string): void => {
    ctx.observe(rule!, backend, status, performance.now() - started);
    logDetached(ctx, req, { requestId: rid, status, started, rule, backend, upstream, reason: msg });
    answerAndClose(client, plainAnswer(status, reason, msg + '\n', { 'X-Request-Id': rid, ...extra }));
  };
  const t = splitAuthority(authority, 443);
  if (!t) return answer(400, 'Bad Request', 'CONNECT needs host:port');
  if (!m0 || !rule) return answer(404, 'Not Found', 'route not found');
  if (rule.invalid) return answer(rule.invalid.status, 'Error', rule.invalid.reason);
  const rt = dp.rules.get(rule.id)!;
  const idx = rt.picker.pick();
  const ref = idx === null ? undefined : rule.backendRefs[idx];
  const runtime = ref ? dp.backends.get(ref.backend) : undefined;
  if (!ref || !runtime) return answer(500, 'Internal Server Error', 'no backend');
  backend = ref.backend;
  if (!runtime.ir.dynamicProxy) return answer(405, 'Method Not Allowed', 'CONNECT is served by dynamicProxy Backends only');
  if (rt.limiter) {
    const verdict = detachedVerdict(ctx, rt.limiter, rule.id, req.socket.remoteAddress ?? '', o.limitVerdict, client, (v) => proxyConnect(ctx, dp, req, client, head, port, { ...o, limitVerdict: v }));
    if (verdict === undefined) return;
    if (!verdict.allowed) return answer(429, 'Too Many Requests', 'rate limit exceeded', { 'Retry-After': String(verdict.retryAfterSeconds) });
  }

  // the client's leaving is seen from now on (before DNS and dial), and its early bytes are held
  let dialing: Dialing | null = null;
  const hold = new ClientHold(client, head, () => {
    dialing?.cancel();
    ctx.observe(rule, backend, 499, performance.now() - started);
    logDetached(ctx, req, { requestId: rid, status: 499, started, rule, backend, reason: 'client went away' });
    client.destroy();
  });
  const fail = (status: number, reason: string, msg: string, upstream?: string) => {
    hold.release();
    answer(status, reason, msg, {}, upstream);
  };
  const open = (addrs: string[]) => {
    if (hold.gone) return;
    const allowed = addrs.filter((a) => !ctx.deny.denies(a, t.port));
    if (allowed.length === 0) return fail(403, 'Forbidden', `destination ${t.host} is denied`);
    ctx.resolver.used?.(backend, t.host, t.port);
    dialing = dialInOrder({ addresses: allowed, port: t.port }, (err, upstream, address) => {
      dialing = null;
      const where = `${address}:${t.port}`;
      if (err || !upstream) return fail(502, 'Bad Gateway', `upstream connect error: ${(err as NodeJS.ErrnoException | null)?.code ?? err?.message ?? 'no address'}`, where);
      if (hold.gone) return void upstream.destroy();
      const early = hold.take();
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (early.length) upstream.write(early);
      ctx.observe(rule, backend, 200, performance.now() - started);
      logDetached(ctx, req, { requestId: rid, status: 200, started, rule, backend, upstream: where });
      joinTunnel(client, upstream, o.tunnelIdleMs, () => undefined);
    });
  };
  // *.localhost is loopback by definition: refused by name, before any lookup
  if (ctx.deny.deniesName(t.host)) return fail(403, 'Forbidden', `destination ${t.host} is denied`);
  const addrs = ctx.resolver.resolve(backend, t.host, t.port);
  if (Array.isArray(addrs)) return open(addrs);
  addrs.then(open, (err: Error) => (hold.gone ? undefined : fail(503, 'Service Unavailable', err.message)));
}
