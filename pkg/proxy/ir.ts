// The routing snapshot: pure, immutable data the controller computes from Backends, HTTPRoutes and
// Gateways (pkg/controller/translate) and the data plane serves. Durations are milliseconds.
// A snapshot is swapped atomically; requests in flight finish on the one they started with.

export type Protocol = '' | 'tls' | 'h2' | 'h2c';

export interface EndpointIR {
  /** stable identity: `host:port` */
  id: string;
  /** an IP literal or a DNS name (resolved through the backend's DNS cache) */
  host: string;
  isIP: boolean;
  port: number;
  weight: number;
  /** edgeProxy metadata (labels): region decides tiering */
  region?: string;
  /** per-endpoint soft limit (edgeProxy's soft_limit); overrides the Backend's circuitBreaker.softLimit */
  softLimit?: number;
  /** per-endpoint hard limit (edgeProxy's hard_limit); overrides circuitBreaker.maxConnections */
  maxConnections?: number;
}

export type LBAlgorithm = 'round-robin' | 'least-connections' | 'random' | 'consistent-hash';

export interface LoadBalancerIR {
  algorithm: LBAlgorithm;
  hashOn?: 'ip' | 'header' | 'cookie' | 'path';
  hashKey?: string;
  slots: number;
  /** edgeProxy: prefer endpoints in this region, then any other (the proxy's own region) */
  preferRegion?: string;
  /** edgeProxy: pick lowest active/softLimit/weight rather than weighted round-robin */
  loadAware?: boolean;
}

export interface ActiveHealthCheckIR {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface PassiveHealthCheckIR {
  consecutiveFailures: number;
  ejectionMs: number;
}

export interface CircuitBreakerIR {
  /** hard limit of concurrent requests per endpoint (at it: skip the endpoint) */
  maxConnections?: number;
  /** above it the endpoint is used only when nothing below it is */
  softLimit?: number;
  /** consecutive failures that open the breaker (0: no breaker) */
  consecutiveFailures?: number;
  /** failures counted within this window (registry facade: 60 s); 0: consecutive only */
  failureWindowMs?: number;
  openMs?: number;
  /** successes in half-open that close it again */
  closeAfterSuccesses?: number;
}

// the DNS cache's config belongs to pkg/dns (which never imports the proxy); the IR carries it
import type { DnsCacheIR } from '../dns/config';
export type { DnsCacheIR };

/** Backend spec.tls: how a tls/h2 upstream is verified (absent: chain and name, against the proxy's trust) */
export interface UpstreamTLSIR {
  /** PEM certificates trusted in addition to the system store and --upstream-ca-file */
  caBundle?: string;
  /** SNI and the name checked, instead of the endpoint's fqdn / URLRewrite hostname / IP */
  serverName?: string;
  insecureSkipVerify?: boolean;
  /** trust caBundle alone (BackendTLSPolicy caCertificateRefs), not the system store and --upstream-ca-file */
  caBundleOnly?: boolean;
  /** the certificate must carry one of these (BackendTLSPolicy subjectAltNames) instead of the name checked */
  subjectAltNames?: Array<{ type: 'Hostname' | 'URI'; value: string }>;
}

export interface BackendIR {
  name: string;
  protocol: Protocol;
  /** :80, or :443 for tls/h2 */
  defaultPort: number;
  endpoints: EndpointIR[];
  loadBalancer: LoadBalancerIR;
  activeHealthCheck?: ActiveHealthCheckIR;
  passiveHealthCheck?: PassiveHealthCheckIR;
  circuitBreaker?: CircuitBreakerIR;
  /** forward-proxy mode: the upstream host comes from each request */
  dynamicProxy?: DnsCacheIR;
  tls?: UpstreamTLSIR;
}

export type PathMatchIR =
  | { type: 'Exact'; value: string }
  | { type: 'PathPrefix'; value: string }
  | { type: 'RegularExpression'; value: string };

export interface ValueMatchIR {
  /** header names lower-cased; query param names as written (case-sensitive) */
  name: string;
  type: 'Exact' | 'RegularExpression';
  value: string;
}

export interface MatchIR {
  path: PathMatchIR;
  headers: ValueMatchIR[];
  queryParams: ValueMatchIR[];
  method?: string;
}

export interface HeaderModIR {
  set: Array<{ name: string; value: string }>;
  add: Array<{ name: string; value: string }>;
  remove: string[];
}

export type FilterIR =
  | { type: 'RequestHeaderModifier'; mod: HeaderModIR }
  | { type: 'ResponseHeaderModifier'; mod: HeaderModIR }
  | {
      type: 'URLRewrite';
      hostname?: string;
      path?: { type: 'ReplaceFullPath'; value: string } | { type: 'ReplacePrefixMatch'; value: string };
    }
  | {
      type: 'RequestRedirect';
      scheme?: string;
      hostname?: string;
      port?: number;
      path?: { type: 'ReplaceFullPath'; value: string } | { type: 'ReplacePrefixMatch'; value: string };
      statusCode: number;
    }
  | MirrorIR
  | { type: 'CORS'; cors: CorsIR };

/**
 * RequestMirror: a copy of the request to another Backend, its answer dropped (filters/mirror.ts).
 * `numerator/denominator` of requests are mirrored (absent: all of them).
 */
export interface MirrorIR {
  type: 'RequestMirror';
  backend: string;
  port?: number;
  fraction?: { numerator: number; denominator: number };
}

/** Gateway API's CORS filter (filters/cors.ts); `*` entries are wildcards */
export interface CorsIR {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** seconds (Access-Control-Max-Age); Gateway API's default is 5 */
  maxAge: number;
  allowCredentials: boolean;
}

export interface BackendRefIR {
  backend: string;
  weight: number;
  port?: number;
  /** backendRefs[].filters: header modifiers applied only when this ref is picked */
  filters?: Array<{ type: 'RequestHeaderModifier' | 'ResponseHeaderModifier'; mod: HeaderModIR }>;
}

export interface RetryIR {
  /** retries after the first try */
  attempts: number;
  /** first backoff; doubles up to maxBackoffMs */
  backoffMs: number;
  maxBackoffMs: number;
  /** status codes that are retried (connect failures always are, for idempotent requests) */
  codes: number[];
  /** registry facade: only idempotent methods are retried */
  idempotentOnly: boolean;
}

export interface RateLimitIR {
  requestsPerMinute: number;
  perClientIP: boolean;
}

export interface RuleIR {
  /** `route/<name>/rule/<i>`: metrics and status key */
  id: string;
  route: string;
  /** creation time and name, for Gateway API's tie-breaks */
  routeCreated: string;
  ruleIndex: number;
  /** empty: every hostname */
  hostnames: string[];
  /** listener ids this rule is served on (`default` = --proxy-listen) */
  listeners: string[];
  /** empty: one match on PathPrefix "/" */
  matches: MatchIR[];
  filters: FilterIR[];
  backendRefs: BackendRefIR[];
  /** set when the rule cannot be served: matching requests get this status (Gateway API: 500) */
  invalid?: { status: number; reason: string };
  timeouts: { requestMs?: number; backendRequestMs?: number };
  retry?: RetryIR;
  rateLimit?: RateLimitIR;
  /** registry facade: Upgrade requests answer 400 when false */
  websocket: boolean;
  /** registry facade: headers added to every response */
  responseHeaders?: Array<{ name: string; value: string }>;
  sessionPersistence?: SessionPersistenceIR;
}

/**
 * Gateway API sessionPersistence (balancer/session.ts): the request's token (cookie or header
 * `name`) picks the backendRef and the endpoint by rendezvous hashing; a request without one gets a
 * new token, sent back on the response (Set-Cookie, or the header).
 */
export interface SessionPersistenceIR {
  type: 'Cookie' | 'Header';
  name: string;
  /** cookie Path */
  path: string;
  /** Permanent cookies: Max-Age in seconds; absent: a browser-session cookie */
  maxAgeS?: number;
}

/** the listener of --proxy-listen; routes without parentRefs attach to it */
export const DEFAULT_LISTENER_ID = 'default';
/** --proxy-tls-listen: serves the default listener's routes over TLS */
export const DEFAULT_TLS_LISTENER_ID = 'default-tls';

/** An HTTPS listener's certificate from its Secret (PEM; never logged) */
export interface ListenerCertificateIR {
  /** `namespace/name@resourceVersion`: secure contexts are built once per id */
  id: string;
  cert: string;
  key: string;
}

export interface ListenerIR {
  id: string;
  host: string;
  port: number;
  /** terminate TLS (HTTPS Gateway listeners, --proxy-tls-listen) */
  tls?: boolean;
  /** the SNI name (exact, or `*.example.com`) this listener's certificate answers; absent: the port's default */
  hostname?: string;
  /** from tls.certificateRefs; absent: the proxy's own certificate (--proxy-tls-cert) */
  certificate?: ListenerCertificateIR;
}

export interface Snapshot {
  generation: number;
  listeners: ListenerIR[];
  rules: RuleIR[];
  backends: Record<string, BackendIR>;
}

export const emptySnapshot = (): Snapshot => ({ generation: 0, listeners: [], rules: [], backends: {} });
