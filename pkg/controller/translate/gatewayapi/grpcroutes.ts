// GRPCRoute (gateway.networking.k8s.io v1) → the HTTPRoute shape the lowering attaches and routes,
// as gateway.apoxy.dev's GRPCRoute is (translate/grpcroutes.ts): each method match becomes a path
// match on `/<service>/<method>` plus POST and the gRPC content type; header matches, filters and
// backendRefs keep their shape. The caller lowers it with kind GRPCRoute (listener kinds,
// ReferenceGrant `from`, HTTP/2 to the backends). Pure.
import { GRPC_CONTENT_TYPE_RE, grpcPathMatch } from '../grpcroutes';
import type { UGRPCRoute, UGRPCRule, UHTTPRoute, URule } from './types';

function grpcMatch(m: NonNullable<UGRPCRule['matches']>[number]): Record<string, unknown> {
  const headers: Array<Record<string, unknown>> = (m.headers ?? []).map((h) => ({ type: h.type ?? 'Exact', name: h.name, value: h.value }));
  if (!headers.some((h) => String(h.name).toLowerCase() === 'content-type')) headers.push({ type: 'RegularExpression', name: 'content-type', value: GRPC_CONTENT_TYPE_RE });
  return { path: grpcPathMatch(m.method), headers, method: 'POST' };
}

export function grpcRouteShape(g: UGRPCRoute): UHTTPRoute {
  const spec = g.spec ?? {};
  return {
    metadata: g.metadata,
    spec: {
      ...(spec.parentRefs ? { parentRefs: spec.parentRefs } : {}),
      ...(spec.hostnames ? { hostnames: spec.hostnames } : {}),
      rules: (spec.rules ?? []).map(
        (r): URule => ({
          ...(r.name ? { name: r.name } : {}),
          // no matches: every gRPC call (POST with a gRPC content type; plain HTTP is not caught)
          matches: (r.matches?.length ? r.matches : [{}]).map(grpcMatch),
          ...(r.filters ? { filters: r.filters } : {}),
          ...(r.backendRefs ? { backendRefs: r.backendRefs } : {}),
        }),
      ),
    },
    status: g.status,
  };
}
