// Loopback stand-ins for the suite's echo-basic pods: each answers JSON with the request it saw
// (path with query, host, method, proto, headers by canonical name), its context (namespace,
// ingress, service, pod) and httpPort; honours `X-Echo-Set-Header: name:value,...` (response
// headers) and `?delay=<duration>` as echo-basic does. One server per pod, on its own port.
import * as http from 'node:http';
import type * as net from 'node:net';

export interface EchoReply {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  httpPort: string;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

export interface EchoPod {
  pod: string;
  namespace: string;
  service: string;
  host: string;
  port: number;
  hits: number;
  /** the last paths answered (bounded), for mirror checks */
  paths: string[];
  close(): Promise<void>;
}

const canonical = (name: string) => name.toLowerCase().replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());

/** a Go duration as echo-basic parses it ("1s", "500ms"); bounded to 10 s */
export function parseDelay(s: string | null): number {
  if (!s) return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1_000);
  return Math.min(n, 10_000);
}

export async function startEchoPod(pod: string, namespace: string, service: string, host = '127.0.0.1', port = 0): Promise<EchoPod> {
  const echo: EchoPod = { pod, namespace, service, host, port: 0, hits: 0, paths: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    echo.hits++;
    echo.paths.push(req.url ?? '');
    if (echo.paths.length > 200) echo.paths.shift();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) (headers[canonical(req.rawHeaders[i]!)] ??= []).push(req.rawHeaders[i + 1]!);
      const url = new URL(req.url ?? '/', 'http://x');
      const reply: EchoReply = { path: req.url ?? '', host: req.headers.host ?? '', method: req.method ?? '', proto: `HTTP/${req.httpVersion}`, headers, httpPort: String(echo.port), namespace, ingress: '', service, pod };
      const out: Record<string, string> = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' };
      for (const list of headers['X-Echo-Set-Header'] ?? []) {
        for (const kv of list.split(',')) {
          const at = kv.indexOf(':');
          if (at > 0) out[kv.slice(0, at).trim()] = kv.slice(at + 1).trim();
        }
      }
      const body = JSON.stringify(reply);
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { ...out, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      const delay = parseDelay(url.searchParams.get('delay'));
      if (delay > 0) setTimeout(answer, delay).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve());
  });
  echo.port = (server.address() as net.AddressInfo).port;
  echo.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return echo;
}
