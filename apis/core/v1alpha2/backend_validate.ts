// Defaulting and semantic validation for Backend, beside its types as in Apoxy's
// backend_validate.go. The CRD schema (crds/) checks shapes and enums first; this checks what a
// schema cannot: one of fqdn/ip, address syntax, durations and their Envoy minimums, limits.
import { validateSwitchyardAnnotations } from '../../meta/v1/header_value';
import { isIP } from 'node:net';
import { mustParseDuration, parseDuration } from '../../meta/v1/duration';
import { FieldErrorList, FieldPath, forbidden, invalid, notSupported, required } from '../../meta/v1/field';
import { dns1123SubdomainErrors, isDNS1123Subdomain, pathSegmentNameErrors } from '../../meta/v1/name_validation';
import {
  asArray,
  asObject,
  validateDuration,
  validateEnum,
  validateInt,
  validatePort,
  validateBool,
  validateString,
} from '../../meta/v1/validation';
import { parsePEMCertificates } from './pem';
import type { KObject } from '../../meta/v1/types';
import {
  BACKEND_PROTOCOLS,
  BackendSpec,
  DEFAULT_DNS_LOOKUP_FAMILY,
  DEFAULT_DNS_MIN_REFRESH_RATE,
  DEFAULT_DNS_QUERY_TIMEOUT,
  DEFAULT_DNS_REFRESH_RATE,
  DEFAULT_HOST_TTL,
  DEFAULT_MAX_HOSTS,
  DNS_LOOKUP_FAMILIES,
  DnsCacheSettings,
  DnsLookupFamily,
  HASH_ON_VALUES,
  LOAD_BALANCER_ALGORITHMS,
  MAX_HASH_SLOTS,
  MAX_MAX_HOSTS,
  MIN_DNS_MIN_REFRESH_RATE_MS,
  MIN_DNS_REFRESH_RATE_MS,
} from './backend_types';

export const MAX_BACKEND_NAME_LENGTH = 253;

/**
 * Lowercase spec.protocol in place (and return the object). Apoxy's Backend.Default() does the
 * same before validation: its xDS translator switches on the protocol case-sensitively, so a
 * stray "H2" silently dropped the upstream TLS context and sent plaintext to port 443.
 */
export function normalizeBackend<T extends KObject>(obj: T): T {
  const spec = asObject(obj?.spec);
  if (spec && typeof spec.protocol === 'string') spec.protocol = spec.protocol.toLowerCase();
  return obj;
}

/**
 * Backend names follow Apoxy (any valid path segment, e.g. `dynamic_forward_proxy`), minus what
 * is unsafe: ≤253 characters, not "."/"..", no "/", "%", whitespace or control characters.
 * A name that is not a DNS-1123 subdomain is accepted with a warning, since it would not
 * install into a Kubernetes cluster.
 */
export function validateBackendName(name: string): { errors: string[]; warning?: string } {
  if (typeof name !== 'string' || name === '') return { errors: ['name or generateName is required'] };
  const errors = pathSegmentNameErrors(name);
  if (name.length > MAX_BACKEND_NAME_LENGTH) errors.push(`must be no more than ${MAX_BACKEND_NAME_LENGTH} characters`);
  if (/[\s\p{Cc}]/u.test(name)) errors.push('may not contain whitespace or control characters');
  if (errors.length > 0) return { errors };
  if (isDNS1123Subdomain(name)) return { errors };
  return {
    errors,
    warning:
      `metadata.name: ${JSON.stringify(name)} is not a valid DNS-1123 subdomain ` +
      '(lowercase alphanumerics, "-" and ".", starting and ending alphanumeric); ' +
      'this Backend will not install into a Kubernetes cluster',
  };
}

/** Semantic validation of a Backend's spec (run normalizeBackend first). Collects every error. */
export function validateBackend(obj: KObject): FieldErrorList {
  const annotationErrs = validateSwitchyardAnnotations(obj);
  const spec = asObject(obj?.spec);
  if (!spec) return annotationErrs;
  const p = FieldPath.root('spec');
  return [
    ...annotationErrs,
    ...validateEndpoints(spec, p),
    ...validateProtocol(spec.protocol, p.child('protocol')),
    ...validateDynamicProxy(spec, p),
    ...validateLoadBalancer(spec.loadBalancer, p.child('loadBalancer')),
    ...validateHealthCheck(spec.healthCheck, p.child('healthCheck')),
    ...validateCircuitBreaker(spec.circuitBreaker, p.child('circuitBreaker')),
    ...validateBackendTLS(spec.tls, p.child('tls')),
  ];
}

/** spec.tls: caBundle must be PEM certificates, serverName a DNS name or an IP. */
function validateBackendTLS(v: unknown, p: FieldPath): FieldErrorList {
  const t = asObject(v);
  if (!t) return [];
  const errs: FieldErrorList = [];
  if (t.caBundle !== undefined) {
    if (typeof t.caBundle !== 'string') errs.push(invalid(p.child('caBundle'), t.caBundle, 'must be a string'));
    else {
      const r = parsePEMCertificates(t.caBundle);
      if (!r.ok) errs.push(invalid(p.child('caBundle'), '<PEM>', `must be PEM-encoded certificates: ${r.error}`));
    }
  }
  if (t.serverName !== undefined && t.serverName !== '') {
    const sn = t.serverName;
    if (typeof sn !== 'string') errs.push(invalid(p.child('serverName'), sn, 'must be a string'));
    else if (isIP(sn) === 0) errs.push(...dns1123SubdomainErrors(sn).map((msg) => invalid(p.child('serverName'), sn, `must be a DNS name or an IP address: ${msg}`)));
  }
  errs.push(...validateBool(t.insecureSkipVerify, p.child('insecureSkipVerify')));
  return errs;
}

/** Warning headers for a stored Backend: an explicit opt-out of upstream verification is said out loud. */
export function backendWarnings(obj: KObject): string[] {
  const spec = asObject(obj?.spec);
  const t = asObject(spec?.tls);
  if (t?.insecureSkipVerify !== true) return [];
  return [
    `spec.tls.insecureSkipVerify: the upstream's certificate chain and name are not verified for Backend ${JSON.stringify(obj.metadata?.name ?? '')}; ` +
      'anyone on the path can impersonate it (trust its CA with spec.tls.caBundle instead)',
  ];
}

/** Updates validate the NEW object (Apoxy's ValidateUpdate validated the old one). */
export function validateBackendUpdate(newObj: KObject, _oldObj: KObject): FieldErrorList {
  return validateBackend(newObj);
}

function validateProtocol(v: unknown, path: FieldPath): FieldErrorList {
  if (v === undefined) return [];
  if (typeof v !== 'string' || !(BACKEND_PROTOCOLS as readonly string[]).includes(v)) {
    return [notSupported(path, v, BACKEND_PROTOCOLS)];
  }
  return [];
}

function validateEndpoints(spec: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  asArray(spec.endpoints).forEach((raw, i) => {
    const ep = asObject(raw);
    const ip = p.child('endpoints').index(i);
    if (!ep) return;
    const hasFqdn = ep.fqdn !== undefined && ep.fqdn !== '';
    const hasIP = ep.ip !== undefined && ep.ip !== '';
    if (!hasFqdn && !hasIP) errs.push(required(ip, 'one of fqdn or ip is required'));
    if (hasFqdn && hasIP) errs.push(forbidden(ip.child('ip'), 'ip and fqdn cannot be specified together'));
    if (hasFqdn) errs.push(...validateFQDN(ep.fqdn, ip.child('fqdn')));
    if (hasIP) errs.push(...validateIP(ep.ip, ip.child('ip')));
    errs.push(...validatePort(ep.port, ip.child('port')));
    errs.push(...validateInt(ep.weight, ip.child('weight'), 0));
  });
  return errs;
}

/** A DNS-1123 subdomain (single labels allowed), a trailing dot accepted. */
export function validateFQDN(v: unknown, path: FieldPath): FieldErrorList {
  if (typeof v !== 'string') return [invalid(path, v, 'must be a string')];
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  return dns1123SubdomainErrors(name).map((msg) => invalid(path, v, msg));
}

export function validateIP(v: unknown, path: FieldPath): FieldErrorList {
  if (typeof v !== 'string' || v.includes('%') || isIP(v) === 0) {
    return [invalid(path, v, 'must be a valid IPv4 or IPv6 address')];
  }
  return [];
}

function validateDynamicProxy(spec: Record<string, unknown>, p: FieldPath): FieldErrorList {
  if (spec.dynamicProxy === undefined || spec.dynamicProxy === null) return [];
  const errs: FieldErrorList = [];
  const eps = asArray(spec.endpoints);
  if (eps.length > 1) {
    errs.push(invalid(p.child('endpoints'), eps.length, 'at most one endpoint may be specified with dynamicProxy'));
  }
  const dp = asObject(spec.dynamicProxy);
  const cfg = asObject(dp?.dnsCacheConfig);
  if (!cfg) return errs;
  const c = p.child('dynamicProxy', 'dnsCacheConfig');
  errs.push(
    ...validateEnum(cfg.dnsLookupFamily, c.child('dnsLookupFamily'), DNS_LOOKUP_FAMILIES),
    ...validateDuration(cfg.dnsRefreshRate, c.child('dnsRefreshRate'), { min: MIN_DNS_REFRESH_RATE_MS }),
    ...validateDuration(cfg.dnsMinRefreshRate, c.child('dnsMinRefreshRate'), { min: MIN_DNS_MIN_REFRESH_RATE_MS }),
    ...validateDuration(cfg.dnsQueryTimeout, c.child('dnsQueryTimeout'), { positive: true }),
    ...validateDuration(cfg.hostTTL, c.child('hostTTL'), { positive: true }),
    ...validateInt(cfg.maxHosts, c.child('maxHosts'), 1, MAX_MAX_HOSTS),
  );
  return errs;
}

function validateLoadBalancer(v: unknown, p: FieldPath): FieldErrorList {
  const lb = asObject(v);
  if (!lb) return [];
  const errs: FieldErrorList = [
    ...validateEnum(lb.algorithm, p.child('algorithm'), LOAD_BALANCER_ALGORITHMS),
    ...validateEnum(lb.hashOn, p.child('hashOn'), HASH_ON_VALUES),
    ...validateString(lb.hashKey, p.child('hashKey'), 256),
    ...validateInt(lb.slots, p.child('slots'), 1, MAX_HASH_SLOTS),
  ];
  if ((lb.hashOn === 'header' || lb.hashOn === 'cookie') && (lb.hashKey === undefined || lb.hashKey === '')) {
    errs.push(required(p.child('hashKey'), `the ${lb.hashOn} name to hash on is required when hashOn is ${lb.hashOn}`));
  }
  return errs;
}

function validateHealthCheck(v: unknown, p: FieldPath): FieldErrorList {
  const hc = asObject(v);
  if (!hc) return [];
  const errs: FieldErrorList = [];
  const active = asObject(hc.active);
  if (active) {
    const a = p.child('active');
    if (typeof active.path === 'string' && !active.path.startsWith('/')) {
      errs.push(invalid(a.child('path'), active.path, 'must be an absolute path starting with "/"'));
    } else errs.push(...validateString(active.path, a.child('path'), 1024));
    errs.push(
      ...validateDuration(active.interval, a.child('interval'), { positive: true }),
      ...validateDuration(active.timeout, a.child('timeout'), { positive: true }),
      ...validateInt(active.healthyThreshold, a.child('healthyThreshold'), 1),
      ...validateInt(active.unhealthyThreshold, a.child('unhealthyThreshold'), 1),
    );
  }
  const passive = asObject(hc.passive);
  if (passive) {
    const ps = p.child('passive');
    errs.push(
      ...validateInt(passive.consecutiveFailures, ps.child('consecutiveFailures'), 1),
      ...validateDuration(passive.ejectionTime, ps.child('ejectionTime'), { positive: true }),
    );
  }
  return errs;
}

function validateCircuitBreaker(v: unknown, p: FieldPath): FieldErrorList {
  const cb = asObject(v);
  if (!cb) return [];
  const errs: FieldErrorList = [
    ...validateInt(cb.maxConnections, p.child('maxConnections'), 1),
    ...validateInt(cb.softLimit, p.child('softLimit'), 1),
    ...validateInt(cb.consecutiveFailures, p.child('consecutiveFailures'), 1),
    ...validateDuration(cb.openDuration, p.child('openDuration'), { positive: true }),
  ];
  if (
    Number.isInteger(cb.softLimit) &&
    Number.isInteger(cb.maxConnections) &&
    (cb.softLimit as number) > (cb.maxConnections as number)
  ) {
    errs.push(invalid(p.child('softLimit'), cb.softLimit, `must be less than or equal to maxConnections (${cb.maxConnections})`));
  }
  return errs;
}

/** The duration in ms when it parses and is > 0 and ≥ min; else the default's. */
function durationOr(v: unknown, fallback: string, min = 0): number {
  if (typeof v === 'string') {
    const r = parseDuration(v);
    if (r.ok && r.ms > 0 && r.ms >= min) return r.ms;
  }
  return mustParseDuration(fallback);
}

/**
 * The spec's DNS cache settings with every default applied, durations in milliseconds.
 * `dynamicProxy` without `dnsCacheConfig` means all defaults. Values that would not validate
 * fall back to their defaults (callers validate first).
 */
export function backendDnsCacheConfigWithDefaults(spec: BackendSpec | undefined): DnsCacheSettings {
  const cfg = asObject(asObject(spec?.dynamicProxy)?.dnsCacheConfig) ?? {};
  const family = (DNS_LOOKUP_FAMILIES as readonly unknown[]).includes(cfg.dnsLookupFamily)
    ? (cfg.dnsLookupFamily as DnsLookupFamily)
    : DEFAULT_DNS_LOOKUP_FAMILY;
  const maxHosts =
    typeof cfg.maxHosts === 'number' && Number.isInteger(cfg.maxHosts) && cfg.maxHosts > 0 && cfg.maxHosts <= MAX_MAX_HOSTS
      ? cfg.maxHosts
      : DEFAULT_MAX_HOSTS;
  return {
    dnsLookupFamily: family,
    dnsRefreshRateMs: durationOr(cfg.dnsRefreshRate, DEFAULT_DNS_REFRESH_RATE, MIN_DNS_REFRESH_RATE_MS),
    dnsMinRefreshRateMs: durationOr(cfg.dnsMinRefreshRate, DEFAULT_DNS_MIN_REFRESH_RATE, MIN_DNS_MIN_REFRESH_RATE_MS),
    dnsQueryTimeoutMs: durationOr(cfg.dnsQueryTimeout, DEFAULT_DNS_QUERY_TIMEOUT),
    hostTTLMs: durationOr(cfg.hostTTL, DEFAULT_HOST_TTL),
    maxHosts,
  };
}
