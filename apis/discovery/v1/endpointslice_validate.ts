// EndpointSlice (discovery.k8s.io/v1), as kube's ValidateEndpointSlice: addresses of the slice's
// addressType (IPv4, IPv6 or a DNS-1123 subdomain for FQDN), unique DNS-1123 label port names, the
// Service name label a DNS label, addressType immutable. One deviation (DESIGN): loopback
// addresses are accepted (kube's ValidateEndpointIP refuses them); local runs and tests need them.
// Pure.
import { isIPv4, isIPv6 } from 'node:net';
import { duplicate, FieldPath, invalid, type FieldErrorList } from '../../meta/v1/field';
import { dns1123LabelErrors, dns1123SubdomainErrors } from '../../meta/v1/name_validation';
import type { KObject } from '../../meta/v1/types';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function addressErrors(type: unknown, a: string): string | undefined {
  if (type === 'IPv4') return isIPv4(a) && a !== '0.0.0.0' ? undefined : 'must be a valid IPv4 address';
  if (type === 'IPv6') return isIPv6(a) && a !== '::' ? undefined : 'must be a valid IPv6 address';
  if (type === 'FQDN') return dns1123SubdomainErrors(a)[0];
  return undefined;
}

export function validateEndpointSlice(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const o = obj as unknown as Record<string, unknown>;
  const type = o.addressType;
  const eps = Array.isArray(o.endpoints) ? o.endpoints : [];
  eps.forEach((e, i) => {
    if (!isObj(e) || !Array.isArray(e.addresses)) return;
    e.addresses.forEach((a, j) => {
      if (typeof a !== 'string') return;
      const err = addressErrors(type, a);
      if (err) errs.push(invalid(FieldPath.root('endpoints').index(i).child('addresses').index(j), a, err));
    });
  });
  const names = new Set<string>();
  (Array.isArray(o.ports) ? o.ports : []).forEach((p, i) => {
    if (!isObj(p)) return;
    const pp = FieldPath.root('ports').index(i);
    const name = typeof p.name === 'string' ? p.name : '';
    if (name !== '') for (const m of dns1123LabelErrors(name)) errs.push(invalid(pp.child('name'), name, m));
    if (names.has(name)) errs.push(duplicate(pp.child('name'), name));
    names.add(name);
    if (p.port !== undefined && (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)) errs.push(invalid(pp.child('port'), p.port, 'must be between 1 and 65535, inclusive'));
  });
  const svc = obj.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (svc !== undefined) for (const m of dns1123LabelErrors(svc)) errs.push(invalid(FieldPath.root('metadata').child('labels').key(SERVICE_NAME_LABEL), svc, m));
  return errs;
}

export function validateEndpointSliceUpdate(n: KObject, o: KObject): FieldErrorList {
  const errs = validateEndpointSlice(n);
  const nt = (n as unknown as Record<string, unknown>).addressType;
  const ot = (o as unknown as Record<string, unknown>).addressType;
  if (nt !== ot) errs.push(invalid(FieldPath.root('addressType'), nt, 'field is immutable'));
  return errs;
}
