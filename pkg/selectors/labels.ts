// Label selectors: a port of k8s.io/apimachinery/pkg/labels (Parse, NewRequirement, Matches,
// String) and metav1.LabelSelectorAsSelector, with kube's error messages.
//
//   <selector>    ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ ("in"|"notin") "(" VALUES ")" | ("="|"=="|"!="|">"|"<") VALUE ]
import { labelValueErrors, qualifiedNameErrors } from '../../apis/meta/v1/name_validation';
import { SelectorError } from './errors';
import { compareGoStrings, goQuote } from '../util/go_strings';

export { SelectorError } from './errors';

/** kube's selection.Operator values. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

const VALID_OPERATORS: readonly LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'exists', '!', 'gt', 'lt'];

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** sorted and de-duplicated for parsed selectors (kube's sets.String.List()) */
  readonly values: readonly string[];
}

export type Labels = Record<string, string> | undefined | null;

export interface LabelSelector {
  /** true when the selector restricts nothing (matches every object) */
  readonly empty: boolean;
  /** requirements sorted by key; empty for the everything and nothing selectors */
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Labels): boolean;
  /** canonical text form, e.g. `app=web,tier in (a,b),!canary` (kube's Selector.String()) */
  toString(): string;
  /** the value a selector pins `label` to (`label=v`, `label==v`, `label in (v)`), like kube's RequiresExactMatch */
  requiresExactMatch(label: string): string | undefined;
}

// ---- field.Error formatting (the tiny subset labels need) -----------------------------------

function goValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[]string{${v.map((x) => goQuote(String(x))).join(', ')}}`;
  return String(v);
}

/** field.Invalid(path, value, detail).Error(); an unset path prints as `<nil>` like Go's nil *field.Path. */
function invalidMsg(path: string | null, value: unknown, detail: string): string {
  return `${path ?? '<nil>'}: Invalid value: ${goValue(value)}: ${detail}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several de-duplicated inside [..]. */
function aggregate(msgs: string[]): string {
  const seen: string[] = [];
  for (const m of msgs) if (!seen.includes(m)) seen.push(m);
  return seen.length === 1 ? seen[0] : `[${seen.join(', ')}]`;
}

// ---- requirements -----------------------------------------------------------------------------

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64); undefined on any error. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function keyErrors(key: string, path: string | null): string | undefined {
  const errs = qualifiedNameErrors(key);
  return errs.length ? invalidMsg(path, key, errs.join('; ')) : undefined;
}

/**
 * kube's labels.NewRequirement: validates key, operator arity and values; throws SelectorError
 * with kube's aggregated message. `values` are kept as given (callers sort when kube does).
 */
export function newLabelRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const errs: string[] = [];
  const ke = keyErrors(key, 'key');
  if (ke) errs.push(ke);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidMsg('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidMsg('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidMsg('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidMsg('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalidMsg(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${goQuote(String(operator))}: supported values: ${VALID_OPERATORS.map(goQuote).join(', ')}`,
      );
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalidMsg(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  if (errs.length) throw new SelectorError(aggregate(errs));
  return Object.freeze({ key, operator, values: Object.freeze([...values]) });
}

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? String(labels![r.key]) : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(value);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

function requirementString(r: LabelRequirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return s;
    case '=':
      s += '=';
      break;
    case '==':
      s += '==';
      break;
    case '!=':
      s += '!=';
      break;
    case 'in':
      s += ' in ';
      break;
    case 'notin':
      s += ' notin ';
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
  }
  const set = r.operator === 'in' || r.operator === 'notin';
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort(compareGoStrings).join(',');
  return set ? `${s}(${vals})` : s + vals;
}

class InternalSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  constructor(
    reqs: readonly LabelRequirement[],
    private readonly nothing = false,
  ) {
    // sort.Sort(ByKey(...)) — not stable in Go; a stable sort gives the same text for distinct keys
    this.requirements = Object.freeze([...reqs].sort((a, b) => compareGoStrings(a.key, b.key)));
  }
  get empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }
  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== label) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }
}

/** Matches every object (kube's labels.Everything()). */
export function everythingLabelSelector(): LabelSelector {
  return new InternalSelector([]);
}

/** Matches no object (kube's labels.Nothing(), what a nil metav1.LabelSelector means). */
export function nothingLabelSelector(): LabelSelector {
  return new InternalSelector([], true);
}

/** A selector from requirements (validated by newLabelRequirement). */
export function labelSelectorFromRequirements(reqs: readonly LabelRequirement[]): LabelSelector {
  return new InternalSelector(reqs);
}

/** kube's ValidatedSelectorFromSet: `k=v` for every entry; empty/absent set = everything. */
export function labelSelectorFromSet(set: Labels): LabelSelector {
  if (!set) return everythingLabelSelector();
  return new InternalSelector(Object.entries(set).map(([k, v]) => newLabelRequirement(k, '=', [v])));
}

// ---- lexer --------------------------------------------------------------------------------------

const enum Tok {
  Error,
  EOS,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};

const tokenOf = (s: string): Tok | undefined =>
  Object.prototype.hasOwnProperty.call(STRING_TO_TOKEN, s) ? STRING_TO_TOKEN[s] : undefined;

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) =>
  ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  let pos = 0;
  // Go's lexer reads bytes and treats a 0 byte as the end of input; so do we (on UTF-16 units).
  const read = (): string => {
    return pos < s.length ? s[pos++] : '\0';
  };
  const unread = () => {
    pos--;
  };
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === '\0') {
      item = { tok: Tok.EOS, lit: '' };
    } else if (isSpecial(ch)) {
      unread();
      let buf = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c)) {
          buf += c;
          const t = tokenOf(buf);
          if (t !== undefined) last = { tok: t, lit: buf };
          else if (last) {
            unread();
            break;
          }
        } else {
          unread();
          break;
        }
      }
      item = last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` };
    } else {
      unread();
      let buf = '';
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) {
          unread();
          break;
        }
        buf += c;
      }
      const t = tokenOf(buf);
      item = { tok: t ?? Tok.Identifier, lit: buf };
    }
    items.push(item);
    if (item.tok === Tok.EOS) return items;
  }
}

// ---- parser -------------------------------------------------------------------------------------

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In the Values context `in`/`notin` are plain identifiers. */
  private ctx(item: Item, values: boolean): Item {
    if (values && (item.tok === Tok.In || item.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: item.lit };
    return item;
  }
  lookahead(values = true): Item {
    return this.ctx(this.items[Math.min(this.pos, this.items.length - 1)], values);
  }
  consume(values = true): Item {
    const it = this.items[Math.min(this.pos, this.items.length - 1)];
    this.pos++;
    return this.ctx(it, values);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          reqs.push(r);
          const t = this.consume();
          if (t.tok === Tok.EOS) return reqs;
          if (t.tok === Tok.Comma) {
            const t2 = this.lookahead();
            if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) {
              throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
        case Tok.EOS:
          return reqs;
        default:
          throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const [key, inferred] = this.parseKeyAndInferOperator();
    if (inferred === 'exists' || inferred === '!') return newLabelRequirement(key, inferred, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newLabelRequirement(key, op, [...values].sort(compareGoStrings));
  }

  private parseKeyAndInferOperator(): [string, LabelOperator | undefined] {
    let op: LabelOperator | undefined;
    let t = this.consume();
    if (t.tok === Tok.DoesNotExist) {
      op = '!';
      t = this.consume();
    }
    if (t.tok !== Tok.Identifier) throw new SelectorError(`found '${t.lit}', expected: identifier`);
    const ke = keyErrors(t.lit, null);
    if (ke) throw new SelectorError(ke);
    const next = this.lookahead().tok;
    if ((next === Tok.EOS || next === Tok.Comma) && op !== '!') op = 'exists';
    return [t.lit, op];
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new SelectorError(`found '${lit}', expected: '=', '!=', '==', 'in', notin'`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume();
    if (open.tok !== Tok.OpenPar) throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead();
    switch (tok) {
      case Tok.Identifier:
      case Tok.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume().tok !== Tok.ClosedPar) throw new SelectorError(`found '${lit}', expected: ')'`);
        return s;
      }
      case Tok.ClosedPar:
        this.consume();
        return new Set(['']);
      default:
        throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume();
      if (tok === Tok.Identifier) {
        s.add(lit);
        const t2 = this.lookahead();
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosedPar) return s;
        throw new SelectorError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead().tok;
        if (t2 === Tok.ClosedPar) {
          s.add('');
          return s;
        }
        if (t2 === Tok.Comma) {
          this.consume();
          s.add('');
        }
      } else {
        throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const la = this.lookahead().tok;
    if (la === Tok.EOS || la === Tok.Comma) return new Set(['']);
    const { tok, lit } = this.consume();
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

/**
 * kube's labels.Parse. The empty (or all-blank) string is the everything selector.
 * Throws SelectorError (and nothing else) on malformed input.
 */
export function parseLabelSelector(s: string): LabelSelector {
  if (typeof s !== 'string') throw new SelectorError(`invalid label selector: ${String(s)}`);
  return new InternalSelector(new Parser(lex(s)).parse());
}

// ---- metav1.LabelSelector -------------------------------------------------------------------------

export interface LabelSelectorRequirementMeta {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelectorMeta {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementMeta[];
}

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything;
 * matchLabels are `k=v`, matchExpressions use In/NotIn/Exists/DoesNotExist. Throws SelectorError.
 */
export function labelSelectorFromMeta(sel: LabelSelectorMeta | null | undefined): LabelSelector {
  if (sel == null) return nothingLabelSelector();
  if (typeof sel !== 'object') throw new SelectorError('invalid label selector: must be an object');
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    reqs.push(newLabelRequirement(k, '=', [typeof v === 'string' ? v : String(v)]));
  }
  for (const expr of sel.matchExpressions ?? []) {
    const opMap: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    const op = expr && Object.prototype.hasOwnProperty.call(opMap, expr.operator) ? opMap[expr.operator] : undefined;
    if (!op) throw new SelectorError(`${goQuote(String(expr?.operator ?? ''))} is not a valid label selector operator`);
    reqs.push(newLabelRequirement(String(expr.key ?? ''), op, (expr.values ?? []).map(String)));
  }
  return new InternalSelector(reqs);
}

export { compareGoStrings };
