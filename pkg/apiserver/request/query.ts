// Query parameters as kube parses them. Booleans follow Go's strconv.ParseBool (the Python client
// sends `watch=True`); integers are strict.
import { badRequest } from '../../apierrors/errors';

export type Query = Record<string, unknown>;

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A parameter's value; given twice, the first wins (kube's Convert_Slice_string_To_string, Go's Values.Get). */
export function str(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  if (typeof v === 'string') return v;
  throw badRequest(`invalid value for query parameter ${name}`);
}

export function bool(q: Query, name: string): boolean {
  const v = str(q, name);
  if (v === undefined || v === '') return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw badRequest(`invalid boolean value for ${name}: ${JSON.stringify(v)}`);
}

export function int(q: Query, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = str(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?[0-9]{1,16}$/.test(v)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}: must be an integer`);
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`invalid value for ${name}: ${n}: must be between ${min} and ${max}`);
  return n;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(q: Query): FieldValidation {
  const v = str(q, 'fieldValidation');
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}; must be one of Ignore, Warn, Strict`);
}

/** dryRun=All is the only value kube accepts */
export function dryRun(q: Query, body?: { dryRun?: unknown }): boolean {
  const raw = q.dryRun;
  const vals: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (body && Array.isArray(body.dryRun)) vals.push(...body.dryRun);
  for (const v of vals) {
    if (v !== 'All') throw badRequest(`Invalid value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return vals.length > 0;
}

export function fieldManager(q: Query, userAgent: string | undefined): string {
  const v = str(q, 'fieldManager');
  if (v !== undefined) {
    if (v.length > 128) throw badRequest('fieldManager: Too long: may not be longer than 128');
    if (/[^\x20-\x7e]/.test(v)) throw badRequest('fieldManager: Invalid value: must only contain printable characters');
    return v;
  }
  // kube: the user agent's program name, e.g. "kubectl" from "kubectl/v1.32.4 (linux/amd64) ..."
  const prog = (userAgent ?? '').split('/')[0].trim();
  return prog && prog.length <= 128 && !/[^\x20-\x7e]/.test(prog) ? prog : 'unknown';
}

