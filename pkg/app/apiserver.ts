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
import { compactKey, startCompactor } from '../storage/compactor';
import { APISERVER_LEASE, DEFAULT_NAMESPACE, DEFAULT_TIMINGS, mountLeaseApi, startElection, StoreLeaseClient } from '../leader';
import { createConsole, type ConsoleSource } from '../console';
import { ensureNamespaces } from '../apiserver/namespaces';

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
  /** coordinated compaction interval (default 5 min; 0 disables) */
  compactIntervalMs?: number;
  metricsRegistry?: client.Registry;
  /**
   * Elect one replica for once-per-cluster chores (the `switchyard-apiserver` Lease in the store).
   * Leave unset for a single-process store (SQLite): that one process always leads.
   */
  leaderElection?: { identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  /**
   * how long a client may take to send a whole request, headers and body (default 60 s, kube's
   * --request-timeout); past it 408 and the connection closes. Responses (watches) are not bounded.
   */
  requestTimeoutMs?: number;
  /** how long close() lets in-flight requests finish before cutting connections (default 10 s) */
  shutdownDrainMs?: number;
  /** web console at /console/ (static files + GET /console/api/stats); default: on, with no proxy figures */
  console?: { source: ConsoleSource; webRoot?: string } | false;
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
  /** true on the one replica that does once-per-cluster chores (always, without election) */
  isLeader(): boolean;
  close(): Promise<void>;
}

export async function startApiServer(cfg: ApiServerConfig): Promise<RunningApiServer> {
  const resources = servedResources(cfg.etcdPrefix ?? '/registry');
  const clientHost = cfg.listenHost === '0.0.0.0' || cfg.listenHost === '::' || cfg.listenHost === '' ? '127.0.0.1' : cfg.listenHost;
  const hostForURL = clientHost.includes(':') ? `[${clientHost}]` : clientHost;
  let boot: Bootstrap | undefined;
  let auth: TokenAuthenticator | undefined;
  // Node checks unfinished requests every connectionsCheckingInterval: often enough for the timeout
  const requestTimeout = cfg.requestTimeoutMs ?? 60_000;
  const timeouts = { requestTimeout, connectionsCheckingInterval: requestTimeout > 0 ? Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4))) : 30_000 };
  const server: http.Server = cfg.insecureHttp
    ? http.createServer(timeouts)
    : (() => {
        boot = ensureBootstrap(cfg.dataDir, [clientHost, cfg.listenHost], `https://${hostForURL}:${cfg.listenPort}`);
        auth = TokenAuthenticator.fromFile(cfg.tokenAuthFile ?? boot.tokenFile);
        const cert = cfg.tlsCert ? fs.readFileSync(cfg.tlsCert, 'utf8') : boot.serving.cert;
        const key = cfg.tlsKey ? fs.readFileSync(cfg.tlsKey, 'utf8') : boot.serving.key;
        return https.createServer({ cert, key, ...timeouts });
      })();
  const webConsole = cfg.console === false ? undefined : createConsole(cfg.console ?? { source: {} });
  const metricsRegistry = cfg.metricsRegistry ?? new client.Registry();
  const prefix = cfg.etcdPrefix ?? '/registry';
  const api = createApiServer({
    registry: defaultContext(cfg.store),
    resources,
    log: cfg.log,
    auth,
    metricsRegistry,
    extraRoutes: (app) => {
      mountLeaseApi(app, { store: cfg.store, prefix }); // coordination.k8s.io/v1 Leases (leader election)
      webConsole?.routes(app);
    },
  });
  await ensureNamespaces(api.ctx.registry, resources);
  server.on('request', webConsole ? webConsole.wrap(api.handler) : api.handler);
  server.keepAliveTimeout = 65_000;
  // A request must arrive whole within requestTimeout: a client trickling (or never finishing) a
  // body, even an unauthenticated one already answered 401, held its connection forever. Only the
  // receiving of the request is bounded: a watch's request is complete once its headers are in.
  server.headersTimeout = requestTimeout > 0 ? Math.min(70_000, requestTimeout) : 70_000;
  server.requestTimeout = requestTimeout;
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
  const compactions =
    (metricsRegistry.getSingleMetric('switchyard_storage_compactions_total') as client.Counter<'outcome'> | undefined) ??
    new client.Counter({
      name: 'switchyard_storage_compactions_total',
      help: 'Compactor ticks by outcome: compacted (this replica won the compact_rev_key swap and compacted), bootstrap (won, nothing to compact yet), lost (another replica won this interval), error.',
      labelNames: ['outcome'] as const,
      registers: [metricsRegistry],
    });
  const compactor = startCompactor(cfg.store, {
    intervalMs: cfg.compactIntervalMs ?? 5 * 60_000,
    key: compactKey(prefix),
    onTick: (t) => {
      compactions.inc({ outcome: t.outcome });
      if (t.outcome === 'compacted') cfg.log.info('storage compacted', { revision: t.revision });
      else if (t.outcome === 'error') cfg.log.warn('compaction failed', { error: t.error?.message });
      else cfg.log.debug('compaction tick', { outcome: t.outcome });
    },
  });
  const election = cfg.leaderElection
    ? startElection({
        client: new StoreLeaseClient(cfg.store, DEFAULT_NAMESPACE, APISERVER_LEASE, prefix),
        identity: cfg.leaderElection.identity,
        leaseDurationMs: cfg.leaderElection.leaseDurationMs ?? DEFAULT_TIMINGS.leaseDurationMs,
        renewDeadlineMs: cfg.leaderElection.renewDeadlineMs ?? DEFAULT_TIMINGS.renewDeadlineMs,
        retryPeriodMs: cfg.leaderElection.retryPeriodMs ?? DEFAULT_TIMINGS.retryPeriodMs,
        log: cfg.log,
        metricsRegistry,
      })
    : undefined;
  return {
    url,
    port,
    api,
    resources,
    bootstrap: boot,
    kubeconfigPath,
    server,
    isLeader: () => election?.isLeader() ?? true,
    async close() {
      // Graceful: stop accepting, end every watch with a final bookmark (for clients that asked
      // for bookmarks), let in-flight requests finish (bounded), then cut what is left.
      compactor.stop();
      await election?.stop();
      api.shutdown();
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections?.(), cfg.shutdownDrainMs ?? 10_000);
        cut.unref();
        // keep closing connections as they turn idle (Go's Server.Shutdown does the same)
        const poll = setInterval(() => server.closeIdleConnections?.(), 100);
        server.close(() => {
          clearTimeout(cut);
          clearInterval(poll);
          resolve();
        });
        server.closeIdleConnections?.();
      });
    },
  };
}
