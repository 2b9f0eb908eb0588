// Semantic validation of Gateway: listeners with unique names, valid ports and protocols, and
// Gateway API's per-protocol rules for hostname and tls.
import { duplicate, FieldErrorList, FieldPath, forbidden, invalid, required } from '../../meta/v1/field';
import { asArray, asObject, validateEnum, validateMaxItems, validatePort, validateRequiredString } from '../../meta/v1/validation';
import { validateHostname, validateKind, validateRefName, validateSectionName, validateGroup } from './common_validate';
import type { KObject } from '../../meta/v1/types';
import { LISTENER_PROTOCOLS, MAX_ADDRESSES, MAX_LISTENERS } from './gateway_types';

export function validateGateway(obj: KObject): FieldErrorList {
  const spec = asObject(obj?.spec);
  const p = FieldPath.root('spec');
  if (!spec) return [required(p)];
  const errs: FieldErrorList = [...validateRefName(spec.gatewayClassName, p.child('gatewayClassName'))];
  errs.push(...validateListeners(spec.listeners, p.child('listeners')));
  errs.push(...validateInfrastructure(spec.infrastructure, p.child('infrastructure')));
  const ap = p.child('addresses');
  errs.push(...validateMaxItems(spec.addresses, ap, MAX_ADDRESSES));
  asArray(spec.addresses).forEach((a, i) => errs.push(...validateRequiredString(asObject(a)?.value, ap.index(i).child('value'))));
  return errs;
}

/** Validates the new object; nothing in a Gateway spec is immutable here. */
export function validateGatewayUpdate(newObj: KObject, _oldObj: KObject): FieldErrorList {
  return validateGateway(newObj);
}

function validateListeners(v: unknown, p: FieldPath): FieldErrorList {
  if (v === undefined) return [required(p)];
  if (!Array.isArray(v)) return [invalid(p, v, 'must be a list of listeners')];
  if (v.length === 0) return [required(p, 'at least one listener is required')];
  const errs: FieldErrorList = [...validateMaxItems(v, p, MAX_LISTENERS)];
  const names = new Set<string>();
  const combos = new Set<string>();
  v.forEach((raw, i) => {
    const l = asObject(raw);
    if (!l) return;
    const lp = p.index(i);
    if (l.name === undefined || l.name === '') errs.push(required(lp.child('name')));
    else errs.push(...validateSectionName(l.name, lp.child('name')));
    if (typeof l.name === 'string') {
      if (names.has(l.name)) errs.push(duplicate(lp.child('name'), l.name));
      names.add(l.name);
    }
    if (l.port === undefined) errs.push(required(lp.child('port')));
    else errs.push(...validatePort(l.port, lp.child('port')));
    if (l.protocol === undefined) errs.push(required(lp.child('protocol')));
    else errs.push(...validateEnum(l.protocol, lp.child('protocol'), LISTENER_PROTOCOLS));
    if (l.hostname !== undefined) {
      if (l.protocol === 'TCP' || l.protocol === 'UDP') {
        errs.push(forbidden(lp.child('hostname'), `must not be set for protocol ${l.protocol}`));
      } else errs.push(...validateHostname(l.hostname, lp.child('hostname'), { wildcard: true }));
    }
    if (l.tls !== undefined && ['HTTP', 'TCP', 'UDP'].includes(l.protocol as string)) {
      errs.push(forbidden(lp.child('tls'), `must not be set for protocol ${l.protocol}`));
    }
    if (l.tls === undefined && l.protocol === 'HTTPS') errs.push(required(lp.child('tls'), 'must be set for protocol HTTPS'));
    const combo = `${l.port}/${l.protocol}/${l.hostname ?? ''}`;
    if (combos.has(combo)) errs.push(duplicate(lp, `port ${l.port}, protocol ${l.protocol}, hostname ${JSON.stringify(l.hostname ?? '')}`));
    combos.add(combo);
  });
  return errs;
}

function validateInfrastructure(v: unknown, p: FieldPath): FieldErrorList {
  const infra = asObject(v);
  if (!infra) return [];
  const ref = asObject(infra.parametersRef);
  if (!ref) return [];
  const rp = p.child('parametersRef');
  return [
    ...validateGroup(ref.group, rp.child('group')),
    ...validateKind(ref.kind, rp.child('kind'), true),
    ...validateRefName(ref.name, rp.child('name')),
  ];
}
