// Controller + DNS caches + proxy, assembled: what `serve` runs beside the apiserver and what
// `proxy --kubeconfig` runs against any apiserver (ours or a real cluster with crds/ installed).
import client from 'prom-client';
import type { Logger } from '../log/logger';
import { Controller } from '../controller/controller';
import { DnsCacheManager } from '../dns/manager';
import { registerDnsMetrics } from '../dns/cache';
import { Proxy, type ProxyOptions } from '../proxy/proxy';
import { UpstreamTrust } from '../proxy/upstream/tls';
import { cacheResolver } from './dns_resolver';
import type { DenyList } from '../proxy/forward/denylist';
import type { Store } from '../storage/interface';
import { loadClientNode } from '../util/esm';
import { ApiLeaseClient, CONTROLLER_LEASE, DEFAULT_NAMESPACE, DEFAULT_TIMINGS, startElection, StoreLeaseClient, type Election } from '../leader';
import { startAdminServer, type AdminServer } from './admin_server';
import { ProxyWorkers } from '../proxy/workers/pool';
import { DenyList as DenyListClass } from '../proxy/forward/denylist';

export interface ProxyLeaderElection {
  /** Lease namespace and name (default switchyard-system/switchyard-controller) */
  namespace?: string;
  name?: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** elect through this store (`serve` on etcd); default: the Lease API behind the kubeconfig */
  store?: { store: Store; prefix: string };
}

export interface ProxyConfig {
  kubeconfig: string;
  listenHost: string;
  listenPort: number;
  log: Logger;
  dnsServers?: string[];
  /** --dns-max-pending: first DNS lookups in flight at once (default 1024) */
  dnsMaxPending?: number;
  metricsRegistry?: client.Registry;
  deny?: DenyList;
  /** edgeProxy: the proxy's own region (EDGEPROXY_REGION) */
  preferRegion?: string;
  /** only the elected replica writes status; unset: this process always writes (single replica) */
  leaderElection?: ProxyLeaderElection;
  /** slowloris bound on the proxy listeners (default 30 s) */
  headersTimeoutMs?: number;
  /** one structured log line per proxied request */
  accessLog?: boolean;
  /** certificate for TLS listeners (HTTPS Gateway listeners; `listen`: --proxy-tls-listen) */
  tls?: ProxyOptions['tls'];
  /** how long close() lets in-flight proxied requests finish (default 10 s) */
  shutdownDrainMs?: number;
  /** --trusted-proxies, --proxy-via-name, --tunnel-idle-timeout */
  trustedProxies?: ProxyOptions['trustedProxies'];
  viaName?: string;
  tunnelIdleMs?: number;
  /** serve /metrics, /healthz, /readyz here (the `proxy` command has no API port) */
  metricsListen?: { host: string; port: number };
  /** --upstream-ca-file: PEM certificates tls/h2 upstreams may chain to, besides the system store */
  upstreamCA?: string[];
  /** upstream response / body idle and client body idle timeouts (default 60 s each; 0 disables) */
  timeouts?: ProxyOptions['timeouts'];
  /** --proxy-workers: the data plane in this many processes (1, the default here: in this process) */
  proxyWorkers?: number;
}

export interface RunningProxy {
  /** the in-process data plane, or (--proxy-workers > 1) the main's side of the worker processes */
  proxy: Proxy | ProxyWorkers;
  controller: Controller;
  dns: DnsCacheManager;
  port: number;
  /** the status-writer election, when enabled */
  election?: Election;
  admin?: AdminServer;
  close(): Promise<void>;
}

export async function startProxy(cfg: ProxyConfig): Promise<RunningProxy> {
  const registry = cfg.metricsRegistry ?? new client.Registry();
  const dns = new DnsCacheManager({ servers: cfg.dnsServers, maxPending: cfg.dnsMaxPending });
  registerDnsMetrics(registry, dns);
  let controller: Controller | undefined;
  const proxy = (cfg.proxyWorkers ?? 1) > 1 ? proxyWorkers(cfg, dns, registry, () => controller?.schedule()) : new Proxy({
    listen: { host: cfg.listenHost, port: cfg.listenPort },
    log: cfg.log,
    resolver: cacheResolver(dns),
    metricsRegistry: registry,
    deny: cfg.deny,
    headersTimeoutMs: cfg.headersTimeoutMs,
    accessLog: cfg.accessLog,
    tls: cfg.tls,
    upstreamTrust: new UpstreamTrust(cfg.upstreamCA ?? []),
    trustedProxies: cfg.trustedProxies,
    viaName: cfg.viaName,
    tunnelIdleMs: cfg.tunnelIdleMs,
    timeouts: cfg.timeouts,
    onListenersChanged: () => controller?.schedule(),
  });
  await proxy.start();
  let election: Election | undefined;
  if (cfg.leaderElection) {
    const le = cfg.leaderElection;
    const ns = le.namespace || DEFAULT_NAMESPACE;
    const name = le.name || CONTROLLER_LEASE;
    let leaseClient;
    if (le.store) leaseClient = new StoreLeaseClient(le.store.store, ns, name, le.store.prefix);
    else {
      const k8s = await loadClientNode();
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(cfg.kubeconfig);
      leaseClient = new ApiLeaseClient(k8s, kc, ns, name);
    }
    election = startElection({
      client: leaseClient,
      identity: le.identity,
      leaseDurationMs: le.leaseDurationMs ?? DEFAULT_TIMINGS.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs ?? DEFAULT_TIMINGS.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs ?? DEFAULT_TIMINGS.retryPeriodMs,
      log: cfg.log,
      metricsRegistry: registry,
      // a new leader reconciles at once: statuses the old one left unwritten get written
      onStartedLeading: () => controller?.schedule(),
    });
  }
  controller = new Controller({
    writeStatus: election ? () => election.isLeader() : undefined,
    kubeconfig: cfg.kubeconfig,
    log: cfg.log,
    proxyHost: cfg.listenHost,
    preferRegion: cfg.preferRegion,
    bindErrors: () => proxy.listeners.bindErrors,
    tlsVerdict: (backend) => proxy.pools.verdicts.get(backend),
    onSnapshot: (s) => {
      dns.sync(s.backends);
      void proxy.setSnapshot(s);
    },
  });
  proxy.pools.verdicts.onChange = (backend) => controller?.backendStatusDue(backend);
  await controller.start();
  const admin = cfg.metricsListen ? await startAdminServer(cfg.metricsListen.host, cfg.metricsListen.port, registry) : undefined;
  return {
    proxy,
    controller,
    dns,
    port: proxy.defaultPort()!,
    election,
    admin,
    async close() {
      // Graceful: fail readiness, hand the lease over (a successor need not wait it out), stop
      // the controller, stop accepting and let in-flight requests finish (bounded).
      admin?.notReady();
      await election?.stop();
      controller?.stop();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        proxy.close().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), cfg.shutdownDrainMs ?? 10_000))),
      ]);
      clearTimeout(timer);
      if (!drained) cfg.log.warn('shutdown: in-flight proxy requests still open after the drain timeout; closing them');
      dns.close();
      await admin?.close();
    },
  };
}

/** --proxy-workers N > 1: the data plane in N processes; this one keeps the controller, DNS and shared state */
function proxyWorkers(cfg: ProxyConfig, dns: DnsCacheManager, registry: client.Registry, onListenersChanged: () => void): ProxyWorkers {
  const deny = cfg.deny ?? new DenyListClass();
  return new ProxyWorkers({
    workers: cfg.proxyWorkers!,
    log: cfg.log,
    resolver: cacheResolver(dns),
    metricsRegistry: registry,
    init: {
      listen: { host: cfg.listenHost, port: cfg.listenPort },
      tlsListen: cfg.tls?.listen,
      headersTimeoutMs: cfg.headersTimeoutMs,
      accessLog: cfg.accessLog,
      viaName: cfg.viaName,
      tunnelIdleMs: cfg.tunnelIdleMs,
      timeouts: cfg.timeouts,
      trustedProxies: cfg.trustedProxies?.cidrs ?? [],
      deny: { cidrs: deny.cidrs, denySelf: deny.denySelf },
      upstreamCA: cfg.upstreamCA ?? [],
    },
    tls: cfg.tls?.certificate,
    upstreamTrust: new UpstreamTrust(cfg.upstreamCA ?? []),
    deny,
    onListenersChanged,
    drainMs: cfg.shutdownDrainMs,
  });
}
