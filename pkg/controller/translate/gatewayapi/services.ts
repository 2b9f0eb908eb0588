// Service backendRefs → synthetic Backends: a Service's port resolves through the EndpointSlices
// labelled kubernetes.io/service-name=<service> in its namespace, as a real cluster's EndpointSlice
// controller writes them: the slice port whose name equals the Service port's name (both empty for
// an unnamed single port), ready endpoints only (conditions.ready absent = ready). The Backend is
// named `svc/<namespace>/<service>/<port>` (no stored Backend can have a `/` in its name). Pure.
import type { Backend } from '../../../../apis/core/v1alpha2/backend_types';
import type { EndpointSlice, Service } from './types';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const serviceBackendName = (namespace: string, name: string, port: number) => `svc/${namespace}/${name}/${port}`;

/** appProtocol → the Backend protocol the proxy speaks upstream */
function protocolOf(appProtocol: string | undefined): '' | 'h2c' {
  return appProtocol === 'kubernetes.io/h2c' ? 'h2c' : '';
}

export type ServiceResolution = { ok: true; backend: Backend } | { ok: false; reason: 'BackendNotFound'; message: string };

export function resolveServicePort(svc: Service | undefined, slices: EndpointSlice[], namespace: string, name: string, port: number | undefined): ServiceResolution {
  if (!svc) return { ok: false, reason: 'BackendNotFound', message: `service ${namespace}/${name} not found` };
  if (port === undefined) return { ok: false, reason: 'BackendNotFound', message: `service ${namespace}/${name}: backendRef has no port` };
  const sp = (svc.spec?.ports ?? []).find((p) => p.port === port);
  if (!sp) return { ok: false, reason: 'BackendNotFound', message: `service ${namespace}/${name} has no port ${port}` };
  const portName = sp.name ?? '';
  const endpoints: Array<{ ip: string; port: number }> = [];
  const seen = new Set<string>();
  for (const s of slices) {
    if (s.metadata.namespace !== namespace || s.metadata.labels?.[SERVICE_NAME_LABEL] !== name) continue;
    if (s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue; // FQDN slices: not resolved here
    const slicePort = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (!slicePort?.port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      const ip = e.addresses?.[0]; // consumers use the first address (k8s.io/api discovery/v1)
      if (!ip) continue;
      const id = `${ip}:${slicePort.port}`;
      if (seen.has(id)) continue;
      seen.add(id);
      endpoints.push({ ip, port: slicePort.port });
    }
  }
  endpoints.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
  const backend: Backend = {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name: serviceBackendName(namespace, name, port) },
    spec: { endpoints, protocol: protocolOf(sp.appProtocol) },
  } as unknown as Backend;
  return { ok: true, backend };
}
