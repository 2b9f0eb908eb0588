// Extended HTTPRoute tests of the upstream suite, translated: each runs only when the GatewayClass
// lists all its features in status.supportedFeatures (as the suite decides), else it is skipped.
import { INFRA_NS, nn, type Suite } from '../suite';
import { send, type ExpectedResponse } from '../http';
import { table, type ConformanceCase } from './types';

const sameNs = nn(INFRA_NS, 'same-namespace');

function simple(name: string, extra: string[], file: string, route: string, opts: { provisional?: boolean; resolved?: boolean } = {}): ConformanceCase {
  return {
    name,
    features: ['Gateway', 'HTTPRoute', ...extra],
    manifests: [`${file}.yaml`],
    provisional: opts.provisional,
    async run(s: Suite) {
      const r = nn(INFRA_NS, route);
      const addr = await s.gatewayAndRoutesAccepted(sameNs, [r]);
      if (opts.resolved !== false) await s.routeResolvedRefsTrue(r, sameNs);
      const cases = table(file);
      await s.expectAll(addr, cases);
      await checkMirrors(s, cases);
    },
  };
}

/** the suite reads the mirror backends' logs; our echo pods remember the paths they answered */
async function checkMirrors(s: Suite, cases: ExpectedResponse[]): Promise<void> {
  for (const c of cases) {
    for (const m of c.MirroredTo ?? []) {
      const path = m.Path ?? c.Request.Path ?? '/';
      await s.poll(`mirror of ${path} at ${m.BackendRef.Name}`, async () => {
        const pods = s.world.pods(m.BackendRef.Namespace, m.BackendRef.Name);
        return pods.some((p) => p.pod.paths.includes(path)) ? true : `not seen by ${pods.map((p) => p.pod.pod).join(', ')}`;
      });
    }
  }
}

/** routes accepted on one Gateway (listener-less ref), ResolvedRefs true */
async function accepted(s: Suite, gw: string, routes: string[], listeners: string[] = []) {
  const g = nn(INFRA_NS, gw);
  const rs = routes.map((r) => nn(INFRA_NS, r));
  const addr = await s.gatewayAndRoutesAccepted(g, rs, listeners);
  for (const r of rs) await s.routeResolvedRefsTrue(r, g);
  return addr;
}

const HTTP_KIND = [{ kind: 'HTTPRoute' }];

export const HTTPROUTE_EXTENDED: ConformanceCase[] = [
  {
    name: 'HTTPRouteCORS',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteCORS'],
    manifests: ['httproute-cors.yaml'],
    async run(s) {
      const addr = await accepted(s, 'same-namespace', ['cors-multiple-origins-methods-headers', 'cors-wildcard-methods', 'cors-wildcard-origin', 'cors-wildcard-methods-headers']);
      await s.expectAll(addr, table('httproute-cors'));
    },
  },
  {
    // upstream runs HTTPRouteRequestHeaderModifier's checks on this manifest (filters per backendRef)
    name: 'HTTPRouteBackendRequestHeaderModifier',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendRequestHeaderModification'],
    manifests: ['httproute-request-header-modifier-backend.yaml'],
    async run(s) {
      const addr = await accepted(s, 'same-namespace', ['request-header-modifier']);
      await s.expectAll(addr, table('httproute-request-header-modifier'));
    },
  },
  {
    name: 'HTTPRouteRequestHeaderModifierBackendWeights',
    features: ['Gateway', 'HTTPRouteBackendRequestHeaderModification', 'HTTPRoute'],
    manifests: ['httproute-request-header-modifier-backend-weights.yaml'],
    async run(s) {
      const addr = await accepted(s, 'same-namespace', ['request-header-modifier-backend-weights']);
      const expected = { Request: { Path: '/' }, Response: { StatusCode: 200 }, Namespace: INFRA_NS };
      await s.expect(addr, expected);
      // each backendRef sets `Backend: <its name>`: 100 requests, each must reach the backend it names
      for (let i = 0; i < 100; i++) {
        const c = await send(addr, expected);
        const named = c.echo?.headers.Backend;
        if (!named || named.length !== 1) throw new Error(`expected a single 'Backend' header to have been set, got ${JSON.stringify(named)}`);
        if (!c.echo!.pod.startsWith(named[0]!)) throw new Error(`request with Backend: ${named[0]} reached pod ${c.echo!.pod}`);
      }
    },
  },
  {
    name: 'HTTPRouteListenerPortMatching',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
    manifests: ['httproute-listener-port-matching.yaml'],
    async run(s) {
      const gw = 'httproute-listener-port-matching';
      const by: Record<string, Awaited<ReturnType<typeof accepted>>> = {
        '': await accepted(s, gw, ['backend-v1'], ['listener-1']),
        '8080': await accepted(s, gw, ['backend-v2'], ['listener-2']),
        '8090': await accepted(s, gw, ['backend-v3'], ['listener-4']),
      };
      for (const tc of table('httproute-listener-port-matching')) {
        const port = (tc.Request.Host ?? '').split(':')[1] ?? '';
        await s.expect(by[port] ?? by['']!, tc);
      }
    },
  },
  {
    name: 'HTTPRouteRedirectPortAndScheme',
    features: ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect', 'GatewayPort8080'],
    manifests: ['httproute-redirect-port-and-scheme.yaml'],
    async run(s) {
      const file = 'httproute-redirect-port-and-scheme';
      const a80 = await accepted(s, 'same-namespace', ['http-route-for-listener-on-port-80']);
      const a8080 = await accepted(s, 'same-namespace-with-http-listener-on-8080', ['http-route-for-listener-on-port-8080']);
      const a443 = await accepted(s, 'same-namespace-with-https-listener', ['http-route-for-listener-on-port-443']);
      await s.expectAll(a80, table(file, 0));
      await s.expectAll(a8080, table(file, 1));
      await s.expectAll(a443, table(file, 2), 'https');
    },
  },
  {
    name: 'GatewayWithAttachedRoutesWithPort8080',
    features: ['Gateway', 'GatewayPort8080', 'HTTPRoute'],
    manifests: ['gateway-with-attached-routes-with-port-8080.yaml'],
    async run(s) {
      const conds = [
        { type: 'Accepted', status: 'True' },
        { type: 'ResolvedRefs', status: 'True' },
      ];
      await s.gatewayListeners(nn(INFRA_NS, 'gateway-with-two-listeners-and-one-attached-route'), [
        { name: 'http-unattached', supportedKinds: HTTP_KIND, conditions: conds, attachedRoutes: 0 },
        { name: 'http', supportedKinds: HTTP_KIND, conditions: conds, attachedRoutes: 1 },
      ]);
    },
  },
  {
    name: 'GatewayHTTPListenerIsolation',
    features: ['Gateway', 'GatewayHTTPListenerIsolation', 'HTTPRoute'],
    manifests: ['gateway-http-listener-isolation.yaml', 'gateway-http-listener-isolation-with-hostname-intersection.yaml'],
    async run(s) {
      const names = ['attaches-to-empty-hostname', 'attaches-to-wildcard-example-com', 'attaches-to-wildcard-foo-example-com', 'attaches-to-abc-foo-example-com'];
      let addr = await accepted(s, 'http-listener-isolation', names);
      await s.expectAll(addr, table('gateway-http-listener-isolation'));
      addr = await accepted(
        s,
        'http-listener-isolation-with-hostname-intersection',
        names.map((n) => `${n}-with-hostname-intersection`),
      );
      await s.expectAll(addr, table('gateway-http-listener-isolation'));
    },
  },
  simple('HTTPRouteMethodMatching', ['HTTPRouteMethodMatching'], 'httproute-method-matching', 'method-matching'),
  simple('HTTPRouteQueryParamMatching', ['HTTPRouteQueryParamMatching'], 'httproute-query-param-matching', 'query-param-matching'),
  simple('HTTPRouteResponseHeaderModifier', ['HTTPRouteResponseHeaderModification'], 'httproute-response-header-modifier', 'response-header-modifier'),
  simple('HTTPRouteRedirectPath', ['HTTPRoutePathRedirect'], 'httproute-redirect-path', 'redirect-path'),
  simple('HTTPRouteRedirectPort', ['HTTPRoutePortRedirect'], 'httproute-redirect-port', 'redirect-port'),
  simple('HTTPRouteRedirectScheme', ['HTTPRouteSchemeRedirect'], 'httproute-redirect-scheme', 'redirect-scheme'),
  simple('HTTPRouteRewriteHost', ['HTTPRouteHostRewrite'], 'httproute-rewrite-host', 'rewrite-host'),
  simple('HTTPRouteRewritePath', ['HTTPRoutePathRewrite'], 'httproute-rewrite-path', 'rewrite-path'),
  simple('HTTPRouteTimeoutRequest', ['HTTPRouteRequestTimeout'], 'httproute-timeout-request', 'request-timeout'),
  simple('HTTPRouteTimeoutBackendRequest', ['HTTPRouteBackendTimeout'], 'httproute-timeout-backend-request', 'backend-request-timeout'),
  simple('HTTPRouteRequestMirror', ['HTTPRouteRequestMirror'], 'httproute-request-mirror', 'request-mirror', { resolved: false }),
  simple('HTTPRouteRequestMultipleMirrors', ['HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors'], 'httproute-request-multiple-mirrors', 'request-multiple-mirrors', { resolved: false }),
  simple('HTTPRoute303Redirect', ['HTTPRoute303RedirectStatusCode'], 'httproute-303-redirect', '303-redirect', { provisional: true }),
  simple('HTTPRoute307Redirect', ['HTTPRoute307RedirectStatusCode'], 'httproute-307-redirect', '307-redirect', { provisional: true }),
  simple('HTTPRoute308Redirect', ['HTTPRoute308RedirectStatusCode'], 'httproute-308-redirect', '308-redirect', { provisional: true }),
  simple('HTTPRouteNamedRule', ['HTTPRouteNamedRouteRule'], 'httproute-named-rule', 'http-named-rules', { provisional: true }),
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingListenerPort',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteDestinationPortMatching'],
    manifests: ['httproute-invalid-parentref-not-matching-listener-port.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'httproute-listener-not-matching-route-port');
      await s.routeResolvedRefsTrue(r, sameNs);
      await s.routeMustHaveCondition(r, sameNs, { type: 'Accepted', reason: 'NoMatchingParent' });
      await s.routeNoAcceptedParents(r);
      await s.gatewayZeroRoutes(sameNs);
    },
  },
  {
    name: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
    manifests: ['httproute-invalid-parentref-section-name-not-matching-port.yaml'],
    async run(s) {
      const r = nn(INFRA_NS, 'httproute-listener-section-name-not-matching-port');
      const gw = nn(INFRA_NS, 'gateway-with-one-not-matching-port-and-section-name-route');
      await s.routeMustHaveCondition(r, gw, { type: 'Accepted', reason: 'NoMatchingParent' });
      await s.routeNoAcceptedParents(r);
      await s.gatewayZeroRoutes(gw);
    },
  },
];
