// GatewayClass (gateway.apoxy.dev/v1): a class of Gateways and the controller that serves them.
// Schema: crds/gateway.apoxy.dev_gatewayclasses.yaml.
import type { Condition, KObject, ObjectMeta } from '../../meta/v1/types';

export const GROUP = 'gateway.apoxy.dev';
export const VERSION = 'v1';
export const KIND = 'GatewayClass';
export const LIST_KIND = 'GatewayClassList';
export const PLURAL = 'gatewayclasses';
export const SINGULAR = 'gatewayclass';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** The controllerName switchyard accepts (Apoxy's). */
export const CONTROLLER_NAME = 'gateway.apoxy.dev/gatewayclass-controller';
export const MAX_DESCRIPTION_LENGTH = 64;

export interface ParametersReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface GatewayClassSpec {
  /** immutable; a domain-prefixed path such as gateway.apoxy.dev/gatewayclass-controller */
  controllerName: string;
  description?: string;
  parametersRef?: ParametersReference;
}

export interface GatewayClassStatus {
  conditions?: Condition[];
}

export interface GatewayClass extends KObject {
  metadata: ObjectMeta;
  spec?: GatewayClassSpec;
  status?: GatewayClassStatus;
}
