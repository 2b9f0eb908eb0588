// The three registration APIs other proxies made popular, as thin adapters over Backends and
// HTTPRoutes written through the apiserver's registry flows (see README.md):
//   edgeProxy auto-discovery  EDGEPROXY_API_ENABLED=true on EDGEPROXY_API_LISTEN_ADDR (0.0.0.0:8081)
//   route registry            --registry-listen HOST:PORT
//   upstreams & targets       --upstreams-listen HOST:PORT
import type client from 'prom-client';
import type { Logger } from '../log/logger';
import { facadeMetrics } from './common/metrics';
import type { RegistryContext } from '../registry/generic/context';
import type { Resource } from '../registry/resource';
import { Objects } from './common/objects';
import { listen, type FacadeServer } from './common/http';
import { Liveness } from './edgeproxy/liveness';
import { DEFAULT_EDGEPROXY_RATE_LIMIT, edgeProxyApp } from './edgeproxy/server';
import { DEFAULT_REGISTRY_RATE_LIMIT, registryApp } from './registry/server';
import { DEFAULT_UPSTREAMS_RATE_LIMIT, upstreamsApp } from './upstreams/server';

export interface FacadesOptions {
  registry: RegistryContext;
  resources: Resource[];
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** HOST:PORT for the route registry (unset: off) */
  registryListen?: string;
  /** HOST:PORT for the upstreams/targets API (unset: off) */
  upstreamsListen?: string;
  /** several apiserver replicas share the store (etcd): heartbeats may reach another replica */
  multiReplica?: boolean;
  /** only the leader marks and sweeps expired edgeProxy backends (issue 7's lease); default: always */
  isLeader?: () => boolean;
  /** where facade metrics go (the process registry, served on the apiserver's /metrics) */
  metricsRegistry?: client.Registry;
}

export interface RunningFacades {
  ports: { edgeProxy?: number; registry?: number; upstreams?: number };
  /** every host:port the facades listen on (the forward proxy refuses them) */
  listening: { host: string; port: number }[];
  liveness?: Liveness;
  close(): Promise<void>;
}

export const DEFAULT_EDGEPROXY_LISTEN = '0.0.0.0:8081';
export const DEFAULT_HEARTBEAT_TTL_SECS = 60;

const truthy = (v: string | undefined) => /^(1|t|true|yes|on)$/i.test((v ?? '').trim());

function intEnv(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, integer = true): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export async function startFacades(opts: FacadesOptions): Promise<RunningFacades> {
  const { env, log } = opts;
  const metrics = opts.metricsRegistry ? facadeMetrics(opts.metricsRegistry) : undefined;
  const servers: FacadeServer[] = [];
  const out: RunningFacades = {
    ports: {},
    listening: [],
    async close() {
      out.liveness?.stop();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  try {
    if (truthy(env.EDGEPROXY_API_ENABLED)) {
      const ttlSecs = intEnv(env, 'EDGEPROXY_HEARTBEAT_TTL_SECS', DEFAULT_HEARTBEAT_TTL_SECS, 1);
      const objects = new Objects(opts.registry, opts.resources, 'switchyard-edgeproxy');
      // heartbeat writes (liveness.ts): at most one per backend per PERSIST_SECS (default: the TTL) and
      // at most PERSIST_RATE per second in all (default 1; 0: no budget). Both 0: a write per heartbeat.
      const persistSecs = intEnv(env, 'SWITCHYARD_EDGEPROXY_PERSIST_SECS', ttlSecs, 0);
      const persistRate = intEnv(env, 'SWITCHYARD_EDGEPROXY_PERSIST_RATE', 1, 0, false);
      const liveness = new Liveness(objects, log, {
        ttlMs: ttlSecs * 1000,
        persistEveryMs: persistSecs * 1000,
        persistRatePerSec: persistRate,
        multiReplica: opts.multiReplica,
        isLeader: opts.isLeader,
      });
      await liveness.start();
      out.liveness = liveness;
      metrics?.watchLiveness(liveness);
      const app = edgeProxyApp({
        objects,
        liveness,
        log,
        metrics,
        appDomain: env.EDGEPROXY_APP_DOMAIN?.trim() || undefined,
        token: env.SWITCHYARD_EDGEPROXY_TOKEN || undefined,
        rateLimitPerMinute: intEnv(env, 'SWITCHYARD_EDGEPROXY_RATE_LIMIT', DEFAULT_EDGEPROXY_RATE_LIMIT, 0),
      });
      const s = await listen(app, env.EDGEPROXY_API_LISTEN_ADDR?.trim() || DEFAULT_EDGEPROXY_LISTEN);
      servers.push(s);
      out.ports.edgeProxy = s.port;
      out.listening.push({ host: s.host, port: s.port });
      log.info('edgeProxy auto-discovery API listening', { address: `${s.host}:${s.port}`, ttlSecs, auth: !!env.SWITCHYARD_EDGEPROXY_TOKEN, region: env.EDGEPROXY_REGION || 'sa' });
    }
    if (opts.registryListen) {
      const objects = new Objects(opts.registry, opts.resources, 'switchyard-registry');
      const app = registryApp({
        objects,
        log,
        metrics,
        token: env.SWITCHYARD_REGISTRY_TOKEN || undefined,
        rateLimitPerMinute: intEnv(env, 'SWITCHYARD_REGISTRY_RATE_LIMIT', DEFAULT_REGISTRY_RATE_LIMIT, 0),
      });
      const s = await listen(app, opts.registryListen);
      servers.push(s);
      out.ports.registry = s.port;
      out.listening.push({ host: s.host, port: s.port });
      log.info('route registry listening', { address: `${s.host}:${s.port}`, auth: !!env.SWITCHYARD_REGISTRY_TOKEN });
    }
    if (opts.upstreamsListen) {
      const objects = new Objects(opts.registry, opts.resources, 'switchyard-upstreams');
      const app = upstreamsApp({
        objects,
        log,
        metrics,
        token: env.SWITCHYARD_UPSTREAMS_TOKEN || undefined,
        rateLimitPerMinute: intEnv(env, 'SWITCHYARD_UPSTREAMS_RATE_LIMIT', DEFAULT_UPSTREAMS_RATE_LIMIT, 0),
      });
      const s = await listen(app, opts.upstreamsListen);
      servers.push(s);
      out.ports.upstreams = s.port;
      out.listening.push({ host: s.host, port: s.port });
      log.info('upstreams/targets API listening', { address: `${s.host}:${s.port}`, auth: !!env.SWITCHYARD_UPSTREAMS_TOKEN });
    }
  } catch (err) {
    await out.close();
    throw err;
  }
  return out;
}
