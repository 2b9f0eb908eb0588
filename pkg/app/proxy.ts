// Controller + DNS caches + proxy, assembled: what `serve` runs beside the apiserver and what
// `proxy --kubeconfig` runs against any apiserver (ours or a real cluster with crds/ installed).
import client from 'prom-client';
import type { Logger } from '../log/logger';
import { Controller } from '../controller/controller';
import { DnsCacheManager } from '../dns/manager';
import { registerDnsMetrics } from '../dns/cache';
import { Proxy } from '../proxy/proxy';
import { cacheResolver } from './dns_resolver';
import type { DenyList } from '../proxy/forward/denylist';

export interface ProxyConfig {
  kubeconfig: string;
  listenHost: string;
  listenPort: number;
  log: Logger;
  dnsServers?: string[];
  metricsRegistry?: client.Registry;
  deny?: DenyList;
  /** edgeProxy: the proxy's own region (EDGEPROXY_REGION) */
  preferRegion?: string;
}

export interface RunningProxy {
  proxy: Proxy;
  controller: Controller;
  dns: DnsCacheManager;
  port: number;
  close(): Promise<void>;
}

export async function startProxy(cfg: ProxyConfig): Promise<RunningProxy> {
  const registry = cfg.metricsRegistry ?? new client.Registry();
  const dns = new DnsCacheManager({ servers: cfg.dnsServers });
  registerDnsMetrics(registry, dns);
  let controller: Controller | undefined;
  const proxy = new Proxy({
    listen: { host: cfg.listenHost, port: cfg.listenPort },
    log: cfg.log,
    resolver: cacheResolver(dns),
    metricsRegistry: registry,
    deny: cfg.deny,
    onListenersChanged: () => controller?.schedule(),
  });
  await proxy.start();
  controller = new Controller({
    kubeconfig: cfg.kubeconfig,
    log: cfg.log,
    proxyHost: cfg.listenHost,
    preferRegion: cfg.preferRegion,
    bindErrors: () => proxy.listeners.bindErrors,
    onSnapshot: (s) => {
      dns.sync(s.backends);
      void proxy.setSnapshot(s);
    },
  });
  await controller.start();
  return {
    proxy,
    controller,
    dns,
    port: proxy.defaultPort()!,
    async close() {
      controller?.stop();
      await proxy.close();
      dns.close();
    },
  };
}
