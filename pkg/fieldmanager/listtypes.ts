// Building ListTypeAt callbacks: from a table of dotted paths, or from a CRD's openAPIV3Schema
// (x-kubernetes-list-type / x-kubernetes-list-map-keys).
import { isPlainObject, ListType, ListTypeAt } from './fieldset';

/**
 * From `{ 'status.conditions': {type:'map', keys:['type']}, 'spec.rules[].matches': {type:'set'} }`.
 * `[]` after a name steps into that list's elements.
 */
export function listTypeAtFromMap(table: Readonly<Record<string, ListType>>): ListTypeAt {
  const m = new Map<string, ListType>();
  for (const [dotted, lt] of Object.entries(table)) {
    const parts: string[] = [];
    for (const seg of dotted.split('.')) {
      let s = seg;
      let n = 0;
      while (s.endsWith('[]')) {
        s = s.slice(0, -2);
        n++;
      }
      parts.push(s);
      for (let i = 0; i < n; i++) parts.push('[]');
    }
    m.set(JSON.stringify(parts), lt);
  }
  return (sp) => m.get(JSON.stringify(sp));
}

/**
 * From a structural schema (a CRD version's `schema.openAPIV3Schema`): walks `properties`,
 * `items` (for `[]`) and `additionalProperties` (any other name); lists default to atomic.
 */
export function listTypeAtFromSchema(schema: unknown): ListTypeAt {
  const cache = new Map<string, ListType | undefined>();
  return (sp) => {
    const ck = JSON.stringify(sp);
    if (cache.has(ck)) return cache.get(ck);
    let node: unknown = schema;
    for (const seg of sp) {
      if (!isPlainObject(node)) break;
      if (seg === '[]') node = node.items;
      else {
        const props = node.properties;
        if (isPlainObject(props) && Object.prototype.hasOwnProperty.call(props, seg)) node = props[seg];
        else if (isPlainObject(node.additionalProperties)) node = node.additionalProperties;
        else node = undefined;
      }
    }
    let lt: ListType | undefined;
    if (isPlainObject(node)) {
      const t = node['x-kubernetes-list-type'];
      const keys = node['x-kubernetes-list-map-keys'];
      if (t === 'map' && Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string')) {
        lt = { type: 'map', keys: keys as string[] };
      } else if (t === 'set') lt = { type: 'set' };
      else if (t === 'atomic') lt = { type: 'atomic' };
    }
    cache.set(ck, lt);
    return lt;
  };
}

/** Tries each callback in turn. */
export function combineListTypes(...fns: ListTypeAt[]): ListTypeAt {
  return (sp) => {
    for (const f of fns) {
      const lt = f(sp);
      if (lt) return lt;
    }
    return undefined;
  };
}
