// Service backendRefs → synthetic Backends: a Service's port resolves through the EndpointSlices
// labelled kubernetes.io/service-name=<service> in its namespace, as a real cluster's EndpointSlice
// controller writes them: the slice port whose name equals the Service port's name (both empty for
// an unnamed single port). Endpoints as kube-proxy picks them: the ready ones (conditions.ready
// absent = ready); when none is ready, the ones still serving while terminating (serving absent =
// ready). FQDN slices give DNS-name endpoints the proxy resolves through its DNS cache. A headless
// Service (clusterIP None) resolves the same way: the proxy always dials endpoints, never a
// cluster IP. The Backend is named `svc/<namespace>/<service>/<port>` (no stored Backend can have
// a `/` in its name), `…/<port>/grpc` when a GRPCRoute forces HTTP/2 on it. Pure.
import type { Backend, BackendEndpoint, BackendTLS } from '../../../../apis/core/v1alpha2/backend_types';
import type { EndpointSlice, Service, ServicePort } from './types';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const serviceBackendName = (namespace: string, name: string, port: number, grpc = false) => `svc/${namespace}/${name}/${port}${grpc ? '/grpc' : ''}`;

export interface ServiceResolveOptions {
  /** a GRPCRoute's backend: HTTP/2 always (h2c, or h2 over TLS) */
  grpc?: boolean;
  /** the BackendTLSPolicy verification for this Service port, if one applies: TLS upstream, verified as it says */
  tlsFor?: (servicePort: ServicePort) => BackendTLS | undefined;
}

/** appProtocol, the route kind and a BackendTLSPolicy → the Backend protocol the proxy speaks upstream */
export function protocolOf(appProtocol: string | undefined, grpc: boolean, tls: boolean): '' | 'h2c' | 'tls' | 'h2' {
  const h2 = grpc || appProtocol === 'kubernetes.io/h2c' || appProtocol === 'kubernetes.io/h2';
  if (tls) return h2 ? 'h2' : 'tls';
  return h2 ? 'h2c' : '';
}

export type ServiceResolution = { ok: true; backend: Backend; servicePort: ServicePort } | { ok: false; reason: 'BackendNotFound'; message: string };

type SliceEndpoint = NonNullable<EndpointSlice['endpoints']>[number];
const isReady = (e: SliceEndpoint) => e.conditions?.ready !== false;
/** kube-proxy's fallback: serving (absent = ready) and terminating */
const isServingTerminating = (e: SliceEndpoint) => (e.conditions?.serving ?? e.conditions?.ready !== false) && e.conditions?.terminating === true;

export function resolveServicePort(svc: Service | undefined, slices: EndpointSlice[], namespace: string, name: string, port: number | undefined, opts: ServiceResolveOptions = {}): ServiceResolution {
  if (!svc) return { ok: false, reason: 'BackendNotFound', message: `service ${namespace}/${name} not found` };
  if (port === undefined) return { ok: false, reason: 'BackendNotFound', message: `service ${namespace}/${name}: backendRef has no port` };
  const sp = (svc.spec?.ports ?? []).find((p) => p.port === port);
  if (!sp) return { ok: false, reason: 'BackendNotFound', message: `service ${namespace}/${name} has no port ${port}` };
  const portName = sp.name ?? '';
  const ready: BackendEndpoint[] = [];
  const fallback: BackendEndpoint[] = [];
  const seen = new Set<string>();
  for (const s of slices) {
    if (s.metadata.namespace !== namespace || s.metadata.labels?.[SERVICE_NAME_LABEL] !== name) continue;
    const fqdn = s.addressType === 'FQDN';
    if (!fqdn && s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue;
    const slicePort = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (!slicePort?.port) continue;
    for (const e of s.endpoints ?? []) {
      const into = isReady(e) ? ready : isServingTerminating(e) ? fallback : undefined;
      if (!into) continue;
      const addr = e.addresses?.[0]; // consumers use the first address (k8s.io/api discovery/v1)
      if (!addr) continue;
      const host = fqdn ? addr.toLowerCase().replace(/\.$/, '') : addr;
      const id = `${host}:${slicePort.port}`;
      if (seen.has(id)) continue;
      seen.add(id);
      into.push(fqdn ? { fqdn: host, port: slicePort.port } : { ip: host, port: slicePort.port });
    }
  }
  const endpoints = ready.length ? ready : fallback;
  const hostOf = (e: BackendEndpoint) => e.ip ?? e.fqdn ?? '';
  endpoints.sort((a, b) => (hostOf(a) === hostOf(b) ? a.port! - b.port! : hostOf(a) < hostOf(b) ? -1 : 1));
  const tls = opts.tlsFor?.(sp);
  const backend: Backend = {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name: serviceBackendName(namespace, name, port, !!opts.grpc) },
    spec: { endpoints, protocol: protocolOf(sp.appProtocol, !!opts.grpc, !!tls), ...(tls ? { tls } : {}) },
  } as unknown as Backend;
  return { ok: true, backend, servicePort: sp };
}
