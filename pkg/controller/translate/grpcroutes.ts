// GRPCRoute → the HTTPRoute it routes like. Pure. A gRPC call is an HTTP/2 POST to
// `/<service>/<method>` with content-type application/grpc[+proto|+json|;…], so each method
// match becomes a path match (service+method: Exact `/service/method`; service only: the path
// prefix `/service/`; method only or RegularExpression: an anchored regex over both parts) plus
// POST and that content type. Everything else (parentRefs, hostnames, header matches, filters,
// backendRefs) has HTTPRoute's shape and is translated by routes.ts, so both kinds share one
// router, one precedence and one status computation.
import type { GRPCMethodMatch, GRPCRoute, GRPCRouteMatch } from '../../../apis/gateway/v1/grpcroute_types';
import type { HTTPHeaderMatch, HTTPRoute, HTTPRouteMatch } from '../../../apis/gateway/v1/httproute_types';

/** The translated route's name: `grpc/<name>` (no HTTPRoute can have a `/` in its name, so they never collide). */
export const grpcRouteKey = (name: string): string => `grpc/${name}`;

/** application/grpc, application/grpc+proto, application/grpc;charset=… (gRPC over HTTP/2, "Requests") */
export const GRPC_CONTENT_TYPE_RE = '[Aa][Pp][Pp][Ll][Ii][Cc][Aa][Tt][Ii][Oo][Nn]/[Gg][Rr][Pp][Cc]([+;].*)?';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** a method match as an HTTPRoute path match */
export function grpcPathMatch(m: GRPCMethodMatch | undefined): HTTPRouteMatch['path'] {
  if (!m || (!m.service && !m.method)) return { type: 'PathPrefix', value: '/' };
  // a leading '.' is allowed in a fully-qualified service name; the path never carries it
  const service = m.service?.replace(/^\./, '');
  if ((m.type ?? 'Exact') === 'Exact') {
    if (service && m.method) return { type: 'Exact', value: `/${service}/${m.method}` };
    if (service) return { type: 'PathPrefix', value: `/${service}` };
    return { type: 'RegularExpression', value: `/[^/]+/${escapeRe(m.method!)}` };
  }
  return { type: 'RegularExpression', value: `/(?:${service || '[^/]+'})/(?:${m.method || '[^/]+'})` };
}

function grpcMatch(m: GRPCRouteMatch): HTTPRouteMatch {
  const headers: HTTPHeaderMatch[] = [...(m.headers ?? [])];
  // a content-type match of the route's own is kept as written
  if (!headers.some((h) => h.name.toLowerCase() === 'content-type')) headers.push({ type: 'RegularExpression', name: 'content-type', value: GRPC_CONTENT_TYPE_RE });
  return { path: grpcPathMatch(m.method), headers, method: 'POST' };
}

export function grpcRouteAsHTTPRoute(g: GRPCRoute): HTTPRoute {
  const spec = g.spec ?? {};
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: { ...g.metadata, name: grpcRouteKey(g.metadata.name!) },
    spec: {
      ...(spec.parentRefs ? { parentRefs: spec.parentRefs } : {}),
      ...(spec.hostnames ? { hostnames: spec.hostnames } : {}),
      rules: (spec.rules ?? []).map((r) => ({
        ...(r.name ? { name: r.name } : {}),
        // no matches: every gRPC call (still POST + gRPC content type: plain HTTP is not caught)
        matches: (r.matches?.length ? r.matches : [{}]).map(grpcMatch),
        ...(r.filters ? { filters: r.filters } : {}),
        ...(r.backendRefs ? { backendRefs: r.backendRefs } : {}),
      })),
    },
  };
}
