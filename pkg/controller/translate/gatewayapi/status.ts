// The status of gateway.networking.k8s.io objects as the conformance suite reads it. Pure;
// lastTransitionTime kept while a condition's status is unchanged (conditions.ts).
//   GatewayClass: Accepted (controllerName ours) and supportedFeatures (sorted by name)
//   Gateway: Accepted (UnsupportedAddress), Programmed (AddressNotAssigned); typed addresses
//            (addresses.ts); listeners[] with attachedRoutes, supportedKinds,
//            Accepted/Programmed/ResolvedRefs/Conflicted (conflicts.ts)
//   HTTPRoute, GRPCRoute: parents[] per parentRef (as written, group and kind included) with
//              controllerName, Accepted and ResolvedRefs
//   BackendTLSPolicy: policy_status.ts
import type { Condition } from '../../../../apis/meta/v1/types';
import { setConditions, type ConditionInput } from '../conditions';
import { CONTROLLER_NAME, listenerId } from '../gateways';
import type { RefProblem } from '../routes';
import { listenerKinds, loweredGatewayName, refusedCertificateRefs, type LowerOutput, type RouteKind } from './lower';
import { GROUP, key, type UGateway, type UGatewayClass, type UHTTPRoute, type UReferenceGrant } from './types';

/** Features this group implements (GatewayClass status.supportedFeatures), sorted. */
export const SUPPORTED_FEATURES = [
  'BackendTLSPolicy',
  'BackendTLSPolicySANValidation',
  'GRPCRoute',
  'Gateway',
  'GatewayAddressEmpty',
  'GatewayHTTPListenerIsolation',
  'GatewayPort8080',
  'HTTPRoute',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteBackendTimeout',
  'HTTPRouteCORS',
  'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching',
  'HTTPRoutePathRedirect',
  'HTTPRoutePathRewrite',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteSchemeRedirect',
  'ReferenceGrant',
].sort();

export function upstreamGatewayClassStatus(c: UGatewayClass, now: string): unknown | undefined {
  if (c.spec?.controllerName !== CONTROLLER_NAME) return undefined; // not ours: leave it alone
  const cond = { type: 'Accepted', status: 'True' as const, observedGeneration: c.metadata.generation, reason: 'Accepted', message: 'handled by switchyard' };
  return { conditions: setConditions(c.status?.conditions, [cond], now), supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })) };
}

import { resolveGatewayAddresses } from './addresses';
export { gatewayAddress } from './addresses';

/**
 * certErrors: listener id → why its certificateRef cannot be used (the shared translation's
 * GatewayIndex): a missing Secret, another group or kind, a malformed Secret.
 */
export function upstreamGatewayStatus(
  g: UGateway,
  lowered: LowerOutput,
  proxyHost: string,
  bindErrors: Map<string, string>,
  now: string,
  grants: UReferenceGrant[] = [],
  localAddresses: string[] = [],
  certErrors: Map<string, string> = new Map(),
): unknown | undefined {
  const k = key(g);
  if (!lowered.ourGateways.has(k)) return undefined;
  const gen = g.metadata.generation;
  const ns = g.metadata.namespace ?? 'default';
  const prev = g.status;
  const listeners = (g.spec?.listeners ?? []).map((l) => {
    const kinds = listenerKinds(l);
    const supported = l.protocol === 'HTTP' || l.protocol === 'HTTPS';
    const id = listenerId(loweredGatewayName(ns, g.metadata.name!), l.name);
    const refusedCerts = refusedCertificateRefs(g, l, grants);
    const certErr = refusedCerts.length ? undefined : certErrors.get(id);
    const err = bindErrors.get(id) ?? certErr;
    const conflict = lowered.conflicts.get(`${k}/${l.name}`);
    const resolvedRefs: ConditionInput = refusedCerts.length
      ? { type: 'ResolvedRefs', status: 'False', observedGeneration: gen, reason: 'RefNotPermitted', message: `certificateRefs not permitted by any ReferenceGrant: ${refusedCerts.join(', ')}` }
      : certErr !== undefined
        ? { type: 'ResolvedRefs', status: 'False', observedGeneration: gen, reason: 'InvalidCertificateRef', message: certErr }
        : kinds.invalid.length
          ? { type: 'ResolvedRefs', status: 'False', observedGeneration: gen, reason: 'InvalidRouteKinds', message: `route kinds not supported: ${kinds.invalid.map((x) => `${x.group}/${x.kind}`).join(', ')}` }
          : { type: 'ResolvedRefs', status: 'True', observedGeneration: gen, reason: 'ResolvedRefs', message: 'all references resolved' };
    // a conflicted listener is neither Accepted nor Programmed, with the conflict's reason (conflicts.ts)
    const conds: ConditionInput[] = conflict
      ? [
          { type: 'Accepted', status: 'False', observedGeneration: gen, reason: conflict.reason, message: conflict.message },
          { type: 'Programmed', status: 'False', observedGeneration: gen, reason: conflict.reason, message: conflict.message },
          resolvedRefs,
          { type: 'Conflicted', status: 'True', observedGeneration: gen, reason: conflict.reason, message: conflict.message },
        ]
      : [
          supported
            ? { type: 'Accepted', status: 'True', observedGeneration: gen, reason: 'Accepted', message: 'listener accepted' }
            : { type: 'Accepted', status: 'False', observedGeneration: gen, reason: 'UnsupportedProtocol', message: `protocol ${l.protocol} is not served` },
          supported && !err
            ? { type: 'Programmed', status: 'True', observedGeneration: gen, reason: 'Programmed', message: `listening on port ${l.port}` }
            : { type: 'Programmed', status: 'False', observedGeneration: gen, reason: 'Invalid', message: err ?? 'not programmed' },
          resolvedRefs,
          { type: 'Conflicted', status: 'False', observedGeneration: gen, reason: 'NoConflicts', message: 'no conflicts' },
        ];
    const old = prev?.listeners?.find((x) => x.name === l.name);
    return {
      name: l.name,
      attachedRoutes: lowered.attached.get(`${ns}/${g.metadata.name}/${l.name}`) ?? 0,
      supportedKinds: kinds.supported,
      conditions: setConditions(old?.conditions, conds, now),
    };
  });
  // GatewayListenerUnsupportedProtocol: Accepted unless no listener is; reason ListenersNotValid when some are not
  const isTrue = (l: (typeof listeners)[number], t: string) => l.conditions.find((c) => c.type === t)?.status === 'True';
  const acceptedListeners = listeners.filter((l) => isTrue(l, 'Accepted'));
  const invalid = listeners.length - acceptedListeners.length;
  const notProgrammed = acceptedListeners.filter((l) => !isTrue(l, 'Programmed'));
  const programmed = acceptedListeners.length > 0 && notProgrammed.length === 0;
  // no parameters kind is supported: any infrastructure.parametersRef is invalid (GatewayInvalidParametersRef)
  const params = (g.spec as { infrastructure?: { parametersRef?: { group?: string; kind?: string; name?: string } } } | undefined)?.infrastructure?.parametersRef;
  const addr = resolveGatewayAddresses((g.spec as { addresses?: Array<{ type?: string; value?: string }> } | undefined)?.addresses, proxyHost, localAddresses);
  const conds: ConditionInput[] = [
    params
      ? { type: 'Accepted', status: 'False', observedGeneration: gen, reason: 'InvalidParameters', message: `infrastructure.parametersRef ${params.group ?? ''}/${params.kind ?? ''} ${params.name ?? ''}: no parameters kind is supported` }
      : addr.unsupported
      ? { type: 'Accepted', status: 'False', observedGeneration: gen, reason: 'UnsupportedAddress', message: addr.unsupported }
      : acceptedListeners.length === 0
      ? { type: 'Accepted', status: 'False', observedGeneration: gen, reason: 'ListenersNotValid', message: 'no listener is valid' }
      : invalid > 0
        ? { type: 'Accepted', status: 'True', observedGeneration: gen, reason: 'ListenersNotValid', message: `${invalid} listener(s) not valid` }
        : { type: 'Accepted', status: 'True', observedGeneration: gen, reason: 'Accepted', message: 'gateway accepted' },
    addr.notAssigned
      ? { type: 'Programmed', status: 'False', observedGeneration: gen, reason: 'AddressNotAssigned', message: addr.notAssigned }
      : programmed && !params
      ? { type: 'Programmed', status: 'True', observedGeneration: gen, reason: 'Programmed', message: 'all valid listeners are open' }
      : { type: 'Programmed', status: 'False', observedGeneration: gen, reason: 'Invalid', message: params ? 'invalid infrastructure.parametersRef' : acceptedListeners.length === 0 ? 'no valid listener' : `listeners not programmed: ${notProgrammed.map((l) => l.name).join(', ')}` },
  ];
  return { addresses: addr.addresses, conditions: setConditions(prev?.conditions, conds, now), listeners };
}

/**
 * A route's status: one entry per parentRef whose Gateway is ours. builtProblems: what the shared
 * translation reported for the lowered routes (filters it refuses); references are judged here.
 */
export function upstreamRouteStatus(r: UHTTPRoute, lowered: LowerOutput, builtProblems: (loweredName: string) => RefProblem[], now: string, kind: RouteKind = 'HTTPRoute'): unknown | undefined {
  const outcome = (kind === 'GRPCRoute' ? lowered.grpcOutcomes : lowered.routeOutcomes).get(key(r));
  if (!outcome) return undefined;
  const gen = r.metadata.generation;
  const fromBuilt = outcome.lowered.length
    ? builtProblems(outcome.lowered[0]).filter((p) => !p.message.includes('refused/') && p.reason !== 'InvalidKind' && p.reason !== 'BackendNotFound')
    : [];
  const problems = [...outcome.problems, ...fromBuilt];
  const resolved: ConditionInput = problems.length
    ? { type: 'ResolvedRefs', status: 'False', observedGeneration: gen, reason: problems[0].reason, message: problems.map((p) => p.message).join('; ') }
    : { type: 'ResolvedRefs', status: 'True', observedGeneration: gen, reason: 'ResolvedRefs', message: 'all references resolved' };
  const prevParents = r.status?.parents ?? [];
  const others = prevParents.filter((p) => p.controllerName !== CONTROLLER_NAME); // other controllers' entries are kept
  const same = (a: Record<string, unknown>, b: Record<string, unknown>) => ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'].every((f) => (a[f] ?? '') === (b[f] ?? ''));
  const parents = outcome.parents
    .filter((p) => p.ours)
    .map((p) => {
      const accepted: ConditionInput = p.accepted
        ? { type: 'Accepted', status: 'True', observedGeneration: gen, reason: 'Accepted', message: p.message }
        : { type: 'Accepted', status: 'False', observedGeneration: gen, reason: p.reason, message: p.message };
      const old = prevParents.find((x) => x.controllerName === CONTROLLER_NAME && same(x.parentRef as unknown as Record<string, unknown>, p.parentRef as unknown as Record<string, unknown>));
      const parentRef = { group: p.parentRef.group ?? GROUP, kind: p.parentRef.kind ?? 'Gateway', ...p.parentRef };
      return { parentRef, controllerName: CONTROLLER_NAME, conditions: setConditions(old?.conditions as Condition[] | undefined, [accepted, resolved], now) };
    });
  return { parents: [...others, ...parents] };
}
