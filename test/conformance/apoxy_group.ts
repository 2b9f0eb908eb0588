// The suite's manifests carried into Apoxy's own group, as Apoxy's mirror would: cluster-scoped
// gateway.apoxy.dev Gateways and HTTPRoutes (namespaces dropped), Service backendRefs turned into
// core.apoxy.dev Backends whose endpoints are the Service's EndpointSlice addresses and port.
// Namespaces, Secrets, ReferenceGrants and the Services themselves have no counterpart there.
import type { Obj } from './world';

export const APOXY_GROUP = 'gateway.apoxy.dev';

function backendRef(ref: Obj): Obj {
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return ref; // refused kinds stay refused
  const { namespace: _ns, group: _g, kind: _k, ...rest } = ref;
  return { ...rest, group: 'core.apoxy.dev', kind: 'Backend' };
}

function filters(fs: Obj[] | undefined): Obj[] | undefined {
  return fs?.map((f) => (f.requestMirror?.backendRef ? { ...f, requestMirror: { ...f.requestMirror, backendRef: backendRef(f.requestMirror.backendRef) } } : f));
}

export function toApoxy(o: Obj): Obj[] {
  switch (o.kind) {
    case 'Gateway':
      return [
        {
          apiVersion: `${APOXY_GROUP}/v1`,
          kind: 'Gateway',
          metadata: { name: o.metadata.name },
          spec: {
            gatewayClassName: o.spec.gatewayClassName,
            listeners: o.spec.listeners.map((l: Obj) => {
              const { allowedRoutes, ...rest } = l;
              const kinds = allowedRoutes?.kinds?.map((k: Obj) => ({ ...k, ...(k.group === undefined || k.group === 'gateway.networking.k8s.io' ? { group: APOXY_GROUP } : {}) }));
              return { ...rest, ...(kinds ? { allowedRoutes: { kinds } } : {}) };
            }),
          },
        },
      ];
    case 'HTTPRoute':
      return [
        {
          apiVersion: `${APOXY_GROUP}/v1`,
          kind: 'HTTPRoute',
          metadata: { name: o.metadata.name },
          spec: {
            ...o.spec,
            parentRefs: (o.spec.parentRefs ?? []).map(({ namespace: _n, group: _g, ...p }: Obj) => p),
            rules: (o.spec.rules ?? []).map((r: Obj) => ({
              ...r,
              ...(r.filters ? { filters: filters(r.filters) } : {}),
              ...(r.backendRefs ? { backendRefs: r.backendRefs.map((b: Obj) => ({ ...backendRef(b), ...(b.filters ? { filters: filters(b.filters) } : {}) })) } : {}),
            })),
          },
        },
      ];
    case 'EndpointSlice': {
      const port = o.ports?.[0]?.port;
      return [
        {
          apiVersion: 'core.apoxy.dev/v1alpha2',
          kind: 'Backend',
          metadata: { name: o.metadata.labels['kubernetes.io/service-name'] },
          spec: { endpoints: (o.endpoints ?? []).filter((e: Obj) => e.conditions?.ready !== false).map((e: Obj) => ({ ip: e.addresses[0], port })) },
        },
      ];
    }
    default:
      return [];
  }
}
