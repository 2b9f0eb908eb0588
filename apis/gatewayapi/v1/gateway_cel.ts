// The CEL rules of the upstream standard-channel Gateway and GatewayClass CRDs
// (gateway.networking.k8s.io v1), as code with the CRDs' messages. Structure, enums, patterns and
// defaults come from the CRD schemas in crds/. Pure.
import { FieldPath, type FieldErrorList } from '../../meta/v1/field';
import type { KObject } from '../../meta/v1/types';
import { bounded, celError, has, isObj, objs, str } from './cel';

const HOSTNAME_RE = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;

export function validateGatewayCEL(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = isObj(obj?.spec) ? obj.spec : undefined;
  if (!spec) return errs;
  const p = FieldPath.root('spec');
  errs.push(...listenerRules(spec.listeners, p.child('listeners')));
  errs.push(...addressRules(spec.addresses, p.child('addresses')));
  if (isObj(spec.infrastructure)) {
    const ip = p.child('infrastructure');
    for (const [field, what] of [['annotations', 'Annotation'], ['labels', 'Label']] as const) {
      const m = spec.infrastructure[field];
      if (!isObj(m)) continue;
      const keys = Object.keys(m);
      if (!keys.every((k) => LABEL_KEY_RE.test(k))) errs.push(celError(ip.child(field), `${what} keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.`));
      if (!keys.every((k) => k.split('/')[0].length < 253)) errs.push(celError(ip.child(field), `If specified, the ${what.toLowerCase()} key's prefix must be a DNS subdomain not longer than 253 characters in total.`));
    }
  }
  const perPort = isObj(spec.tls) && isObj(spec.tls.frontend) ? bounded(objs(spec.tls.frontend.perPort), 64) : [];
  if (perPort.some((a) => perPort.filter((b) => b.port === a.port).length !== 1)) {
    errs.push(celError(p.child('tls').child('frontend').child('perPort'), 'Port for TLS configuration must be unique within the Gateway'));
  }
  return errs;
}

export function listenerRules(v: unknown, p: FieldPath): FieldErrorList {
  const ls = bounded(objs(v), 64);
  const errs: FieldErrorList = [];
  const proto = (l: Record<string, unknown>) => str(l.protocol);
  if (!ls.every((l) => (['HTTP', 'TCP', 'UDP'].includes(proto(l)) ? !has(l, 'tls') : true))) errs.push(celError(p, "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"));
  if (!ls.every((l) => (proto(l) === 'HTTPS' && isObj(l.tls) ? str(l.tls.mode) === '' || l.tls.mode === 'Terminate' : true))) errs.push(celError(p, 'tls mode must be Terminate for protocol HTTPS'));
  if (!ls.every((l) => (proto(l) === 'TLS' ? isObj(l.tls) && str(l.tls.mode) !== '' : true))) errs.push(celError(p, 'tls mode must be set for protocol TLS'));
  if (!ls.every((l) => (['TCP', 'UDP'].includes(proto(l)) ? str(l.hostname) === '' : true))) errs.push(celError(p, "hostname must not be specified for protocols ['TCP', 'UDP']"));
  if (!ls.every((a) => ls.filter((b) => a.name === b.name).length === 1)) errs.push(celError(p, 'Listener name must be unique within the Gateway'));
  const sameHost = (a: Record<string, unknown>, b: Record<string, unknown>) => (has(a, 'hostname') && has(b, 'hostname') ? a.hostname === b.hostname : !has(a, 'hostname') && !has(b, 'hostname'));
  if (!ls.every((a) => ls.filter((b) => a.port === b.port && a.protocol === b.protocol && sameHost(a, b)).length === 1)) {
    errs.push(celError(p, 'Combination of port, protocol and hostname must be unique for each listener'));
  }
  ls.forEach((l, i) => {
    if (!isObj(l.tls) || l.tls.mode !== 'Terminate') return;
    const refs = Array.isArray(l.tls.certificateRefs) ? l.tls.certificateRefs.length : 0;
    const opts = isObj(l.tls.options) ? Object.keys(l.tls.options).length : 0;
    if (refs === 0 && opts === 0) errs.push(celError(p.index(i).child('tls'), 'certificateRefs or options must be specified when mode is Terminate'));
  });
  return errs;
}

function addressRules(v: unknown, p: FieldPath): FieldErrorList {
  const as = bounded(objs(v), 16);
  const errs: FieldErrorList = [];
  for (const type of ['IPAddress', 'Hostname']) {
    const withValue = as.filter((a) => a.type === type && has(a, 'value'));
    if (withValue.some((a) => withValue.filter((b) => b.value === a.value).length !== 1)) errs.push(celError(p, `${type} values must be unique`));
  }
  as.forEach((a, i) => {
    if (a.type === 'Hostname' && has(a, 'value') && !HOSTNAME_RE.test(str(a.value))) {
      errs.push(celError(p.index(i), 'Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)'));
    }
  });
  return errs;
}

/** GatewayClass spec.controllerName: `self == oldSelf` */
export function validateGatewayClassUpdateCEL(newObj: KObject, oldObj: KObject): FieldErrorList {
  const n = isObj(newObj?.spec) ? newObj.spec.controllerName : undefined;
  const o = isObj(oldObj?.spec) ? oldObj.spec.controllerName : undefined;
  return n !== o ? [celError(FieldPath.root('spec').child('controllerName'), 'Value is immutable')] : [];
}
