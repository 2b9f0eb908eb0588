// Field selectors: a port of k8s.io/apimachinery/pkg/fields (ParseSelector, escaping, matching)
// plus the apiserver's "field label not supported" check against the fields a kind can select on.
import { SelectorError } from './errors';
import { compareGoStrings } from './labels';

export { SelectorError } from './errors';

/** Reads one selectable field from an object; undefined reads as "" (kube's fields.Set.Get). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldGetter = (obj: any) => string | undefined;

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** the unescaped value */
  readonly value: string;
}

export interface FieldSelector {
  /** true when the selector restricts nothing */
  readonly empty: boolean;
  /** terms in kube's order (the raw terms sorted as strings) */
  readonly requirements: readonly FieldRequirement[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  matches(obj: any): boolean;
  /** canonical text, values re-escaped: `metadata.name=a\,b,spec.x!=y` */
  toString(): string;
  /** the value `field=v` / `field==v` pins the field to, like kube's RequiresExactMatch */
  requiresExactMatch(field: string): string | undefined;
}

/** The fields every kind supports. */
export const DEFAULT_FIELD_GETTERS: Readonly<Record<string, FieldGetter>> = Object.freeze({
  'metadata.name': (obj) => {
    const v = obj?.metadata?.name;
    return typeof v === 'string' ? v : undefined;
  },
  'metadata.namespace': (obj) => {
    const v = obj?.metadata?.namespace;
    return typeof v === 'string' ? v : undefined;
  },
});

/** fields.EscapeValue: `\` → `\\`, `,` → `\,`, `=` → `\=`. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue, with kube's error texts. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw new SelectorError(`invalid field selector: unescaped character in value: ${c}`);
    else out += c;
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** splitTerms: split on commas not preceded by an (unescaped) backslash; escapes are kept. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS: readonly FieldOperator[] = ['!=', '==', '='];

/** splitTerm: the first occurrence of an operator (checked in the order != == =) splits the term. */
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

class AndSelector implements FieldSelector {
  constructor(
    readonly requirements: readonly FieldRequirement[],
    private readonly getters: Readonly<Record<string, FieldGetter>>,
  ) {}
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  matches(obj: any): boolean {
    return this.requirements.every((r) => {
      const get = Object.prototype.hasOwnProperty.call(this.getters, r.field) ? this.getters[r.field] : undefined;
      const v = get ? (get(obj) ?? '') : '';
      return r.operator === '!=' ? v !== r.value : v === r.value;
    });
  }
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
      .join(',');
  }
  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator !== '!=') return r.value;
    return undefined;
  }
}

/**
 * kube's fields.ParseSelector followed by the apiserver's check that every field is selectable
 * for the kind: `supported` adds to metadata.name and metadata.namespace. Empty string = everything.
 * Throws SelectorError only.
 */
export function parseFieldSelector(s: string, supported: Readonly<Record<string, FieldGetter>> = {}): FieldSelector {
  if (typeof s !== 'string') throw new SelectorError(`invalid field selector: ${String(s)}`);
  const getters: Record<string, FieldGetter> = { ...DEFAULT_FIELD_GETTERS, ...supported };
  const parts = splitTerms(s).sort(compareGoStrings);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, operator, rhs] = split;
    reqs.push(Object.freeze({ field, operator, value: unescapeFieldValue(rhs) }));
  }
  for (const r of reqs) {
    if (!Object.prototype.hasOwnProperty.call(getters, r.field)) {
      throw new SelectorError(`field label not supported: ${r.field}`);
    }
  }
  return new AndSelector(Object.freeze(reqs), getters);
}

/**
 * The name a selector pins `metadata.name` to (`metadata.name=x`), to narrow a list/watch to one
 * key. Takes a parsed selector or the raw `fieldSelector` text (undefined when it does not parse).
 */
export function exactNameFromFieldSelector(sel: FieldSelector | string | undefined | null): string | undefined {
  if (typeof sel === 'string') {
    try {
      const lenient: Record<string, FieldGetter> = {};
      for (const t of splitTerms(sel)) {
        const st = splitTerm(t);
        if (st) lenient[st[0]] = () => undefined;
      }
      sel = parseFieldSelector(sel, lenient);
    } catch {
      return undefined;
    }
  }
  return sel ? sel.requiresExactMatch('metadata.name') : undefined;
}
