// The kinds the console lists, with their REST paths.
export interface Kind {
  /** URL segment and plural */
  plural: string;
  kind: string;
  group: string;
  version: string;
  title: string;
}

export const KINDS: Kind[] = [
  { plural: 'backends', kind: 'Backend', group: 'core.apoxy.dev', version: 'v1alpha2', title: 'Backends' },
  { plural: 'httproutes', kind: 'HTTPRoute', group: 'gateway.apoxy.dev', version: 'v1', title: 'HTTPRoutes' },
  { plural: 'grpcroutes', kind: 'GRPCRoute', group: 'gateway.apoxy.dev', version: 'v1', title: 'GRPCRoutes' },
  { plural: 'gateways', kind: 'Gateway', group: 'gateway.apoxy.dev', version: 'v1', title: 'Gateways' },
  { plural: 'proxies', kind: 'Proxy', group: 'core.apoxy.dev', version: 'v1alpha2', title: 'Proxies' },
];

export const kindOf = (plural: string): Kind | undefined => KINDS.find((k) => k.plural === plural);

export const collectionPath = (k: Kind): string => `/apis/${k.group}/${k.version}/${k.plural}`;
export const itemPath = (k: Kind, name: string): string => `${collectionPath(k)}/${encodeURIComponent(name)}`;
export const apiVersionOf = (k: Kind): string => `${k.group}/${k.version}`;
