// HTTPRoute → RuleIR[] plus what its status must say (Accepted / ResolvedRefs per parent). Pure.
// Gateway API rules (DESIGN.md): a ref to a missing Backend or an unknown kind, an ExtensionRef
// filter, or a rule with neither backends nor a redirect keep the route Accepted and answer 500.
import { DEFAULT_SESSION_NAME, type HTTPRoute, type HTTPRouteFilter, type HTTPRouteRule, type HTTPSessionPersistence, type ParentReference } from '../../../apis/gateway/v1/httproute_types';
import { parseGatewayDuration } from '../../../apis/meta/v1/duration';
import type { BackendRefIR, FilterIR, HeaderModIR, MatchIR, RetryIR, RuleIR, SessionPersistenceIR } from '../../proxy/ir';

export const DEFAULT_LISTENER = 'default';
export const BACKEND_GROUPS = new Set(['', 'core.apoxy.dev']);
export const GATEWAY_GROUPS = new Set(['gateway.apoxy.dev', 'gateway.networking.k8s.io']);

export interface RefProblem {
  reason: 'BackendNotFound' | 'InvalidKind' | 'UnsupportedValue';
  message: string;
}

export interface TranslatedRoute {
  rules: RuleIR[];
  problems: RefProblem[];
  /** edge-balanced route: its rules send to one synthetic backend built from these members */
  edge?: EdgeMembers;
}

export interface EdgeMembers {
  /** the synthetic backend's name (`edge/<route>`; no Backend can have a `/` in its name) */
  backend: string;
  /** Backends named by the route's backendRefs */
  refs: string[];
  /** plus every edgeProxy Backend labelled app=<app> */
  app?: string;
}

// annotation names are API (apis/annotations.ts); re-exported for the controller's readers
export { ANNOTATION_WEBSOCKET, ANNOTATION_RESPONSE_HEADERS, ANNOTATION_RETRY_IDEMPOTENT_ONLY, ANNOTATION_BALANCE, BALANCE_EDGE, ANNOTATION_EDGE_APP } from '../../../apis/annotations';
import { ANNOTATION_WEBSOCKET, ANNOTATION_RESPONSE_HEADERS, ANNOTATION_RETRY_IDEMPOTENT_ONLY, ANNOTATION_BALANCE, BALANCE_EDGE, ANNOTATION_EDGE_APP } from '../../../apis/annotations';
export const edgeBackendName = (route: string) => `edge/${route}`;
/**
 * Routes named with this prefix (only the Gateway API lowering makes them: no stored object has a
 * `/` in its name) answer 404 on every rule: listener isolation's catch-all (gatewayapi/isolation.ts).
 */
export const NOT_FOUND_ROUTE_PREFIX = 'notfound/';

export function translateRoute(
  route: HTTPRoute,
  backendExists: (name: string) => boolean,
  listenersFor: (parent: ParentReference | undefined) => string[],
): TranslatedRoute {
  const name = route.metadata.name!;
  const spec = route.spec ?? {};
  const problems: RefProblem[] = [];
  const parents = spec.parentRefs?.length ? spec.parentRefs : [undefined];
  const listeners = [...new Set(parents.flatMap((p) => listenersFor(p)))];
  const ann = route.metadata.annotations ?? {};
  const websocket = ann[ANNOTATION_WEBSOCKET] !== 'false';
  const responseHeaders = parseHeaderAnnotation(ann[ANNOTATION_RESPONSE_HEADERS]);
  const edge: EdgeMembers | undefined =
    ann[ANNOTATION_BALANCE] === BALANCE_EDGE
      ? { backend: edgeBackendName(name), refs: [], ...(ann[ANNOTATION_EDGE_APP] ? { app: ann[ANNOTATION_EDGE_APP] } : {}) }
      : undefined;
  const rules = (spec.rules ?? []).map((rule, i): RuleIR => {
    const filters: FilterIR[] = [];
    let invalid: RuleIR['invalid'] = name.startsWith(NOT_FOUND_ROUTE_PREFIX) ? { status: 404, reason: 'served by a more specific listener (listener isolation)' } : undefined;
    for (const f of rule.filters ?? []) {
      const t = translateFilter(f, i, backendExists, problems);
      if (t === 'unsupported') {
        const ref = f.extensionRef;
        problems.push({ reason: 'UnsupportedValue', message: `rule ${i}: filter ${f.type}${ref ? ` ${ref.kind}/${ref.name}` : ''} is not supported` });
        invalid = { status: 500, reason: `filter ${f.type} cannot be applied` };
      } else if (t) filters.push(t);
    }
    let backendRefs: BackendRefIR[] = [];
    for (const ref of rule.backendRefs ?? []) {
      const kind = ref.kind ?? 'Backend';
      const group = ref.group ?? '';
      let backend = ref.name;
      if (kind !== 'Backend' || !BACKEND_GROUPS.has(group)) {
        problems.push({ reason: 'InvalidKind', message: `rule ${i}: backendRef ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Backend` });
        backend = '';
      } else if (!backendExists(ref.name)) {
        problems.push({ reason: 'BackendNotFound', message: `rule ${i}: backend ${ref.name} not found` });
      }
      const refFilters = translateRefFilters(ref.filters, i, ref.name, problems);
      if (refFilters === 'unsupported') backend = '';
      backendRefs.push({ backend, weight: ref.weight ?? 1, ...(ref.port ? { port: ref.port } : {}), ...(refFilters !== 'unsupported' && refFilters.length ? { filters: refFilters } : {}) });
    }
    const redirects = filters.some((f) => f.type === 'RequestRedirect');
    if (edge && !redirects) {
      for (const r of backendRefs) if (r.backend && !edge.refs.includes(r.backend)) edge.refs.push(r.backend);
      backendRefs = [{ backend: edge.backend, weight: 1 }];
    }
    if (!backendRefs.length && !redirects && !invalid) invalid = { status: 500, reason: 'rule has no backendRefs' };
    return {
      id: `route/${name}/rule/${i}`,
      route: name,
      routeCreated: route.metadata.creationTimestamp ?? '',
      ruleIndex: i,
      hostnames: (spec.hostnames ?? []).filter((h) => h !== '*').map((h) => h.toLowerCase()),
      listeners,
      matches: translateMatches(rule),
      filters,
      backendRefs,
      ...(invalid ? { invalid } : {}),
      timeouts: translateTimeouts(rule),
      ...(rule.retry ? { retry: translateRetry(rule, ann[ANNOTATION_RETRY_IDEMPOTENT_ONLY] === 'true') } : {}),
      ...(rule.rateLimit ? { rateLimit: { requestsPerMinute: rule.rateLimit.requestsPerMinute, perClientIP: !!rule.rateLimit.perClientIP } } : {}),
      websocket,
      ...(responseHeaders.length ? { responseHeaders } : {}),
      ...(rule.sessionPersistence ? { sessionPersistence: translateSession(rule.sessionPersistence) } : {}),
    };
  });
  return { rules, problems, ...(edge ? { edge } : {}) };
}

function translateMatches(rule: HTTPRouteRule): MatchIR[] {
  return (rule.matches ?? []).map((m) => ({
    path: { type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' } as MatchIR['path'],
    headers: (m.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), type: h.type ?? 'Exact', value: h.value })),
    queryParams: (m.queryParams ?? []).map((q) => ({ name: q.name, type: q.type ?? 'Exact', value: q.value })),
    ...(m.method ? { method: m.method } : {}),
  }));
}

function headerMod(f: { set?: Array<{ name: string; value: string }>; add?: Array<{ name: string; value: string }>; remove?: string[] } | undefined): HeaderModIR {
  return { set: f?.set ?? [], add: f?.add ?? [], remove: f?.remove ?? [] };
}

function pathMod(p: { type: string; replaceFullPath?: string; replacePrefixMatch?: string } | undefined) {
  if (!p) return undefined;
  return p.type === 'ReplaceFullPath'
    ? { type: 'ReplaceFullPath' as const, value: p.replaceFullPath ?? '/' }
    : { type: 'ReplacePrefixMatch' as const, value: p.replacePrefixMatch ?? '/' };
}

/** backendRefs[].filters: header modifiers apply when the ref is picked; any other type refuses the ref (500) */
function translateRefFilters(filters: HTTPRouteFilter[] | undefined, i: number, name: string, problems: RefProblem[]): NonNullable<BackendRefIR['filters']> | 'unsupported' {
  const out: NonNullable<BackendRefIR['filters']> = [];
  for (const f of filters ?? []) {
    if (f.type === 'RequestHeaderModifier') out.push({ type: f.type, mod: headerMod(f.requestHeaderModifier) });
    else if (f.type === 'ResponseHeaderModifier') out.push({ type: f.type, mod: headerMod(f.responseHeaderModifier) });
    else {
      problems.push({ reason: 'UnsupportedValue', message: `rule ${i}: backendRef ${name}: filter ${f.type} is not supported on a backendRef` });
      return 'unsupported';
    }
  }
  return out;
}

/** RequestMirror: a Backend ref (a missing one is reported and not mirrored); percent / fraction → numerator/denominator */
function translateMirror(f: HTTPRouteFilter, i: number, backendExists: (name: string) => boolean, problems: RefProblem[]): FilterIR | null {
  const m = f.requestMirror;
  const ref = m?.backendRef;
  if (!m || !ref) return null;
  const kind = ref.kind ?? 'Backend';
  const group = ref.group ?? '';
  if (kind !== 'Backend' || !BACKEND_GROUPS.has(group)) {
    problems.push({ reason: 'InvalidKind', message: `rule ${i}: mirror backendRef ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Backend` });
    return null;
  }
  if (!backendExists(ref.name)) {
    problems.push({ reason: 'BackendNotFound', message: `rule ${i}: mirror backend ${ref.name} not found` });
    return null;
  }
  let fraction: { numerator: number; denominator: number } | undefined;
  if (m.percent !== undefined) fraction = { numerator: m.percent, denominator: 100 };
  else if (m.fraction) fraction = { numerator: m.fraction.numerator, denominator: m.fraction.denominator ?? 100 };
  if (fraction && fraction.numerator >= fraction.denominator) fraction = undefined; // every request
  return { type: 'RequestMirror', backend: ref.name, ...(ref.port ? { port: ref.port } : {}), ...(fraction ? { fraction } : {}) };
}

function translateFilter(f: HTTPRouteFilter, i: number, backendExists: (name: string) => boolean, problems: RefProblem[]): FilterIR | null | 'unsupported' {
  if ((f.type as string) === 'CORS' && f.cors) {
    const c = f.cors;
    return {
      type: 'CORS',
      cors: {
        allowOrigins: c.allowOrigins ?? [],
        allowMethods: c.allowMethods ?? [],
        allowHeaders: c.allowHeaders ?? [],
        exposeHeaders: c.exposeHeaders ?? [],
        maxAge: c.maxAge ?? 5,
        allowCredentials: c.allowCredentials === true,
      },
    };
  }
  switch (f.type) {
    case 'RequestHeaderModifier':
      return { type: 'RequestHeaderModifier', mod: headerMod(f.requestHeaderModifier) };
    case 'ResponseHeaderModifier':
      return { type: 'ResponseHeaderModifier', mod: headerMod(f.responseHeaderModifier) };
    case 'URLRewrite': {
      const path = pathMod(f.urlRewrite?.path);
      return { type: 'URLRewrite', ...(f.urlRewrite?.hostname ? { hostname: f.urlRewrite.hostname } : {}), ...(path ? { path } : {}) };
    }
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      const path = pathMod(r.path);
      return {
        type: 'RequestRedirect',
        ...(r.scheme ? { scheme: r.scheme } : {}),
        ...(r.hostname ? { hostname: r.hostname } : {}),
        ...(r.port ? { port: r.port } : {}),
        ...(path ? { path } : {}),
        statusCode: r.statusCode ?? 302,
      };
    }
    case 'RequestMirror':
      return translateMirror(f, i, backendExists, problems);
    default:
      return 'unsupported'; // ExtensionRef (e.g. Apoxy's EdgeFunction) and anything unknown
  }
}

function duration(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const r = parseGatewayDuration(s);
  return r.ok ? r.ms : undefined;
}

function translateTimeouts(rule: HTTPRouteRule): RuleIR['timeouts'] {
  const out: RuleIR['timeouts'] = {};
  const req = duration(rule.timeouts?.request);
  const be = duration(rule.timeouts?.backendRequest);
  // 0s disables the timeout, and kept as 0 it also turns off the proxy's default timeouts on this
  // rule (--upstream-response-timeout, --upstream-body-timeout): the route's timeouts win
  if (req !== undefined) out.requestMs = req;
  if (be !== undefined) out.backendRequestMs = be;
  return out;
}

function translateSession(sp: HTTPSessionPersistence): SessionPersistenceIR {
  if (sp.type === 'Header') return { type: 'Header', name: (sp.header?.name ?? DEFAULT_SESSION_NAME).toLowerCase(), path: '/' };
  const maxAge = sp.cookie?.lifetimeType === 'Permanent' ? duration(sp.absoluteTimeout) : undefined;
  return { type: 'Cookie', name: sp.cookie?.name ?? DEFAULT_SESSION_NAME, path: sp.cookie?.path ?? '/', ...(maxAge !== undefined ? { maxAgeS: Math.ceil(maxAge / 1000) } : {}) };
}

function translateRetry(rule: HTTPRouteRule, idempotentOnly: boolean): RetryIR {
  const r = rule.retry!;
  const backoff = duration(r.backoff) ?? 100;
  return {
    // retry.codes alone means one retry (Apoxy's manifests write `retry: {codes: [503, 504]}`)
    attempts: r.attempts ?? 1,
    backoffMs: backoff,
    maxBackoffMs: Math.max(2000, backoff),
    codes: r.codes?.length ? r.codes : [502, 503, 504],
    idempotentOnly,
  };
}

function parseHeaderAnnotation(v: string | undefined): Array<{ name: string; value: string }> {
  if (!v) return [];
  try {
    const obj = JSON.parse(v) as Record<string, unknown>;
    return Object.entries(obj).filter(([, val]) => typeof val === 'string').map(([name, value]) => ({ name, value: value as string }));
  } catch {
    return [];
  }
}

export function isGatewayParent(p: ParentReference): boolean {
  return (p.kind ?? 'Gateway') === 'Gateway' && GATEWAY_GROUPS.has(p.group ?? 'gateway.apoxy.dev');
}
