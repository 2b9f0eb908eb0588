// GRPCRoute (gateway.apoxy.dev/v1): Gateway API's GRPCRoute, cluster-scoped like HTTPRoute here.
// Routes gRPC calls by service and method (and headers) to Backends. The schema the apiserver
// enforces lives in crds/gateway.apoxy.dev_grpcroutes.yaml; parentRefs, hostnames, backendRefs and
// the header filters share HTTPRoute's shapes.
import type { KObject, ObjectMeta } from '../../meta/v1/types';
import type { HTTPBackendRef, HTTPHeaderMatch, HTTPRouteFilter, HTTPRouteStatus, ParentReference } from './httproute_types';

export const KIND = 'GRPCRoute';
export const PLURAL = 'grpcroutes';

// upstream's standard-channel limits
export const MAX_GRPC_RULES = 16;
export const MAX_GRPC_MATCHES_PER_RULE = 8;

export type GRPCMethodMatchType = 'Exact' | 'RegularExpression';
export const GRPC_METHOD_MATCH_TYPES: readonly GRPCMethodMatchType[] = ['Exact', 'RegularExpression'];

export interface GRPCMethodMatch {
  /** default Exact */
  type?: GRPCMethodMatchType;
  /** e.g. `helloworld.Greeter`; absent: any service */
  service?: string;
  /** e.g. `SayHello`; absent: any method */
  method?: string;
}

export interface GRPCRouteMatch {
  method?: GRPCMethodMatch;
  headers?: HTTPHeaderMatch[];
}

export type GRPCRouteFilterType = 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'ExtensionRef';
export const GRPC_FILTER_TYPES: readonly GRPCRouteFilterType[] = ['ResponseHeaderModifier', 'RequestHeaderModifier', 'RequestMirror', 'ExtensionRef'];

export type GRPCRouteFilter = HTTPRouteFilter & { type: GRPCRouteFilterType };

export interface GRPCBackendRef extends Omit<HTTPBackendRef, 'filters'> {
  filters?: GRPCRouteFilter[];
}

export interface GRPCRouteRule {
  name?: string;
  matches?: GRPCRouteMatch[];
  filters?: GRPCRouteFilter[];
  backendRefs?: GRPCBackendRef[];
}

export interface GRPCRouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: GRPCRouteRule[];
}

export interface GRPCRoute extends KObject {
  metadata: ObjectMeta;
  spec?: GRPCRouteSpec;
  status?: HTTPRouteStatus;
}
