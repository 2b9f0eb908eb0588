// Gateway API's own group (gateway.networking.k8s.io): GatewayClass (cluster-scoped), Gateway,
// HTTPRoute, GRPCRoute, ReferenceGrant, BackendTLSPolicy (namespaced). Structure from the upstream CRDs in crds/; their CEL
// rules as code (apis/gatewayapi/v1). Tables from the CRDs' printer columns.
import { validateGatewayCEL, validateGatewayClassUpdateCEL } from '../../apis/gatewayapi/v1/gateway_cel';
import { validateHTTPRouteCEL } from '../../apis/gatewayapi/v1/httproute_cel';
import { validateGRPCRouteCEL } from '../../apis/gatewayapi/v1/grpcroute_cel';
import { validateBackendTLSPolicyCEL } from '../../apis/gatewayapi/v1/backendtlspolicy_cel';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';
import { namespacedFields } from './secret';

export const upstreamGatewayClassStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validateUpdate: (n, o) => validateGatewayClassUpdateCEL(n, o),
};

export const upstreamGatewayStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateGatewayCEL(obj),
  validateUpdate: (n) => validateGatewayCEL(n),
  selectableFields: { ...namespacedFields },
};

export const upstreamHTTPRouteStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateHTTPRouteCEL(obj),
  validateUpdate: (n) => validateHTTPRouteCEL(n),
  selectableFields: { ...namespacedFields },
};

export const referenceGrantStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  selectableFields: { ...namespacedFields },
};

export const upstreamGRPCRouteStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateGRPCRouteCEL(obj),
  validateUpdate: (n) => validateGRPCRouteCEL(n),
  selectableFields: { ...namespacedFields },
};

export const backendTLSPolicyStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateBackendTLSPolicyCEL(obj),
  validateUpdate: (n) => validateBackendTLSPolicyCEL(n),
  selectableFields: { ...namespacedFields },
};
