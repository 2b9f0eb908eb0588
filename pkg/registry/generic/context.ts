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
  // one string per second: creates stamp it twice (creationTimestamp, managedFields time)
  const sec = Math.floor(Date.now() / 1000);
  if (sec !== nowSecond) {
    nowSecond = sec;
    nowText = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return nowText;
}
let nowSecond = NaN;
let nowText = '';

export type { FieldValidation };
