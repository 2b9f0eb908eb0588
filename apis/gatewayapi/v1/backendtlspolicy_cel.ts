// The CEL rules of the upstream standard-channel BackendTLSPolicy CRD (gateway.networking.k8s.io v1,
// config/crd/standard/gateway.networking.k8s.io_backendtlspolicies.yaml), as code with the CRD's
// messages. Structure (types, enums, lengths, patterns, maxItems) comes from the CRD schema in crds/. Pure.
import { FieldPath, type FieldErrorList } from '../../meta/v1/field';
import type { KObject } from '../../meta/v1/types';
import { bounded, celError, has, isObj, objs, str } from './cel';

export function validateBackendTLSPolicyCEL(obj: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const spec = isObj(obj?.spec) ? obj.spec : undefined;
  if (!spec) return errs;
  const p = FieldPath.root('spec');
  errs.push(...targetRefRules(spec.targetRefs, p.child('targetRefs')));
  if (isObj(spec.validation)) errs.push(...validationRules(spec.validation, p.child('validation')));
  return errs;
}

function targetRefRules(v: unknown, p: FieldPath): FieldErrorList {
  // the CRD's maxItems for targetRefs
  const refs = bounded(objs(v), 16);
  const same = (a: Record<string, unknown>, b: Record<string, unknown>) => str(a.group) === str(b.group) && str(a.kind) === str(b.kind) && str(a.name) === str(b.name);
  const noSection = (r: Record<string, unknown>) => !has(r, 'sectionName') || r.sectionName === '';
  const errs: FieldErrorList = [];
  if (!refs.every((a) => refs.every((b) => (same(a, b) ? noSection(a) === noSection(b) : true)))) {
    errs.push(celError(p, 'sectionName must be specified when targetRefs includes 2 or more references to the same target'));
  }
  const sameSection = (a: Record<string, unknown>, b: Record<string, unknown>) => (noSection(a) && noSection(b)) || (has(a, 'sectionName') && has(b, 'sectionName') && a.sectionName === b.sectionName);
  if (!refs.every((a) => refs.filter((b) => same(a, b) && sameSection(a, b)).length === 1)) {
    errs.push(celError(p, 'sectionName must be unique when targetRefs includes 2 or more references to the same target'));
  }
  return errs;
}

function validationRules(val: Record<string, unknown>, p: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  const refs = Array.isArray(val.caCertificateRefs) && val.caCertificateRefs.length > 0;
  const wellKnown = has(val, 'wellKnownCACertificates') && val.wellKnownCACertificates !== '';
  if (refs && wellKnown) errs.push(celError(p, 'must not contain both CACertificateRefs and WellKnownCACertificates'));
  if (!refs && !wellKnown) errs.push(celError(p, 'must specify either CACertificateRefs or WellKnownCACertificates'));
  objs(val.subjectAltNames).forEach((s, i) => {
    const sp = p.child('subjectAltNames').index(i);
    const set = (f: string) => has(s, f) && s[f] !== '';
    if (s.type === 'Hostname' && !set('hostname')) errs.push(celError(sp, 'SubjectAltName element must contain Hostname, if Type is set to Hostname'));
    if (s.type !== 'Hostname' && set('hostname')) errs.push(celError(sp, 'SubjectAltName element must not contain Hostname, if Type is not set to Hostname'));
    if (s.type === 'URI' && !set('uri')) errs.push(celError(sp, 'SubjectAltName element must contain URI, if Type is set to URI'));
    if (s.type !== 'URI' && set('uri')) errs.push(celError(sp, 'SubjectAltName element must not contain URI, if Type is not set to URI'));
  });
  return errs;
}
