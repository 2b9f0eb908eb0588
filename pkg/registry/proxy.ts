// Proxy (core.apoxy.dev/v1alpha2): stored as written; only provider "unmanaged" means anything here.
import type { Proxy } from '../../apis/core/v1alpha2/proxy_types';
import { validateProxy, validateProxyUpdate } from '../../apis/core/v1alpha2/proxy_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';

export const proxyStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateProxy(obj as Proxy),
  validateUpdate: (n, o) => validateProxyUpdate(n as Proxy, o as Proxy),
};
