// Backend (core.apoxy.dev/v1alpha2): an upstream the proxy sends traffic to. The shape is
// Apoxy's api/core/v1alpha2/backend_types.go, so Apoxy manifests apply unchanged; port,
// weight, loadBalancer, healthCheck and circuitBreaker are switchyard's optional additions.
// The schema the apiserver enforces lives in crds/core.apoxy.dev_backends.yaml.
import type { Condition, KObject, ObjectMeta } from '../../meta/v1/types';

export const GROUP = 'core.apoxy.dev';
export const VERSION = 'v1alpha2';
/** Apoxy's older version, served with an identical schema; storage stays VERSION. */
export const LEGACY_VERSION = 'v1alpha';
export const SERVED_VERSIONS = [VERSION, LEGACY_VERSION] as const;
export const KIND = 'Backend';
export const LIST_KIND = 'BackendList';
export const PLURAL = 'backends';
export const SINGULAR = 'backend';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** "" = HTTP/1.1, tls = HTTP/1.1 over TLS, h2 = HTTP/2 over TLS, h2c = HTTP/2 cleartext. */
export type BackendProto = '' | 'tls' | 'h2' | 'h2c';
export const BACKEND_PROTOCOLS: readonly BackendProto[] = ['', 'tls', 'h2', 'h2c'];

export interface BackendEndpoint {
  /** DNS name (a trailing dot is accepted); exactly one of fqdn and ip. */
  fqdn?: string;
  /** IPv4 or IPv6 address. */
  ip?: string;
  /** switchyard: upstream port (else the backendRef's port, else 80/443 by protocol). */
  port?: number;
  /** switchyard: relative weight for load balancing; 0 receives no traffic. */
  weight?: number;
}

export type DnsLookupFamily = 'auto' | 'v4_only' | 'v6_only' | 'v4_preferred' | 'all';
export const DNS_LOOKUP_FAMILIES: readonly DnsLookupFamily[] = ['auto', 'v4_only', 'v6_only', 'v4_preferred', 'all'];

/** Apoxy's DynamicProxyDnsCacheConfig; durations are Go duration strings ("60s"). */
export interface DnsCacheConfig {
  dnsLookupFamily?: DnsLookupFamily;
  dnsRefreshRate?: string;
  dnsMinRefreshRate?: string;
  hostTTL?: string;
  maxHosts?: number;
  dnsQueryTimeout?: string;
}

export interface DynamicProxySpec {
  dnsCacheConfig?: DnsCacheConfig;
}

// DNS cache defaults (Envoy's and Apoxy's): the CRD carries the same values as `default:`.
export const DEFAULT_DNS_LOOKUP_FAMILY: DnsLookupFamily = 'auto';
export const DEFAULT_DNS_REFRESH_RATE = '60s';
export const DEFAULT_DNS_MIN_REFRESH_RATE = '5s';
export const DEFAULT_DNS_QUERY_TIMEOUT = '5s';
export const DEFAULT_HOST_TTL = '5m';
export const DEFAULT_MAX_HOSTS = 1024;
// Envoy's lower bounds, which Apoxy forgets to check.
export const MIN_DNS_REFRESH_RATE_MS = 1;
export const MIN_DNS_MIN_REFRESH_RATE_MS = 1000;
/** Envoy's max_hosts is a UInt32Value. */
export const MAX_MAX_HOSTS = 4294967295;

/** A DnsCacheConfig with every default applied and durations in milliseconds. */
export interface DnsCacheSettings {
  dnsLookupFamily: DnsLookupFamily;
  dnsRefreshRateMs: number;
  dnsMinRefreshRateMs: number;
  dnsQueryTimeoutMs: number;
  hostTTLMs: number;
  maxHosts: number;
}

export type LoadBalancerAlgorithm = 'round-robin' | 'least-connections' | 'random' | 'consistent-hash';
export const LOAD_BALANCER_ALGORITHMS: readonly LoadBalancerAlgorithm[] = [
  'round-robin',
  'least-connections',
  'random',
  'consistent-hash',
];
export type HashOn = 'ip' | 'header' | 'cookie' | 'path';
export const HASH_ON_VALUES: readonly HashOn[] = ['ip', 'header', 'cookie', 'path'];
export const MAX_HASH_SLOTS = 65536;

export interface LoadBalancer {
  /** default round-robin (weighted by endpoints[].weight) */
  algorithm?: LoadBalancerAlgorithm;
  hashOn?: HashOn;
  /** header or cookie name when hashOn is header or cookie */
  hashKey?: string;
  /** ring size for consistent-hash */
  slots?: number;
}

export interface ActiveHealthCheck {
  path?: string;
  interval?: string;
  timeout?: string;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
}

export interface PassiveHealthCheck {
  consecutiveFailures?: number;
  ejectionTime?: string;
}

export interface HealthCheck {
  active?: ActiveHealthCheck;
  passive?: PassiveHealthCheck;
}

export interface CircuitBreaker {
  /** hard limit of concurrent connections per endpoint */
  maxConnections?: number;
  /** above it an endpoint is used only when none is below it; ≤ maxConnections */
  softLimit?: number;
  /** consecutive failures that open the breaker */
  consecutiveFailures?: number;
  /** how long the breaker stays open before half-opening */
  openDuration?: string;
}

/**
 * switchyard: how a tls/h2 upstream is verified. Verification is the default (chain against the
 * system trust store plus --upstream-ca-file, name against the endpoint's fqdn, URLRewrite
 * hostname or IP); these fields widen the trust, change the name, or opt out explicitly.
 */
export interface BackendTLS {
  /** PEM certificates trusted for this Backend in addition */
  caBundle?: string;
  /** SNI sent and the name the certificate must carry (a DNS name or an IP) */
  serverName?: string;
  /** no verification at all (answered with a Warning on write) */
  insecureSkipVerify?: boolean;
  /**
   * Internal, set only by the Gateway API lowering (BackendTLSPolicy caCertificateRefs); not in the
   * CRD, so a stored Backend never carries it: trust caBundle alone, not the system store.
   */
  caBundleOnly?: boolean;
  /** Internal (BackendTLSPolicy subjectAltNames): the certificate must carry one of these instead of serverName */
  subjectAltNames?: SubjectAltName[];
}

export interface SubjectAltName {
  type: 'Hostname' | 'URI';
  value: string;
}

export interface BackendSpec {
  endpoints?: BackendEndpoint[];
  dynamicProxy?: DynamicProxySpec;
  /** optional; absent means "" (HTTP/1.1). Lowercased on write, as Apoxy does. */
  protocol?: BackendProto;
  loadBalancer?: LoadBalancer;
  healthCheck?: HealthCheck;
  circuitBreaker?: CircuitBreaker;
  tls?: BackendTLS;
}

export interface BackendStatus {
  conditions?: Condition[];
  observedGeneration?: number;
}

export interface Backend extends KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: BackendSpec;
  status?: BackendStatus;
}
