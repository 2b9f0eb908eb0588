// What the generic flows need from their surroundings: the store, a clock and a uid source
// (injected, so tests and facades can drive them).
import { randomUUID } from 'node:crypto';
import type { Store } from '../../storage/interface';
import type { FieldValidation } from './options';

export interface RegistryContext {
  store: Store;
  now(): string;
  uid(): string;
}

export function defaultContext(store: Store): RegistryContext {
  return { store, now: rfc3339Now, uid: randomUUID };
}

/** metav1.Time: RFC 3339, seconds precision, UTC. */
export function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type { FieldValidation };
