// Gateway (gateway.apoxy.dev/v1).
import type { Gateway } from '../../apis/gateway/v1/gateway_types';
import { validateGateway, validateGatewayUpdate } from '../../apis/gateway/v1/gateway_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';

export const gatewayStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateGateway(obj as Gateway),
  validateUpdate: (n, o) => validateGatewayUpdate(n as Gateway, o as Gateway),
};
