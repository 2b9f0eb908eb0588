// The CEL rules of the upstream standard-channel GRPCRoute CRD (gateway.networking.k8s.io v1,
// config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml), as code with the CRD's messages.
// Structure (types, enums, lengths, patterns, maxItems, defaults) comes from the CRD schema in crds/. Pure.
import { FieldPath, type FieldErrorList } from '../../meta/v1/field';
import type { KObject } from '../../meta/v1/types';
import { celError, has, isObj, objs, str } from './cel';
import { parentRefRules } from './httproute_cel';

const FILTER_MEMBERS: Array<[string, string]> = [
  ['RequestHeaderModifier', 'requestHeaderModifier'],
  ['ResponseHeaderModifier', 'responseHeaderModifier'],
  ['RequestMirror', 'requestMirror'],
  ['ExtensionRef', 'extensionRef'],
];
const ONCE_ONLY = ['RequestHeaderModifier', 'ResponseHeaderModifier'];
const SERVICE_RE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const METHOD_RE = /^[A-Za-z_][A-Za-z_0-9]*$/;

export function validateGRPCRouteCEL(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = isObj(obj?.spec) ? obj.spec : undefined;
  if (!spec) return errs;
  const p = FieldPath.root('spec');
  errs.push(...parentRefRules(spec.parentRefs, p.child('parentRefs')));
  const rules = objs(spec.rules);
  const rp = p.child('rules');
  // the CRD sums the first 16 rules' matches (maxItems 16)
  const total = rules.slice(0, 16).reduce((n, r) => n + objs(r.matches).length, 0);
  if (total > 128) errs.push(celError(rp, 'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128'));
  rules.forEach((r, i) => {
    const ip = rp.index(i);
    objs(r.matches).forEach((m, j) => {
      if (isObj(m.method)) errs.push(...methodMatchRules(m.method, ip.child('matches').index(j).child('method')));
    });
    errs.push(...grpcFilterListRules(r.filters, ip.child('filters')));
    objs(r.backendRefs).forEach((b, j) => {
      const bp = ip.child('backendRefs').index(j);
      if (str(b.group) === '' && b.kind === 'Service' && !has(b, 'port')) errs.push(celError(bp, 'Must have port for Service reference'));
      errs.push(...grpcFilterListRules(b.filters, bp.child('filters')));
    });
  });
  return errs;
}

export function methodMatchRules(m: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  if (has(m, 'type') && !has(m, 'service') && !has(m, 'method')) errs.push(celError(p, "One or both of 'service' or 'method' must be specified"));
  const exact = !has(m, 'type') || m.type === 'Exact';
  if (exact && has(m, 'service') && !SERVICE_RE.test(str(m.service))) errs.push(celError(p, 'service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)'));
  if (exact && has(m, 'method') && !METHOD_RE.test(str(m.method))) errs.push(celError(p, 'method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)'));
  return errs;
}

function grpcFilterListRules(v: unknown, p: FieldPath): FieldErrorList {
  const filters = objs(v);
  const errs: FieldErrorList = [];
  for (const t of ONCE_ONLY) if (filters.filter((f) => f.type === t).length > 1) errs.push(celError(p, `${t} filter cannot be repeated`));
  filters.forEach((f, i) => {
    const fp = p.index(i);
    for (const [type, member] of FILTER_MEMBERS) {
      if (has(f, member) && f.type !== type) errs.push(celError(fp, `filter.${member} must be nil if the filter.type is not ${type}`));
      if (!has(f, member) && f.type === type) errs.push(celError(fp, `filter.${member} must be specified for ${type} filter.type`));
    }
    if (isObj(f.requestMirror)) {
      const m = f.requestMirror;
      const mp = fp.child('requestMirror');
      if (has(m, 'percent') && has(m, 'fraction')) errs.push(celError(mp, 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter'));
      if (isObj(m.backendRef) && str(m.backendRef.group) === '' && m.backendRef.kind === 'Service' && !has(m.backendRef, 'port')) {
        errs.push(celError(mp.child('backendRef'), 'Must have port for Service reference'));
      }
      if (isObj(m.fraction) && typeof m.fraction.numerator === 'number' && typeof m.fraction.denominator === 'number' && m.fraction.numerator > m.fraction.denominator) {
        errs.push(celError(mp.child('fraction'), 'numerator must be less than or equal to denominator'));
      }
    }
  });
  return errs;
}
