// The HTTPRoute tests of the upstream suite whose features are all Core (Gateway, HTTPRoute,
// ReferenceGrant), translated: same manifests, same status expectations, same request tables.
import { APP_NS, INFRA_NS, WEB_NS, nn, type Suite } from '../suite';
import { table, tables, type ConformanceCase } from './types';

const GH = ['Gateway', 'HTTPRoute'];
const GHR = ['Gateway', 'HTTPRoute', 'ReferenceGrant'];
const sameNs = nn(INFRA_NS, 'same-namespace');

/** the common shape: routes accepted on a Gateway, ResolvedRefs true, then a request table */
function tableCase(name: string, file: string, routes: string[], opts: { features?: string[]; gw?: string; tableIndex?: number } = {}): ConformanceCase {
  return {
    name,
    features: opts.features ?? GH,
    manifests: [`${file}.yaml`],
    async run(s: Suite) {
      const gw = nn(INFRA_NS, opts.gw ?? 'same-namespace');
      const rs = routes.map((r) => nn(INFRA_NS, r));
      const addr = await s.gatewayAndRoutesAccepted(gw, rs);
      for (const r of rs) await s.routeResolvedRefsTrue(r, gw);
      await s.expectAll(addr, table(file, opts.tableIndex ?? 0));
    },
  };
}

export const HTTPROUTE_CORE: ConformanceCase[] = [
  tableCase('HTTPRouteSimpleSameNamespace', 'httproute-simple-same-namespace', ['gateway-conformance-infra-test']),
  tableCase('HTTPRouteExactPathMatching', 'httproute-exact-path-matching', ['exact-matching']),
  tableCase('HTTPRouteHeaderMatching', 'httproute-header-matching', ['header-matching']),
  tableCase('HTTPRouteMatching', 'httproute-matching', ['matching']),
  tableCase('HTTPRouteMatchingAcrossRoutes', 'httproute-matching-across-routes', ['matching-part1', 'matching-part2']),
  tableCase('HTTPRoutePathMatchOrder', 'httproute-path-match-order', ['path-matching-order']),
  tableCase('HTTPRouteRequestHeaderModifier', 'httproute-request-header-modifier', ['request-header-modifier']),
  tableCase('HTTPRouteRedirectHostAndStatus', 'httproute-redirect-host-and-status', ['redirect-host-and-status']),
  tableCase('HTTPRouteNoBackendRefs', 'httproute-omitted-backendrefs', ['omitted-backendrefs']),
  {
    name: 'HTTPRouteCrossNamespace',
    features: GH,
    manifests: ['httproute-cross-namespace.yaml'],
    async run(s) {
      const gw = nn(INFRA_NS, 'backend-namespaces');
      const r = nn(WEB_NS, 'cross-namespace');
      const addr = await s.gatewayAndRoutesAccepted(gw, [r]);
      await s.routeResolvedRefsTrue(r, gw);
      await s.expectAll(addr, table('httproute-cross-namespace'));
    },
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceParentRef',
    features: GH,
    manifests: ['httproute-invalid-cross-namespace-parent-ref.yaml'],
    async run(s) {
      const r = nn(WEB_NS, 'invalid-cross-namespace-parent-ref');
      await s.routeResolvedRefsTrue(r, sameNs);
      await s.routeMustHaveCondition(r, sameNs, { type: 'Accepted', reason: 'NotAllowedByListeners' });
      await s.routeNoAcceptedParents(r);
      await s.gatewayZeroRoutes(sameNs);
    },
  },
  ...(
    [
      ['HTTPRouteInvalidBackendRefUnknownKind', 'httproute-invalid-backendref-unknown-kind', 'invalid-backend-ref-unknown-kind', 'InvalidKind', GH],
      ['HTTPRouteInvalidCrossNamespaceBackendRef', 'httproute-invalid-cross-namespace-backend-ref', 'invalid-cross-namespace-backend-ref', 'RefNotPermitted', GHR],
      ['HTTPRouteInvalidNonExistentBackendRef', 'httproute-invalid-nonexistent-backendref', 'invalid-nonexistent-backend-ref', 'BackendNotFound', GH],
      ['HTTPRouteInvalidReferenceGrant', 'httproute-invalid-reference-grant', 'reference-grant', 'RefNotPermitted', GHR],
    ] as const
  ).map(
    ([name, file, route, reason, features]): ConformanceCase => ({
      name,
      features: [...features],
      manifests: [`${file}.yaml`],
      async run(s) {
        const r = nn(INFRA_NS, route);
        const addr = await s.gatewayAndRoutesAccepted(sameNs, [r]);
        await s.routeMustHaveCondition(r, sameNs, { type: 'ResolvedRefs', status: 'False', reason });
        await s.expectAll(addr, table(file));
      },
    }),
  ),
  {
    name: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
    features: GHR,
    manifests: ['httproute-partially-invalid-via-invalid-reference-grant.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'invalid-reference-grant');
      const addr = await s.gatewayAndRoutesAccepted(sameNs, [r]);
      await s.routeMustHaveCondition(r, sameNs, { type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' });
      await s.expectAll(addr, [
        ...table('httproute-partially-invalid-via-invalid-reference-grant'),
        { Request: { Method: 'GET', Path: '/' }, Response: { StatusCode: 200 }, Backend: 'app-backend-v1', Namespace: APP_NS },
      ]);
    },
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
    features: GH,
    manifests: ['httproute-invalid-parentref-not-matching-section-name.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'httproute-listener-not-matching-section-name');
      await s.routeMustHaveCondition(r, sameNs, { type: 'Accepted', reason: 'NoMatchingParent' });
      await s.routeNoAcceptedParents(r);
      await s.gatewayZeroRoutes(sameNs);
    },
  },
  {
    name: 'HTTPRouteReferenceGrant',
    features: GHR,
    manifests: ['httproute-reference-grant.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'reference-grant');
      const addr = await s.gatewayAndRoutesAccepted(sameNs, [r]);
      await s.routeResolvedRefsTrue(r, sameNs);
      await s.expect(addr, table('httproute-reference-grant', 0)[0]!);
      await s.k.ok(['delete', `referencegrants.gateway.networking.k8s.io`, 'reference-grant', '-n', WEB_NS]);
      await s.expect(addr, table('httproute-reference-grant', 1)[0]!);
    },
  },
  {
    name: 'HTTPRouteListenerHostnameMatching',
    features: GH,
    manifests: ['httproute-listener-hostname-matching.yaml'],
    async run(s) {
      const gw = nn(INFRA_NS, 'httproute-listener-hostname-matching');
      await s.gatewayAndRoutesAccepted(gw, [nn(INFRA_NS, 'backend-v1')], ['listener-1']);
      await s.routeResolvedRefsTrue(nn(INFRA_NS, 'backend-v1'), gw);
      await s.gatewayAndRoutesAccepted(gw, [nn(INFRA_NS, 'backend-v2')], ['listener-2']);
      await s.routeResolvedRefsTrue(nn(INFRA_NS, 'backend-v2'), gw);
      const addr = await s.gatewayAndRoutesAccepted(gw, [nn(INFRA_NS, 'backend-v3')], ['listener-3', 'listener-4']);
      await s.routeResolvedRefsTrue(nn(INFRA_NS, 'backend-v3'), gw);
      await s.expectAll(addr, table('httproute-listener-hostname-matching'));
    },
  },
  {
    name: 'HTTPRouteHostnameIntersection',
    features: GH,
    manifests: ['httproute-hostname-intersection.yaml'],
    async run(s) {
      const file = 'httproute-hostname-intersection';
      const gw = nn(INFRA_NS, 'httproute-hostname-intersection');
      const routes = ['specific-host-matches-listener-specific-host', 'specific-host-matches-listener-wildcard-host', 'wildcard-host-matches-listener-specific-host', 'wildcard-host-matches-listener-wildcard-host'].map((r) => nn(INFRA_NS, r));
      let addr = await s.gatewayAndRoutesAccepted(gw, routes);
      for (const r of routes) await s.routeResolvedRefsTrue(r, gw);
      await s.expectAll(addr, tables(file, 0, 24));
      // routes that do not intersect with the listener hostnames
      addr = await s.gatewayAndRoutesAccepted(gw, []);
      await s.routeMustHaveParents(nn(INFRA_NS, 'no-intersecting-hosts'), [{ parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name, namespace: gw.namespace }, conds: [{ type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' }] }], true);
      await s.expectAll(addr, table(file, 25));
      const kinds = [{ kind: 'HTTPRoute' }];
      const conds = [{ type: 'Accepted' }, { type: 'ResolvedRefs' }];
      await s.gatewayListeners(gw, [
        { name: 'listener-1', supportedKinds: kinds, conditions: conds, attachedRoutes: 2 },
        { name: 'listener-2', supportedKinds: kinds, conditions: conds, attachedRoutes: 1 },
        { name: 'listener-3', supportedKinds: kinds, conditions: conds, attachedRoutes: 1 },
      ]);
      const all = nn(INFRA_NS, 'httproute-hostname-intersection-all');
      addr = await s.gatewayAndRoutesAccepted(all, [all]);
      await s.routeResolvedRefsTrue(all, all);
      await s.expectAll(addr, tables(file, 26, 31));
    },
  },
  {
    name: 'HTTPRouteMultipleGateways',
    features: GH,
    manifests: ['httproute-multiple-gateways.yaml'],
    async run(s) {
      const file = 'httproute-multiple-gateways';
      const shared = nn(INFRA_NS, 'multiple-gateways-shared-route');
      let addr = await s.gatewayAndRoutesAccepted(sameNs, [shared, nn(INFRA_NS, 'same-namespace-dedicated-route')]);
      await s.expectAll(addr, tables(file, 0, 1));
      addr = await s.gatewayAndRoutesAccepted(nn(INFRA_NS, 'all-namespaces'), [shared, nn(INFRA_NS, 'all-namespaces-dedicated-route')]);
      await s.expectAll(addr, tables(file, 2, 3));
    },
  },
  {
    name: 'HTTPRouteObservedGenerationBump',
    features: GH,
    manifests: ['httproute-observed-generation-bump.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'observed-generation-bump');
      const latestConds = async () =>
        s.poll('route latest conditions', async () => {
          const o = await s.route(r);
          return o?.status?.parents?.length && o.status.parents.every((p: { conditions: Array<{ observedGeneration: number }> }) => p.conditions.every((c) => c.observedGeneration === o.metadata.generation)) ? o : 'stale';
        });
      const original = await latestConds();
      await s.k.ok(['patch', 'httproutes.gateway.networking.k8s.io', r.name, '-n', r.namespace, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/rules/0/backendRefs/0/name', value: 'infra-backend-v2' }])]);
      await s.routeMustHaveCondition(r, sameNs, { type: 'Accepted' });
      await s.routeResolvedRefsTrue(r, sameNs);
      const updated = await latestConds();
      if (updated.metadata.generation === original.metadata.generation) throw new Error('generation should change after an update');
    },
  },
  {
    name: 'HTTPRouteServiceTypes',
    features: GH,
    manifests: ['httproute-service-types.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'service-types');
      const addr = await s.gatewayAndRoutesAccepted(sameNs, [r]);
      await s.routeResolvedRefsTrue(r, sameNs);
      // as the suite does: the manual slices get infra-backend-v1's pod addresses (IPv4 only here)
      const pods = s.world.pods(INFRA_NS, 'infra-backend-v1');
      for (const name of ['manual-endpointslices-ip4', 'headless-manual-endpointslices-ip4']) {
        const endpoints = pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: p.pod.pod, namespace: INFRA_NS } }));
        await s.k.ok(['patch', 'endpointslices.discovery.k8s.io', name, '-n', INFRA_NS, '--type=merge', '-p', JSON.stringify({ endpoints })]);
      }
      await s.expectAll(
        addr,
        ['manual-endpointslices', 'headless-manual-endpointslices', 'headless'].map((p) => ({ Request: { Path: `/${p}` }, Response: { StatusCode: 200 }, Backend: 'infra-backend-v1', Namespace: INFRA_NS })),
      );
    },
  },
  {
    name: 'HTTPRouteWeight',
    features: GH,
    manifests: ['httproute-weight.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'weighted-backends');
      const addr = await s.gatewayAndRoutesAccepted(sameNs, [r]);
      await s.routeResolvedRefsTrue(r, sameNs);
      const [expected] = table('httproute-weight');
      await s.expect(addr, expected!);
      await weightedDistribution(s, addr, { 'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3, 'infra-backend-v3': 0 });
    },
  },
  {
    name: 'HTTPRouteHTTPSListener',
    features: GH,
    manifests: ['httproute-https-listener.yaml'],
    async run(s) {
      const gw = nn(INFRA_NS, 'same-namespace-with-https-listener');
      const routes = [nn(INFRA_NS, 'httproute-https-test'), nn(INFRA_NS, 'httproute-https-test-no-hostname')];
      const addr = await s.gatewayAndRoutesAccepted(gw, routes);
      for (const r of routes) await s.routeResolvedRefsTrue(r, gw);
      const cases: Array<[string, number, string | undefined]> = [
        ['example.org', 200, 'infra-backend-v1'],
        ['unknown-example.org', 404, undefined],
        ['second-example.org', 200, 'infra-backend-v2'],
      ];
      for (const [host, code, backend] of cases) await s.expect(addr, { Request: { Host: host, Path: '/' }, Response: { StatusCode: code }, Backend: backend, Namespace: INFRA_NS }, 'https');
    },
  },
];

/** the suite's weight.TestWeightedDistribution: 500 requests, each backend within 5 points of its weight */
async function weightedDistribution(s: Suite, addr: Parameters<Suite['expect']>[0], weights: Record<string, number>): Promise<void> {
  const { send } = await import('../http');
  let lastErr = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const seen: Record<string, number> = {};
    const total = 500;
    for (let i = 0; i < total; i++) {
      const c = await send(addr, { Request: { Path: '/', Headers: { 'X-Jitter': String(i) } } });
      if (c.status !== 200 || !c.echo) throw new Error(`weighted request got ${c.status}`);
      const svc = Object.keys(weights).find((b) => c.echo!.pod.startsWith(b)) ?? c.echo.pod;
      seen[svc] = (seen[svc] ?? 0) + 1;
    }
    const off = Object.entries(weights).filter(([b, w]) => Math.abs((seen[b] ?? 0) / total - w) > 0.05);
    if (!off.length && Object.keys(seen).every((b) => b in weights)) return;
    lastErr = `distribution ${JSON.stringify(seen)} of ${total}, want ${JSON.stringify(weights)}`;
  }
  throw new Error(lastErr);
}
