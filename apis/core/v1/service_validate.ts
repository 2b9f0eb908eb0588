// Service (core v1), as kube's ValidateService for what is stored here: ports (1–65535, unique
// names, names required when there are several, DNS-1123 labels; targetPort a port number or an
// IANA service name), clusterIP "" / "None" / an IP, headless and ExternalName Services may have
// no ports. Defaults as kube's: targetPort = port. No cluster IP is allocated. Pure.
import { isIP } from 'node:net';
import { duplicate, FieldPath, forbidden, invalid, required, type FieldErrorList } from '../../meta/v1/field';
import { dns1123LabelErrors } from '../../meta/v1/name_validation';
import type { KObject } from '../../meta/v1/types';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

export function prepareService(obj: KObject): void {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (!spec) return;
  // protobuf bodies carry Go's zero values; JSON's omitempty leaves them out
  if (spec.publishNotReadyAddresses === false) delete spec.publishNotReadyAddresses;
  if (!Array.isArray(spec.ports)) return;
  for (const p of spec.ports) {
    if (!isObj(p)) continue;
    if (p.nodePort === 0) delete p.nodePort;
    if ((p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') && typeof p.port === 'number') p.targetPort = p.port;
  }
}

export function validateService(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const sp = FieldPath.root('spec');
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (!spec) return [required(sp)];
  const type = spec.type ?? 'ClusterIP';
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isObj) : [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && type !== 'ExternalName' && !headless) errs.push(required(sp.child('ports')));
  if (type === 'ExternalName' && typeof spec.externalName !== 'string') errs.push(required(sp.child('externalName')));
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== 'None' && isIP(spec.clusterIP) === 0) {
    errs.push(invalid(sp.child('clusterIP'), spec.clusterIP, 'must be a valid IP address or "None"'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = sp.child('ports').index(i);
    const name = typeof p.name === 'string' ? p.name : '';
    if (ports.length > 1 && name === '') errs.push(required(pp.child('name')));
    if (name !== '') {
      for (const m of dns1123LabelErrors(name)) errs.push(invalid(pp.child('name'), name, m));
      if (names.has(name)) errs.push(duplicate(pp.child('name'), name));
      names.add(name);
    }
    if (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.push(invalid(pp.child('port'), p.port, 'must be between 1 and 65535, inclusive'));
    const tp = p.targetPort;
    if (typeof tp === 'number' && (!Number.isInteger(tp) || tp < 1 || tp > 65535)) errs.push(invalid(pp.child('targetPort'), tp, 'must be between 1 and 65535, inclusive'));
    if (typeof tp === 'string' && !IANA_SVC_NAME.test(tp)) errs.push(invalid(pp.child('targetPort'), tp, 'must contain only lowercase alphanumerics and hyphens, at most 15 characters, at least one letter (an IANA_SVC_NAME)'));
    if (type === 'ClusterIP' && p.nodePort !== undefined && p.nodePort !== 0) errs.push(forbidden(pp.child('nodePort'), 'may not be used when `type` is \'ClusterIP\''));
  });
  return errs;
}

export function validateServiceUpdate(n: KObject, o: KObject): FieldErrorList {
  const errs = validateService(n);
  const nip = isObj(n.spec) ? n.spec.clusterIP : undefined;
  const oip = isObj(o.spec) ? o.spec.clusterIP : undefined;
  if (oip !== undefined && oip !== '' && nip !== oip) errs.push(invalid(FieldPath.root('spec').child('clusterIP'), nip, 'field is immutable'));
  return errs;
}
