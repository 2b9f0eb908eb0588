// Leader election for switchyard's replicas. One design for every caller:
// - the lease is a coordination.k8s.io/v1 Lease, stored under `<prefix>/leases/<ns>/<name>`;
// - in-process candidates (apiserver replicas, `serve` on etcd) reach it through the store
//   (StoreLeaseClient: create-if-absent / update-if-resourceVersion);
// - `switchyard proxy` replicas reach the same record through the apiserver's Lease API
//   (ApiLeaseClient over client-node; lease_api.ts serves it), or a real cluster's Lease API;
// - decide.ts holds the pure rules, elector.ts the loop and the safety margin.
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import type client from 'prom-client';
import type { Logger } from '../log/logger';
import { LeaderElector, type ElectorEvents, type LeaseClient } from './elector';
import { countAcquired, registerLeaderMetrics } from './metrics';

export { LeaderElector, DEFAULT_TIMINGS, validateTimings, type LeaseClient, type Clock } from './elector';
export { StoreLeaseClient } from './store_client';
export { ApiLeaseClient } from './api_client';
export { mountLeaseApi } from './lease_api';

export const DEFAULT_NAMESPACE = 'switchyard-system';
/** the controller's status writer (`switchyard proxy` replicas, `serve` replicas on etcd) */
export const CONTROLLER_LEASE = 'switchyard-controller';
/** once-per-cluster apiserver chores (e.g. the edgeProxy TTL sweep) */
export const APISERVER_LEASE = 'switchyard-apiserver';

/** client-go's default identity: hostname plus a unique suffix (two processes on one host differ). */
export function defaultIdentity(): string {
  return `${os.hostname()}_${randomUUID()}`;
}

export interface ElectionConfig extends ElectorEvents {
  client: LeaseClient;
  identity?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  metricsRegistry?: client.Registry;
}

export interface Election {
  elector: LeaderElector;
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** Start campaigning now; logs every change of leadership. */
export function startElection(cfg: ElectionConfig): Election {
  const identity = cfg.identity || defaultIdentity();
  let failing = 0;
  let unregister: () => unknown = () => undefined;
  const elector = new LeaderElector({
    ...cfg,
    identity,
    onStartedLeading: () => {
      failing = 0;
      cfg.log.info('became leader', { lease: cfg.client.name, identity });
      countAcquired(cfg.metricsRegistry, cfg.client.name);
      cfg.onStartedLeading?.();
    },
    onStoppedLeading: () => {
      cfg.log.info('stopped leading', { lease: cfg.client.name, identity });
      cfg.onStoppedLeading?.();
    },
    onNewLeader: (holder) => {
      failing = 0;
      if (holder !== identity) cfg.log.info('new leader observed', { lease: cfg.client.name, holder: holder || '(none)' });
      cfg.onNewLeader?.(holder);
    },
    onError: (err) => {
      // the first failure of a streak is worth a warning (e.g. no RBAC on leases); repeats are not
      failing++;
      cfg.log.log(failing === 1 ? 'warn' : 'debug', 'leader election attempt failed', { lease: cfg.client.name, error: err.message });
      cfg.onError?.(err);
    },
  });
  if (cfg.metricsRegistry) unregister = registerLeaderMetrics(cfg.metricsRegistry, elector);
  elector.start();
  return {
    elector,
    isLeader: () => elector.isLeader(),
    async stop() {
      await elector.stop();
      unregister();
    },
  };
}
