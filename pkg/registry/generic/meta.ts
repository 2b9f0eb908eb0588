// ObjectMeta rules shared by every kind: shape checks (400, as a failed decode would be), system
// fields on create, and validation of name, labels, annotations and finalizers (422).
import type { KObject, ObjectMeta } from '../../../apis/meta/v1/types';
import { FieldPath, invalid, required, forbidden, type FieldErrorList } from '../../../apis/meta/v1/field';
import { qualifiedNameErrors, validateAnnotations, validateLabels } from '../../../apis/meta/v1/name_validation';
import { badRequest } from '../../apierrors/errors';
import type { Strategy } from '../strategy';

const META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const STRING_FIELDS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'] as const;

/** Type errors in metadata are decode errors in kube (400), not validation errors. Returns unknown fields. */
export function checkMetaShape(obj: KObject): string[] {
  const meta = obj.metadata as unknown;
  if (meta === undefined || meta === null) {
    obj.metadata = {};
    return [];
  }
  if (typeof meta !== 'object' || Array.isArray(meta)) throw badRequest('metadata: must be an object');
  const m = meta as Record<string, unknown>;
  for (const f of STRING_FIELDS) {
    if (m[f] !== undefined && m[f] !== null && typeof m[f] !== 'string') {
      throw badRequest(`json: cannot unmarshal ${typeName(m[f])} into Go struct field ObjectMeta.metadata.${f} of type string`);
    }
  }
  for (const f of ['labels', 'annotations'] as const) {
    const v = m[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`json: cannot unmarshal ${typeName(v)} into Go struct field ObjectMeta.metadata.${f} of type map[string]string`);
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') throw badRequest(`json: cannot unmarshal ${typeName(val)} into Go struct field ObjectMeta.metadata.${f}[${JSON.stringify(k)}] of type string`);
    }
  }
  if (m.finalizers !== undefined && m.finalizers !== null && (!Array.isArray(m.finalizers) || m.finalizers.some((x) => typeof x !== 'string'))) {
    throw badRequest('json: cannot unmarshal into Go struct field ObjectMeta.metadata.finalizers of type []string');
  }
  if (m.generation !== undefined && m.generation !== null && !Number.isInteger(m.generation)) {
    throw badRequest('json: cannot unmarshal into Go struct field ObjectMeta.metadata.generation of type int64');
  }
  if (m.managedFields !== undefined && m.managedFields !== null && !Array.isArray(m.managedFields)) {
    throw badRequest('json: cannot unmarshal into Go struct field ObjectMeta.metadata.managedFields of type []v1.ManagedFieldsEntry');
  }
  if (m.ownerReferences !== undefined && m.ownerReferences !== null && !Array.isArray(m.ownerReferences)) {
    throw badRequest('json: cannot unmarshal into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference');
  }
  for (const k of Object.keys(m)) if (m[k] === null) delete m[k];
  return Object.keys(m).filter((k) => !META_FIELDS.has(k)).map((k) => `metadata.${k}`);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** kube's SimpleNameGenerator: prefix (cut to 58) + 5 random characters. */
export function generateName(prefix: string): string {
  let s = prefix.slice(0, 253 - 5);
  for (let i = 0; i < 5; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

export function validateObjectMeta(meta: ObjectMeta, strategy: Strategy): { errors: FieldErrorList; warnings: string[] } {
  const p = FieldPath.root('metadata');
  const errors: FieldErrorList = [];
  const warnings: string[] = [];
  if (!meta.name) {
    errors.push(required(p.child('name'), 'name or generateName is required'));
  } else {
    const check = strategy.validateName(meta.name);
    for (const msg of check.errors) errors.push(invalid(p.child('name'), meta.name, msg));
    if (check.warning) warnings.push(check.warning);
  }
  errors.push(...validateLabels(meta.labels, p.child('labels')));
  errors.push(...validateAnnotations(meta.annotations, p.child('annotations')));
  (meta.finalizers ?? []).forEach((f, i) => {
    for (const msg of qualifiedNameErrors(f)) errors.push(invalid(p.child('finalizers').index(i), f, msg));
  });
  if (meta.generation !== undefined && meta.generation < 0) {
    errors.push(invalid(p.child('generation'), meta.generation, 'must be greater than or equal to 0'));
  }
  return { errors, warnings };
}

/** metadata fields a client may not change on update (kube's ValidateObjectMetaUpdate). */
export function validateMetaUpdate(next: ObjectMeta, old: ObjectMeta): FieldErrorList {
  const p = FieldPath.root('metadata');
  const errors: FieldErrorList = [];
  if (next.name !== old.name) errors.push(invalid(p.child('name'), next.name, 'field is immutable'));
  if (old.deletionTimestamp) {
    const before = new Set(old.finalizers ?? []);
    const added = (next.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length) {
      errors.push(forbidden(p.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
    }
  }
  return errors;
}

/** What generation counts: everything but metadata and status (kube's CRD strategy). */
export function specChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(a), strip(b));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}
