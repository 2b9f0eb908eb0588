// The CEL rules of the upstream standard-channel HTTPRoute CRD (gateway.networking.k8s.io v1,
// config/crd/standard/gateway.networking.k8s.io_httproutes.yaml), as code with the CRD's messages.
// The structural rules (types, enums, lengths, patterns, maxItems, defaults) come from the CRD schema
// itself (crds/gateway.networking.k8s.io_httproutes.yaml). Pure.
import { parseGatewayDuration } from '../../meta/v1/duration';
import { FieldPath, type FieldErrorList } from '../../meta/v1/field';
import type { KObject } from '../../meta/v1/types';
import { bounded, celError, has, isObj, objs, str } from './cel';

const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;
const FILTER_MEMBERS: Array<[string, string]> = [
  ['CORS', 'cors'],
  ['RequestHeaderModifier', 'requestHeaderModifier'],
  ['ResponseHeaderModifier', 'responseHeaderModifier'],
  ['RequestMirror', 'requestMirror'],
  ['RequestRedirect', 'requestRedirect'],
  ['URLRewrite', 'urlRewrite'],
  ['ExtensionRef', 'extensionRef'],
];
const ONCE_ONLY = ['CORS', 'RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'];

export function validateHTTPRouteCEL(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = isObj(obj?.spec) ? obj.spec : undefined;
  if (!spec) return errs;
  const p = FieldPath.root('spec');
  errs.push(...parentRefRules(spec.parentRefs, p.child('parentRefs')));
  const rules = objs(spec.rules);
  const rp = p.child('rules');
  const total = rules.reduce((n, r) => n + objs(r.matches).length, 0);
  if (total > 128) errs.push(celError(rp, 'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128'));
  rules.forEach((r, i) => errs.push(...ruleRules(r, rp.index(i))));
  return errs;
}

/** sectionName must be specified / unique when parentRefs includes 2 or more references to the same parent */
export function parentRefRules(v: unknown, p: FieldPath): FieldErrorList {
  // the CRD's maxItems for parentRefs
  const refs = bounded(objs(v), 32);
  const ns = (r: Record<string, unknown>) => str(r.namespace);
  const same = (a: Record<string, unknown>, b: Record<string, unknown>) => str(a.group) === str(b.group) && str(a.kind) === str(b.kind) && str(a.name) === str(b.name) && ns(a) === ns(b);
  const errs: FieldErrorList = [];
  let specified = true;
  let unique = true;
  for (const a of refs) {
    const sameParent = refs.filter((b) => same(a, b));
    // CEL: same parent ⇒ both name a section or neither does
    const none = (b: Record<string, unknown>) => !has(b, 'sectionName') || b.sectionName === '';
    if (sameParent.some((b) => none(b) !== none(a))) specified = false;
    if (refs.filter((b) => same(a, b) && str(a.sectionName) === str(b.sectionName)).length !== 1) unique = false;
  }
  if (!specified) errs.push(celError(p, 'sectionName must be specified when parentRefs includes 2 or more references to the same parent'));
  if (!unique) errs.push(celError(p, 'sectionName must be unique when parentRefs includes 2 or more references to the same parent'));
  return errs;
}

function ruleRules(rule: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  const filters = objs(rule.filters);
  const backendRefs = objs(rule.backendRefs);
  const matches = objs(rule.matches);
  if (backendRefs.length > 0 && filters.some((f) => has(f, 'requestRedirect'))) errs.push(celError(p, 'RequestRedirect filter must not be used together with backendRefs'));
  const onePrefixMatch = matches.length === 1 && isObj(matches[0].path) && matches[0].path.type === 'PathPrefix';
  const prefixReplace = (f: Record<string, unknown>, member: string) => {
    const m = f[member];
    return isObj(m) && isObj(m.path) && m.path.type === 'ReplacePrefixMatch' && has(m.path, 'replacePrefixMatch');
  };
  const exactlyOne = (fs: Array<Record<string, unknown>>, member: string) => fs.filter((f) => prefixReplace(f, member)).length === 1;
  if (exactlyOne(filters, 'requestRedirect') && !onePrefixMatch) errs.push(celError(p, 'When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'));
  if (exactlyOne(filters, 'urlRewrite') && !onePrefixMatch) errs.push(celError(p, 'When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'));
  if (backendRefs.filter((b) => exactlyOne(objs(b.filters), 'requestRedirect')).length === 1 && !onePrefixMatch) errs.push(celError(p, 'Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'));
  if (backendRefs.filter((b) => exactlyOne(objs(b.filters), 'urlRewrite')).length === 1 && !onePrefixMatch) errs.push(celError(p, 'Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'));

  matches.forEach((m, i) => {
    if (isObj(m.path)) errs.push(...pathMatchRules(m.path, p.child('matches').index(i).child('path')));
  });
  errs.push(...filterListRules(rule.filters, p.child('filters')));
  backendRefs.forEach((b, i) => {
    const bp = p.child('backendRefs').index(i);
    if (str(b.group) === '' && b.kind === 'Service' && !has(b, 'port')) errs.push(celError(bp, 'Must have port for Service reference'));
    errs.push(...filterListRules(b.filters, bp.child('filters')));
  });
  if (isObj(rule.timeouts)) errs.push(...timeoutRules(rule.timeouts, p.child('timeouts')));
  return errs;
}

export function pathMatchRules(path: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const type = path.type;
  const value = str(path.value);
  const errs: FieldErrorList = [];
  if (type !== 'Exact' && type !== 'PathPrefix') {
    if (type !== 'RegularExpression') errs.push(celError(p, "type must be one of ['Exact', 'PathPrefix', 'RegularExpression']"));
    return errs;
  }
  const checks: Array<[boolean, string]> = [
    [value.startsWith('/'), "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"],
    [!value.includes('//'), "must not contain '//' when type one of ['Exact', 'PathPrefix']"],
    [!value.includes('/./'), "must not contain '/./' when type one of ['Exact', 'PathPrefix']"],
    [!value.includes('/../'), "must not contain '/../' when type one of ['Exact', 'PathPrefix']"],
    [!value.includes('%2f'), "must not contain '%2f' when type one of ['Exact', 'PathPrefix']"],
    [!value.includes('%2F'), "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"],
    [!value.includes('#'), "must not contain '#' when type one of ['Exact', 'PathPrefix']"],
    [!value.endsWith('/..'), "must not end with '/..' when type one of ['Exact', 'PathPrefix']"],
    [!value.endsWith('/.'), "must not end with '/.' when type one of ['Exact', 'PathPrefix']"],
    [PATH_CHARS.test(value), "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']"],
  ];
  for (const [ok, msg] of checks) if (!ok) errs.push(celError(p, msg));
  return errs;
}

/** rules on a filters list and on each filter (the same at rule level and within backendRefs) */
export function filterListRules(v: unknown, p: FieldPath): FieldErrorList {
  const filters = objs(v);
  const errs: FieldErrorList = [];
  if (filters.some((f) => f.type === 'RequestRedirect') && filters.some((f) => f.type === 'URLRewrite')) {
    errs.push(celError(p, 'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both'));
  }
  for (const t of ONCE_ONLY) if (filters.filter((f) => f.type === t).length > 1) errs.push(celError(p, `${t} filter cannot be repeated`));
  filters.forEach((f, i) => {
    const fp = p.index(i);
    for (const [type, member] of FILTER_MEMBERS) {
      if (has(f, member) && f.type !== type) errs.push(celError(fp, `filter.${member} must be nil if the filter.type is not ${type}`));
      if (!has(f, member) && f.type === type) errs.push(celError(fp, `filter.${member} must be specified for ${type} filter.type`));
    }
    if (isObj(f.cors)) {
      const cp = fp.child('cors');
      for (const [field, what] of [['allowHeaders', 'methods'], ['allowMethods', 'methods'], ['allowOrigins', 'origins']] as const) {
        const list = f.cors[field];
        if (Array.isArray(list) && list.includes('*') && list.length > 1) {
          const name = field[0].toUpperCase() + field.slice(1);
          errs.push(celError(cp.child(field), `${name} cannot contain '*' alongside other ${what}`));
        }
      }
    }
    if (isObj(f.requestMirror)) {
      const m = f.requestMirror;
      const mp = fp.child('requestMirror');
      if (has(m, 'percent') && has(m, 'fraction')) errs.push(celError(mp, 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter'));
      if (isObj(m.fraction) && typeof m.fraction.numerator === 'number' && typeof m.fraction.denominator === 'number' && m.fraction.numerator > m.fraction.denominator) {
        errs.push(celError(mp.child('fraction'), 'numerator must be less than or equal to denominator'));
      }
    }
    for (const member of ['requestRedirect', 'urlRewrite']) {
      const m = f[member];
      if (isObj(m) && isObj(m.path)) errs.push(...pathModifierRules(m.path, fp.child(member).child('path')));
    }
  });
  return errs;
}

export function pathModifierRules(pm: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  if (pm.type === 'ReplaceFullPath' && !has(pm, 'replaceFullPath')) errs.push(celError(p, "replaceFullPath must be specified when type is set to 'ReplaceFullPath'"));
  if (has(pm, 'replaceFullPath') && pm.type !== 'ReplaceFullPath') errs.push(celError(p, "type must be 'ReplaceFullPath' when replaceFullPath is set"));
  if (pm.type === 'ReplacePrefixMatch' && !has(pm, 'replacePrefixMatch')) errs.push(celError(p, "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'"));
  if (has(pm, 'replacePrefixMatch') && pm.type !== 'ReplacePrefixMatch') errs.push(celError(p, "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set"));
  return errs;
}

function timeoutRules(t: Record<string, unknown>, p: FieldPath): FieldErrorList {
  if (!has(t, 'request') || !has(t, 'backendRequest')) return [];
  const req = parseGatewayDuration(str(t.request));
  const be = parseGatewayDuration(str(t.backendRequest));
  if (!req.ok || !be.ok || req.ms === 0) return [];
  return be.ms > req.ms ? [celError(p, 'backendRequest timeout cannot be longer than request timeout')] : [];
}
