// The status each object should have, computed from the translation. Pure; lastTransitionTime is
// kept while a condition's status is unchanged, so an unchanged status is byte-for-byte the same.
import { INVALID_CERTIFICATE_REF } from './certificates';
import type { Backend, BackendStatus } from '../../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute, ParentReference } from '../../../apis/gateway/v1/httproute_types';
import type { Gateway, GatewayStatus } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';
import type { Condition } from '../../../apis/meta/v1/types';
import { setConditions, type ConditionInput } from './conditions';
import type { RefProblem } from './routes';
import { CONTROLLER_NAME, DEFAULT_GATEWAY, type GatewayIndex } from './gateways';
import { isGatewayParent } from './routes';

export function backendStatus(b: Backend, now: string, resolved?: { ok: boolean; message: string }, tlsVerdict?: { ok: boolean; message: string }): BackendStatus {
  const gen = b.metadata.generation;
  const eps = b.spec?.endpoints ?? [];
  const fqdns = eps.filter((e) => e.fqdn).length;
  const ready = eps.length > 0 || !!b.spec?.dynamicProxy;
  const conds = [
    {
      type: 'Ready',
      status: ready ? ('True' as const) : ('False' as const),
      observedGeneration: gen,
      reason: ready ? 'Accepted' : 'NoEndpoints',
      message: ready ? (b.spec?.dynamicProxy ? 'forward proxy: upstream hosts come from each request' : `${eps.length} endpoint(s) configured`) : 'the backend has no endpoints; routes to it answer 503',
    },
    fqdns === 0
      ? { type: 'Resolved', status: 'True' as const, observedGeneration: gen, reason: b.spec?.dynamicProxy ? 'DynamicProxy' : 'IPAddresses', message: b.spec?.dynamicProxy ? 'hosts are resolved per request through the DNS cache' : 'all endpoints are IP addresses' }
      : resolved
        ? { type: 'Resolved', status: resolved.ok ? ('True' as const) : ('False' as const), observedGeneration: gen, reason: resolved.ok ? 'Resolved' : 'ResolutionFailed', message: resolved.message }
        : { type: 'Resolved', status: 'Unknown' as const, observedGeneration: gen, reason: 'Pending', message: `${fqdns} DNS name(s) are resolved when first used` },
  ];
  const tls = tlsVerifiedCondition(b, tlsVerdict);
  if (tls) conds.push({ ...tls, observedGeneration: gen });
  return { conditions: setConditions(b.status?.conditions, conds, now), observedGeneration: gen };
}

/**
 * TLSVerified, for tls/h2 Backends only: the proxy's last verification outcome for this Backend
 * (upstream/tls.ts TLSVerdicts). False also when verification is switched off, so `kubectl get`
 * shows the opt-out.
 */
export function tlsVerifiedCondition(b: Backend, v: { ok: boolean; message: string } | undefined): Omit<ConditionInput, 'observedGeneration'> | undefined {
  const p = b.spec?.protocol;
  if (p !== 'tls' && p !== 'h2') return undefined;
  if (b.spec?.tls?.insecureSkipVerify) return { type: 'TLSVerified', status: 'False', reason: 'InsecureSkipVerify', message: 'spec.tls.insecureSkipVerify: the upstream certificate is not verified' };
  if (!v) return { type: 'TLSVerified', status: 'Unknown', reason: 'Pending', message: 'verified on the first connection to the upstream' };
  return v.ok
    ? { type: 'TLSVerified', status: 'True', reason: 'Verified', message: v.message }
    : { type: 'TLSVerified', status: 'False', reason: 'VerificationFailed', message: v.message };
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export function routeStatus(route: HTTPRoute, problems: RefProblem[], gw: GatewayIndex, now: string): { parents: RouteParentStatus[] } {
  const gen = route.metadata.generation;
  const parents: ParentReference[] = route.spec?.parentRefs?.length
    ? route.spec.parentRefs
    : [{ group: 'gateway.apoxy.dev', kind: 'Gateway', name: DEFAULT_GATEWAY }];
  const prev = (route.status as { parents?: RouteParentStatus[] } | undefined)?.parents ?? [];
  const first = problems[0];
  const resolvedRefs = first
    ? { type: 'ResolvedRefs', status: 'False' as const, observedGeneration: gen, reason: first.reason === 'UnsupportedValue' ? 'UnsupportedValue' : first.reason, message: problems.map((p) => p.message).join('; ') }
    : { type: 'ResolvedRefs', status: 'True' as const, observedGeneration: gen, reason: 'ResolvedRefs', message: 'all references resolved' };
  return {
    parents: parents.map((p) => {
      const attached = route.spec?.parentRefs?.length ? gw.listenersFor(p).length > 0 : true;
      const accepted = attached
        ? { type: 'Accepted', status: 'True' as const, observedGeneration: gen, reason: 'Accepted', message: 'route is served' }
        : {
            type: 'Accepted',
            status: 'False' as const,
            observedGeneration: gen,
            reason: isGatewayParent(p) ? 'NoMatchingParent' : 'NotAllowedByListeners',
            message: `parent ${p.kind ?? 'Gateway'}/${p.name}${p.sectionName ? `/${p.sectionName}` : ''}${p.port ? `:${p.port}` : ''} is not served by switchyard`,
          };
      const old = prev.find((x) => x.parentRef?.name === p.name && (x.parentRef?.sectionName ?? '') === (p.sectionName ?? '') && (x.parentRef?.port ?? 0) === (p.port ?? 0));
      // the parentRef carries group and kind, as the conformance suite compares them
      return { parentRef: { group: p.group ?? 'gateway.apoxy.dev', kind: p.kind ?? 'Gateway', ...p }, controllerName: CONTROLLER_NAME, conditions: setConditions(old?.conditions, [accepted, resolvedRefs], now) };
    }),
  };
}

export function gatewayClassStatus(c: GatewayClass, now: string): { conditions: Condition[] } | undefined {
  if (c.spec?.controllerName !== CONTROLLER_NAME) return undefined; // not ours: leave it alone
  const cond = { type: 'Accepted', status: 'True' as const, observedGeneration: c.metadata.generation, reason: 'Accepted', message: 'handled by switchyard' };
  return { conditions: setConditions((c.status as { conditions?: Condition[] } | undefined)?.conditions, [cond], now) };
}

/** bindErrors: listener id → why its port could not be opened (from the proxy) */
export function gatewayStatus(
  g: Gateway,
  gw: GatewayIndex,
  attachedRoutes: (listenerId: string) => number,
  bindErrors: Map<string, string>,
  now: string,
): GatewayStatus {
  const gen = g.metadata.generation;
  const ok = gw.accepted(g);
  const prev = g.status;
  const listeners = (g.spec?.listeners ?? []).map((l) => {
    const id = `gateway/${g.metadata.name}/${l.name}`;
    const supported = l.protocol === 'HTTP' || l.protocol === 'HTTPS';
    const err = bindErrors.get(id);
    const certErr = gw.certErrors.get(id);
    const conds = [
      { type: 'Accepted', status: supported ? ('True' as const) : ('False' as const), observedGeneration: gen, reason: supported ? 'Accepted' : 'UnsupportedProtocol', message: supported ? 'listener accepted' : `protocol ${l.protocol} is not served` },
      certErr !== undefined
        ? { type: 'Programmed', status: 'False' as const, observedGeneration: gen, reason: 'Invalid', message: `not served: ${certErr}` }
        : { type: 'Programmed', status: ok && supported && !err ? ('True' as const) : ('False' as const), observedGeneration: gen, reason: !ok ? 'Invalid' : err ? 'PortUnavailable' : supported ? 'Programmed' : 'Invalid', message: err ?? (ok && supported ? `listening on port ${l.port}` : 'not programmed') },
      certErr !== undefined
        ? { type: 'ResolvedRefs', status: 'False' as const, observedGeneration: gen, reason: INVALID_CERTIFICATE_REF, message: certErr }
        : { type: 'ResolvedRefs', status: 'True' as const, observedGeneration: gen, reason: 'ResolvedRefs', message: 'ok' },
    ];
    const old = prev?.listeners?.find((x) => x.name === l.name);
    return {
      name: l.name,
      attachedRoutes: attachedRoutes(id),
      // both route kinds ride HTTP listeners: GRPCRoute over h2c (plain) or h2 (HTTPS, by ALPN)
      supportedKinds: supported
        ? [
            { group: 'gateway.apoxy.dev', kind: 'HTTPRoute' },
            { group: 'gateway.apoxy.dev', kind: 'GRPCRoute' },
          ]
        : [],
      conditions: setConditions(old?.conditions, conds, now),
    };
  });
  const notProgrammed = listeners
    .map((l) => ({ name: l.name, cond: l.conditions.find((c) => c.type === 'Programmed') }))
    .filter((l) => l.cond?.status !== 'True');
  const programmed = ok && notProgrammed.length === 0;
  // name the listeners that are not open and why (e.g. a port another process holds)
  const programmedMessage = programmed
    ? 'all listeners are open'
    : !ok
      ? 'not programmed: the gateway is not accepted'
      : `listeners not programmed: ${notProgrammed.map((l) => `${l.name} (${l.cond?.message ?? 'unknown'})`).join('; ')}`;
  const conds = [
    { type: 'Accepted', status: ok ? ('True' as const) : ('False' as const), observedGeneration: gen, reason: ok ? 'Accepted' : 'InvalidParameters', message: ok ? 'gateway accepted' : `gatewayClass ${g.spec?.gatewayClassName} is not handled by ${CONTROLLER_NAME}` },
    { type: 'Programmed', status: programmed ? ('True' as const) : ('False' as const), observedGeneration: gen, reason: programmed ? 'Programmed' : 'Invalid', message: programmedMessage },
  ];
  return { conditions: setConditions(prev?.conditions, conds, now), listeners };
}
