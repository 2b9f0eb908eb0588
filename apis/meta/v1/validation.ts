// Small value checks every kind's validator shares. Each takes the value as it came off the
// wire (unknown: the validators must never throw on arbitrary JSON), a FieldPath, and returns
// the FieldErrorList for that one value; `undefined` (absent) is always valid here.
import { formatDuration, GATEWAY_DURATION_PATTERN, parseDuration, parseGatewayDuration } from './duration';
import { FieldErrorList, FieldPath, invalid, notSupported, required, tooMany, typeInvalid } from './field';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type name kube reports for a value of the wrong type ("string", "integer", "array", ...). */
export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The value as an object, or undefined when absent or not an object (the schema reports that). */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return isObject(v) ? v : undefined;
}

/** The value as an array, or [] when absent or not an array (the schema reports that). */
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A non-empty string is present. */
export function validateRequiredString(v: unknown, path: FieldPath): FieldErrorList {
  if (v === undefined || v === null || v === '') return [required(path)];
  if (typeof v !== 'string') return [typeInvalid(path, jsonTypeName(v), 'must be of type string')];
  return [];
}

export function validateString(v: unknown, path: FieldPath, maxLength?: number): FieldErrorList {
  if (v === undefined) return [];
  if (typeof v !== 'string') return [typeInvalid(path, jsonTypeName(v), 'must be of type string')];
  if (maxLength !== undefined && v.length > maxLength) return [invalid(path, v, `must be no more than ${maxLength} characters`)];
  return [];
}

/**
 * An integer within [min, max] (max optional). Messages match the schema validator's, so the
 * same problem reported by both collapses into one cause.
 */
export function validateInt(v: unknown, path: FieldPath, min: number, max?: number): FieldErrorList {
  if (v === undefined) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [typeInvalid(path, jsonTypeName(v), 'must be of type integer')];
  if (v < min) return [invalid(path, v, `must be greater than or equal to ${min}`)];
  if (max !== undefined && v > max) return [invalid(path, v, `must be less than or equal to ${max}`)];
  return [];
}

/** kube's IsValidPortNum. */
export function validatePort(v: unknown, path: FieldPath): FieldErrorList {
  return validateInt(v, path, 1, 65535);
}

export function validateEnum(v: unknown, path: FieldPath, allowed: readonly string[]): FieldErrorList {
  if (v === undefined) return [];
  if (typeof v !== 'string' || !allowed.includes(v)) return [notSupported(path, v, allowed)];
  return [];
}

export function validateBool(v: unknown, path: FieldPath): FieldErrorList {
  if (v === undefined || typeof v === 'boolean') return [];
  return [typeInvalid(path, jsonTypeName(v), 'must be of type boolean')];
}

export function validateMaxItems(v: unknown, path: FieldPath, max: number): FieldErrorList {
  if (Array.isArray(v) && v.length > max) return [tooMany(path, v.length, max)];
  return [];
}

export interface DurationBounds {
  /** inclusive lower bound in ms */
  min?: number;
  /** the value must be strictly greater than 0 */
  positive?: boolean;
  /** Gateway API (GEP-2257) syntax instead of Go's */
  gateway?: boolean;
}

/** A duration string that parses and respects its bounds. */
export function validateDuration(v: unknown, path: FieldPath, bounds: DurationBounds = {}): FieldErrorList {
  if (v === undefined) return [];
  if (typeof v !== 'string') return [typeInvalid(path, jsonTypeName(v), 'must be of type string')];
  if (bounds.gateway) {
    // the CRD carries the same pattern; the same message lets the two reports collapse into one
    if (!parseGatewayDuration(v).ok) return [invalid(path, v, `should match '${GATEWAY_DURATION_PATTERN}'`)];
  }
  const r = parseDuration(v);
  if (!r.ok) return [invalid(path, v, `must be a duration such as "5s", "1m30s" or "500ms" (${r.error})`)];
  if (bounds.min !== undefined && r.ms < bounds.min) return [invalid(path, v, `must be at least ${formatDuration(bounds.min)}`)];
  if (bounds.positive && r.ms <= 0) return [invalid(path, v, 'must be greater than 0')];
  if (r.ms < 0) return [invalid(path, v, 'must not be negative')];
  return [];
}
