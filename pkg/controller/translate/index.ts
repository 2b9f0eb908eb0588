// translate: API objects → routing snapshot + the status every object should carry. Pure: same
// input, same output; the controller decides what to swap in and what to write.
import type { Backend, BackendStatus } from '../../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../../apis/gateway/v1/httproute_types';
import type { Gateway, GatewayStatus } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';
import type { BackendIR, RuleIR, Snapshot } from '../../proxy/ir';
import { APP_LABEL, edgeBackend, FACADE_LABEL, translateBackend } from './backends';
import { translateRoute, type EdgeMembers } from './routes';
import { indexGateways } from './gateways';
import { backendStatus, gatewayClassStatus, gatewayStatus, routeStatus } from './status';

export interface TranslateInput {
  backends: Backend[];
  routes: HTTPRoute[];
  gateways: Gateway[];
  gatewayClasses: GatewayClass[];
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
    gateways: Map<string, GatewayStatus>;
    gatewayClasses: Map<string, unknown>;
  };
}

export function translate(input: TranslateInput): TranslateOutput {
  const backends: Record<string, BackendIR> = {};
  for (const b of input.backends) backends[b.metadata.name!] = translateBackend(b);
  const gw = indexGateways(input.gateways, input.gatewayClasses, input.proxyHost);
  const rules: RuleIR[] = [];
  const routeStatuses = new Map<string, unknown>();
  const edges: EdgeMembers[] = [];
  for (const route of input.routes) {
    const t = translateRoute(route, (n) => n in backends, (p) => gw.listenersFor(p));
    rules.push(...t.rules);
    if (t.edge) edges.push(t.edge);
    routeStatuses.set(route.metadata.name!, routeStatus(route, t.problems, gw, input.now));
  }
  if (edges.length) {
    const byName = new Map(input.backends.map((b) => [b.metadata.name!, b]));
    const byApp = new Map<string, Backend[]>();
    for (const b of input.backends) {
      const l = b.metadata.labels;
      if (l?.[FACADE_LABEL] !== 'edgeproxy' || !l[APP_LABEL]) continue;
      const list = byApp.get(l[APP_LABEL]);
      if (list) list.push(b);
      else byApp.set(l[APP_LABEL], [b]);
    }
    for (const e of edges) {
      const members = new Map<string, Backend>();
      for (const n of e.refs) {
        const b = byName.get(n);
        if (b) members.set(n, b);
      }
      for (const b of (e.app && byApp.get(e.app)) || []) members.set(b.metadata.name!, b);
      backends[e.backend] = edgeBackend(e.backend, [...members.values()].map((b) => ({ backend: b, ir: backends[b.metadata.name!]! })), input.preferRegion);
    }
  }
  const attached = (listenerId: string) => new Set(rules.filter((r) => r.listeners.includes(listenerId)).map((r) => r.route)).size;
  const backendStatuses = new Map<string, BackendStatus>();
  for (const b of input.backends) backendStatuses.set(b.metadata.name!, backendStatus(b, input.now, input.resolved?.(b.metadata.name!)));
  const gatewayStatuses = new Map<string, GatewayStatus>();
  for (const g of input.gateways) gatewayStatuses.set(g.metadata.name!, gatewayStatus(g, gw, attached, input.bindErrors ?? new Map(), input.now));
  const classStatuses = new Map<string, unknown>();
  for (const c of input.gatewayClasses) {
    const s = gatewayClassStatus(c, input.now);
    if (s) classStatuses.set(c.metadata.name!, s);
  }
  return {
    snapshot: { listeners: gw.listeners, rules, backends },
    statuses: { backends: backendStatuses, routes: routeStatuses, gateways: gatewayStatuses, gatewayClasses: classStatuses },
  };
}
