// Gateway (gateway.apoxy.dev/v1): listeners (ports) the proxy opens for a GatewayClass.
// Schema: crds/gateway.apoxy.dev_gateways.yaml.
import type { Condition, KObject, ObjectMeta } from '../../meta/v1/types';

export const GROUP = 'gateway.apoxy.dev';
export const VERSION = 'v1';
export const KIND = 'Gateway';
export const LIST_KIND = 'GatewayList';
export const PLURAL = 'gateways';
export const SINGULAR = 'gateway';
export const API_VERSION = `${GROUP}/${VERSION}`;

export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP';
export const LISTENER_PROTOCOLS: readonly ListenerProtocol[] = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'];
export const MAX_LISTENERS = 64;
export const MAX_ADDRESSES = 16;

export interface Listener {
  /** unique within the Gateway; a DNS-1123 subdomain */
  name: string;
  hostname?: string;
  port: number;
  protocol: ListenerProtocol;
  /** kept as given (Gateway API GatewayTLSConfig) */
  tls?: Record<string, unknown>;
  /** kept as given (Gateway API AllowedRoutes) */
  allowedRoutes?: Record<string, unknown>;
}

export interface GatewayAddress {
  /** default IPAddress */
  type?: string;
  value: string;
}

export interface GatewayInfrastructure {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Apoxy points it at its Proxy: {kind: Proxy, name} */
  parametersRef?: { group?: string; kind: string; name: string };
}

export interface GatewaySpec {
  gatewayClassName: string;
  infrastructure?: GatewayInfrastructure;
  listeners: Listener[];
  addresses?: GatewayAddress[];
}

export interface ListenerStatus {
  name: string;
  attachedRoutes: number;
  supportedKinds: Array<{ group?: string; kind: string }>;
  conditions: Condition[];
}

export interface GatewayStatus {
  addresses?: GatewayAddress[];
  conditions?: Condition[];
  listeners?: ListenerStatus[];
}

export interface Gateway extends KObject {
  metadata: ObjectMeta;
  spec?: GatewaySpec;
  status?: GatewayStatus;
}
