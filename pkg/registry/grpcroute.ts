// GRPCRoute (gateway.apoxy.dev/v1).
import type { GRPCRoute } from '../../apis/gateway/v1/grpcroute_types';
import { validateGRPCRoute, validateGRPCRouteUpdate } from '../../apis/gateway/v1/grpcroute_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';

export const grpcRouteStrategy: Strategy = {
  ...defaultStrategy,
  validateName: dnsSubdomainName,
  validate: (obj) => validateGRPCRoute(obj as GRPCRoute),
  validateUpdate: (n, o) => validateGRPCRouteUpdate(n as GRPCRoute, o as GRPCRoute),
  tableColumns: [
    { name: 'Hostnames', type: 'string', description: 'Hostnames the route answers', priority: 0, cell: (o) => ((o as GRPCRoute).spec?.hostnames ?? []).join(',') || '*' },
    { name: 'Age', type: 'date', description: 'CreationTimestamp', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
