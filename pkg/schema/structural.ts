// Pruning and defaulting over a structural schema, as apiextensions-apiserver does them
// (pkg/apiserver/schema/pruning and .../defaulting). Pure functions; they mutate `obj` in place.
import type { JSONSchemaProps } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The schema of property `k`, own properties only: a key named like an Object.prototype member
 * (`toString`, `constructor`, `__proto__`) is an ordinary unknown field, never an inherited one.
 */
export function propertySchema(s: JSONSchemaProps, k: string): JSONSchemaProps | undefined {
  const props = s.properties;
  return isObj(props) && hasOwn(props, k) && isObj(props[k]) ? (props[k] as JSONSchemaProps) : undefined;
}

/** Fields kept at the root of every resource (and of embedded resources) whatever the schema says. */
const ROOT_KEPT = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Remove every field the schema does not declare, in place. Returns the removed fields' paths
 * as kube prints them (`spec.foo`, `spec.endpoints[0].bar`, `foo` at the root), in document
 * order, for fieldValidation=Strict ("unknown field ...") and Warn (a Warning header).
 * apiVersion/kind/metadata are always kept at the root and nothing inside metadata is pruned;
 * x-kubernetes-preserve-unknown-fields keeps undeclared fields (declared ones are still pruned
 * within); additionalProperties schemas apply to every key of a map.
 */
export function pruneUnknownFields(obj: unknown, schema: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  pruneNode(obj, schema, '', true, pruned);
  return pruned;
}

function pruneNode(x: unknown, s: JSONSchemaProps | undefined, path: string, isRoot: boolean, pruned: string[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    if (s.items) x.forEach((item, i) => pruneNode(item, s.items, `${path}[${i}]`, false, pruned));
    return;
  }
  if (!isObj(x)) return;
  const keepResourceFields = isRoot || s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  const addl = isObj(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
  for (const k of Object.keys(x)) {
    const childPath = path ? `${path}.${k}` : k;
    if (keepResourceFields && ROOT_KEPT.has(k)) {
      if (k !== 'metadata') pruneNode(x[k], propertySchema(s, k), childPath, false, pruned);
      continue;
    }
    const prop = propertySchema(s, k);
    if (prop) pruneNode(x[k], prop, childPath, false, pruned);
    else if (addl) pruneNode(x[k], addl, childPath, false, pruned);
    else if (!preserve) {
      delete x[k];
      pruned.push(childPath);
    }
  }
}

/**
 * Apply `default:` values in place, as the apiserver does when reading a request body: a
 * property absent (or null where the schema is not nullable) gets a deep copy of its default,
 * then defaulting recurses into every present property, map value and array item (so defaults
 * inside a default are applied too). A null in a non-nullable field without a default is
 * dropped (kube's PruneNonNullableNullsWithoutDefaults). Returns obj for chaining.
 */
export function applyDefaults<T>(obj: T, schema: JSONSchemaProps): T {
  defaultNode(obj, schema, true);
  return obj;
}

function defaultNode(x: unknown, s: JSONSchemaProps | undefined, isRoot: boolean): void {
  if (!s) return;
  if (Array.isArray(x)) {
    if (s.items) for (const item of x) defaultNode(item, s.items, false);
    return;
  }
  if (!isObj(x)) return;
  const props = isObj(s.properties) ? (s.properties as Record<string, JSONSchemaProps>) : {};
  for (const [k, prop] of Object.entries(props)) {
    if (isRoot && k === 'metadata') continue;
    const nullToDrop = x[k] === null && !prop.nullable;
    if (prop.default === undefined) {
      if (nullToDrop) delete x[k];
      continue;
    }
    if (!hasOwn(x, k) || nullToDrop) Object.defineProperty(x, k, { value: structuredClone(prop.default), writable: true, enumerable: true, configurable: true });
  }
  const addl = isObj(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
  for (const [k, v] of Object.entries(x)) {
    if (isRoot && k === 'metadata') continue;
    const prop = propertySchema(s, k);
    if (prop) defaultNode(v, prop, false);
    else if (addl) {
      if (v === null && !addl.nullable) {
        if (addl.default === undefined) {
          delete x[k];
          continue;
        }
        x[k] = structuredClone(addl.default);
      }
      defaultNode(x[k], addl, false);
    }
  }
}
