// Checks shared by the gateway.apoxy.dev kinds: hostnames, header names, object references.
import { isIP } from 'node:net';
import { FieldErrorList, FieldPath, invalid, required } from '../../meta/v1/field';
import { dns1123SubdomainErrors } from '../../meta/v1/name_validation';
import { asObject, validateRequiredString, validatePort, validateString } from '../../meta/v1/validation';

/** RFC 7230 token: what an HTTP header (or Gateway API query parameter) name may contain. */
const TOKEN_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const KIND_RE = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

export function validateHeaderName(v: unknown, path: FieldPath): FieldErrorList {
  const errs = validateRequiredString(v, path);
  if (errs.length) return errs;
  const s = v as string;
  if (s.length > 256) return [invalid(path, s, 'must be no more than 256 characters')];
  if (!TOKEN_RE.test(s)) return [invalid(path, s, 'must be a valid HTTP header name (an RFC 7230 token)')];
  return [];
}

/**
 * A hostname to match: a DNS-1123 subdomain, optionally with a leading "*." wildcard label, or
 * "*" alone when `allowStar` (Apoxy's manifests use it for "any host"). Never an IP address.
 */
export function validateHostname(v: unknown, path: FieldPath, opts: { wildcard?: boolean; allowStar?: boolean } = {}): FieldErrorList {
  if (typeof v !== 'string') return [invalid(path, v, 'must be a string')];
  if (v === '*' && opts.allowStar) return [];
  if (isIP(v) !== 0) return [invalid(path, v, 'must be a DNS name, not an IP address')];
  let name = v;
  if (opts.wildcard && v.startsWith('*.')) name = v.slice(2);
  const errs = dns1123SubdomainErrors(name).map((msg) => invalid(path, v, msg));
  if (errs.length && opts.wildcard && !v.startsWith('*.') && v.includes('*')) {
    return [invalid(path, v, 'a wildcard may only be the leading label ("*.example.com")')];
  }
  return errs;
}

export function validateGroup(v: unknown, path: FieldPath): FieldErrorList {
  if (v === undefined || v === '') return [];
  if (typeof v !== 'string') return [invalid(path, v, 'must be a string')];
  return dns1123SubdomainErrors(v).map((msg) => invalid(path, v, msg));
}

export function validateKind(v: unknown, path: FieldPath, isRequired = false): FieldErrorList {
  if (v === undefined && !isRequired) return [];
  const errs = validateRequiredString(v, path);
  if (errs.length) return errs;
  const s = v as string;
  if (s.length > 63 || !KIND_RE.test(s)) {
    return [invalid(path, s, 'must be a kind: up to 63 letters, digits and "-", starting with a letter')];
  }
  return [];
}

/** A referenced object's name: required, ≤253, and a valid path segment. */
export function validateRefName(v: unknown, path: FieldPath): FieldErrorList {
  const errs = validateRequiredString(v, path);
  if (errs.length) return errs;
  return validateString(v, path, 253);
}

/** A section name (listener or rule name): a DNS-1123 subdomain. */
export function validateSectionName(v: unknown, path: FieldPath): FieldErrorList {
  if (v === undefined) return [];
  if (typeof v !== 'string') return [invalid(path, v, 'must be a string')];
  return dns1123SubdomainErrors(v).map((msg) => invalid(path, v, msg));
}

/** group/kind/name/namespace/port of a ParentReference or BackendObjectReference. */
export function validateObjectRef(v: unknown, path: FieldPath, opts: { groupKindRequired?: boolean } = {}): FieldErrorList {
  const ref = asObject(v);
  if (!ref) return [];
  const errs: FieldErrorList = [
    ...validateGroup(ref.group, path.child('group')),
    ...validateKind(ref.kind, path.child('kind'), opts.groupKindRequired),
    ...validateRefName(ref.name, path.child('name')),
    ...validatePort(ref.port, path.child('port')),
  ];
  if (opts.groupKindRequired && ref.group === undefined) errs.push(required(path.child('group')));
  if (ref.namespace !== undefined) {
    if (typeof ref.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ref.namespace) || ref.namespace.length > 63) {
      errs.push(invalid(path.child('namespace'), ref.namespace, 'must be a DNS-1123 label'));
    }
  }
  if (ref.sectionName !== undefined) errs.push(...validateSectionName(ref.sectionName, path.child('sectionName')));
  return errs;
}
