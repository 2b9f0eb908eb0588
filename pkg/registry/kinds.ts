// Every served kind: its CRD (from crds/, and schemas/ for the core group's built-in kinds)
// paired with its strategy.
import { builtinSchemaDir, loadCRDs } from '../schema/crd_loader';
import type { CustomResourceDefinition } from '../schema/types';
import { resourceFromCRD, type Resource } from './resource';
import type { Strategy } from './strategy';
import { backendStrategy } from './backend';
import { httpRouteStrategy } from './httproute';
import { grpcRouteStrategy } from './grpcroute';
import { proxyStrategy } from './proxy';
import { gatewayClassStrategy } from './gatewayclass';
import { gatewayStrategy } from './gateway';
import { namespaceStrategy } from './namespace';
import { secretStrategy } from './secret';
import { configMapStrategy } from './configmap';
import { serviceStrategy } from './service';
import { endpointSliceStrategy } from './endpointslice';
import { backendTLSPolicyStrategy, referenceGrantStrategy, upstreamGatewayClassStrategy, upstreamGatewayStrategy, upstreamGRPCRouteStrategy, upstreamHTTPRouteStrategy } from './gatewayapi';

const STRATEGIES: Record<string, Strategy> = {
  namespaces: namespaceStrategy,
  secrets: secretStrategy,
  configmaps: configMapStrategy,
  services: serviceStrategy,
  'endpointslices.discovery.k8s.io': endpointSliceStrategy,
  'backends.core.apoxy.dev': backendStrategy,
  'proxies.core.apoxy.dev': proxyStrategy,
  'httproutes.gateway.apoxy.dev': httpRouteStrategy,
  'grpcroutes.gateway.apoxy.dev': grpcRouteStrategy,
  'gatewayclasses.gateway.apoxy.dev': gatewayClassStrategy,
  'gateways.gateway.apoxy.dev': gatewayStrategy,
  'gatewayclasses.gateway.networking.k8s.io': upstreamGatewayClassStrategy,
  'gateways.gateway.networking.k8s.io': upstreamGatewayStrategy,
  'httproutes.gateway.networking.k8s.io': upstreamHTTPRouteStrategy,
  'grpcroutes.gateway.networking.k8s.io': upstreamGRPCRouteStrategy,
  'referencegrants.gateway.networking.k8s.io': referenceGrantStrategy,
  'backendtlspolicies.gateway.networking.k8s.io': backendTLSPolicyStrategy,
};

export function servedResources(etcdPrefix = '/registry', crds: CustomResourceDefinition[] = [...loadCRDs(builtinSchemaDir()), ...loadCRDs()]): Resource[] {
  return crds.map((crd) => {
    const strategy = Object.hasOwn(STRATEGIES, crd.metadata.name) ? STRATEGIES[crd.metadata.name] : undefined;
    if (!strategy) throw new Error(`no strategy for CRD ${crd.metadata.name}`);
    return resourceFromCRD(crd, strategy, etcdPrefix);
  });
}

export function findResource(resources: Resource[], group: string, plural: string): Resource {
  const r = resources.find((x) => x.group === group && x.plural === plural);
  if (!r) throw new Error(`resource ${plural}.${group} is not served`);
  return r;
}
