// HTTPRoute (gateway.apoxy.dev/v1).
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';
import { validateHTTPRoute, validateHTTPRouteUpdate } from '../../apis/gateway/v1/httproute_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';

export const httpRouteStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateHTTPRoute(obj as HTTPRoute),
  validateUpdate: (n, o) => validateHTTPRouteUpdate(n as HTTPRoute, o as HTTPRoute),
  tableColumns: [
    { name: 'Hostnames', type: 'string', description: 'Hostnames the route answers', priority: 0, cell: (o) => ((o as HTTPRoute).spec?.hostnames ?? []).join(',') || '*' },
    { name: 'Age', type: 'date', description: 'CreationTimestamp', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
