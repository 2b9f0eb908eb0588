// Secret, as kube's Secret strategy and ValidateSecret: `data` is base64 (canonicalised, invalid →
// a decode error), `stringData` merged into `data` on every write and never stored, `type`
// defaults to Opaque and is immutable, typed Secrets need their keys (kubernetes.io/tls: tls.crt
// and tls.key), `immutable: true` freezes data. No message carries a data value.
import { FieldPath, forbidden, invalid, required, tooLong, type FieldErrorList } from '../../meta/v1/field';
import { canonicalBase64, dataBytes, validateKeys } from './data_keys';
import {
  MAX_SECRET_SIZE, SECRET_TYPE_BASIC_AUTH, SECRET_TYPE_DOCKER_CONFIG_JSON, SECRET_TYPE_DOCKERCFG, SECRET_TYPE_OPAQUE, SECRET_TYPE_SSH_AUTH,
  SECRET_TYPE_TLS, TLS_CERT_KEY, TLS_PRIVATE_KEY_KEY, type Secret,
} from './types';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The decoded form of an incoming Secret (kube's v1 → internal conversion): canonical base64 in
 * `data`, `stringData` merged over it, default type. Returns a decode error (400) or undefined.
 */
export function normalizeSecret(s: Secret): string | undefined {
  if (isMap(s.data)) {
    const data: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(s.data)) {
      if (typeof v !== 'string') return undefined; // the schema reports the type
      const c = canonicalBase64(v);
      if (!c.ok) return `illegal base64 data at input byte ${c.offset}`;
      data[k] = c.value;
    }
    s.data = { ...data };
  }
  if (isMap(s.stringData)) {
    const merged: Record<string, string> = Object.assign(Object.create(null), isMap(s.data) ? s.data : {});
    for (const [k, v] of Object.entries(s.stringData)) {
      if (typeof v !== 'string') return undefined;
      merged[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    s.data = { ...merged };
    delete s.stringData;
  } else if (s.stringData === null) {
    delete s.stringData;
  }
  if (s.type === undefined || s.type === null || s.type === '') s.type = SECRET_TYPE_OPAQUE;
  return undefined;
}

export function validateSecret(s: Secret): FieldErrorList {
  const dataPath = FieldPath.root('data');
  const data = isMap(s.data) ? (s.data as Record<string, string>) : {};
  const errs: FieldErrorList = validateKeys(data, dataPath);
  if (dataBytes(data, true) > MAX_SECRET_SIZE) errs.push(tooLong(dataPath, '', MAX_SECRET_SIZE));
  const has = (k: string) => Object.hasOwn(data, k);
  switch (s.type) {
    case SECRET_TYPE_TLS:
      if (!has(TLS_CERT_KEY)) errs.push(required(dataPath.key(TLS_CERT_KEY)));
      if (!has(TLS_PRIVATE_KEY_KEY)) errs.push(required(dataPath.key(TLS_PRIVATE_KEY_KEY)));
      break;
    case SECRET_TYPE_BASIC_AUTH:
      if (!has('username') && !has('password')) {
        errs.push(required(dataPath.key('username')), required(dataPath.key('password')));
      }
      break;
    case SECRET_TYPE_SSH_AUTH:
      if (!has('ssh-privatekey')) errs.push(required(dataPath.key('ssh-privatekey')));
      break;
    case SECRET_TYPE_DOCKER_CONFIG_JSON:
    case SECRET_TYPE_DOCKERCFG: {
      const key = s.type === SECRET_TYPE_DOCKERCFG ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.push(required(dataPath.key(key)));
      else if (!isJSON(Buffer.from(data[key], 'base64').toString('utf8'))) errs.push(invalid(dataPath.key(key), '<secret contents redacted>', 'must be valid JSON'));
      break;
    }
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(next: Secret, old: Secret): FieldErrorList {
  const errs = validateSecret(next);
  if ((next.type ?? SECRET_TYPE_OPAQUE) !== (old.type ?? SECRET_TYPE_OPAQUE)) errs.push(invalid(FieldPath.root('type'), next.type, 'field is immutable'));
  errs.push(...immutableDataErrors(next, old, ['data']));
  return errs;
}

/** `immutable: true` may not be unset, and freezes the named data fields. */
export function immutableDataErrors(next: { immutable?: boolean } & Record<string, unknown>, old: { immutable?: boolean } & Record<string, unknown>, fields: string[]): FieldErrorList {
  if (old.immutable !== true) return [];
  const errs: FieldErrorList = [];
  if (next.immutable !== true) errs.push(forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (JSON.stringify(sorted(next[f])) !== JSON.stringify(sorted(old[f]))) errs.push(forbidden(FieldPath.root(f), 'field is immutable when `immutable` is set'));
  }
  return errs;
}

function sorted(v: unknown): unknown {
  if (!isMap(v)) return v ?? {};
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isJSON(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
