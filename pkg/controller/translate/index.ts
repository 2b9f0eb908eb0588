// translate: API objects → routing snapshot + the status every object should carry. Pure: same
// input, same output; the controller decides what to swap in and what to write. The snapshot is
// built by the same code the controller runs incrementally (incremental.ts), from empty caches.
import type { Backend, BackendStatus } from '../../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../../apis/gateway/v1/httproute_types';
import type { GRPCRoute } from '../../../apis/gateway/v1/grpcroute_types';
import { grpcRouteKey } from './grpcroutes';
import type { Gateway, GatewayStatus } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';
import type { Snapshot } from '../../proxy/ir';
import type { Secret } from '../../../apis/core/v1/types';
import { IncrementalTranslator, type BuildOutput } from './incremental';
import { backendStatus, gatewayClassStatus, gatewayStatus, routeStatus } from './status';

export { IncrementalTranslator } from './incremental';

export interface TranslateInput {
  backends: Backend[];
  routes: HTTPRoute[];
  grpcRoutes?: GRPCRoute[];
  gateways: Gateway[];
  gatewayClasses: GatewayClass[];
  /** TLS Secrets (HTTPS listeners' certificateRefs) */
  secrets?: Secret[];
  /** host Gateway listeners bind on (the proxy's listen host) */
  proxyHost: string;
  now: string;
  bindErrors?: Map<string, string>;
  resolved?: (backend: string) => { ok: boolean; message: string } | undefined;
  /** edgeProxy: the proxy's own region (EDGEPROXY_REGION); edge-balanced routes prefer it */
  preferRegion?: string;
}

export interface TranslateOutput {
  snapshot: Omit<Snapshot, 'generation'>;
  statuses: {
    backends: Map<string, BackendStatus>;
    routes: Map<string, unknown>;
    grpcRoutes: Map<string, unknown>;
    gateways: Map<string, GatewayStatus>;
    gatewayClasses: Map<string, unknown>;
  };
}

/** What one object's status should be, given a build of the snapshot. */
export interface StatusContext {
  built: BuildOutput;
  now: string;
  bindErrors?: Map<string, string>;
  resolved?: (backend: string) => { ok: boolean; message: string } | undefined;
  /** the proxy's last upstream TLS verification outcome per Backend */
  tlsVerdict?: (backend: string) => { ok: boolean; message: string } | undefined;
}

export const desiredStatus = {
  backend: (b: Backend, c: StatusContext): BackendStatus => backendStatus(b, c.now, c.resolved?.(b.metadata.name!), c.tlsVerdict?.(b.metadata.name!)),
  route: (r: HTTPRoute, c: StatusContext): unknown => routeStatus(r, c.built.problems.get(r.metadata.name!) ?? [], c.built.gw, c.now),
  /** a GRPCRoute's status: its translated route's problems, with its own parents and conditions */
  grpcRoute: (r: GRPCRoute, c: StatusContext): unknown => routeStatus(r as unknown as HTTPRoute, c.built.problems.get(grpcRouteKey(r.metadata.name!)) ?? [], c.built.gw, c.now),
  gateway: (g: Gateway, c: StatusContext): GatewayStatus => gatewayStatus(g, c.built.gw, c.built.attached, c.bindErrors ?? new Map(), c.now),
  /** undefined: not ours, leave it alone */
  gatewayClass: (gc: GatewayClass, c: StatusContext): unknown => gatewayClassStatus(gc, c.now),
};

export function translate(input: TranslateInput): TranslateOutput {
  const built = new IncrementalTranslator().build(input);
  const c: StatusContext = { built, now: input.now, bindErrors: input.bindErrors, resolved: input.resolved };
  const backends = new Map<string, BackendStatus>();
  for (const b of input.backends) backends.set(b.metadata.name!, desiredStatus.backend(b, c));
  const routes = new Map<string, unknown>();
  for (const r of input.routes) routes.set(r.metadata.name!, desiredStatus.route(r, c));
  const grpcRoutes = new Map<string, unknown>();
  for (const r of input.grpcRoutes ?? []) grpcRoutes.set(r.metadata.name!, desiredStatus.grpcRoute(r, c));
  const gateways = new Map<string, GatewayStatus>();
  for (const g of input.gateways) gateways.set(g.metadata.name!, desiredStatus.gateway(g, c));
  const gatewayClasses = new Map<string, unknown>();
  for (const gc of input.gatewayClasses) {
    const s = desiredStatus.gatewayClass(gc, c);
    if (s) gatewayClasses.set(gc.metadata.name!, s);
  }
  return { snapshot: built.snapshot, statuses: { backends, routes, grpcRoutes, gateways, gatewayClasses } };
}
