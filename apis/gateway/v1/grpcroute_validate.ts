// Semantic validation of GRPCRoute beyond its CRD schema: upstream Gateway API's CEL rules written
// as code, with upstream's messages (method matches name a service or a method, in valid
// characters when Exact; regular expressions compile; filters as for HTTPRoute, gRPC's types only).
import { duplicate, FieldErrorList, FieldPath, invalid, notSupported } from '../../meta/v1/field';
import { asArray, asObject, validateEnum, validateInt, validateMaxItems } from '../../meta/v1/validation';
import type { KObject } from '../../meta/v1/types';
import { validateHostname, validateObjectRef, validateSectionName } from './common_validate';
import { validateFilters } from './httproute_filter_validate';
import { validateHeaderMatches, validateRegex } from './httproute_validate';
import { MAX_BACKEND_REFS, MAX_HOSTNAMES, MAX_PARENT_REFS, MAX_WEIGHT } from './httproute_types';
import { GRPC_FILTER_TYPES, GRPC_METHOD_MATCH_TYPES, MAX_GRPC_MATCHES_PER_RULE, MAX_GRPC_RULES } from './grpcroute_types';

/** upstream's patterns for Exact matches (GRPCMethodMatch CEL) */
export const GRPC_SERVICE_RE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
export const GRPC_METHOD_RE = /^[A-Za-z_][A-Za-z_0-9]*$/;

export function validateGRPCRoute(obj: KObject): FieldErrorList {
  const spec = asObject(obj?.spec);
  if (!spec) return [];
  const p = FieldPath.root('spec');
  const errs: FieldErrorList = [];
  errs.push(...validateMaxItems(spec.parentRefs, p.child('parentRefs'), MAX_PARENT_REFS));
  asArray(spec.parentRefs).forEach((ref, i) => errs.push(...validateObjectRef(ref, p.child('parentRefs').index(i))));
  errs.push(...validateMaxItems(spec.hostnames, p.child('hostnames'), MAX_HOSTNAMES));
  asArray(spec.hostnames).forEach((h, i) => errs.push(...validateHostname(h, p.child('hostnames').index(i), { wildcard: true, allowStar: true })));
  const rp = p.child('rules');
  errs.push(...validateMaxItems(spec.rules, rp, MAX_GRPC_RULES));
  const names = new Set<string>();
  asArray(spec.rules).forEach((raw, i) => {
    const rule = asObject(raw);
    if (!rule) return;
    if (typeof rule.name === 'string') {
      if (names.has(rule.name)) errs.push(duplicate(rp.index(i).child('name'), rule.name));
      names.add(rule.name);
    }
    errs.push(...validateRule(rule, rp.index(i)));
  });
  return errs;
}

/** Updates validate the new object; nothing in a GRPCRoute spec is immutable. */
export function validateGRPCRouteUpdate(newObj: KObject, _oldObj: KObject): FieldErrorList {
  return validateGRPCRoute(newObj);
}

function validateRule(rule: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [...validateSectionName(rule.name, p.child('name'))];
  const mp = p.child('matches');
  errs.push(...validateMaxItems(rule.matches, mp, MAX_GRPC_MATCHES_PER_RULE));
  asArray(rule.matches).forEach((raw, i) => {
    const m = asObject(raw);
    if (!m) return;
    errs.push(...validateMethodMatch(m.method, mp.index(i).child('method')), ...validateHeaderMatches(m.headers, mp.index(i).child('headers')));
  });
  errs.push(...validateGRPCFilters(rule.filters, p.child('filters')));
  const bp = p.child('backendRefs');
  errs.push(...validateMaxItems(rule.backendRefs, bp, MAX_BACKEND_REFS));
  asArray(rule.backendRefs).forEach((raw, i) => {
    const ref = asObject(raw);
    if (!ref) return;
    errs.push(...validateObjectRef(ref, bp.index(i)), ...validateInt(ref.weight, bp.index(i).child('weight'), 0, MAX_WEIGHT), ...validateGRPCFilters(ref.filters, bp.index(i).child('filters')));
  });
  return errs;
}

export function validateMethodMatch(v: unknown, p: FieldPath): FieldErrorList {
  const m = asObject(v);
  if (!m) return [];
  const typeErrs = validateEnum(m.type, p.child('type'), GRPC_METHOD_MATCH_TYPES);
  if (typeErrs.length) return typeErrs;
  const errs: FieldErrorList = [];
  const service = m.service;
  const method = m.method;
  for (const [k, val] of [['service', service], ['method', method]] as const) {
    if (val !== undefined && (typeof val !== 'string' || val.length > 1024)) errs.push(invalid(p.child(k), val, 'must be a string of at most 1024 characters'));
  }
  if (errs.length) return errs;
  if ((service === undefined || service === '') && (method === undefined || method === '')) {
    return [invalid(p, m, "One or both of 'service' or 'method' must be specified")];
  }
  if ((m.type ?? 'Exact') === 'Exact') {
    if (typeof service === 'string' && service !== '' && !GRPC_SERVICE_RE.test(service)) {
      errs.push(invalid(p.child('service'), service, 'service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)'));
    }
    if (typeof method === 'string' && method !== '' && !GRPC_METHOD_RE.test(method)) {
      errs.push(invalid(p.child('method'), method, 'method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)'));
    }
  } else {
    if (typeof service === 'string' && service !== '') errs.push(...validateRegex(service, p.child('service')));
    if (typeof method === 'string' && method !== '') errs.push(...validateRegex(method, p.child('method')));
  }
  return errs;
}

/** HTTPRoute's filter rules, with gRPC's filter types only. */
function validateGRPCFilters(v: unknown, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  let ok = true;
  asArray(v).forEach((raw, i) => {
    const t = asObject(raw)?.type;
    if (t !== undefined && t !== '' && !(GRPC_FILTER_TYPES as readonly unknown[]).includes(t)) {
      errs.push(notSupported(p.index(i).child('type'), t, GRPC_FILTER_TYPES));
      ok = false;
    }
  });
  return ok ? validateFilters(v, p) : errs;
}
