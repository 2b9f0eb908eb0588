// Every test of the upstream suite (v1.6.1) in the GATEWAY-HTTP profile's Gateway and HTTPRoute
// families: ShortName, features, and whether upstream marks it Provisional. The runner reports
// each one: run (translated and all features supported), or skipped with the reason.
export const UPSTREAM_VERSION = 'v1.6.1';

export interface CatalogEntry {
  name: string;
  features: string[];
  provisional: boolean;
}

const raw: Array<[string, string[], boolean?]> = [
  ['GatewayHTTPListenerIsolation', ['Gateway', 'GatewayHTTPListenerIsolation', 'HTTPRoute']],
  ['GatewayInfrastructure', ['Gateway', 'GatewayInfrastructurePropagation'], true],
  ['GatewayFrontendInvalidDefaultClientCertificateValidation', ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation']],
  ['GatewayListenerUnsupportedProtocol', ['Gateway']],
  ['GatewayInvalidParametersRef', ['Gateway']],
  ['GatewayInvalidRouteKind', ['Gateway']],
  ['GatewayInvalidTLSBackendConfiguration', ['Gateway', 'GatewayBackendClientCertificate', 'HTTPRoute', 'BackendTLSPolicy']],
  ['GatewayInvalidTLSConfiguration', ['Gateway']],
  ['GatewayModifyListeners', ['Gateway']],
  ['GatewayObservedGenerationBump', ['Gateway']],
  ['GatewayOptionalAddressValue', ['Gateway', 'GatewayAddressEmpty'], true],
  ['GatewaySecretInvalidReferenceGrant', ['Gateway', 'ReferenceGrant']],
  ['GatewaySecretMissingReferenceGrant', ['Gateway', 'ReferenceGrant']],
  ['GatewaySecretReferenceGrantAllInNamespace', ['Gateway', 'ReferenceGrant']],
  ['GatewaySecretReferenceGrantSpecific', ['Gateway', 'ReferenceGrant']],
  ['GatewayStaticAddresses', ['Gateway', 'GatewayStaticAddresses']],
  ['GatewayTLSBackendClientCertificate', ['Gateway', 'GatewayBackendClientCertificate', 'HTTPRoute', 'BackendTLSPolicy']],
  ['GatewayWithAttachedRoutes', ['Gateway', 'HTTPRoute']],
  ['GatewayWithAttachedRoutesWithPort8080', ['Gateway', 'GatewayPort8080', 'HTTPRoute']],
  ['GatewayFrontendClientCertificateValidationInsecureFallback', ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation', 'GatewayFrontendClientCertificateValidationInsecureFallback']],
  ['GatewayFrontendClientCertificateValidation', ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation']],
  ['GatewayInvalidFrontendClientCertificateValidation', ['Gateway', 'HTTPRoute', 'ReferenceGrant', 'GatewayFrontendClientCertificateValidation']],
  ['GatewayClassObservedGenerationBump', ['Gateway']],
  ['HTTPRoute303Redirect', ['Gateway', 'HTTPRoute', 'HTTPRoute303RedirectStatusCode'], true],
  ['HTTPRoute307Redirect', ['Gateway', 'HTTPRoute', 'HTTPRoute307RedirectStatusCode'], true],
  ['HTTPRoute308Redirect', ['Gateway', 'HTTPRoute', 'HTTPRoute308RedirectStatusCode'], true],
  ['HTTPRouteBackendProtocolH2C', ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolH2C']],
  ['HTTPRouteBackendProtocolWebSocket', ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolWebSocket']],
  ['HTTPRouteCORS', ['Gateway', 'HTTPRoute', 'HTTPRouteCORS']],
  ['HTTPRouteCrossNamespace', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteDisallowedKind', ['Gateway', 'HTTPRoute', 'TLSRoute']],
  ['HTTPRouteExactPathMatching', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteHeaderMatching', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteHostnameIntersection', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteHTTPSListenerDetectMisdirectedRequests', ['Gateway', 'GatewayHTTPSListenerDetectMisdirectedRequests', 'HTTPRoute']],
  ['HTTPRouteHTTPSListener', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteInvalidBackendRefUnknownKind', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteInvalidCrossNamespaceBackendRef', ['Gateway', 'HTTPRoute', 'ReferenceGrant']],
  ['HTTPRouteInvalidCrossNamespaceParentRef', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteInvalidNonExistentBackendRef', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteInvalidParentRefNotMatchingListenerPort', ['Gateway', 'HTTPRoute', 'HTTPRouteDestinationPortMatching']],
  ['HTTPRouteInvalidParentRefNotMatchingSectionName', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteInvalidParentRefSectionNameNotMatchingPort', ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort']],
  ['HTTPRouteInvalidReferenceGrant', ['Gateway', 'HTTPRoute', 'ReferenceGrant']],
  ['HTTPRouteListenerHostnameMatching', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteListenerPortMatching', ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort']],
  ['HTTPRouteMatchingAcrossRoutes', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteMatching', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteMethodMatching', ['Gateway', 'HTTPRoute', 'HTTPRouteMethodMatching']],
  ['HTTPRouteMultipleGateways', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteNamedRule', ['Gateway', 'HTTPRoute', 'HTTPRouteNamedRouteRule'], true],
  ['HTTPRouteObservedGenerationBump', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteNoBackendRefs', ['Gateway', 'HTTPRoute']],
  ['HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', ['Gateway', 'HTTPRoute', 'ReferenceGrant']],
  ['HTTPRoutePathMatchOrder', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteQueryParamMatching', ['Gateway', 'HTTPRoute', 'HTTPRouteQueryParamMatching']],
  ['HTTPRouteRedirectHostAndStatus', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteRedirectPath', ['Gateway', 'HTTPRoute', 'HTTPRoutePathRedirect']],
  ['HTTPRouteRedirectPortAndScheme', ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect', 'GatewayPort8080']],
  ['HTTPRouteRedirectPort', ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect']],
  ['HTTPRouteRedirectScheme', ['Gateway', 'HTTPRoute', 'HTTPRouteSchemeRedirect']],
  ['HTTPRouteReferenceGrant', ['Gateway', 'HTTPRoute', 'ReferenceGrant']],
  ['HTTPRouteRequestHeaderModifierBackendWeights', ['Gateway', 'HTTPRouteBackendRequestHeaderModification', 'HTTPRoute']],
  ['HTTPRouteBackendRequestHeaderModifier', ['Gateway', 'HTTPRoute', 'HTTPRouteBackendRequestHeaderModification']],
  ['HTTPRouteRequestHeaderModifier', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteRequestMirror', ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror']],
  ['HTTPRouteRequestMultipleMirrors', ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors']],
  ['HTTPRouteRequestPercentageMirror', ['Gateway', 'HTTPRoute', 'HTTPRouteRequestPercentageMirror'], true],
  ['HTTPRouteResponseHeaderModifier', ['Gateway', 'HTTPRoute', 'HTTPRouteResponseHeaderModification']],
  ['HTTPRouteRetry', ['Gateway', 'HTTPRoute', 'HTTPRouteRetry']],
  ['HTTPRouteRewriteHost', ['Gateway', 'HTTPRoute', 'HTTPRouteHostRewrite']],
  ['HTTPRouteRewritePath', ['Gateway', 'HTTPRoute', 'HTTPRoutePathRewrite']],
  ['HTTPRouteServiceTypes', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteSimpleSameNamespace', ['Gateway', 'HTTPRoute']],
  ['HTTPRouteTimeoutBackendRequest', ['Gateway', 'HTTPRoute', 'HTTPRouteBackendTimeout']],
  ['HTTPRouteTimeoutRequest', ['Gateway', 'HTTPRoute', 'HTTPRouteRequestTimeout']],
  ['HTTPRouteWeight', ['Gateway', 'HTTPRoute']],
];

export const CATALOG: CatalogEntry[] = raw.map(([name, features, provisional]) => ({ name, features, provisional: provisional ?? false }));

/** features outside the GATEWAY-HTTP profile: their tests belong to other profiles */
export const OTHER_PROFILE_FEATURES = ['TLSRoute', 'GRPCRoute', 'TCPRoute', 'UDPRoute'];

/** every Extended feature the GATEWAY-HTTP profile's Gateway and HTTPRoute tests name */
export const PROFILE_EXTENDED_FEATURES = [...new Set(CATALOG.flatMap((e) => e.features))].filter((f) => !['Gateway', 'HTTPRoute', 'ReferenceGrant', ...OTHER_PROFILE_FEATURES].includes(f)).sort();
