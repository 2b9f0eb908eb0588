// gateway.networking.k8s.io → the gateway.apoxy.dev shapes the existing translation serves, so both
// groups land in one snapshot through one router. Pure: same input, same output.
//   GatewayClass c        → GatewayClass `k8s/<c>` (same controllerName)
//   Gateway ns/g          → Gateway `k8s/<ns>/<g>` (same listeners, certificateRefs namespaced)
//   HTTPRoute ns/r        → one HTTPRoute per attached listener, `k8s/<ns>/<r>/<gwns>/<g>/<listener>`,
//                           its hostnames the listener × route intersection
//   GRPCRoute ns/r        → the same, `k8sgrpc/…`, its method matches as path matches (grpcroutes.ts)
//   Service port          → Backend `svc/<ns>/<svc>/<port>` with the ready endpoints of its slices,
//                           TLS as the BackendTLSPolicy targeting it says (backendtls.ts)
// Attachment obeys parentRefs (namespace defaults to the route's; sectionName, port) and each
// listener's allowedRoutes (namespaces Same by default, All, Selector; kinds). Cross-namespace
// backendRefs need a ReferenceGrant (else RefNotPermitted and the ref answers 500). No stored
// object can have a `/` in its name, so these names never collide with gateway.apoxy.dev objects.
import type { Backend } from '../../../../apis/core/v1alpha2/backend_types';
import type { Gateway } from '../../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../../apis/gateway/v1/gatewayclass_types';
import type { HTTPRoute } from '../../../../apis/gateway/v1/httproute_types';
import { CONTROLLER_NAME } from '../gateways';
import { NOT_FOUND_ROUTE_PREFIX } from '../routes';
import { indexBackendTLSPolicies, type BackendTLSIndex, type PolicyVerdict } from './backendtls';
import { grpcRouteShape } from './grpcroutes';
import { listenerConflicts } from './conflicts';
import { intersectHostnames } from './hostnames';
import { isolatedListeners, isolateHostnames } from './isolation';
import { refAllowed } from './refs';
import { selectorMatches } from './selector';
import { resolveServicePort, SERVICE_NAME_LABEL } from './services';
import { GROUP, key, type ConfigMap, type EndpointSlice, type Namespace, type Service, type UBackendRef, type UBackendTLSPolicy, type UGateway, type UGatewayClass, type UGRPCRoute, type UHTTPRoute, type UListener, type UParentRef, type UReferenceGrant, type URule } from './types';

export const loweredClassName = (name: string) => `k8s/${name}`;
export const loweredGatewayName = (ns: string, name: string) => `k8s/${ns}/${name}`;
export const loweredRouteName = (ns: string, name: string, gwNs: string, gw: string, listener: string, kind: RouteKind = 'HTTPRoute') =>
  `${kind === 'GRPCRoute' ? 'k8sgrpc' : 'k8s'}/${ns}/${name}/${gwNs}/${gw}/${listener}`;
export type RouteKind = 'HTTPRoute' | 'GRPCRoute';
/** a backend no object can be named: refs that must answer 500 point here */
export const refusedBackend = (why: string) => `refused/${why}`;

export interface LowerInput {
  gatewayClasses: UGatewayClass[];
  gateways: UGateway[];
  routes: UHTTPRoute[];
  referenceGrants: UReferenceGrant[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  namespaces: Namespace[];
  grpcRoutes?: UGRPCRoute[];
  backendTLSPolicies?: UBackendTLSPolicy[];
  configMaps?: ConfigMap[];
}

export type ParentReason = 'Accepted' | 'NoMatchingParent' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname' | 'UnsupportedValue';

export interface ParentOutcome {
  /** the parentRef as written (group and kind defaulted by the schema) */
  parentRef: UParentRef;
  /** report this parent in status (a Gateway of a class that is not ours belongs to someone else) */
  ours: boolean;
  accepted: boolean;
  reason: ParentReason;
  message: string;
  /** `<gwns>/<gw>/<listener>` keys this parent attached to */
  listeners: string[];
}

export type RefReason = 'BackendNotFound' | 'InvalidKind' | 'RefNotPermitted' | 'UnsupportedValue';

export interface RouteOutcome {
  parents: ParentOutcome[];
  problems: Array<{ reason: RefReason; message: string }>;
  /** names of the lowered routes */
  lowered: string[];
}

export interface LowerOutput {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  routes: HTTPRoute[];
  backends: Backend[];
  /** HTTPRoutes by `<ns>/<name>` */
  routeOutcomes: Map<string, RouteOutcome>;
  /** GRPCRoutes by `<ns>/<name>` */
  grpcOutcomes: Map<string, RouteOutcome>;
  /** BackendTLSPolicies by `<ns>/<name>` */
  tlsPolicies: Map<string, PolicyVerdict>;
  /** `<ns>/<service>` → the Gateways (`<ns>/<name>`) whose attached routes send to it: policy ancestors */
  serviceGateways: Map<string, Set<string>>;
  /** `<gwns>/<gw>/<listener>` → routes attached */
  attached: Map<string, number>;
  /** Gateways of a class we control, by `<ns>/<name>` */
  ourGateways: Set<string>;
  /** `<ns>/<gateway>/<listener>` → its conflict (conflicts.ts); such listeners are not lowered */
  conflicts: Map<string, { reason: 'ProtocolConflict' | 'HostnameConflict'; message: string }>;
}

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS']);
const ROUTE_KINDS: RouteKind[] = ['HTTPRoute', 'GRPCRoute'];

/** the route kinds a listener accepts (allowedRoutes.kinds, default HTTPRoute and GRPCRoute for HTTP/HTTPS), and the ones it names that are not served */
export function listenerKinds(l: UListener): { supported: Array<{ group: string; kind: string }>; invalid: Array<{ group: string; kind: string }> } {
  if (!HTTP_PROTOCOLS.has(l.protocol)) return { supported: [], invalid: [] };
  const asked = l.allowedRoutes?.kinds;
  if (!asked || asked.length === 0) return { supported: ROUTE_KINDS.map((kind) => ({ group: GROUP, kind })), invalid: [] };
  const supported: Array<{ group: string; kind: string }> = [];
  const invalid: Array<{ group: string; kind: string }> = [];
  for (const k of asked) {
    const g = k.group ?? GROUP;
    (g === GROUP && (ROUTE_KINDS as string[]).includes(k.kind) ? supported : invalid).push({ group: g, kind: k.kind });
  }
  return { supported, invalid };
}

function namespaceAllowed(l: UListener, gwNs: string, routeNs: string, nsLabels: Map<string, Record<string, string> | undefined>): boolean {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return gwNs === routeNs;
  if (from === 'Selector') return nsLabels.has(routeNs) && selectorMatches(l.allowedRoutes?.namespaces?.selector, nsLabels.get(routeNs));
  return false;
}

export function lowerGatewayAPI(input: LowerInput): LowerOutput {
  const ourClasses = new Set(input.gatewayClasses.filter((c) => c.spec?.controllerName === CONTROLLER_NAME).map((c) => c.metadata.name!));
  const gatewayClasses = input.gatewayClasses.map(
    (c) => ({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GatewayClass', metadata: { name: loweredClassName(c.metadata.name!) }, spec: { controllerName: c.spec?.controllerName ?? '' } }) as unknown as GatewayClass,
  );
  const gwByKey = new Map(input.gateways.map((g) => [key(g), g]));
  const ourGateways = new Set(input.gateways.filter((g) => ourClasses.has(g.spec?.gatewayClassName ?? '')).map(key));
  const conflicts = listenerConflicts(input.gateways.filter((g) => ourGateways.has(key(g))));
  const gateways = input.gateways.map((g) => lowerGateway(g, input.referenceGrants, conflicts));
  const nsLabels = new Map(input.namespaces.map((n) => [n.metadata.name!, n.metadata.labels]));
  const svcByKey = new Map(input.services.map((s) => [key(s), s]));
  // slices by `<ns>/<service>` (a cluster has many; each backendRef reads only its Service's)
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const sl of input.endpointSlices) {
    const svc = sl.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const k = `${sl.metadata.namespace ?? ''}/${svc}`;
    const list = slicesBySvc.get(k);
    if (list) list.push(sl);
    else slicesBySvc.set(k, [sl]);
  }
  const backends = new Map<string, Backend>();
  const routes: HTTPRoute[] = [];
  const attached = new Map<string, number>();
  const serviceGateways = new Map<string, Set<string>>();
  const tls = indexBackendTLSPolicies(input.backendTLSPolicies ?? [], input.configMaps ?? []);
  const ctx: LowerContext = { input, gwByKey, ourGateways, nsLabels, svcByKey, slicesBySvc, backends, routes, attached, serviceGateways, tls, conflicts };
  const routeOutcomes = lowerRoutes('HTTPRoute', input.routes, ctx);
  const grpcOutcomes = lowerRoutes('GRPCRoute', (input.grpcRoutes ?? []).map(grpcRouteShape), ctx);
  for (const g of input.gateways) if (ourGateways.has(key(g))) routes.push(...isolationRoutes(g, conflicts));
  return {
    gatewayClasses,
    gateways,
    routes,
    backends: [...backends.values()].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)),
    routeOutcomes,
    grpcOutcomes,
    tlsPolicies: tls.verdicts,
    serviceGateways,
    attached,
    ourGateways,
    conflicts,
  };
}

/** listener isolation's 404 catch-alls (isolation.ts), ranked below every real rule of their hostname */
function isolationRoutes(g: UGateway, conflicts: LowerOutput['conflicts']): HTTPRoute[] {
  const ns = g.metadata.namespace ?? 'default';
  const live = (g.spec?.listeners ?? []).filter((l) => !conflicts.has(`${ns}/${g.metadata.name}/${l.name}`));
  return isolatedListeners(live).map(
    (l) =>
      ({
        apiVersion: 'gateway.apoxy.dev/v1',
        kind: 'HTTPRoute',
        metadata: { name: `${NOT_FOUND_ROUTE_PREFIX}${ns}/${g.metadata.name}/${l.name}`, creationTimestamp: '9999-12-31T23:59:59Z' },
        spec: {
          parentRefs: [{ group: 'gateway.apoxy.dev', kind: 'Gateway', name: loweredGatewayName(ns, g.metadata.name!), sectionName: l.name }],
          hostnames: [l.hostname!.toLowerCase()],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
        },
      }) as unknown as HTTPRoute,
  );
}

interface LowerContext {
  input: LowerInput;
  gwByKey: Map<string, UGateway>;
  ourGateways: Set<string>;
  nsLabels: Map<string, Record<string, string> | undefined>;
  svcByKey: Map<string, Service>;
  slicesBySvc: Map<string, EndpointSlice[]>;
  backends: Map<string, Backend>;
  routes: HTTPRoute[];
  attached: Map<string, number>;
  serviceGateways: Map<string, Set<string>>;
  tls: BackendTLSIndex;
  conflicts: LowerOutput['conflicts'];
}

/** one kind's routes (GRPCRoutes already in HTTPRoute's shape), in name order */
function lowerRoutes(kind: RouteKind, list: UHTTPRoute[], c: LowerContext): Map<string, RouteOutcome> {
  const outcomes = new Map<string, RouteOutcome>();
  for (const r of [...list].sort((a, b) => key(a).localeCompare(key(b)))) {
    const ns = r.metadata.namespace ?? 'default';
    const problems: RouteOutcome['problems'] = [];
    const services = new Set<string>();
    const rules = (r.spec?.rules ?? []).map((rule, i) => lowerRule(rule, i, ns, kind, c, services, problems));
    const parents: ParentOutcome[] = [];
    const lowered: string[] = [];
    const seenListeners = new Set<string>();
    for (const p of r.spec?.parentRefs ?? []) {
      const o = attachParent(p, r, ns, kind, c);
      parents.push(o.outcome);
      for (const a of o.attach) {
        const lk = `${a.gwNs}/${a.gw}/${a.listener.name}`;
        if (seenListeners.has(lk)) continue;
        seenListeners.add(lk);
        c.attached.set(lk, (c.attached.get(lk) ?? 0) + 1);
        for (const svc of services) {
          const gws = c.serviceGateways.get(svc) ?? new Set<string>();
          gws.add(`${a.gwNs}/${a.gw}`);
          c.serviceGateways.set(svc, gws);
        }
        // every hostname belongs to a more specific listener: attached, but nothing of its own to serve here
        if (a.hostnames && a.hostnames.length === 0) continue;
        const name = loweredRouteName(ns, r.metadata.name!, a.gwNs, a.gw, a.listener.name, kind);
        lowered.push(name);
        c.routes.push({
          apiVersion: 'gateway.apoxy.dev/v1',
          kind: 'HTTPRoute',
          metadata: { name, creationTimestamp: r.metadata.creationTimestamp },
          spec: {
            parentRefs: [{ group: 'gateway.apoxy.dev', kind: 'Gateway', name: loweredGatewayName(a.gwNs, a.gw), sectionName: a.listener.name }],
            ...(a.hostnames ? { hostnames: a.hostnames } : {}),
            rules,
          },
        } as unknown as HTTPRoute);
      }
    }
    outcomes.set(key(r), { parents, problems, lowered });
  }
  return outcomes;
}

/** certificateRefs of a listener another namespace's Secret needs a ReferenceGrant for (from Gateway) */
export function refusedCertificateRefs(g: UGateway, l: UListener, grants: UReferenceGrant[]): string[] {
  const ns = g.metadata.namespace ?? 'default';
  return (l.tls?.certificateRefs ?? [])
    .filter((c) => (c.group ?? '') === '' && (c.kind ?? 'Secret') === 'Secret')
    .filter((c) => !refAllowed(grants, { group: GROUP, kind: 'Gateway', namespace: ns }, { group: '', kind: 'Secret', namespace: c.namespace ?? ns, name: c.name }))
    .map((c) => `${c.namespace ?? ns}/${c.name}`);
}

function lowerGateway(g: UGateway, grants: UReferenceGrant[], conflicts: LowerOutput['conflicts']): Gateway {
  const ns = g.metadata.namespace ?? 'default';
  const listeners = (g.spec?.listeners ?? []).filter((l) => !conflicts.has(`${ns}/${g.metadata.name}/${l.name}`)).map((l) => {
    const refused = new Set(refusedCertificateRefs(g, l, grants));
    const certificateRefs = l.tls?.certificateRefs?.map((c) => ({ ...c, namespace: c.namespace ?? ns })).filter((c) => !refused.has(`${c.namespace}/${c.name}`));
    const tls = l.tls ? { ...l.tls, ...(certificateRefs ? { certificateRefs } : {}) } : undefined;
    return { name: l.name, port: l.port, protocol: l.protocol, ...(l.hostname ? { hostname: l.hostname } : {}), ...(tls ? { tls } : {}) };
  });
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'Gateway',
    metadata: { name: loweredGatewayName(ns, g.metadata.name!), creationTimestamp: g.metadata.creationTimestamp },
    spec: { gatewayClassName: loweredClassName(g.spec?.gatewayClassName ?? ''), listeners },
  } as unknown as Gateway;
}

interface Attachment {
  gwNs: string;
  gw: string;
  listener: UListener;
  hostnames?: string[];
}

function attachParent(
  p: UParentRef,
  r: UHTTPRoute,
  ns: string,
  kind: RouteKind,
  c: LowerContext,
): { outcome: ParentOutcome; attach: Attachment[] } {
  const { gwByKey, ourGateways, nsLabels } = c;
  const gwNs = p.namespace ?? ns;
  const gk = `${gwNs}/${p.name}`;
  const fail = (reason: ParentReason, message: string, ours = true) => ({ outcome: { parentRef: p, ours, accepted: false, reason, message, listeners: [] }, attach: [] });
  if ((p.group ?? GROUP) !== GROUP || (p.kind ?? 'Gateway') !== 'Gateway') return fail('UnsupportedValue', `parent ${p.group}/${p.kind} is not a Gateway`);
  const g = gwByKey.get(gk);
  if (!g) return fail('NoMatchingParent', `gateway ${gk} not found`);
  if (!ourGateways.has(gk)) return fail('NoMatchingParent', `gateway ${gk} is not handled by ${CONTROLLER_NAME}`, false);
  const listeners = (g.spec?.listeners ?? []).filter((l) => (p.sectionName === undefined || l.name === p.sectionName) && (p.port === undefined || l.port === p.port));
  if (listeners.length === 0) {
    return fail('NoMatchingParent', `gateway ${gk} has no listener${p.sectionName !== undefined ? ` named ${p.sectionName}` : ''}${p.port !== undefined ? ` on port ${p.port}` : ''}`);
  }
  const live = listeners.filter((l) => !c.conflicts.has(`${gk}/${l.name}`));
  if (live.length === 0) return fail('NoMatchingParent', `every matching listener of gateway ${gk} is conflicted`);
  const allowed = live.filter((l) => listenerKinds(l).supported.some((k) => k.kind === kind) && namespaceAllowed(l, gwNs, ns, nsLabels));
  if (allowed.length === 0) return fail('NotAllowedByListeners', `no listener of gateway ${gk} allows ${kind}s from namespace ${ns}`);
  const attach: Attachment[] = [];
  for (const l of allowed) {
    const intersected = intersectHostnames(l.hostname, r.spec?.hostnames);
    if (intersected && intersected.length === 0) continue;
    const hostnames = isolateHostnames(l, (g.spec?.listeners ?? []).filter((o) => !c.conflicts.has(`${gk}/${o.name}`)), intersected);
    attach.push({ gwNs, gw: p.name, listener: l, ...(hostnames ? { hostnames } : {}) });
  }
  if (attach.length === 0) return fail('NoMatchingListenerHostname', `no listener hostname of gateway ${gk} matches the route's hostnames`);
  return { outcome: { parentRef: p, ours: true, accepted: true, reason: 'Accepted', message: 'route is attached', listeners: attach.map((a) => `${gwNs}/${p.name}/${a.listener.name}`) }, attach };
}

function lowerRule(rule: URule, i: number, ns: string, kind: RouteKind, c: LowerContext, services: Set<string>, problems: RouteOutcome['problems']): Record<string, unknown> {
  const backends = c.backends;
  const filters: Array<Record<string, unknown>> = [];
  for (const f of rule.filters ?? []) {
    if (f.type !== 'RequestMirror') {
      filters.push(f);
      continue;
    }
    // a mirror's backendRef resolves like any other (Service + slices, grants); a refused one is
    // reported (ResolvedRefs=False) and not mirrored, the rule itself still served
    const m = f.requestMirror as { backendRef?: UBackendRef } | undefined;
    if (!m?.backendRef) continue;
    const b = lowerBackendRef(m.backendRef, i, ns, kind, c, problems);
    if (!b.backend && b.name.startsWith('refused/')) continue;
    if (b.service) services.add(b.service);
    if (b.backend) backends.set(b.backend.metadata.name!, b.backend);
    filters.push({ ...f, requestMirror: { ...m, backendRef: { group: 'core.apoxy.dev', kind: 'Backend', name: b.name } } });
  }
  const backendRefs = (rule.backendRefs ?? []).map((ref) => {
    const b = lowerBackendRef(ref, i, ns, kind, c, problems);
    if (b.service) services.add(b.service);
    if (b.backend) backends.set(b.backend.metadata.name!, b.backend);
    return { kind: 'Backend', name: b.name, weight: ref.weight ?? 1, ...(ref.filters?.length ? { filters: ref.filters } : {}) };
  });
  const out: Record<string, unknown> = { ...rule, backendRefs };
  if (filters.length) out.filters = filters;
  else delete out.filters;
  return out;
}

function lowerBackendRef(ref: UBackendRef, i: number, ns: string, routeKind: RouteKind, c: LowerContext, problems: RouteOutcome['problems']): { name: string; backend?: Backend; service?: string } {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if ((group === 'core.apoxy.dev') && kind === 'Backend') return { name: ref.name }; // cluster-scoped: no grant needed
  if (group !== '' || kind !== 'Service') {
    problems.push({ reason: 'InvalidKind', message: `rule ${i}: backendRef ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Service` });
    return { name: refusedBackend('kind') };
  }
  const targetNs = ref.namespace ?? ns;
  if (!refAllowed(c.input.referenceGrants, { group: GROUP, kind: routeKind, namespace: ns }, { group: '', kind: 'Service', namespace: targetNs, name: ref.name })) {
    problems.push({ reason: 'RefNotPermitted', message: `rule ${i}: backendRef to service ${targetNs}/${ref.name} is not permitted by any ReferenceGrant in namespace ${targetNs}` });
    return { name: refusedBackend('grant') };
  }
  const svcKey = `${targetNs}/${ref.name}`;
  let invalidTLS = false;
  const res = resolveServicePort(c.svcByKey.get(svcKey), c.slicesBySvc.get(svcKey) ?? [], targetNs, ref.name, ref.port, {
    grpc: routeKind === 'GRPCRoute',
    tlsFor: (sp) => {
      const t = c.tls.forPort(targetNs, ref.name, sp.name ?? '');
      if (t === 'invalid') invalidTLS = true;
      return t === 'invalid' ? undefined : t;
    },
  });
  if (!res.ok) {
    problems.push({ reason: res.reason, message: `rule ${i}: ${res.message}` });
    return { name: refusedBackend('notfound') };
  }
  // a BackendTLSPolicy without a usable CA: 500 rather than an unverified connection (the policy's status says why)
  if (invalidTLS) return { name: refusedBackend('backendtlspolicy'), service: svcKey };
  return { name: res.backend.metadata.name!, backend: res.backend, service: svcKey };
}
