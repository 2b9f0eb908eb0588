// The small HTTP endpoint a component without an API port serves (`switchyard proxy
// --metrics-listen`): /metrics (Prometheus), /healthz and /livez (the process runs), /readyz (503
// once shutdown began, so a load balancer stops sending new connections before the drain).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';

export interface AdminServer {
  port: number;
  /** /readyz answers 503 from now on */
  notReady(): void;
  close(): Promise<void>;
}

export async function startAdminServer(host: string, port: number, registry: client.Registry, ready: () => boolean = () => true): Promise<AdminServer> {
  let shuttingDown = false;
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      try {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
      }
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/readyz') {
      const ok = !shuttingDown && ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : shuttingDown ? 'shutting down\n' : 'not ready\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    notReady: () => void (shuttingDown = true),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
