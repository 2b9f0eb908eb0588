// Semantic validation of Proxy: only the provider is checked; the rest is Apoxy's and kept.
import { FieldErrorList, FieldPath } from '../../meta/v1/field';
import { asObject, validateEnum } from '../../meta/v1/validation';
import type { KObject } from '../../meta/v1/types';
import { DEFAULT_INFRA_PROVIDER, INFRA_PROVIDERS } from './proxy_types';

export function validateProxy(obj: KObject): FieldErrorList {
  const spec = asObject(obj?.spec);
  if (!spec) return [];
  return validateEnum(spec.provider, FieldPath.root('spec').child('provider'), INFRA_PROVIDERS);
}

/** Validates the new object; nothing is immutable. */
export function validateProxyUpdate(newObj: KObject, _oldObj: KObject): FieldErrorList {
  return validateProxy(newObj);
}

/** The provider in effect: Apoxy treats an absent one as cloud. */
export function proxyProvider(obj: KObject): string {
  const p = asObject(obj?.spec)?.provider;
  return typeof p === 'string' && p !== '' ? p : DEFAULT_INFRA_PROVIDER;
}
