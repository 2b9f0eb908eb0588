// gateway.networking.k8s.io → the gateway.apoxy.dev shapes the existing translation serves, so both
// groups land in one snapshot through one router. Pure: same input, same output.
//   GatewayClass c        → GatewayClass `k8s/<c>` (same controllerName)
//   Gateway ns/g          → Gateway `k8s/<ns>/<g>` (same listeners, certificateRefs namespaced)
//   HTTPRoute ns/r        → one HTTPRoute per attached listener, `k8s/<ns>/<r>/<gwns>/<g>/<listener>`,
//                           its hostnames the listener × route intersection
//   Service port          → Backend `svc/<ns>/<svc>/<port>` with the ready endpoints of its slices
// Attachment obeys parentRefs (namespace defaults to the route's; sectionName, port) and each
// listener's allowedRoutes (namespaces Same by default, All, Selector; kinds). Cross-namespace
// backendRefs need a ReferenceGrant (else RefNotPermitted and the ref answers 500). No stored
// object can have a `/` in its name, so these names never collide with gateway.apoxy.dev objects.
import type { Backend } from '../../../../apis/core/v1alpha2/backend_types';
import type { Gateway } from '../../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../../apis/gateway/v1/gatewayclass_types';
import type { HTTPRoute } from '../../../../apis/gateway/v1/httproute_types';
import { CONTROLLER_NAME } from '../gateways';
import { intersectHostnames } from './hostnames';
import { refAllowed } from './refs';
import { selectorMatches } from './selector';
import { resolveServicePort, SERVICE_NAME_LABEL } from './services';
import { GROUP, key, type EndpointSlice, type Namespace, type Service, type UBackendRef, type UGateway, type UGatewayClass, type UHTTPRoute, type UListener, type UParentRef, type UReferenceGrant, type URule } from './types';

export const loweredClassName = (name: string) => `k8s/${name}`;
export const loweredGatewayName = (ns: string, name: string) => `k8s/${ns}/${name}`;
export const loweredRouteName = (ns: string, name: string, gwNs: string, gw: string, listener: string) => `k8s/${ns}/${name}/${gwNs}/${gw}/${listener}`;
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
  /** by `<ns>/<name>` */
  routeOutcomes: Map<string, RouteOutcome>;
  /** `<gwns>/<gw>/<listener>` → routes attached */
  attached: Map<string, number>;
  /** Gateways of a class we control, by `<ns>/<name>` */
  ourGateways: Set<string>;
}

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS']);

/** the route kinds a listener accepts (allowedRoutes.kinds, default HTTPRoute for HTTP/HTTPS), and the ones it names that are not served */
export function listenerKinds(l: UListener): { supported: Array<{ group: string; kind: string }>; invalid: Array<{ group: string; kind: string }> } {
  if (!HTTP_PROTOCOLS.has(l.protocol)) return { supported: [], invalid: [] };
  const asked = l.allowedRoutes?.kinds;
  if (!asked || asked.length === 0) return { supported: [{ group: GROUP, kind: 'HTTPRoute' }], invalid: [] };
  const supported: Array<{ group: string; kind: string }> = [];
  const invalid: Array<{ group: string; kind: string }> = [];
  for (const k of asked) {
    const g = k.group ?? GROUP;
    (g === GROUP && k.kind === 'HTTPRoute' ? supported : invalid).push({ group: g, kind: k.kind });
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
  const gateways = input.gateways.map((g) => lowerGateway(g, input.referenceGrants));
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
  const routeOutcomes = new Map<string, RouteOutcome>();
  const attached = new Map<string, number>();

  for (const r of [...input.routes].sort((a, b) => key(a).localeCompare(key(b)))) {
    const ns = r.metadata.namespace ?? 'default';
    const problems: RouteOutcome['problems'] = [];
    const rules = (r.spec?.rules ?? []).map((rule, i) => lowerRule(rule, i, ns, input, svcByKey, slicesBySvc, backends, problems));
    const parents: ParentOutcome[] = [];
    const lowered: string[] = [];
    const seenListeners = new Set<string>();
    for (const p of r.spec?.parentRefs ?? []) {
      const o = attachParent(p, r, ns, gwByKey, ourGateways, nsLabels);
      parents.push(o.outcome);
      for (const a of o.attach) {
        const lk = `${a.gwNs}/${a.gw}/${a.listener.name}`;
        if (seenListeners.has(lk)) continue;
        seenListeners.add(lk);
        attached.set(lk, (attached.get(lk) ?? 0) + 1);
        const name = loweredRouteName(ns, r.metadata.name!, a.gwNs, a.gw, a.listener.name);
        lowered.push(name);
        routes.push({
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
    routeOutcomes.set(key(r), { parents, problems, lowered });
  }
  return { gatewayClasses, gateways, routes, backends: [...backends.values()].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)), routeOutcomes, attached, ourGateways };
}

/** certificateRefs of a listener another namespace's Secret needs a ReferenceGrant for (from Gateway) */
export function refusedCertificateRefs(g: UGateway, l: UListener, grants: UReferenceGrant[]): string[] {
  const ns = g.metadata.namespace ?? 'default';
  return (l.tls?.certificateRefs ?? [])
    .filter((c) => (c.group ?? '') === '' && (c.kind ?? 'Secret') === 'Secret')
    .filter((c) => !refAllowed(grants, { group: GROUP, kind: 'Gateway', namespace: ns }, { group: '', kind: 'Secret', namespace: c.namespace ?? ns, name: c.name }))
    .map((c) => `${c.namespace ?? ns}/${c.name}`);
}

function lowerGateway(g: UGateway, grants: UReferenceGrant[]): Gateway {
  const ns = g.metadata.namespace ?? 'default';
  const listeners = (g.spec?.listeners ?? []).map((l) => {
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
  gwByKey: Map<string, UGateway>,
  ourGateways: Set<string>,
  nsLabels: Map<string, Record<string, string> | undefined>,
): { outcome: ParentOutcome; attach: Attachment[] } {
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
  const allowed = listeners.filter((l) => listenerKinds(l).supported.length > 0 && namespaceAllowed(l, gwNs, ns, nsLabels));
  if (allowed.length === 0) return fail('NotAllowedByListeners', `no listener of gateway ${gk} allows HTTPRoutes from namespace ${ns}`);
  const attach: Attachment[] = [];
  for (const l of allowed) {
    const hostnames = intersectHostnames(l.hostname, r.spec?.hostnames);
    if (hostnames && hostnames.length === 0) continue;
    attach.push({ gwNs, gw: p.name, listener: l, ...(hostnames ? { hostnames } : {}) });
  }
  if (attach.length === 0) return fail('NoMatchingListenerHostname', `no listener hostname of gateway ${gk} matches the route's hostnames`);
  return { outcome: { parentRef: p, ours: true, accepted: true, reason: 'Accepted', message: 'route is attached', listeners: attach.map((a) => `${gwNs}/${p.name}/${a.listener.name}`) }, attach };
}

function lowerRule(
  rule: URule,
  i: number,
  ns: string,
  input: LowerInput,
  svcByKey: Map<string, Service>,
  slicesBySvc: Map<string, EndpointSlice[]>,
  backends: Map<string, Backend>,
  problems: RouteOutcome['problems'],
): Record<string, unknown> {
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
    const b = lowerBackendRef(m.backendRef, i, ns, input, svcByKey, slicesBySvc, problems);
    if (!b.backend && b.name.startsWith('refused/')) continue;
    if (b.backend) backends.set(b.backend.metadata.name!, b.backend);
    filters.push({ ...f, requestMirror: { ...m, backendRef: { group: 'core.apoxy.dev', kind: 'Backend', name: b.name } } });
  }
  const backendRefs = (rule.backendRefs ?? []).map((ref) => {
    const b = lowerBackendRef(ref, i, ns, input, svcByKey, slicesBySvc, problems);
    if (b.backend) backends.set(b.backend.metadata.name!, b.backend);
    return { kind: 'Backend', name: b.name, weight: ref.weight ?? 1, ...(ref.filters?.length ? { filters: ref.filters } : {}) };
  });
  const out: Record<string, unknown> = { ...rule, backendRefs };
  if (filters.length) out.filters = filters;
  else delete out.filters;
  return out;
}

function lowerBackendRef(
  ref: UBackendRef,
  i: number,
  ns: string,
  input: LowerInput,
  svcByKey: Map<string, Service>,
  slicesBySvc: Map<string, EndpointSlice[]>,
  problems: RouteOutcome['problems'],
): { name: string; backend?: Backend } {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if ((group === 'core.apoxy.dev') && kind === 'Backend') return { name: ref.name }; // cluster-scoped: no grant needed
  if (group !== '' || kind !== 'Service') {
    problems.push({ reason: 'InvalidKind', message: `rule ${i}: backendRef ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Service` });
    return { name: refusedBackend('kind') };
  }
  const targetNs = ref.namespace ?? ns;
  if (!refAllowed(input.referenceGrants, { group: GROUP, kind: 'HTTPRoute', namespace: ns }, { group: '', kind: 'Service', namespace: targetNs, name: ref.name })) {
    problems.push({ reason: 'RefNotPermitted', message: `rule ${i}: backendRef to service ${targetNs}/${ref.name} is not permitted by any ReferenceGrant in namespace ${targetNs}` });
    return { name: refusedBackend('grant') };
  }
  const res = resolveServicePort(svcByKey.get(`${targetNs}/${ref.name}`), slicesBySvc.get(`${targetNs}/${ref.name}`) ?? [], targetNs, ref.name, ref.port);
  if (!res.ok) {
    problems.push({ reason: res.reason, message: `rule ${i}: ${res.message}` });
    return { name: refusedBackend('notfound') };
  }
  return { name: res.backend.metadata.name!, backend: res.backend };
}
