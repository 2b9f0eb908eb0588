// GatewayClass (gateway.apoxy.dev/v1).
import type { GatewayClass } from '../../apis/gateway/v1/gatewayclass_types';
import { validateGatewayClass, validateGatewayClassUpdate } from '../../apis/gateway/v1/gatewayclass_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';

export const gatewayClassStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateGatewayClass(obj as GatewayClass),
  validateUpdate: (n, o) => validateGatewayClassUpdate(n as GatewayClass, o as GatewayClass),
};
