// Starts the apiserver over a store: HTTPS with the data dir's certificates (or given ones), bearer
// tokens, periodic compaction. Returns the URL clients should use and a close function.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { createApiServer, type ApiServer } from '../apiserver/server';
import { TokenAuthenticator } from '../auth/tokens';
import * as path from 'node:path';
import { ensureBootstrap, kubeconfig, type Bootstrap } from '../certs/bootstrap';
import { defaultContext } from '../registry/generic/context';
import { servedResources } from '../registry/kinds';
import type { Resource } from '../registry/resource';
import type { Logger } from '../log/logger';
import type { Store } from '../storage/interface';
import { startCompactor } from '../storage/compactor';

export interface ApiServerConfig {
  dataDir: string;
  listenHost: string;
  listenPort: number;
  store: Store;
  log: Logger;
  etcdPrefix?: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenAuthFile?: string;
  /** plain HTTP with no authentication: only behind an explicit flag */
  insecureHttp?: boolean;
  compactIntervalMs?: number;
  metricsRegistry?: client.Registry;
}

export interface RunningApiServer {
  url: string;
  port: number;
  api: ApiServer;
  resources: Resource[];
  bootstrap?: Bootstrap;
  /** admin kubeconfig (for --insecure-http: one with no credentials) */
  kubeconfigPath: string;
  server: http.Server;
  close(): Promise<void>;
}

export async function startApiServer(cfg: ApiServerConfig): Promise<RunningApiServer> {
  const resources = servedResources(cfg.etcdPrefix ?? '/registry');
  const clientHost = cfg.listenHost === '0.0.0.0' || cfg.listenHost === '::' || cfg.listenHost === '' ? '127.0.0.1' : cfg.listenHost;
  const hostForURL = clientHost.includes(':') ? `[${clientHost}]` : clientHost;
  let boot: Bootstrap | undefined;
  let auth: TokenAuthenticator | undefined;
  const server: http.Server = cfg.insecureHttp
    ? http.createServer()
    : (() => {
        boot = ensureBootstrap(cfg.dataDir, [clientHost, cfg.listenHost], `https://${hostForURL}:${cfg.listenPort}`);
        auth = TokenAuthenticator.fromFile(cfg.tokenAuthFile ?? boot.tokenFile);
        const cert = cfg.tlsCert ? fs.readFileSync(cfg.tlsCert, 'utf8') : boot.serving.cert;
        const key = cfg.tlsKey ? fs.readFileSync(cfg.tlsKey, 'utf8') : boot.serving.key;
        return https.createServer({ cert, key });
      })();
  const api = createApiServer({
    registry: defaultContext(cfg.store),
    resources,
    log: cfg.log,
    auth,
    metricsRegistry: cfg.metricsRegistry,
  });
  server.on('request', api.app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0; // watches are long-lived
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listenPort, cfg.listenHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${cfg.insecureHttp ? 'http' : 'https'}://${hostForURL}:${port}`;
  if (boot && port !== cfg.listenPort) {
    // port 0 in tests: rewrite the kubeconfigs with the real port
    boot = ensureBootstrap(cfg.dataDir, [clientHost, cfg.listenHost], url);
  }
  const kubeconfigPath = boot?.kubeconfigPath ?? path.join(cfg.dataDir, 'kubeconfig');
  if (!boot) {
    fs.mkdirSync(cfg.dataDir, { recursive: true });
    fs.writeFileSync(kubeconfigPath, kubeconfig(url, null, '', 'anonymous'), { mode: 0o600 });
  }
  const compactor = startCompactor(cfg.store, cfg.compactIntervalMs ?? 5 * 60_000, (err) => cfg.log.warn('compaction failed', { error: err.message }));
  return {
    url,
    port,
    api,
    resources,
    bootstrap: boot,
    kubeconfigPath,
    server,
    async close() {
      compactor.stop();
      api.shutdown();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
