// Field paths and field errors, in the shape of k8s.io/apimachinery/pkg/util/validation/field:
// validators take a path, collect every error (never first-fail), and the apiserver turns the
// list into one 422 Status whose details.causes[] carry the reason and the field path.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** the offending value, when it helps the message */
  value?: unknown;
  /** detail, without the field path (the Status message adds it) */
  detail: string;
}

export type FieldErrorList = FieldError[];

/** An immutable field path: `spec.endpoints[0].fqdn`. */
export class FieldPath {
  private constructor(private readonly parts: readonly string[]) {}

  static root(name?: string): FieldPath {
    return new FieldPath(name ? [name] : []);
  }

  child(name: string, ...more: string[]): FieldPath {
    return new FieldPath([...this.parts, name, ...more]);
  }

  index(i: number): FieldPath {
    return this.withSuffix(`[${i}]`);
  }

  key(k: string): FieldPath {
    return this.withSuffix(`[${k}]`);
  }

  toString(): string {
    return this.parts.join('.');
  }

  private withSuffix(suffix: string): FieldPath {
    if (this.parts.length === 0) return new FieldPath([suffix]);
    const last = this.parts[this.parts.length - 1];
    return new FieldPath([...this.parts.slice(0, -1), last + suffix]);
  }
}

function make(type: FieldErrorType, path: FieldPath | string, value: unknown, detail: string): FieldError {
  return { type, field: String(path), value, detail };
}

export const required = (p: FieldPath | string, detail = 'Required value'): FieldError =>
  make('FieldValueRequired', p, undefined, detail);
export const invalid = (p: FieldPath | string, value: unknown, detail: string): FieldError =>
  make('FieldValueInvalid', p, value, detail);
export const notSupported = (p: FieldPath | string, value: unknown, allowed: readonly string[]): FieldError =>
  make('FieldValueNotSupported', p, value, `supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
export const forbidden = (p: FieldPath | string, detail: string): FieldError =>
  make('FieldValueForbidden', p, undefined, detail);
export const duplicate = (p: FieldPath | string, value: unknown): FieldError =>
  make('FieldValueDuplicate', p, value, 'Duplicate value');
export const tooLong = (p: FieldPath | string, value: unknown, max: number): FieldError =>
  make('FieldValueTooLong', p, value, `must have at most ${max} bytes`);
export const tooMany = (p: FieldPath | string, actual: number, max: number): FieldError =>
  make('FieldValueTooMany', p, actual, `must have at most ${max} items`);
export const typeInvalid = (p: FieldPath | string, value: unknown, detail: string): FieldError =>
  make('FieldValueTypeInvalid', p, value, detail);

/** Human text of one error the way kube prints it: `spec.protocol: Unsupported value: "x": supported values: ...` */
export function formatFieldError(e: FieldError): string {
  const prefix = e.field ? `${e.field}: ` : '';
  switch (e.type) {
    case 'FieldValueRequired':
      return `${prefix}Required value${e.detail && e.detail !== 'Required value' ? `: ${e.detail}` : ''}`;
    case 'FieldValueNotSupported':
      return `${prefix}Unsupported value: ${JSON.stringify(e.value)}: ${e.detail}`;
    case 'FieldValueDuplicate':
      return `${prefix}Duplicate value: ${goValue(e.value)}`;
    case 'FieldValueForbidden':
      return `${prefix}Forbidden: ${e.detail}`;
    case 'FieldValueTooLong':
      return `${prefix}Too long: ${e.detail}`;
    case 'FieldValueTooMany':
      return `${prefix}Too many: ${JSON.stringify(e.value)}: ${e.detail}`;
    case 'FieldValueTypeInvalid':
      return `${prefix}Invalid value: ${JSON.stringify(e.value)}: ${e.detail}`;
    default:
      return `${prefix}Invalid value: ${e.value === undefined ? '' : JSON.stringify(e.value) + ': '}${e.detail}`;
  }
}

/**
 * A bad value as field.Error prints it: strings quoted, numbers and bools bare, and anything else
 * with Go's %#v (a key map from a list-type map: `map[string]interface {}{"type":"Ready"}`).
 */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  return goSharpV(v);
}

function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[string]interface {}{${keys.map((k) => `${JSON.stringify(k)}:${goSharpV(o[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}
