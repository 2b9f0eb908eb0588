// Backend → BackendIR. Pure. Durations are parsed here once, so the data plane sees milliseconds.
import { isIP } from 'node:net';
import type { Backend } from '../../../apis/core/v1alpha2/backend_types';
import { backendDnsCacheConfigWithDefaults } from '../../../apis/core/v1alpha2/backend_validate';
import { parseDuration } from '../../../apis/meta/v1/duration';
import type { BackendIR, EndpointIR, Protocol } from '../../proxy/ir';

const ms = (s: string | undefined, dflt: number): number => {
  if (!s) return dflt;
  const r = parseDuration(s);
  return r.ok ? r.ms : dflt;
};

export const REGION_LABEL = 'region';

export function translateBackend(b: Backend): BackendIR {
  const spec = b.spec ?? {};
  const protocol = ((spec.protocol ?? '').toLowerCase() as Protocol) || '';
  const defaultPort = protocol === 'tls' || protocol === 'h2' ? 443 : 80;
  const region = b.metadata.labels?.[REGION_LABEL];
  const endpoints: EndpointIR[] = (spec.endpoints ?? []).map((e) => {
    const host = (e.fqdn ?? e.ip ?? '').replace(/\.$/, '');
    // port 0: the backendRef's port, else the protocol default (Apoxy's endpoints carry no port)
    const port = e.port ?? 0;
    return { id: `${host}:${port || defaultPort}`, host, isIP: isIP(host) !== 0, port, weight: e.weight ?? 1, ...(region ? { region } : {}) };
  });
  const lb = spec.loadBalancer ?? {};
  const ir: BackendIR = {
    name: b.metadata.name!,
    protocol,
    defaultPort,
    endpoints,
    loadBalancer: {
      algorithm: lb.algorithm ?? 'round-robin',
      ...(lb.hashOn ? { hashOn: lb.hashOn } : {}),
      ...(lb.hashKey ? { hashKey: lb.hashKey } : {}),
      slots: lb.slots ?? 10000,
    },
  };
  const active = spec.healthCheck?.active;
  if (active) {
    ir.activeHealthCheck = {
      path: active.path ?? '/',
      intervalMs: ms(active.interval, 10_000),
      timeoutMs: ms(active.timeout, 2_000),
      healthyThreshold: active.healthyThreshold ?? 1,
      unhealthyThreshold: active.unhealthyThreshold ?? 3,
    };
  }
  const passive = spec.healthCheck?.passive;
  if (passive) {
    ir.passiveHealthCheck = { consecutiveFailures: passive.consecutiveFailures ?? 5, ejectionMs: ms(passive.ejectionTime, 30_000) };
  }
  const cb = spec.circuitBreaker;
  if (cb) {
    ir.circuitBreaker = {
      ...(cb.maxConnections !== undefined ? { maxConnections: cb.maxConnections } : {}),
      ...(cb.softLimit !== undefined ? { softLimit: cb.softLimit } : {}),
      ...(cb.consecutiveFailures !== undefined ? { consecutiveFailures: cb.consecutiveFailures } : {}),
      openMs: ms(cb.openDuration, 30_000),
      closeAfterSuccesses: 1,
    };
  }
  if (spec.dynamicProxy) {
    const d = backendDnsCacheConfigWithDefaults(spec);
    ir.dynamicProxy = {
      lookupFamily: d.dnsLookupFamily,
      refreshRateMs: d.dnsRefreshRateMs,
      minRefreshRateMs: d.dnsMinRefreshRateMs,
      queryTimeoutMs: d.dnsQueryTimeoutMs,
      hostTTLMs: d.hostTTLMs,
      maxHosts: d.maxHosts,
    };
  }
  return ir;
}
