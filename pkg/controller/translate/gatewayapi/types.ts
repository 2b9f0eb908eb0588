// The upstream Gateway API objects (gateway.networking.k8s.io) and the core objects the controller
// reads for them, as far as translation reads them. Shapes from the upstream CRDs / k8s.io/api.
import type { Condition } from '../../../../apis/meta/v1/types';

export const GROUP = 'gateway.networking.k8s.io';

export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
}

export interface UObject<S = Record<string, unknown>, T = Record<string, unknown>> {
  metadata: Meta;
  spec?: S;
  status?: T;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export interface UListener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: Array<{ group?: string; kind?: string; name: string; namespace?: string }> } & Record<string, unknown>;
  allowedRoutes?: { namespaces?: { from?: 'Same' | 'All' | 'Selector' | 'None'; selector?: LabelSelector }; kinds?: Array<{ group?: string; kind: string }> };
}

export type UGatewayClass = UObject<{ controllerName: string }, { conditions?: Condition[] }>;
export type UGateway = UObject<{ gatewayClassName: string; listeners: UListener[] }, { conditions?: Condition[]; listeners?: Array<{ name: string; conditions?: Condition[] }> }>;

export interface UParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface UBackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: Array<Record<string, unknown>>;
}

export interface URule {
  name?: string;
  matches?: unknown[];
  filters?: Array<Record<string, unknown> & { type: string }>;
  backendRefs?: UBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
  retry?: unknown;
}

export type UHTTPRoute = UObject<{ parentRefs?: UParentRef[]; hostnames?: string[]; rules?: URule[] }, { parents?: Array<{ parentRef: UParentRef; controllerName: string; conditions?: Condition[] }> }>;

export interface UReferenceGrantSpec {
  from: Array<{ group: string; kind: string; namespace: string }>;
  to: Array<{ group: string; kind: string; name?: string }>;
}
export type UReferenceGrant = UObject<UReferenceGrantSpec>;

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}
export type Service = UObject<{ ports?: ServicePort[]; type?: string; clusterIP?: string }>;

export interface EndpointSlice {
  metadata: Meta;
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string; appProtocol?: string }>;
}

export type Namespace = UObject;

export const key = (o: { metadata: Meta }) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** GRPCRoute (v1): HTTPRoute's shape but for its matches (method + headers) and filters */
export interface UGRPCRule {
  name?: string;
  matches?: Array<{ method?: { type?: 'Exact' | 'RegularExpression'; service?: string; method?: string }; headers?: Array<{ type?: 'Exact' | 'RegularExpression'; name: string; value: string }> }>;
  filters?: Array<Record<string, unknown> & { type: string }>;
  backendRefs?: UBackendRef[];
}
export type UGRPCRoute = UObject<{ parentRefs?: UParentRef[]; hostnames?: string[]; rules?: UGRPCRule[] }, { parents?: Array<{ parentRef: UParentRef; controllerName: string; conditions?: Condition[] }> }>;

export interface UPolicyTargetRef {
  group: string;
  kind: string;
  name: string;
  sectionName?: string;
}
export interface UBackendTLSPolicySpec {
  targetRefs: UPolicyTargetRef[];
  validation: {
    caCertificateRefs?: Array<{ group: string; kind: string; name: string }>;
    wellKnownCACertificates?: string;
    hostname: string;
    subjectAltNames?: Array<{ type: 'Hostname' | 'URI'; hostname?: string; uri?: string }>;
  };
  options?: Record<string, string>;
}
export interface PolicyAncestorStatus {
  ancestorRef: UParentRef;
  controllerName: string;
  conditions?: Condition[];
}
export type UBackendTLSPolicy = UObject<UBackendTLSPolicySpec, { ancestors?: PolicyAncestorStatus[] }>;

export interface ConfigMap {
  metadata: Meta;
  data?: Record<string, string>;
}
