// Semantic validation of GatewayClass: a well-formed, immutable controllerName.
import { FieldErrorList, FieldPath, forbidden, invalid, required } from '../../meta/v1/field';
import { dns1123SubdomainErrors } from '../../meta/v1/name_validation';
import { asObject, validateString } from '../../meta/v1/validation';
import { validateObjectRef } from './common_validate';
import type { KObject } from '../../meta/v1/types';
import { MAX_DESCRIPTION_LENGTH } from './gatewayclass_types';

const CONTROLLER_PATH_RE = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** Gateway API GatewayController: `<domain>/<path>`, ≤253 characters. */
export function validateControllerName(v: unknown, path: FieldPath): FieldErrorList {
  if (v === undefined || v === '') return [required(path)];
  if (typeof v !== 'string') return [invalid(path, v, 'must be a string')];
  if (v.length > 253) return [invalid(path, v, 'must be no more than 253 characters')];
  const slash = v.indexOf('/');
  const domain = slash < 0 ? '' : v.slice(0, slash);
  const rest = slash < 0 ? '' : v.slice(slash + 1);
  if (!domain || !rest || dns1123SubdomainErrors(domain).length > 0 || !CONTROLLER_PATH_RE.test(rest)) {
    return [invalid(path, v, 'must be a domain-prefixed path, e.g. "gateway.apoxy.dev/gatewayclass-controller"')];
  }
  return [];
}

export function validateGatewayClass(obj: KObject): FieldErrorList {
  const spec = asObject(obj?.spec);
  const p = FieldPath.root('spec');
  if (!spec) return [required(p)];
  const errs: FieldErrorList = [
    ...validateControllerName(spec.controllerName, p.child('controllerName')),
    ...validateString(spec.description, p.child('description'), MAX_DESCRIPTION_LENGTH),
  ];
  if (spec.parametersRef !== undefined) {
    const ref = asObject(spec.parametersRef);
    const rp = p.child('parametersRef');
    if (!ref) errs.push(invalid(rp, spec.parametersRef, 'must be an object'));
    else errs.push(...validateObjectRef(ref, rp, { groupKindRequired: true }));
  }
  return errs;
}

/** Validates the new object; controllerName is immutable, as in Gateway API. */
export function validateGatewayClassUpdate(newObj: KObject, oldObj: KObject): FieldErrorList {
  const errs = validateGatewayClass(newObj);
  const was = asObject(oldObj?.spec)?.controllerName;
  const now = asObject(newObj?.spec)?.controllerName;
  if (was !== undefined && now !== was) {
    errs.push(forbidden(FieldPath.root('spec').child('controllerName'), 'Value is immutable'));
  }
  return errs;
}
