// Semantic validation of HTTPRoute beyond its CRD schema: what Gateway API enforces with CEL
// and webhooks (path syntax, regular expressions that compile, unique names, timeout order,
// list totals), so a bad route is a 422 at write time rather than a broken router later.
import { parseGatewayDuration } from '../../meta/v1/duration';
import { duplicate, FieldErrorList, FieldPath, invalid, required } from '../../meta/v1/field';
import {
  asArray,
  asObject,
  validateBool,
  validateDuration,
  validateEnum,
  validateInt,
  validateMaxItems,
  validateRequiredString,
  validateString,
} from '../../meta/v1/validation';
import { validateHeaderName, validateHostname, validateObjectRef, validateSectionName } from './common_validate';
import { validateFilters } from './httproute_filter_validate';
import { re2SyntaxError } from './re2';
import { validateNoControlChars, validateSwitchyardAnnotations } from '../../meta/v1/header_value';
import type { KObject } from '../../meta/v1/types';
import {
  HEADER_MATCH_TYPES,
  HTTP_METHODS,
  MAX_BACKEND_REFS,
  MAX_HEADER_MATCHES,
  MAX_HOSTNAMES,
  MAX_MATCHES_PER_RULE,
  MAX_MATCHES_TOTAL,
  MAX_PARENT_REFS,
  MAX_RULES,
  MAX_WEIGHT,
  PATH_MATCH_TYPES,
} from './httproute_types';

export function validateHTTPRoute(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [...validateSwitchyardAnnotations(obj)];
  const spec = asObject(obj?.spec);
  if (!spec) return errs;
  const p = FieldPath.root('spec');

  errs.push(...validateMaxItems(spec.parentRefs, p.child('parentRefs'), MAX_PARENT_REFS));
  asArray(spec.parentRefs).forEach((ref, i) => errs.push(...validateObjectRef(ref, p.child('parentRefs').index(i))));

  errs.push(...validateMaxItems(spec.hostnames, p.child('hostnames'), MAX_HOSTNAMES));
  asArray(spec.hostnames).forEach((h, i) =>
    errs.push(...validateHostname(h, p.child('hostnames').index(i), { wildcard: true, allowStar: true })),
  );

  const rules = asArray(spec.rules);
  const rp = p.child('rules');
  errs.push(...validateMaxItems(spec.rules, rp, MAX_RULES));
  const totalMatches = rules.reduce<number>((n, r) => n + asArray(asObject(r)?.matches).length, 0);
  if (totalMatches > MAX_MATCHES_TOTAL) {
    errs.push(invalid(rp, totalMatches, `the total number of matches across all rules must be at most ${MAX_MATCHES_TOTAL}`));
  }
  const ruleNames = new Set<string>();
  rules.forEach((raw, i) => {
    const rule = asObject(raw);
    if (!rule) return;
    if (typeof rule.name === 'string') {
      if (ruleNames.has(rule.name)) errs.push(duplicate(rp.index(i).child('name'), rule.name));
      ruleNames.add(rule.name);
    }
    errs.push(...validateRule(rule, rp.index(i)));
  });
  return errs;
}

/** Updates validate the new object; nothing in an HTTPRoute spec is immutable. */
export function validateHTTPRouteUpdate(newObj: KObject, _oldObj: KObject): FieldErrorList {
  return validateHTTPRoute(newObj);
}

function validateRule(rule: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [...validateSectionName(rule.name, p.child('name'))];
  const mp = p.child('matches');
  errs.push(...validateMaxItems(rule.matches, mp, MAX_MATCHES_PER_RULE));
  asArray(rule.matches).forEach((m, i) => errs.push(...validateMatch(m, mp.index(i))));

  errs.push(...validateFilters(rule.filters, p.child('filters')));
  errs.push(...validatePrefixRewriteNeedsPrefixMatch(rule, p));

  const bp = p.child('backendRefs');
  errs.push(...validateMaxItems(rule.backendRefs, bp, MAX_BACKEND_REFS));
  asArray(rule.backendRefs).forEach((raw, i) => {
    const ref = asObject(raw);
    if (!ref) return;
    const refPath = bp.index(i);
    errs.push(
      ...validateObjectRef(ref, refPath),
      ...validateInt(ref.weight, refPath.child('weight'), 0, MAX_WEIGHT),
      ...validateFilters(ref.filters, refPath.child('filters')),
    );
  });

  errs.push(...validateTimeouts(rule.timeouts, p.child('timeouts')));
  errs.push(...validateRetry(rule.retry, p.child('retry')));
  errs.push(...validateRateLimit(rule.rateLimit, p.child('rateLimit')));
  errs.push(...validateSessionPersistence(rule.sessionPersistence, p.child('sessionPersistence')));
  return errs;
}

function validateMatch(v: unknown, p: FieldPath): FieldErrorList {
  const m = asObject(v);
  if (!m) return [];
  const errs: FieldErrorList = [...validatePathMatch(m.path, p.child('path'))];
  errs.push(...validateNameValueMatches(m.headers, p.child('headers'), true));
  errs.push(...validateNameValueMatches(m.queryParams, p.child('queryParams'), false));
  errs.push(...validateEnum(m.method, p.child('method'), HTTP_METHODS));
  return errs;
}

function validatePathMatch(v: unknown, p: FieldPath): FieldErrorList {
  const pm = asObject(v);
  if (!pm) return [];
  const typeErrs = validateEnum(pm.type, p.child('type'), PATH_MATCH_TYPES);
  if (typeErrs.length) return typeErrs;
  const value = pm.value;
  const vp = p.child('value');
  if (value === undefined) return [];
  if (typeof value !== 'string') return [invalid(vp, value, 'must be a string')];
  if (value.length > 1024) return [invalid(vp, value, 'must be no more than 1024 characters')];
  if (pm.type === 'RegularExpression') return validateRegex(value, vp);
  // Exact and PathPrefix (the default): an absolute, already-normalized path.
  if (!value.startsWith('/')) return [invalid(vp, value, 'must be an absolute path starting with "/"')];
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) {
    if (value.includes(bad)) return [invalid(vp, value, `must not contain '${bad}'`)];
  }
  if (value.endsWith('/..') || value.endsWith('/.')) return [invalid(vp, value, "must not end with '/..' or '/.'")];
  return [];
}

/**
 * A regular expression must be RE2 syntax (Gateway API's and Envoy's dialect; the router matches
 * with a linear-time RE2 engine): backreferences, lookaround and whatever else RE2 refuses are
 * rejected at write time.
 */
export function validateRegex(value: string, p: FieldPath): FieldErrorList {
  const why = re2SyntaxError(value);
  return why === null ? [] : [invalid(p, value, `must be a valid RE2 regular expression: ${why}`)];
}

/** headers[] matches (names case-insensitive): HTTPRoute's and GRPCRoute's. */
export function validateHeaderMatches(v: unknown, p: FieldPath): FieldErrorList {
  return validateNameValueMatches(v, p, true);
}

/** headers[] (names case-insensitive) or queryParams[] (case-sensitive) matches. */
function validateNameValueMatches(v: unknown, p: FieldPath, caseInsensitive: boolean): FieldErrorList {
  const errs: FieldErrorList = [...validateMaxItems(v, p, MAX_HEADER_MATCHES)];
  const names = new Set<string>();
  asArray(v).forEach((raw, i) => {
    const m = asObject(raw);
    if (!m) return;
    const ip = p.index(i);
    errs.push(...validateEnum(m.type, ip.child('type'), HEADER_MATCH_TYPES), ...validateHeaderName(m.name, ip.child('name')));
    const valueErrs = validateRequiredString(m.value, ip.child('value'));
    errs.push(...(valueErrs.length ? valueErrs : validateString(m.value, ip.child('value'), 4096)));
    errs.push(...validateNoControlChars(m.value, ip.child('value')));
    if (m.type === 'RegularExpression' && typeof m.value === 'string') errs.push(...validateRegex(m.value, ip.child('value')));
    if (typeof m.name === 'string') {
      const key = caseInsensitive ? m.name.toLowerCase() : m.name;
      if (names.has(key)) errs.push(duplicate(ip.child('name'), m.name));
      names.add(key);
    }
  });
  return errs;
}

/**
 * Gateway API: a URLRewrite or RequestRedirect with path.replacePrefixMatch needs exactly one
 * match, a PathPrefix one (a rule without matches gets the default PathPrefix "/").
 */
function validatePrefixRewriteNeedsPrefixMatch(rule: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  const matches = rule.matches === undefined ? [{}] : asArray(rule.matches);
  const onePrefix =
    matches.length === 1 && [undefined, 'PathPrefix'].includes(asObject(asObject(matches[0])?.path)?.type as string | undefined);
  asArray(rule.filters).forEach((raw, i) => {
    const f = asObject(raw);
    const body = asObject(f?.type === 'URLRewrite' ? f.urlRewrite : f?.type === 'RequestRedirect' ? f.requestRedirect : undefined);
    const path = asObject(body?.path);
    if (path?.type === 'ReplacePrefixMatch' && !onePrefix) {
      const member = f!.type === 'URLRewrite' ? 'urlRewrite' : 'requestRedirect';
      errs.push(
        invalid(p.child('filters').index(i).child(member, 'path', 'type'), path.type, 'ReplacePrefixMatch requires exactly one match, of type PathPrefix'),
      );
    }
  });
  return errs;
}

function validateTimeouts(v: unknown, p: FieldPath): FieldErrorList {
  const t = asObject(v);
  if (!t) return [];
  const errs: FieldErrorList = [
    ...validateDuration(t.request, p.child('request'), { gateway: true }),
    ...validateDuration(t.backendRequest, p.child('backendRequest'), { gateway: true }),
  ];
  if (errs.length === 0 && typeof t.request === 'string' && typeof t.backendRequest === 'string') {
    const req = parseGatewayDuration(t.request);
    const be = parseGatewayDuration(t.backendRequest);
    if (req.ok && be.ok && req.ms !== 0 && be.ms > req.ms) {
      errs.push(invalid(p.child('backendRequest'), t.backendRequest, 'must be no more than the request timeout'));
    }
  }
  return errs;
}

function validateRetry(v: unknown, p: FieldPath): FieldErrorList {
  const r = asObject(v);
  if (!r) return [];
  const errs: FieldErrorList = [
    ...validateInt(r.attempts, p.child('attempts'), 0),
    ...validateDuration(r.backoff, p.child('backoff'), { gateway: true }),
  ];
  if (r.codes !== undefined && !Array.isArray(r.codes)) errs.push(invalid(p.child('codes'), r.codes, 'must be a list of status codes'));
  asArray(r.codes).forEach((c, i) => errs.push(...validateInt(c, p.child('codes').index(i), 400, 599)));
  return errs;
}

const SESSION_TYPES = ['Cookie', 'Header'] as const;
const LIFETIME_TYPES = ['Permanent', 'Session'] as const;
/** a Header session's token goes back on the response in this header: never one that frames the message or names its target */
const SESSION_RESERVED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer', 'host', 'expect']);
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

/** sessionPersistence, with the upstream experimental CRD's CEL rules and messages */
function validateSessionPersistence(v: unknown, p: FieldPath): FieldErrorList {
  if (v === undefined || v === null) return [];
  const sp = asObject(v);
  if (!sp) return [invalid(p, v, 'must be an object')];
  const errs: FieldErrorList = [...validateEnum(sp.type, p.child('type'), SESSION_TYPES), ...validateDuration(sp.absoluteTimeout, p.child('absoluteTimeout'), { gateway: true })];
  const type = sp.type ?? 'Cookie';
  const cookie = sp.cookie === undefined ? undefined : asObject(sp.cookie);
  if (sp.cookie !== undefined && !cookie) errs.push(invalid(p.child('cookie'), sp.cookie, 'must be an object'));
  const header = sp.header === undefined ? undefined : asObject(sp.header);
  if (sp.header !== undefined && !header) errs.push(invalid(p.child('header'), sp.header, 'must be an object'));
  if (cookie) {
    if (cookie.name !== undefined && (typeof cookie.name !== 'string' || !TOKEN.test(cookie.name))) errs.push(invalid(p.child('cookie', 'name'), cookie.name, 'must be a token of 1 to 256 characters'));
    if (cookie.path !== undefined && (typeof cookie.path !== 'string' || cookie.path.length > 1024 || /[\x00-\x1f\x7f;]/.test(cookie.path))) errs.push(invalid(p.child('cookie', 'path'), cookie.path, 'must be a cookie path of at most 1024 characters'));
    errs.push(...validateEnum(cookie.lifetimeType, p.child('cookie', 'lifetimeType'), LIFETIME_TYPES));
  }
  if (header) {
    if (header.name === undefined) errs.push(required(p.child('header', 'name')));
    else if (typeof header.name !== 'string' || !TOKEN.test(header.name)) errs.push(invalid(p.child('header', 'name'), header.name, 'must be a token of 1 to 256 characters'));
    else if (SESSION_RESERVED_HEADERS.has(header.name.toLowerCase())) errs.push(invalid(p.child('header', 'name'), header.name, 'must not be a header that frames or routes the message (the token is sent back in it)'));
  }
  if (cookie?.lifetimeType === 'Permanent' && sp.absoluteTimeout === undefined) errs.push(invalid(p, v, 'AbsoluteTimeout must be specified when cookie lifetimeType is Permanent'));
  if (sp.cookie !== undefined && type !== 'Cookie') errs.push(invalid(p, v, 'cookie must be nil if type is not Cookie'));
  if (type === 'Cookie' && sp.cookie === undefined) errs.push(invalid(p, v, 'cookie must be specified for Cookie type'));
  if (sp.header !== undefined && type !== 'Header') errs.push(invalid(p, v, 'header must be nil if type is not Header'));
  if (type === 'Header' && sp.header === undefined) errs.push(invalid(p, v, 'header must be specified for Header type'));
  return errs;
}

function validateRateLimit(v: unknown, p: FieldPath): FieldErrorList {
  if (v === undefined || v === null) return [];
  const r = asObject(v);
  if (!r) return [invalid(p, v, 'must be an object')];
  const errs: FieldErrorList = [];
  if (r.requestsPerMinute === undefined) errs.push(required(p.child('requestsPerMinute')));
  errs.push(...validateInt(r.requestsPerMinute, p.child('requestsPerMinute'), 1), ...validateBool(r.perClientIP, p.child('perClientIP')));
  return errs;
}
