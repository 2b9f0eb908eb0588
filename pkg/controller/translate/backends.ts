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

// label and annotation names are API (apis/annotations.ts); re-exported for the controller's readers
export { REGION_LABEL, ANNOTATION_CB_FAILURE_WINDOW, ANNOTATION_CB_CLOSE_AFTER, FACADE_LABEL, APP_LABEL, ANNOTATION_EDGE_EXPIRED } from '../../../apis/annotations';
import { REGION_LABEL, ANNOTATION_CB_FAILURE_WINDOW, ANNOTATION_CB_CLOSE_AFTER, ANNOTATION_EDGE_EXPIRED } from '../../../apis/annotations';

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
    const ann = b.metadata.annotations ?? {};
    const windowMs = ms(ann[ANNOTATION_CB_FAILURE_WINDOW], 0);
    if (windowMs > 0) ir.circuitBreaker.failureWindowMs = windowMs;
    const closeAfter = Number(ann[ANNOTATION_CB_CLOSE_AFTER]);
    if (Number.isInteger(closeAfter) && closeAfter >= 1) ir.circuitBreaker.closeAfterSuccesses = closeAfter;
  }
  const t = spec.tls;
  if (t && (t.caBundle || t.serverName || t.insecureSkipVerify)) {
    ir.tls = {
      ...(t.caBundle ? { caBundle: t.caBundle } : {}),
      ...(t.serverName ? { serverName: t.serverName } : {}),
      ...(t.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
      ...(t.caBundleOnly && t.caBundle ? { caBundleOnly: true } : {}),
      ...(t.subjectAltNames?.length ? { subjectAltNames: t.subjectAltNames.map((n) => ({ type: n.type, value: n.value })) } : {}),
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


/**
 * edgeProxy balancing: one synthetic BackendIR holding every endpoint of the member Backends
 * (each with its region and its own soft/hard limits), balanced load-aware (lowest
 * active ÷ soft_limit ÷ weight) with `preferRegion` first. Members are sorted by name so the
 * snapshot is the same whatever order the informer lists them in.
 */
export function edgeBackend(name: string, members: Array<{ backend: Backend; ir: BackendIR }>, preferRegion: string | undefined): BackendIR {
  const sorted = members.slice().sort((a, b) => (a.ir.name < b.ir.name ? -1 : a.ir.name > b.ir.name ? 1 : 0));
  let protocol: Protocol = sorted.length ? sorted[0]!.ir.protocol : '';
  const endpoints: EndpointIR[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i]!;
    if (m.ir.protocol !== protocol) protocol = '';
    const ann = m.backend.metadata.annotations;
    if (m.ir.dynamicProxy || (ann !== undefined && ann[ANNOTATION_EDGE_EXPIRED])) continue;
    const soft = m.ir.circuitBreaker?.softLimit;
    const hard = m.ir.circuitBreaker?.maxConnections;
    for (const ep of m.ir.endpoints) {
      // built field by field (no spreads): this runs for every edge endpoint on every reconcile
      const out: EndpointIR = { id: ep.id, host: ep.host, isIP: ep.isIP, port: ep.port || m.ir.defaultPort, weight: ep.weight };
      if (ep.region !== undefined) out.region = ep.region;
      const s = ep.softLimit ?? soft;
      if (s !== undefined) out.softLimit = s;
      const h = ep.maxConnections ?? hard;
      if (h !== undefined) out.maxConnections = h;
      endpoints.push(out);
    }
  }
  return {
    name,
    protocol,
    defaultPort: protocol === 'tls' || protocol === 'h2' ? 443 : 80,
    endpoints,
    loadBalancer: { algorithm: 'least-connections', slots: 10000, loadAware: true, ...(preferRegion ? { preferRegion } : {}) },
  };
}
