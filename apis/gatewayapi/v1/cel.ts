// Helpers for the upstream CRDs' CEL rules (x-kubernetes-validations) written as code. A failed CEL
// rule is reported by kube as `<path>: Invalid value: "object": <message>`; so is it here.
import { FieldPath, invalid, type FieldError } from '../../meta/v1/field';

export const celError = (path: FieldPath, message: string): FieldError => invalid(path, 'object', message);

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const objs = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
/** CEL `has(x.f)`: present and not null */
export const has = (o: Record<string, unknown> | undefined, f: string): boolean => !!o && Object.hasOwn(o, f) && o[f] !== null && o[f] !== undefined;
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * A list the CRD bounds with maxItems, as a CEL rule comparing its elements pairwise sees it: a list
 * past its bound is already refused by the schema ("Too many"), and kube would stop such a rule on
 * its cost budget; here the rule is skipped (an n² comparison over a 3 MB body of `{}` would hold
 * the event loop for hours).
 */
export const bounded = <T>(list: T[], maxItems: number): T[] => (list.length > maxItems ? [] : list);
