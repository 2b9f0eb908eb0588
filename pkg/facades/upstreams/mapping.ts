// Kong-style upstreams and targets as Backends (seeds/upstreams-and-targets).
//   upstream → Backend named by the upstream's name (unique, as Kong's): spec.loadBalancer from
//              algorithm/hashOn/slots, spec.healthCheck from healthcheck; labels
//              switchyard.dev/facade=upstreams and switchyard.dev/upstream-id=<id> (look-up by id);
//              what the API shows but the Backend does not hold (the algorithm as written, tags,
//              healthcheck as sent, createdAt) in the annotation switchyard.dev/upstream.
//   target   → one spec.endpoints[] entry (fqdn or ip, port, weight); its id, tags, the target string
//              as written and createdAt in the annotation switchyard.dev/targets, a JSON list
//              matched to endpoints by host:port, so an endpoint edited with kubectl still shows
//              (with a derived id) and everything survives restarts.
// Algorithms: round-robin (default) and weighted-round-robin → round-robin (which is weighted),
// least-connections, hash → consistent-hash over `slots` (default 10000) keyed by hashOn
// (none|ip|header|cookie|path, default none = no key: round-robin). Weight default 100, 0 = no traffic.
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { KObject } from '../../../apis/meta/v1/types';
import type { Backend, BackendEndpoint } from '../../../apis/core/v1alpha2/backend_types';
import { FACADE_LABEL } from '../../../apis/annotations';
import { isObject } from '../common/http';

export const FACADE = 'upstreams';
export const ID_LABEL = 'switchyard.dev/upstream-id';
export const ANNOTATION_UPSTREAM = 'switchyard.dev/upstream';
export const ANNOTATION_TARGETS = 'switchyard.dev/targets';

export const ALGORITHMS = ['round-robin', 'weighted-round-robin', 'least-connections', 'hash'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export const HASH_ON = ['none', 'ip', 'header', 'cookie', 'path'] as const;
export type HashOn = (typeof HASH_ON)[number];
export const DEFAULT_SLOTS = 10000;
export const MIN_SLOTS = 10;
export const MAX_SLOTS = 65536;
export const DEFAULT_WEIGHT = 100;
export const MAX_WEIGHT = 65535;

/** A 400 VALIDATION_ERROR, with details when there are any. */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Upstream {
  id: string;
  name: string;
  algorithm: Algorithm;
  hashOn: HashOn;
  hashKey?: string;
  slots: number;
  healthcheck?: Record<string, unknown>;
  tags: string[];
  createdAt: string;
  updatedAt?: string;
}

export interface Target {
  id: string;
  upstreamId: string;
  target: string;
  weight: number;
  tags: string[];
  createdAt: string;
}

interface UpstreamMeta {
  algorithm: Algorithm;
  hashOn: HashOn;
  hashKey?: string;
  slots: number;
  healthcheck?: Record<string, unknown>;
  tags: string[];
  createdAt: string;
  updatedAt?: string;
}

interface TargetMeta {
  id: string;
  /** host:port the entry belongs to */
  key: string;
  target: string;
  tags: string[];
  createdAt: string;
}

export const newId = (prefix: 'upstream' | 'target') => `${prefix}_${randomBytes(8).toString('hex').slice(0, 12)}`;

export const isUpstream = (o: KObject | undefined): boolean => o?.metadata.labels?.[FACADE_LABEL] === FACADE;

function parseJsonAnnotation<T>(o: KObject, key: string, dflt: T): T {
  const v = o.metadata.annotations?.[key];
  if (!v) return dflt;
  try {
    return JSON.parse(v) as T;
  } catch {
    return dflt;
  }
}

// ---- validation of request fields -------------------------------------------------------------

function tagsOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 128)) {
    throw new ValidationError('tags must be an array of non-empty strings (at most 128 characters each)', { field: 'tags' });
  }
  if (v.length > 64) throw new ValidationError('at most 64 tags', { field: 'tags' });
  return [...new Set(v as string[])];
}

function enumOf<T extends string>(v: unknown, field: string, allowed: readonly T[], dflt: T): T {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}`, { field, allowed, got: v });
  }
  return v as T;
}

function intOf(v: unknown, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(`${field} must be an integer between ${min} and ${max}`, { field, got: v });
  }
  return v;
}

/** Seconds (Kong writes numbers) or a duration string. */
function durationOf(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && v > 0 && Number.isFinite(v)) return `${Math.round(v * 1000)}ms`;
  if (typeof v === 'string' && v !== '') return v;
  throw new ValidationError(`${field} must be a positive number of seconds or a duration such as "10s"`, { field, got: v });
}

/** healthcheck → Backend spec.healthCheck: {active: {path, interval, timeout, healthyThreshold, unhealthyThreshold}, passive: {consecutiveFailures, ejectionTime}}; a flat object is the active part. */
function healthCheckSpec(hc: Record<string, unknown>): Record<string, unknown> {
  const flat = hc.active === undefined && hc.passive === undefined;
  const out: Record<string, unknown> = {};
  const active = flat ? hc : hc.active;
  if (active !== undefined && active !== null) {
    if (!isObject(active)) throw new ValidationError('healthcheck.active must be an object', { field: 'healthcheck.active' });
    const a: Record<string, unknown> = {};
    const path = active.path ?? active.http_path;
    if (path !== undefined) {
      if (typeof path !== 'string' || !path.startsWith('/')) throw new ValidationError('healthcheck path must start with "/"', { field: 'healthcheck.active.path' });
      a.path = path;
    }
    const interval = durationOf(active.interval, 'healthcheck.active.interval');
    if (interval) a.interval = interval;
    const timeout = durationOf(active.timeout, 'healthcheck.active.timeout');
    if (timeout) a.timeout = timeout;
    if (active.healthyThreshold !== undefined) a.healthyThreshold = intOf(active.healthyThreshold, 'healthcheck.active.healthyThreshold', 1, 1, 1000);
    if (active.unhealthyThreshold !== undefined) a.unhealthyThreshold = intOf(active.unhealthyThreshold, 'healthcheck.active.unhealthyThreshold', 3, 1, 1000);
    out.active = a;
  }
  if (!flat && hc.passive !== undefined && hc.passive !== null) {
    if (!isObject(hc.passive)) throw new ValidationError('healthcheck.passive must be an object', { field: 'healthcheck.passive' });
    const p: Record<string, unknown> = {};
    if (hc.passive.consecutiveFailures !== undefined) p.consecutiveFailures = intOf(hc.passive.consecutiveFailures, 'healthcheck.passive.consecutiveFailures', 5, 1, 1000);
    const ej = durationOf(hc.passive.ejectionTime, 'healthcheck.passive.ejectionTime');
    if (ej) p.ejectionTime = ej;
    out.passive = p;
  }
  return out;
}

/** Upstream fields from a POST body, or merged onto `base` for a PATCH. */
export function upstreamFields(body: Record<string, unknown>, base?: UpstreamMeta): UpstreamMeta {
  const algorithm = enumOf(body.algorithm, 'algorithm', ALGORITHMS, base?.algorithm ?? 'round-robin');
  const hashOn = enumOf(body.hashOn, 'hashOn', HASH_ON, base?.hashOn ?? 'none');
  const keyRaw = body.hashKey ?? (hashOn === 'header' ? body.hashOnHeader : hashOn === 'cookie' ? body.hashOnCookie : undefined);
  let hashKey = keyRaw === undefined ? base?.hashKey : keyRaw === null ? undefined : keyRaw;
  if (hashKey !== undefined && (typeof hashKey !== 'string' || hashKey === '' || hashKey.length > 256)) {
    throw new ValidationError('hashKey must be a header or cookie name', { field: 'hashKey' });
  }
  if ((hashOn === 'header' || hashOn === 'cookie') && !hashKey) {
    throw new ValidationError(`hashOn ${hashOn} needs hashKey: the ${hashOn} name to hash on`, { field: 'hashKey' });
  }
  if (hashOn !== 'header' && hashOn !== 'cookie') hashKey = undefined;
  const slots = intOf(body.slots, 'slots', base?.slots ?? DEFAULT_SLOTS, MIN_SLOTS, MAX_SLOTS);
  let healthcheck = base?.healthcheck;
  if (body.healthcheck === null) healthcheck = undefined;
  else if (body.healthcheck !== undefined) {
    if (!isObject(body.healthcheck)) throw new ValidationError('healthcheck must be an object', { field: 'healthcheck' });
    healthCheckSpec(body.healthcheck);
    healthcheck = body.healthcheck;
  }
  const tags = body.tags === undefined ? (base?.tags ?? []) : tagsOf(body.tags);
  return { algorithm, hashOn, ...(hashKey ? { hashKey: hashKey as string } : {}), slots, ...(healthcheck ? { healthcheck } : {}), tags, createdAt: base?.createdAt ?? new Date().toISOString() };
}

export function upstreamName(v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new ValidationError('name is required', { field: 'name' });
  return v;
}

function loadBalancerFor(m: UpstreamMeta): Record<string, unknown> {
  switch (m.algorithm) {
    case 'least-connections':
      return { algorithm: 'least-connections' };
    case 'hash':
      return {
        algorithm: 'consistent-hash',
        slots: m.slots,
        ...(m.hashOn !== 'none' ? { hashOn: m.hashOn } : {}),
        ...(m.hashKey ? { hashKey: m.hashKey } : {}),
      };
    default:
      return { algorithm: 'round-robin' };
  }
}

/** A new upstream's Backend. */
export function upstreamBackend(name: string, id: string, m: UpstreamMeta): KObject {
  return {
    metadata: {
      name,
      labels: { [FACADE_LABEL]: FACADE, [ID_LABEL]: id },
      annotations: { [ANNOTATION_UPSTREAM]: JSON.stringify(m), [ANNOTATION_TARGETS]: '[]' },
    },
    spec: { endpoints: [], loadBalancer: loadBalancerFor(m), ...(m.healthcheck ? { healthCheck: healthCheckSpec(m.healthcheck) } : {}) },
  };
}

/** Apply upstream settings to a stored Backend (PATCH). */
export function withUpstream(cur: KObject, m: UpstreamMeta): KObject {
  const spec = { ...((cur.spec as Record<string, unknown>) ?? {}) };
  spec.loadBalancer = loadBalancerFor(m);
  if (m.healthcheck) spec.healthCheck = healthCheckSpec(m.healthcheck);
  else delete spec.healthCheck;
  return { ...cur, metadata: { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), [ANNOTATION_UPSTREAM]: JSON.stringify({ ...m, updatedAt: new Date().toISOString() }) } }, spec };
}

export function upstreamMeta(o: KObject): UpstreamMeta {
  const m = parseJsonAnnotation<Partial<UpstreamMeta>>(o, ANNOTATION_UPSTREAM, {});
  return {
    algorithm: (ALGORITHMS as readonly string[]).includes(m.algorithm ?? '') ? m.algorithm! : 'round-robin',
    hashOn: (HASH_ON as readonly string[]).includes(m.hashOn ?? '') ? m.hashOn! : 'none',
    ...(m.hashKey ? { hashKey: m.hashKey } : {}),
    slots: m.slots ?? DEFAULT_SLOTS,
    ...(m.healthcheck ? { healthcheck: m.healthcheck } : {}),
    tags: m.tags ?? [],
    createdAt: m.createdAt ?? new Date(o.metadata.creationTimestamp ?? 0).toISOString(),
    ...(m.updatedAt ? { updatedAt: m.updatedAt } : {}),
  };
}

export const upstreamIdOf = (o: KObject): string => o.metadata.labels?.[ID_LABEL] ?? '';

export function upstreamView(o: KObject): Upstream {
  const m = upstreamMeta(o);
  return { id: upstreamIdOf(o), name: o.metadata.name!, ...m };
}

// ---- targets ----------------------------------------------------------------------------------

export interface ParsedTarget {
  endpoint: BackendEndpoint & { port: number };
  tls: boolean;
  key: string;
}

/** `host:port`, `ip:port`, `[v6]:port`, `http(s)://host:port`, or a bare host / IP (port 80, https 443). */
export function parseTarget(v: unknown): ParsedTarget {
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError('target is required: host:port, ip:port or http(s)://host:port', { field: 'target' });
  const raw = v.trim();
  let host: string;
  let port: number | undefined;
  let tls = false;
  const fail = (why: string) => new ValidationError(`target ${JSON.stringify(raw)}: ${why}`, { field: 'target' });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw fail('not a valid URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail('the scheme must be http or https');
    if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) throw fail('a target URL is scheme://host:port only');
    tls = u.protocol === 'https:';
    host = u.hostname.replace(/^\[|\]$/g, '');
    port = u.port ? Number(u.port) : undefined;
  } else if (raw.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    if (!m) throw fail('expected [ipv6]:port');
    host = m[1]!;
    port = m[2] ? Number(m[2]) : undefined;
  } else if (isIP(raw) === 6) {
    host = raw;
  } else {
    const m = /^([^:/\s]+)(?::(\d+))?$/.exec(raw);
    if (!m) throw fail('expected host:port, ip:port or http(s)://host:port');
    host = m[1]!;
    port = m[2] ? Number(m[2]) : undefined;
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw fail('the port must be between 1 and 65535');
  const p = port ?? (tls ? 443 : 80);
  host = host.toLowerCase().replace(/\.$/, '');
  if (!host) throw fail('no host');
  const endpoint = isIP(host) ? { ip: host, port: p } : { fqdn: host, port: p };
  return { endpoint, tls, key: endpointKey(endpoint) };
}

export function endpointKey(ep: BackendEndpoint): string {
  const host = (ep.ip ?? ep.fqdn ?? '').toLowerCase().replace(/\.$/, '');
  return `${host.includes(':') ? `[${host}]` : host}:${ep.port ?? 0}`;
}

const derivedTargetId = (upstream: string, key: string) => `target_${createHash('sha256').update(`${upstream}\n${key}`).digest('hex').slice(0, 12)}`;

function targetMetas(o: KObject): TargetMeta[] {
  const v = parseJsonAnnotation<unknown>(o, ANNOTATION_TARGETS, []);
  return Array.isArray(v) ? (v.filter((x) => isObject(x) && typeof x.id === 'string' && typeof x.key === 'string') as unknown as TargetMeta[]) : [];
}

/** The targets of an upstream Backend, in endpoint order. */
export function targetsOf(o: KObject): Target[] {
  const metas = new Map(targetMetas(o).map((m) => [m.key, m]));
  const upstreamId = upstreamIdOf(o);
  return ((o as Backend).spec?.endpoints ?? []).map((ep) => {
    const key = endpointKey(ep);
    const m = metas.get(key);
    return {
      id: m?.id ?? derivedTargetId(o.metadata.name!, key),
      upstreamId,
      target: m?.target ?? key,
      weight: ep.weight ?? 1,
      tags: m?.tags ?? [],
      createdAt: m?.createdAt ?? new Date(o.metadata.creationTimestamp ?? 0).toISOString(),
    };
  });
}

/** Write a target list back onto the Backend: endpoints, protocol and the annotation. */
export function withTargets(cur: KObject, targets: Array<{ meta: TargetMeta; endpoint: BackendEndpoint; tls?: boolean }>): KObject {
  const spec = { ...((cur.spec as Record<string, unknown>) ?? {}) };
  spec.endpoints = targets.map((t) => t.endpoint);
  // tls: true/false for a target whose scheme was just given, undefined for the ones already there
  if (targets.some((t) => t.tls === true)) spec.protocol = 'tls';
  else if (targets.length > 0 && targets.every((t) => t.tls === false)) delete spec.protocol;
  return {
    ...cur,
    metadata: { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), [ANNOTATION_TARGETS]: JSON.stringify(targets.map((t) => t.meta)) } },
    spec,
  };
}

/** The current targets as the editable list withTargets() takes. */
export function editableTargets(o: KObject): Array<{ meta: TargetMeta; endpoint: BackendEndpoint; tls?: boolean }> {
  const metas = new Map(targetMetas(o).map((m) => [m.key, m]));
  return ((o as Backend).spec?.endpoints ?? []).map((ep) => {
    const key = endpointKey(ep);
    const m = metas.get(key) ?? { id: derivedTargetId(o.metadata.name!, key), key, target: key, tags: [], createdAt: new Date(o.metadata.creationTimestamp ?? 0).toISOString() };
    return { meta: m, endpoint: { ...ep } };
  });
}

export function targetFields(body: Record<string, unknown>): { weight?: number; tags?: string[] } {
  return {
    ...(body.weight !== undefined ? { weight: intOf(body.weight, 'weight', DEFAULT_WEIGHT, 0, MAX_WEIGHT) } : {}),
    ...(body.tags !== undefined ? { tags: tagsOf(body.tags) } : {}),
  };
}

export function newTargetMeta(parsed: ParsedTarget, raw: string, tags: string[]): TargetMeta {
  return { id: newId('target'), key: parsed.key, target: raw.trim(), tags, createdAt: new Date().toISOString() };
}
