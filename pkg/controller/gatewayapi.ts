// The controller's view of gateway.networking.k8s.io and the core objects its routes resolve
// through (Services, EndpointSlices, Namespaces, ReferenceGrants): informers whose every event
// schedules a full reconcile, the lowering into the shared snapshot (translate/gatewayapi), and the
// statuses of these objects. Optional kinds: a cluster without the upstream CRDs still syncs.
import type { KubernetesObject } from '@kubernetes/client-node';
import { networkInterfaces } from 'node:os';
import type { ClientNode } from '../util/esm';
import { startInformer, type ResilientInformer } from './informer';
import type { StatusSink, StatusTarget } from './status_writer';
import type { BuildOutput } from './translate/incremental';
import { lowerGatewayAPI, type LowerInput, type LowerOutput } from './translate/gatewayapi/lower';
import { upstreamGatewayClassStatus, upstreamGatewayStatus, upstreamRouteStatus } from './translate/gatewayapi/status';
import { backendTLSPolicyStatus } from './translate/gatewayapi/policy_status';
import { grpcRouteShape } from './translate/gatewayapi/grpcroutes';
import type { UBackendTLSPolicy, UGateway, UGatewayClass, UGRPCRoute, UHTTPRoute, UReferenceGrant } from './translate/gatewayapi/types';

export const GATEWAY_API_KINDS = {
  gatewayClasses: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses' },
  gateways: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways' },
  routes: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  grpcRoutes: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'grpcroutes' },
  referenceGrants: { group: 'gateway.networking.k8s.io', version: 'v1beta1', plural: 'referencegrants' },
  backendTLSPolicies: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'backendtlspolicies' },
  configMaps: { group: '', version: 'v1', plural: 'configmaps' },
  services: { group: '', version: 'v1', plural: 'services' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
} as const;

type Part = keyof typeof GATEWAY_API_KINDS;

export class GatewayAPISource {
  private informers = new Map<Part, ResilientInformer<KubernetesObject>>();
  last?: LowerOutput;

  start(k8s: ClientNode, kc: InstanceType<ClientNode['KubeConfig']>, onChange: () => void, onError: (kind: string, err: unknown, retryIn: number) => void): void {
    for (const [part, spec] of Object.entries(GATEWAY_API_KINDS) as Array<[Part, (typeof GATEWAY_API_KINDS)[Part]]>) {
      this.informers.set(part, startInformer(k8s, kc, spec, { onChange, onEvent: () => onChange(), onError: (err, retryIn) => onError(spec.plural, err, retryIn) }));
    }
  }

  /** tests: lists from here instead of informers */
  attach(informers: Map<Part, ResilientInformer<KubernetesObject>>): void {
    this.informers = informers;
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }

  private list<T>(part: Part): T[] {
    return (this.informers.get(part)?.list() ?? []) as unknown as T[];
  }

  lower(): LowerOutput {
    const input: LowerInput = {
      gatewayClasses: this.list('gatewayClasses'),
      gateways: this.list('gateways'),
      routes: this.list('routes'),
      referenceGrants: this.list('referenceGrants'),
      services: this.list('services'),
      endpointSlices: this.list('endpointSlices'),
      namespaces: this.list('namespaces'),
      grpcRoutes: this.list('grpcRoutes'),
      backendTLSPolicies: this.list('backendTLSPolicies'),
      configMaps: this.list('configMaps'),
    };
    this.last = lowerGatewayAPI(input);
    return this.last;
  }

  /** queue every status of these kinds that differs from the desired one */
  writeStatuses(w: StatusSink, built: BuildOutput, proxyHost: string, bindErrors: Map<string, string>, now: string): void {
    const lowered = this.last;
    if (!lowered) return;
    const target = (part: Part, name: string, namespace?: string): StatusTarget => ({ ...GATEWAY_API_KINDS[part], name, ...(namespace ? { namespace } : {}) });
    for (const c of this.list<UGatewayClass>('gatewayClasses')) {
      const s = upstreamGatewayClassStatus(c, now);
      if (s) w.ensure(target('gatewayClasses', c.metadata.name!), c.status, s);
    }
    const grants = this.list<UReferenceGrant>('referenceGrants');
    const local = localAddresses();
    for (const g of this.list<UGateway>('gateways')) {
      const s = upstreamGatewayStatus(g, lowered, proxyHost, bindErrors, now, grants, local, built.gw.certErrors);
      if (s) w.ensure(target('gateways', g.metadata.name!, g.metadata.namespace), g.status, s);
    }
    for (const r of this.list<UHTTPRoute>('routes')) {
      const s = upstreamRouteStatus(r, lowered, (n) => built.problems.get(n) ?? [], now);
      if (s) w.ensure(target('routes', r.metadata.name!, r.metadata.namespace), r.status, s);
    }
    for (const r of this.list<UGRPCRoute>('grpcRoutes')) {
      const s = upstreamRouteStatus(grpcRouteShape(r), lowered, (n) => built.problems.get(n) ?? [], now, 'GRPCRoute');
      if (s) w.ensure(target('grpcRoutes', r.metadata.name!, r.metadata.namespace), r.status, s);
    }
    for (const p of this.list<UBackendTLSPolicy>('backendTLSPolicies')) {
      const s = backendTLSPolicyStatus(p, lowered, now);
      if (s) w.ensure(target('backendTLSPolicies', p.metadata.name!, p.metadata.namespace), p.status, s);
    }
  }
}

/** this machine's addresses: a Gateway's spec.addresses are honoured when the proxy answers on them */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .map((a) => a.address);
}
