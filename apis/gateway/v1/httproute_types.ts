// HTTPRoute (gateway.apoxy.dev/v1): Gateway API's HTTPRoute, cluster-scoped, with retry and a
// switchyard rateLimit per rule. Schema: crds/gateway.apoxy.dev_httproutes.yaml.
import type { Condition, KObject, ObjectMeta } from '../../meta/v1/types';

export const GROUP = 'gateway.apoxy.dev';
export const VERSION = 'v1';
export const KIND = 'HTTPRoute';
export const LIST_KIND = 'HTTPRouteList';
export const PLURAL = 'httproutes';
export const SINGULAR = 'httproute';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** The parentRef a route without parentRefs reports its status under. */
export const DEFAULT_PARENT_REF: ParentReference = { group: GROUP, kind: 'Gateway', name: 'switchyard' };
/** An absent backendRef kind means Backend here (Gateway API would mean Service). */
export const DEFAULT_BACKEND_REF_KIND = 'Backend';
export const DEFAULT_BACKEND_REF_GROUP = 'core.apoxy.dev';

// Gateway API's list limits.
export const MAX_PARENT_REFS = 32;
export const MAX_HOSTNAMES = 16;
export const MAX_RULES = 16;
export const MAX_MATCHES_PER_RULE = 64;
export const MAX_MATCHES_TOTAL = 128;
export const MAX_HEADER_MATCHES = 16;
export const MAX_FILTERS = 16;
export const MAX_BACKEND_REFS = 16;
export const MAX_HEADER_MODS = 16;
export const MAX_WEIGHT = 1_000_000;

export interface ParentReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
}

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';
export const PATH_MATCH_TYPES: readonly PathMatchType[] = ['Exact', 'PathPrefix', 'RegularExpression'];
export type HeaderMatchType = 'Exact' | 'RegularExpression';
export const HEADER_MATCH_TYPES: readonly HeaderMatchType[] = ['Exact', 'RegularExpression'];
export type HTTPMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
export const HTTP_METHODS: readonly HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

export interface HTTPPathMatch {
  /** default PathPrefix */
  type?: PathMatchType;
  /** default "/" */
  value?: string;
}

export interface HTTPHeaderMatch {
  /** default Exact */
  type?: HeaderMatchType;
  name: string;
  value: string;
}

export type HTTPQueryParamMatch = HTTPHeaderMatch;

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPQueryParamMatch[];
  method?: HTTPMethod;
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPHeaderFilter {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}

export type HTTPPathModifierType = 'ReplaceFullPath' | 'ReplacePrefixMatch';
export const PATH_MODIFIER_TYPES: readonly HTTPPathModifierType[] = ['ReplaceFullPath', 'ReplacePrefixMatch'];

export interface HTTPPathModifier {
  type: HTTPPathModifierType;
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export type RedirectStatusCode = 301 | 302 | 303 | 307 | 308;
export const REDIRECT_STATUS_CODES: readonly RedirectStatusCode[] = [301, 302, 303, 307, 308];
export const DEFAULT_REDIRECT_STATUS_CODE: RedirectStatusCode = 302;
export const REDIRECT_SCHEMES = ['http', 'https'] as const;

export interface HTTPRequestRedirectFilter {
  scheme?: 'http' | 'https';
  hostname?: string;
  path?: HTTPPathModifier;
  port?: number;
  /** default 302 */
  statusCode?: RedirectStatusCode;
}

export interface HTTPURLRewriteFilter {
  /** the Host sent upstream (and the TLS SNI) */
  hostname?: string;
  path?: HTTPPathModifier;
}

export interface LocalObjectReference {
  group: string;
  kind: string;
  name: string;
}

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface HTTPRequestMirrorFilter {
  backendRef: BackendObjectReference;
  percent?: number;
  fraction?: { numerator: number; denominator?: number };
}

export type HTTPRouteFilterType =
  | 'RequestHeaderModifier'
  | 'ResponseHeaderModifier'
  | 'RequestMirror'
  | 'RequestRedirect'
  | 'URLRewrite'
  | 'ExtensionRef';
export const FILTER_TYPES: readonly HTTPRouteFilterType[] = [
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestMirror',
  'RequestRedirect',
  'URLRewrite',
  'ExtensionRef',
];

/** The member each filter type carries. */
export const FILTER_MEMBER: Record<HTTPRouteFilterType, keyof HTTPRouteFilter> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
};

export interface HTTPRouteFilter {
  type: HTTPRouteFilterType;
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestMirror?: HTTPRequestMirrorFilter;
  requestRedirect?: HTTPRequestRedirectFilter;
  urlRewrite?: HTTPURLRewriteFilter;
  extensionRef?: LocalObjectReference;
  /** gateway.networking.k8s.io v1.5+ `CORS` filter (lowered routes carry it; this group's schema does not accept it) */
  cors?: HTTPCORSFilter;
}

export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  /** seconds, default 5 */
  maxAge?: number;
  allowCredentials?: boolean;
}

export interface HTTPBackendRef extends BackendObjectReference {
  /** default 1 */
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteTimeouts {
  /** whole request, Gateway API duration; "0s" disables */
  request?: string;
  /** one upstream attempt; ≤ request */
  backendRequest?: string;
}

export interface HTTPRouteRetry {
  /** retries after the first try */
  attempts?: number;
  backoff?: string;
  codes?: number[];
}

/** switchyard extension */
export interface HTTPRouteRateLimit {
  requestsPerMinute: number;
  perClientIP?: boolean;
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: HTTPRouteTimeouts;
  retry?: HTTPRouteRetry;
  rateLimit?: HTTPRouteRateLimit;
  sessionPersistence?: HTTPSessionPersistence;
}

/** Gateway API's (Extended, experimental channel) rule sessionPersistence */
export interface HTTPSessionPersistence {
  absoluteTimeout?: string;
  /** default Cookie */
  type?: 'Cookie' | 'Header';
  /** name default switchyard-session, path default "/", lifetimeType default Session */
  cookie?: { name?: string; path?: string; lifetimeType?: 'Permanent' | 'Session' };
  header?: { name: string };
}
export const DEFAULT_SESSION_NAME = 'switchyard-session';

export interface HTTPRouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: HTTPRouteRule[];
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions?: Condition[];
}

export interface HTTPRouteStatus {
  parents?: RouteParentStatus[];
}

export interface HTTPRoute extends KObject {
  metadata: ObjectMeta;
  spec?: HTTPRouteSpec;
  status?: HTTPRouteStatus;
}
