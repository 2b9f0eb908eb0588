// Discovery: /api, /apis, /apis/<g>, /apis/<g>/<v> in the legacy shapes, and aggregated discovery
// (apidiscovery.k8s.io/v2) when the client asks for it — kubectl decides by the Content-Type.
import type { Resource } from '../registry/resource';

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];
export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface GroupInfo {
  name: string;
  /** preferred first */
  versions: string[];
  resources: Resource[];
}

export function groupsOf(resources: Resource[]): GroupInfo[] {
  const groups = new Map<string, GroupInfo>();
  for (const r of resources) {
    let g = groups.get(r.group);
    if (!g) groups.set(r.group, (g = { name: r.group, versions: [], resources: [] }));
    g.resources.push(r);
    for (const v of r.versions) if (!g.versions.includes(v.name)) g.versions.push(v.name);
  }
  for (const g of groups.values()) g.versions.sort((a, b) => versionPriority(b) - versionPriority(a) || a.localeCompare(b));
  return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** kube's version ordering: GA > beta > alpha, higher numbers first. */
export function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d*))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const tier = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
  const minor = m[3] ? Number(m[3]) : 0;
  return tier * 1e6 + major * 1e3 + minor;
}

export function apiVersions(versions: string[] = []): object {
  return { kind: 'APIVersions', versions, serverAddressByClientCIDRs: [] };
}

/** groupVersion as kube writes it: `v1` for the core group */
const gv = (group: string, version: string) => (group ? `${group}/${version}` : version);

function groupJSON(g: GroupInfo) {
  return {
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${g.versions[0]}`, version: g.versions[0] },
  };
}

export function apiGroupList(groups: GroupInfo[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupJSON) };
}

export function apiGroup(g: GroupInfo): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupJSON(g) };
}

export function apiResourceList(g: GroupInfo, version: string): object {
  const resources: object[] = [];
  for (const r of g.resources) {
    if (!r.versions.some((v) => v.name === version)) continue;
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    if (r.hasStatus) resources.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: STATUS_VERBS });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(g.name, version), resources };
}

export function aggregatedDiscovery(groups: GroupInfo[]): object {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: g.resources
          .filter((r) => r.versions.some((v) => v.name === version))
          .map((r) => ({
            resource: r.plural,
            responseKind: { group: r.group, version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: r.verbs,
            ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
            ...(r.categories.length ? { categories: r.categories } : {}),
            ...(r.hasStatus
              ? { subresources: [{ subresource: 'status', responseKind: { group: r.group, version, kind: r.kind }, verbs: STATUS_VERBS }] }
              : {}),
          })),
      })),
    })),
  };
}

export function emptyAggregatedDiscovery(): object {
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: [] };
}
