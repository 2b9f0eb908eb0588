// OpenAPI v3 (structural CRD schema) validation with ajv 8, reported as kube FieldErrors.
// Each schema is translated (kube extensions → JSON Schema) and compiled once; validate() is
// then a pure function that never throws, whatever JSON it is handed.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDuration } from '../../apis/meta/v1/duration';
import { jsonTypeName } from '../../apis/meta/v1/validation';
import {
  duplicate,
  FieldError,
  FieldErrorList,
  invalid,
  notSupported,
  required,
  tooMany,
  typeInvalid,
} from '../../apis/meta/v1/field';
import type { CustomResourceDefinition, JSONSchemaProps } from './types';

export type ObjectValidator = (obj: unknown) => FieldErrorList;

/** Formats kube knows that we check; every other `format` is ignored, as kube ignores it. */
const CHECKED_FORMATS = ['date-time', 'date', 'ipv4', 'ipv6', 'uri', 'email', 'hostname', 'uuid', 'byte', 'int32', 'int64', 'float', 'double', 'password'] as const;
const KNOWN_FORMATS = new Set<string>([...CHECKED_FORMATS, 'duration']);

let sharedAjv: Ajv | undefined;

function ajv(): Ajv {
  if (sharedAjv) return sharedAjv;
  const a = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateSchema: false, code: { optimize: 1 } });
  addFormats(a, [...CHECKED_FORMATS]);
  // kube's "duration" format is Go's time.ParseDuration, not ISO 8601.
  a.addFormat('duration', { type: 'string', validate: (s: string) => parseDuration(s).ok });
  sharedAjv = a;
  return a;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Translate a kube structural schema into plain JSON Schema for ajv: `nullable` → a "null" type,
 * `x-kubernetes-int-or-string` → integer or string, OpenAPI 3.0 boolean exclusiveMinimum/Maximum
 * → draft-07 numbers; `default`, descriptions, unknown formats and other x-kubernetes-* dropped.
 */
export function toAjvSchema(s: JSONSchemaProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable' || k === 'default' || k === 'description' || k === 'example') continue;
    if (k === 'format' && !KNOWN_FORMATS.has(String(v))) continue;
    if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') continue;
    if (k === 'properties' && isObj(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toAjvSchema(ps as JSONSchemaProps)]));
    } else if ((k === 'items' || k === 'not') && isObj(v)) {
      out[k] = toAjvSchema(v as JSONSchemaProps);
    } else if (k === 'additionalProperties') {
      out[k] = isObj(v) ? toAjvSchema(v as JSONSchemaProps) : v;
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = v.map((x) => toAjvSchema(x as JSONSchemaProps));
    } else {
      out[k] = v;
    }
  }
  if (s['x-kubernetes-int-or-string']) out.type = ['integer', 'string'];
  if (s.exclusiveMinimum === true && typeof s.minimum === 'number') {
    delete out.minimum;
    out.exclusiveMinimum = s.minimum;
  }
  if (s.exclusiveMaximum === true && typeof s.maximum === 'number') {
    delete out.maximum;
    out.exclusiveMaximum = s.maximum;
  }
  if (s.nullable === true) {
    if (out.type !== undefined) out.type = [...(Array.isArray(out.type) ? out.type : [out.type]), 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** Compile one openAPIV3Schema into a validator returning kube-style field errors. */
export function compileSchema(schema: JSONSchemaProps): ObjectValidator {
  const a = ajv();
  const translated = toAjvSchema(schema);
  const fn = a.compile(translated);
  a.removeSchema(translated); // the compiled function stands alone; don't grow ajv's cache
  return (obj: unknown) => {
    try {
      fn(obj);
      return toFieldErrors(fn, obj);
    } catch (e) {
      return [{ type: 'InternalError', field: '', detail: `schema validation failed: ${(e as Error).message}` }];
    }
  };
}

/** Validators for every version of every CRD, compiled once, looked up by group/version/plural. */
export class SchemaValidators {
  private readonly byKey = new Map<string, ObjectValidator>();

  constructor(crds: CustomResourceDefinition[]) {
    for (const crd of crds) {
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (schema) this.byKey.set(key(crd.spec.group, v.name, crd.spec.names.plural), compileSchema(schema));
      }
    }
  }

  get(group: string, version: string, plural: string): ObjectValidator | undefined {
    return this.byKey.get(key(group, version, plural));
  }

  /** Validate `obj` against group/version/plural's schema; an unknown resource is an InternalError. */
  validate(group: string, version: string, plural: string, obj: unknown): FieldErrorList {
    const v = this.get(group, version, plural);
    if (!v) return [{ type: 'InternalError', field: '', detail: `no schema for ${plural}.${group}/${version}` }];
    return v(obj);
  }
}

const key = (group: string, version: string, plural: string) => `${group}/${version}/${plural}`;

/**
 * Schema errors plus semantic (strategy) errors as one list for a 422: a semantic error at a
 * field the schema already faulted is dropped (the schema's message is kept), so one bad value
 * yields one cause while distinct problems elsewhere are all still reported.
 */
export function mergeFieldErrors(schemaErrs: FieldErrorList, semanticErrs: FieldErrorList): FieldErrorList {
  const faulted = new Set(schemaErrs.map((e) => e.field));
  const covered = (f: string) => faulted.has(f);
  const out = [...schemaErrs];
  const seen = new Set(out.map((e) => `${e.type}\u0000${e.field}\u0000${e.detail}`));
  for (const e of semanticErrs) {
    const id = `${e.type}\u0000${e.field}\u0000${e.detail}`;
    if (seen.has(id) || covered(e.field)) continue;
    seen.add(id);
    out.push(e);
  }
  return out;
}

function toFieldErrors(fn: ValidateFunction, obj: unknown): FieldErrorList {
  const errs = fn.errors ?? [];
  const inBranch = (e: ErrorObject) => e.schemaPath.includes('/anyOf/') || e.schemaPath.includes('/oneOf/');
  const typeErrorAt = new Set(errs.filter((e) => e.keyword === 'type' && !inBranch(e)).map((e) => e.instancePath));
  const out: FieldErrorList = [];
  const seen = new Set<string>();
  for (const e of errs) {
    // a value of the wrong type gets that one error (no format/range/anyOf noise on top)
    if (e.keyword !== 'type' && typeErrorAt.has(e.instancePath)) continue;
    // a failed branch's own errors are noise; the anyOf/oneOf error itself is reported
    if (inBranch(e)) continue;
    const fe = toFieldError(e, obj);
    const id = `${fe.type}\u0000${fe.field}\u0000${fe.detail}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(fe);
  }
  return out;
}

function toFieldError(e: ErrorObject, root: unknown): FieldError {
  const { path, value } = locate(root, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      return typeInvalid(path, jsonTypeName(value), `must be of type ${types.filter((t) => t !== 'null').join(' or ')}`);
    }
    case 'enum':
      return notSupported(path, value, (p.allowedValues as unknown[]).map(enumText));
    case 'const':
      return notSupported(path, value, [enumText(p.allowedValue)]);
    case 'required':
      return required(join(path, String(p.missingProperty)));
    case 'maximum':
      return invalid(path, value, `must be less than or equal to ${p.limit}`);
    case 'exclusiveMaximum':
      return invalid(path, value, `must be less than ${p.limit}`);
    case 'minimum':
      return invalid(path, value, `must be greater than or equal to ${p.limit}`);
    case 'exclusiveMinimum':
      return invalid(path, value, `must be greater than ${p.limit}`);
    case 'pattern':
      return invalid(path, value, `should match '${p.pattern}'`);
    case 'maxLength':
      return invalid(path, value, `must be no more than ${p.limit} characters`);
    case 'minLength':
      return invalid(path, value, `must be at least ${p.limit} characters long`);
    case 'maxItems':
    case 'maxProperties':
      return tooMany(path, sizeOf(value), Number(p.limit));
    case 'minItems':
      return invalid(path, sizeOf(value), `must have at least ${p.limit} items`);
    case 'minProperties':
      return invalid(path, sizeOf(value), `must have at least ${p.limit} properties`);
    case 'uniqueItems': {
      const j = Number(p.i);
      return duplicate(`${path}[${j}]`, Array.isArray(value) ? value[j] : undefined);
    }
    case 'format':
      return invalid(path, value, `must be of format ${p.format}`);
    case 'additionalProperties':
      return invalid(join(path, String(p.additionalProperty)), undefined, 'unknown field');
    default:
      return invalid(path, value, e.message ?? `failed ${e.keyword} validation`);
  }
}

/** Walk a JSON pointer through the object: kube path (`spec.endpoints[0].port`) and the value there. */
function locate(root: unknown, pointer: string): { path: string; value: unknown } {
  if (pointer === '') return { path: '', value: root };
  let cur: unknown = root;
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      path += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      path = join(path, seg);
      cur = isObj(cur) && Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    }
  }
  return { path, value: cur };
}

const join = (path: string, child: string) => (path ? `${path}.${child}` : child);

const enumText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const sizeOf = (v: unknown): number => (Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : 0);
