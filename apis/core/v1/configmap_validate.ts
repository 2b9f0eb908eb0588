// ConfigMap, as kube's ValidateConfigMap: keys by IsConfigMapKey in data and binaryData, no key in
// both, at most 1 MiB of values, binaryData base64 (canonicalised, invalid → a decode error),
// `immutable: true` freezes data and binaryData.
import { FieldPath, invalid, tooLong, type FieldErrorList } from '../../meta/v1/field';
import { canonicalBase64, dataBytes, validateKeys } from './data_keys';
import { immutableDataErrors } from './secret_validate';
import { MAX_SECRET_SIZE, type ConfigMap } from './types';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Canonical base64 in binaryData; returns a decode error (400) or undefined. */
export function normalizeConfigMap(cm: ConfigMap): string | undefined {
  if (!isMap(cm.binaryData)) return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(cm.binaryData)) {
    if (typeof v !== 'string') return undefined;
    const c = canonicalBase64(v);
    if (!c.ok) return `illegal base64 data at input byte ${c.offset}`;
    out[k] = c.value;
  }
  cm.binaryData = { ...out };
  return undefined;
}

export function validateConfigMap(cm: ConfigMap): FieldErrorList {
  const data = isMap(cm.data) ? (cm.data as Record<string, string>) : {};
  const bin = isMap(cm.binaryData) ? (cm.binaryData as Record<string, string>) : {};
  const errs: FieldErrorList = [...validateKeys(data, FieldPath.root('data')), ...validateKeys(bin, FieldPath.root('binaryData'))];
  for (const k of Object.keys(bin)) {
    if (Object.hasOwn(data, k)) errs.push(invalid(FieldPath.root('binaryData').key(k), k, 'duplicate of key present in data'));
  }
  if (dataBytes(data, false) + dataBytes(bin, true) > MAX_SECRET_SIZE) errs.push(tooLong(FieldPath.root(''), '', MAX_SECRET_SIZE));
  return errs;
}

export function validateConfigMapUpdate(next: ConfigMap, old: ConfigMap): FieldErrorList {
  return [...validateConfigMap(next), ...immutableDataErrors(next, old, ['data', 'binaryData'])];
}
