// Validation of HTTPRoute filters (rules[].filters and backendRefs[].filters), following the
// Gateway API's CRD rules: the member matching `type` is required and no other may be set;
// header modifiers name valid, unique headers; redirects and rewrites are well formed.
import { duplicate, FieldErrorList, FieldPath, forbidden, invalid, notSupported, required } from '../../meta/v1/field';
import {
  asArray,
  asObject,
  validateEnum,
  validateInt,
  validateMaxItems,
  validatePort,
  validateRequiredString,
  validateString,
} from '../../meta/v1/validation';
import { validateHeaderFieldValue, validateNoControlChars } from '../../meta/v1/header_value';
import { validateGroup, validateHeaderName, validateHostname, validateKind, validateObjectRef, validateRefName } from './common_validate';
import {
  FILTER_MEMBER,
  FILTER_TYPES,
  HTTPRouteFilterType,
  MAX_FILTERS,
  MAX_HEADER_MODS,
  PATH_MODIFIER_TYPES,
  REDIRECT_SCHEMES,
  REDIRECT_STATUS_CODES,
} from './httproute_types';

/** Filter types that may appear at most once in one filters list. */
const ONCE_ONLY: readonly HTTPRouteFilterType[] = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'];

export function validateFilters(v: unknown, path: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [...validateMaxItems(v, path, MAX_FILTERS)];
  const seen = new Map<string, number>();
  asArray(v).forEach((raw, i) => {
    const f = asObject(raw);
    const fp = path.index(i);
    if (!f) return;
    errs.push(...validateFilter(f, fp));
    const t = f.type as HTTPRouteFilterType;
    if ((ONCE_ONLY as readonly unknown[]).includes(t)) {
      if (seen.has(t)) errs.push(invalid(fp.child('type'), t, `${t} filter may be specified only once`));
      seen.set(t, i);
    }
  });
  if (seen.has('RequestRedirect') && seen.has('URLRewrite')) {
    errs.push(forbidden(path.index(Math.max(seen.get('RequestRedirect')!, seen.get('URLRewrite')!)), 'may specify either RequestRedirect or URLRewrite, but not both'));
  }
  return errs;
}

function validateFilter(f: Record<string, unknown>, p: FieldPath): FieldErrorList {
  if (f.type === undefined || f.type === '') return [required(p.child('type'))];
  if (!(FILTER_TYPES as readonly unknown[]).includes(f.type)) return [notSupported(p.child('type'), f.type, FILTER_TYPES)];
  const type = f.type as HTTPRouteFilterType;
  const errs: FieldErrorList = [];
  for (const [t, member] of Object.entries(FILTER_MEMBER)) {
    if (t !== type && f[member] !== undefined && f[member] !== null) {
      errs.push(forbidden(p.child(member), `must not be set when the filter type is ${type}`));
    }
  }
  const member = FILTER_MEMBER[type];
  const body = f[member];
  if (body === undefined || body === null) return [...errs, required(p.child(member), `must be set when the filter type is ${type}`)];
  const bp = p.child(member);
  switch (type) {
    case 'RequestHeaderModifier':
    case 'ResponseHeaderModifier':
      return [...errs, ...validateHeaderFilter(body, bp)];
    case 'RequestRedirect':
      return [...errs, ...validateRedirect(body, bp)];
    case 'URLRewrite':
      return [...errs, ...validateRewrite(body, bp)];
    case 'ExtensionRef':
      return [...errs, ...validateExtensionRef(body, bp)];
    case 'RequestMirror':
      return [...errs, ...validateMirror(body, bp)];
  }
  return errs;
}

function validateHeaderFilter(v: unknown, p: FieldPath): FieldErrorList {
  const hf = asObject(v);
  if (!hf) return [];
  const errs: FieldErrorList = [];
  for (const list of ['set', 'add'] as const) {
    const lp = p.child(list);
    errs.push(...validateMaxItems(hf[list], lp, MAX_HEADER_MODS));
    const names = new Set<string>();
    asArray(hf[list]).forEach((raw, i) => {
      const h = asObject(raw);
      if (!h) return;
      const hp = lp.index(i);
      const valueErrs = validateRequiredString(h.value, hp.child('value'));
      errs.push(...validateHeaderName(h.name, hp.child('name')));
      errs.push(...(valueErrs.length ? valueErrs : validateString(h.value, hp.child('value'), 4096)));
      errs.push(...validateHeaderFieldValue(h.value, hp.child('value')));
      if (typeof h.name === 'string') {
        const key = h.name.toLowerCase();
        if (names.has(key)) errs.push(duplicate(hp.child('name'), h.name));
        names.add(key);
      }
    });
  }
  const rp = p.child('remove');
  errs.push(...validateMaxItems(hf.remove, rp, MAX_HEADER_MODS));
  const removed = new Set<string>();
  asArray(hf.remove).forEach((name, i) => {
    errs.push(...validateHeaderName(name, rp.index(i)));
    if (typeof name === 'string') {
      if (removed.has(name.toLowerCase())) errs.push(duplicate(rp.index(i), name));
      removed.add(name.toLowerCase());
    }
  });
  return errs;
}

/** An HTTPPathModifier: its type's member is required, the other forbidden. */
export function validatePathModifier(v: unknown, p: FieldPath): FieldErrorList {
  const pm = asObject(v);
  if (!pm) return [];
  if (pm.type === undefined) return [required(p.child('type'))];
  const errs = validateEnum(pm.type, p.child('type'), PATH_MODIFIER_TYPES);
  if (errs.length) return errs;
  const [want, other] = pm.type === 'ReplaceFullPath' ? ['replaceFullPath', 'replacePrefixMatch'] : ['replacePrefixMatch', 'replaceFullPath'];
  if (pm[other] !== undefined) errs.push(forbidden(p.child(other), `must not be set when type is ${pm.type}`));
  if (pm[want] === undefined) errs.push(required(p.child(want), `must be set when type is ${pm.type}`));
  else if (typeof pm[want] !== 'string') errs.push(invalid(p.child(want), pm[want], 'must be a string'));
  else if (pm[want] !== '' && !(pm[want] as string).startsWith('/')) errs.push(invalid(p.child(want), pm[want], 'must start with "/"'));
  else errs.push(...validateString(pm[want], p.child(want), 1024), ...validateNoControlChars(pm[want], p.child(want)));
  return errs;
}

function validateRedirect(v: unknown, p: FieldPath): FieldErrorList {
  const r = asObject(v);
  if (!r) return [];
  const errs: FieldErrorList = [
    ...validateEnum(r.scheme, p.child('scheme'), REDIRECT_SCHEMES),
    ...validatePort(r.port, p.child('port')),
    ...validatePathModifier(r.path, p.child('path')),
  ];
  if (r.hostname !== undefined) errs.push(...validateHostname(r.hostname, p.child('hostname')));
  if (r.statusCode !== undefined && !(REDIRECT_STATUS_CODES as readonly unknown[]).includes(r.statusCode)) {
    errs.push(notSupported(p.child('statusCode'), r.statusCode, REDIRECT_STATUS_CODES.map(String)));
  }
  return errs;
}

function validateRewrite(v: unknown, p: FieldPath): FieldErrorList {
  const r = asObject(v);
  if (!r) return [];
  const errs = validatePathModifier(r.path, p.child('path'));
  if (r.hostname !== undefined) errs.push(...validateHostname(r.hostname, p.child('hostname')));
  return errs;
}

function validateExtensionRef(v: unknown, p: FieldPath): FieldErrorList {
  const r = asObject(v);
  if (!r) return [];
  const errs: FieldErrorList = [];
  if (r.group === undefined) errs.push(required(p.child('group')));
  errs.push(...validateGroup(r.group, p.child('group')), ...validateKind(r.kind, p.child('kind'), true), ...validateRefName(r.name, p.child('name')));
  return errs;
}

function validateMirror(v: unknown, p: FieldPath): FieldErrorList {
  const m = asObject(v);
  if (!m) return [];
  const errs: FieldErrorList = [];
  if (m.backendRef === undefined) errs.push(required(p.child('backendRef')));
  errs.push(...validateObjectRef(m.backendRef, p.child('backendRef')), ...validateInt(m.percent, p.child('percent'), 0, 100));
  const fr = asObject(m.fraction);
  if (fr) {
    const fp = p.child('fraction');
    errs.push(...validateInt(fr.numerator, fp.child('numerator'), 0), ...validateInt(fr.denominator, fp.child('denominator'), 1));
    const den = fr.denominator === undefined ? 100 : fr.denominator;
    if (typeof fr.numerator === 'number' && typeof den === 'number' && fr.numerator > den) {
      errs.push(invalid(fp.child('numerator'), fr.numerator, 'must be less than or equal to denominator'));
    }
  }
  if (m.percent !== undefined && m.fraction !== undefined) errs.push(forbidden(p.child('fraction'), 'only one of percent or fraction may be specified'));
  return errs;
}
