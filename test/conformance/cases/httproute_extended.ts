// Extended HTTPRoute tests of the upstream suite, translated: each runs only when the GatewayClass
// lists all its features in status.supportedFeatures (as the suite decides), else it is skipped.
import { INFRA_NS, nn, type Suite } from '../suite';
import type { ExpectedResponse } from '../http';
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

export const HTTPROUTE_EXTENDED: ConformanceCase[] = [
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
