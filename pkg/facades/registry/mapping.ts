// go-proxy's route registry payloads as API objects. One registration (host + path) is a Backend and
// an HTTPRoute with the same name, `reg-<host-path slug>-<hash>`:
//   backend URL  → Backend endpoint (fqdn or ip, port; https → protocol tls). A name that does not
//                  resolve yet is fine: FQDN endpoints resolve through the DNS cache when used.
//                  A path on the backend URL is prepended upstream (URLRewrite ReplacePrefixMatch).
//   host, path   → hostnames [host], one rule matching PathPrefix path (not stripped).
//   options      → timeout: timeouts.backendRequest (default 30s: the wait for response headers)
//                  websocket: annotation switchyard.dev/websocket (default false: Upgrade → 400)
//                  headers: annotation switchyard.dev/response-headers (added to every response)
//                  rate_limit: rules[].rateLimit {requestsPerMinute, perClientIP}
//                  circuit_breaker: spec.circuitBreaker {consecutiveFailures, openDuration} and
//                    annotations for the 60 s failure window and 2 successes to close
//                  retry: rules[].retry attempts max_attempts−1, backoff 100ms doubling to 2 s,
//                    codes 502/503/504, idempotent requests only (annotation)
//                  health_check_path / health_check_interval: spec.healthCheck.active
// Host, path, backend URL and options are kept in annotations, so GET /routes answers what was sent.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { KObject } from '../../../apis/meta/v1/types';
import { parseDuration, parseGatewayDuration } from '../../../apis/meta/v1/duration';
import { FieldPath } from '../../../apis/meta/v1/field';
import { validateHeaderName, validateHostname } from '../../../apis/gateway/v1/common_validate';
import {
  ANNOTATION_CB_CLOSE_AFTER,
  ANNOTATION_CB_FAILURE_WINDOW,
  ANNOTATION_RESPONSE_HEADERS,
  ANNOTATION_RETRY_IDEMPOTENT_ONLY,
  ANNOTATION_WEBSOCKET,
  FACADE_LABEL,
} from '../../../apis/annotations';
import { HttpError, isObject } from '../common/http';

export const FACADE = 'registry';
export const ANNOTATION_HOST = 'switchyard.dev/registry-host';
export const ANNOTATION_PATH = 'switchyard.dev/registry-path';
export const ANNOTATION_BACKEND = 'switchyard.dev/registry-backend';
export const ANNOTATION_OPTIONS = 'switchyard.dev/registry-options';
export const ANNOTATION_REGISTERED_AT = 'switchyard.dev/registry-registered-at';

export const DEFAULT_TIMEOUT = '30s';
export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_CB_TIMEOUT = '30s';
export const CB_FAILURE_WINDOW = '60s';
export const CB_CLOSE_AFTER_SUCCESSES = 2;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const RETRY_BACKOFF = '100ms';
export const RETRY_CODES = [502, 503, 504];
export const DEFAULT_RATE_LIMIT = 100;
export const DEFAULT_HEALTH_CHECK_PATH = '/health';

const bad = (msg: string) => new HttpError(400, msg);

export interface Registration {
  host: string;
  path: string;
  backend: string;
  options: Record<string, unknown> | undefined;
}

function reqString(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (v === undefined || v === null || v === '') throw bad(`missing required field: ${key}`);
  if (typeof v !== 'string') throw bad(`${key}: must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** host: a DNS name (a leading "*." wildcard, or "*" for any host), no port, case-insensitive. */
export function checkHost(raw: string): string {
  const host = raw.trim().toLowerCase().replace(/\.$/, '');
  if (/:\d+$/.test(host) && !host.includes('*')) throw bad(`host: must be a host name without a port, got ${JSON.stringify(raw)}`);
  const errs = validateHostname(host, FieldPath.root('host'), { wildcard: true, allowStar: true });
  if (errs.length) throw bad(`host: ${JSON.stringify(raw)} ${errs.map((e) => e.detail).join('; ')}`);
  return host;
}

/** path: absolute, normalized (a PathPrefix match per path segment). */
export function checkPath(path: string): string {
  if (!path.startsWith('/')) throw bad(`path: must start with "/", got ${JSON.stringify(path)}`);
  if (path.length > 1024) throw bad('path: must be at most 1024 characters');
  if (/[?#\s]/.test(path)) throw bad(`path: must be a plain path without query, fragment or spaces, got ${JSON.stringify(path)}`);
  for (const seq of ['//', '/./', '/../']) if (path.includes(seq)) throw bad(`path: must not contain "${seq}"`);
  if (path.endsWith('/..') || path.endsWith('/.')) throw bad('path: must not end with "/.." or "/."');
  return path;
}

export function parseRegistration(body: unknown): Registration {
  if (!isObject(body)) throw bad('the request body must be a JSON object with host, path and backend');
  const host = checkHost(reqString(body, 'host'));
  const path = checkPath(reqString(body, 'path'));
  const backend = reqString(body, 'backend');
  const options = body.options;
  if (options !== undefined && options !== null && !isObject(options)) throw bad('options: must be an object');
  return { host, path, backend, options: (options as Record<string, unknown> | null) ?? undefined };
}

export function parseKey(body: unknown): { host: string; path: string } {
  if (!isObject(body)) throw bad('the request body must be a JSON object with host and path');
  return { host: checkHost(reqString(body, 'host')), path: checkPath(reqString(body, 'path')) };
}

/** The object name of a host + path: readable, DNS-1123, unique by hash. */
export function objectName(host: string, path: string): string {
  const hash = createHash('sha256').update(`${host}\n${path}`).digest('hex').slice(0, 10);
  const slug = `${host}${path}`
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `reg-${slug ? `${slug}-` : ''}${hash}`;
}

export interface ParsedBackend {
  endpoint: { fqdn?: string; ip?: string; port: number };
  protocol: '' | 'tls';
  /** a path on the backend URL, prepended upstream */
  basePath: string;
}

export function parseBackendURL(raw: string): ParsedBackend {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw bad(`backend: must be a URL such as "http://api-v2:9000", got ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`backend: the scheme must be http or https, got ${JSON.stringify(u.protocol.replace(/:$/, ''))}`);
  if (u.username || u.password) throw bad('backend: credentials in the URL are not supported');
  if (u.search || u.hash) throw bad('backend: the URL must not carry a query or fragment');
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host) throw bad('backend: the URL has no host');
  const tls = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const basePath = u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '');
  return { endpoint: isIP(host) ? { ip: host, port } : { fqdn: host, port }, protocol: tls ? 'tls' : '', basePath };
}

function optObject(opts: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = opts[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad(`options.${key}: must be an object`);
  if (v.enabled !== undefined && typeof v.enabled !== 'boolean') throw bad(`options.${key}.enabled: must be a boolean`);
  return v.enabled === false ? undefined : v;
}

function optInt(o: Record<string, unknown>, where: string, key: string, dflt: number, min: number, max = 1_000_000_000): number {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`${where}.${key}: must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function optBool(o: Record<string, unknown>, where: string, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw bad(`${where}.${key}: must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function optGatewayDuration(o: Record<string, unknown>, where: string, key: string, dflt: string): string {
  const v = o[key];
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v !== 'string') throw bad(`${where}.${key}: must be a duration string such as "30s", got ${JSON.stringify(v)}`);
  const r = parseGatewayDuration(v);
  if (!r.ok) throw bad(`${where}.${key}: ${JSON.stringify(v)} ${r.error}`);
  return v;
}

function optDuration(o: Record<string, unknown>, where: string, key: string, dflt: string | undefined): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v !== 'string') throw bad(`${where}.${key}: must be a duration string such as "30s", got ${JSON.stringify(v)}`);
  const r = parseDuration(v);
  if (!r.ok || r.ms <= 0) throw bad(`${where}.${key}: ${JSON.stringify(v)} is not a positive duration such as "30s"`);
  return v;
}

/** The Backend and HTTPRoute for a registration (400 for anything invalid in it). */
export function objectsFor(reg: Registration, registeredAt: string): { name: string; backend: KObject; route: KObject } {
  const name = objectName(reg.host, reg.path);
  const target = parseBackendURL(reg.backend);
  const opts = reg.options ?? {};
  const W = 'options';

  // route-level options
  const timeout = optGatewayDuration(opts, W, 'timeout', DEFAULT_TIMEOUT);
  const websocket = optBool(opts, W, 'websocket', false);
  let headers: Record<string, string> | undefined;
  if (opts.headers !== undefined && opts.headers !== null) {
    if (!isObject(opts.headers)) throw bad('options.headers: must be an object of header names to values');
    headers = {};
    for (const [k, v] of Object.entries(opts.headers)) {
      if (validateHeaderName(k, FieldPath.root('headers')).length) throw bad(`options.headers: ${JSON.stringify(k)} is not a valid header name`);
      if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw bad(`options.headers.${k}: must be a string without line breaks`);
      headers[k] = v;
    }
  }
  const rule: Record<string, unknown> = {
    matches: [{ path: { type: 'PathPrefix', value: reg.path } }],
    backendRefs: [{ group: 'core.apoxy.dev', kind: 'Backend', name }],
    timeouts: { backendRequest: timeout },
  };
  if (target.basePath) {
    const replaced = target.basePath + (reg.path === '/' ? '' : reg.path);
    rule.filters = [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: replaced || '/' } } }];
  }
  const rl = optObject(opts, 'rate_limit');
  if (rl) {
    rule.rateLimit = {
      requestsPerMinute: optInt(rl, `${W}.rate_limit`, 'requests_per_min', DEFAULT_RATE_LIMIT, 1),
      perClientIP: optBool(rl, `${W}.rate_limit`, 'per_ip', false),
    };
  }
  const retry = optObject(opts, 'retry');
  let idempotentOnly = false;
  if (retry) {
    const max = optInt(retry, `${W}.retry`, 'max_attempts', DEFAULT_MAX_ATTEMPTS, 1, 10);
    const backoff = retry.backoff ?? 'exponential';
    if (backoff !== 'exponential') throw bad(`options.retry.backoff: only "exponential" is supported (100ms doubling up to 2s), got ${JSON.stringify(backoff)}`);
    if (max > 1) {
      rule.retry = { attempts: max - 1, backoff: RETRY_BACKOFF, codes: RETRY_CODES };
      idempotentOnly = true;
    }
  }

  // backend-level options
  const spec: Record<string, unknown> = { endpoints: [target.endpoint] };
  if (target.protocol) spec.protocol = target.protocol;
  const backendAnn: Record<string, string> = {};
  const cb = optObject(opts, 'circuit_breaker');
  if (cb) {
    spec.circuitBreaker = {
      consecutiveFailures: optInt(cb, `${W}.circuit_breaker`, 'failure_threshold', DEFAULT_FAILURE_THRESHOLD, 1, 1_000_000),
      openDuration: optDuration(cb, `${W}.circuit_breaker`, 'timeout', DEFAULT_CB_TIMEOUT),
    };
    backendAnn[ANNOTATION_CB_FAILURE_WINDOW] = CB_FAILURE_WINDOW;
    backendAnn[ANNOTATION_CB_CLOSE_AFTER] = String(CB_CLOSE_AFTER_SUCCESSES);
  }
  const hcPath = opts.health_check_path;
  const hcInterval = optDuration(opts, W, 'health_check_interval', undefined);
  if ((hcPath !== undefined && hcPath !== null) || hcInterval) {
    if (hcPath !== undefined && hcPath !== null && (typeof hcPath !== 'string' || !hcPath.startsWith('/'))) {
      throw bad(`options.health_check_path: must be a path starting with "/", got ${JSON.stringify(hcPath)}`);
    }
    spec.healthCheck = { active: { path: (hcPath as string | undefined) ?? DEFAULT_HEALTH_CHECK_PATH, ...(hcInterval ? { interval: hcInterval } : {}) } };
  }

  const common = {
    [ANNOTATION_HOST]: reg.host,
    [ANNOTATION_PATH]: reg.path,
    [ANNOTATION_BACKEND]: reg.backend,
    [ANNOTATION_REGISTERED_AT]: registeredAt,
  };
  const labels = { [FACADE_LABEL]: FACADE };
  const routeAnn: Record<string, string> = {
    ...common,
    ...(reg.options ? { [ANNOTATION_OPTIONS]: JSON.stringify(reg.options) } : {}),
    [ANNOTATION_WEBSOCKET]: String(websocket),
    ...(headers && Object.keys(headers).length ? { [ANNOTATION_RESPONSE_HEADERS]: JSON.stringify(headers) } : {}),
    ...(idempotentOnly ? { [ANNOTATION_RETRY_IDEMPOTENT_ONLY]: 'true' } : {}),
  };
  return {
    name,
    backend: { metadata: { name, labels, annotations: { ...common, ...backendAnn } }, spec },
    route: {
      metadata: { name, labels, annotations: routeAnn },
      spec: { ...(reg.host === '*' ? {} : { hostnames: [reg.host] }), rules: [rule] },
    },
  };
}

export interface RouteView {
  host: string;
  path: string;
  backend: string;
  registered_at: string;
  options?: unknown;
}

export function viewOf(route: KObject): RouteView {
  const a = route.metadata.annotations ?? {};
  let options: unknown;
  try {
    options = a[ANNOTATION_OPTIONS] ? JSON.parse(a[ANNOTATION_OPTIONS]) : undefined;
  } catch {
    options = undefined;
  }
  return {
    host: a[ANNOTATION_HOST] ?? '',
    path: a[ANNOTATION_PATH] ?? '',
    backend: a[ANNOTATION_BACKEND] ?? '',
    registered_at: a[ANNOTATION_REGISTERED_AT] ?? route.metadata.creationTimestamp ?? '',
    ...(options !== undefined ? { options } : {}),
  };
}
