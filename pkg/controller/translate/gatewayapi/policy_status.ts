// BackendTLSPolicy status as the conformance suite reads it: status.ancestors[], one per Gateway of
// ours whose attached routes send to a Service the policy targets, each with ancestorRef (group,
// kind, namespace, name), controllerName and Accepted / ResolvedRefs (reasons as upstream:
// Accepted, Conflicted, NoValidCACertificate, TargetNotFound; ResolvedRefs, InvalidKind,
// InvalidCACertificateRef). Other controllers' entries are kept. At most 16 ancestors (the CRD's
// maxItems), sorted. Pure.
import type { Condition } from '../../../../apis/meta/v1/types';
import { setConditions, type ConditionInput } from '../conditions';
import { CONTROLLER_NAME } from '../gateways';
import type { LowerOutput } from './lower';
import { GROUP, key, type UBackendTLSPolicy } from './types';

export const MAX_ANCESTORS = 16;

export function backendTLSPolicyStatus(p: UBackendTLSPolicy, lowered: LowerOutput, now: string): unknown | undefined {
  const v = lowered.tlsPolicies.get(key(p));
  if (!v) return undefined;
  const gen = p.metadata.generation;
  const gateways = new Set<string>();
  for (const svc of v.services) for (const g of lowered.serviceGateways.get(svc) ?? []) if (lowered.ourGateways.has(g)) gateways.add(g);
  const prev = p.status?.ancestors ?? [];
  const others = prev.filter((a) => a.controllerName !== CONTROLLER_NAME);
  const conds: ConditionInput[] = [
    { type: 'Accepted', observedGeneration: gen, ...v.accepted },
    { type: 'ResolvedRefs', observedGeneration: gen, ...v.resolvedRefs },
  ];
  const ours = [...gateways]
    .sort()
    .slice(0, Math.max(0, MAX_ANCESTORS - others.length))
    .map((g) => {
      const [namespace, name] = g.split('/');
      const old = prev.find((a) => a.controllerName === CONTROLLER_NAME && a.ancestorRef.name === name && a.ancestorRef.namespace === namespace);
      return {
        ancestorRef: { group: GROUP, kind: 'Gateway', namespace, name },
        controllerName: CONTROLLER_NAME,
        conditions: setConditions(old?.conditions as Condition[] | undefined, conds, now),
      };
    });
  return { ancestors: [...others, ...ours] };
}
