// The compiled HTTPRoute router: built once per routing snapshot and listener, consulted once per
// request. Everything that can be decided without a request is decided here, at compile time:
// hostnames lower-cased and bucketed, path prefixes normalised, regular expressions compiled and
// anchored, every match of every rule sorted into Gateway API precedence. match() is then a few map
// lookups plus a linear scan that returns the first hit; it allocates only path slices for the
// lookups and (only when a query-param match is examined) the parsed query.
//
// Index: a PathPrefix `/a/b` can only match paths whose segments start with `a`, `b`, an Exact
// `/a/b` only the path `/a/b`, and a RegularExpression whose every match starts with the literal
// `/a/b/c` (regex.ts literalPrefix) only paths below `/a/b`. So each group keys its entries by that
// path ("key"; `''` for the prefix `/` and for patterns without such a literal) and precomputes, per
// key, the sorted list of every entry that can match a path at or below it (its own, its ancestors'
// prefixes and patterns, the root's). A request uses the list of the longest key that is the path
// itself or a prefix of it ending before a `/`. So the work per request depends on the entries that
// share its host group and path key, not on the size of the table.
//
// Hostname precedence (Gateway API "most specific hostname wins"):
//   1. the exact hostname (port stripped, case-insensitive, one trailing dot ignored),
//   2. wildcards, longest suffix first: `*.example.io` matches `a.example.io` and `a.b.example.io`,
//      never `example.io`,
//   3. rules without hostnames (and the hostname `*`).
// Groups are tried in that order and the first group with a matching rule wins: a route naming the
// request's host always beats a catch-all route, but a request the specific route does not match
// (another path, say) falls through to the less specific ones.
//
// Within a group, precedence across all matches of all rules:
//   Exact path > RegularExpression (implementation-specific; as Envoy Gateway, Contour and NGINX
//   Gateway Fabric: before every prefix, because a PathPrefix `/` is a catch-all that would hide
//   every regex; longer pattern source first) > PathPrefix (longest first; a trailing `/` does not
//   count), then a match with a
//   method, then more header matches, then more query-param matches, then the older route
//   (routeCreated), then route name (code-unit order), then rule index, then match index.
import type { MatchIR, RuleIR, ValueMatchIR } from '../ir';
import { compileFullMatch, literalPrefix, type FullMatcher } from './regex';

export interface RouteRequest {
  /** Host header or :authority; may carry a port; any case */
  host: string;
  /** path only, no query, percent-encoded as received */
  path: string;
  /** raw query without `?` */
  query: string;
  method: string;
  /** header value by lower-case name (node's joined value is fine) */
  header(name: string): string | undefined;
}

export interface RouteMatch {
  readonly rule: RuleIR;
  /** the match that won; for a rule with no matches, the implicit PathPrefix `/` match */
  readonly match: MatchIR;
  /**
   * PathPrefix matches only: the matched prefix as it appears at the start of the request path,
   * without a trailing `/` (`''` for the prefix `/`). What URLRewrite/RequestRedirect
   * ReplacePrefixMatch replaces. Undefined for Exact and RegularExpression matches.
   */
  readonly matchedPrefix?: string;
}

export interface Router {
  match(req: RouteRequest): RouteMatch | null;
  /** number of (rule, match) entries compiled for this listener */
  readonly size: number;
  /** matches that could not be compiled (a bad regular expression) and therefore never match */
  readonly warnings: readonly string[];
}

const PATH_EXACT = 0;
const PATH_REGEX = 1;
const PATH_PREFIX = 2;
const SLASH = 47;

/** The implicit match of a rule without matches. */
const IMPLICIT_MATCH: MatchIR = Object.freeze({
  path: Object.freeze({ type: 'PathPrefix' as const, value: '/' }),
  headers: Object.freeze([]) as unknown as ValueMatchIR[],
  queryParams: Object.freeze([]) as unknown as ValueMatchIR[],
});

/** Above this many list references in one group, the index is dropped for a single sorted list. */
const MAX_INDEX_REFS = 1_000_000;

class ValueMatcher {
  readonly name: string;
  readonly exact: string;
  readonly re: FullMatcher | null;
  constructor(name: string, exact: string, re: FullMatcher | null) {
    this.name = name;
    this.exact = exact;
    this.re = re;
  }
}

class Entry {
  readonly kind: number;
  /** Exact: the path; PathPrefix: the prefix without a trailing `/`; RegularExpression: the source */
  readonly value: string;
  readonly re: FullMatcher | null;
  readonly method: string | null;
  readonly headers: ValueMatcher[];
  readonly query: ValueMatcher[];
  readonly result: RouteMatch;
  /** Exact: the path; PathPrefix: the normalised prefix when it starts with `/`; RegularExpression: the directory of its literal prefix; else '' (root) */
  readonly key: string;
  readonly created: number;
  readonly route: string;
  readonly ruleIndex: number;
  readonly matchIndex: number;
  constructor(
    kind: number,
    value: string,
    re: FullMatcher | null,
    method: string | null,
    headers: ValueMatcher[],
    query: ValueMatcher[],
    result: RouteMatch,
    key: string,
    rule: RuleIR,
    matchIndex: number,
    created: number,
  ) {
    this.kind = kind;
    this.value = value;
    this.re = re;
    this.method = method;
    this.headers = headers;
    this.query = query;
    this.result = result;
    this.key = key;
    this.created = created;
    this.route = rule.route;
    this.ruleIndex = rule.ruleIndex;
    this.matchIndex = matchIndex;
  }
}

/**
 * Gateway API precedence; a total order but for entries of the same route, rule and match index
 * (duplicate rule ids), which keep their input order (Array.prototype.sort is stable).
 */
function comparePrecedence(a: Entry, b: Entry): number {
  if (a.kind !== b.kind) return a.kind - b.kind;
  if (a.kind !== PATH_EXACT && a.value.length !== b.value.length) return b.value.length - a.value.length;
  const am = a.method === null ? 0 : 1;
  const bm = b.method === null ? 0 : 1;
  if (am !== bm) return bm - am;
  if (a.headers.length !== b.headers.length) return b.headers.length - a.headers.length;
  if (a.query.length !== b.query.length) return b.query.length - a.query.length;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  if (a.route !== b.route) return a.route < b.route ? -1 : 1;
  if (a.ruleIndex !== b.ruleIndex) return a.ruleIndex - b.ruleIndex;
  return a.matchIndex - b.matchIndex;
}

/** The keys a path can be indexed under, longest first: the path, then each prefix ending before a `/`. */
function ancestorKeys(key: string): string[] {
  const out: string[] = [];
  for (let i = key.lastIndexOf('/'); i > 0; i = key.lastIndexOf('/', i - 1)) out.push(key.slice(0, i));
  return out;
}

/** All entries of one hostname group, sorted, indexed by path key. */
class Bucket {
  /** the entries as given (input order): a later compile with the same list reuses this bucket */
  readonly input: Entry[];
  /** every entry, in precedence order */
  readonly all: Entry[];
  /** key → entries that can match a path whose longest indexed key is this one, in precedence order */
  private readonly byKey: Map<string, Entry[]> | null;
  /** entries attached at the root (prefix `/`, regular expressions): for paths no key covers */
  private readonly root: Entry[];
  /** keyLen[n] === 1 when some key has length n: skips lookups that cannot hit */
  private readonly keyLen: Uint8Array;

  constructor(entries: Entry[]) {
    this.input = entries;
    const all = entries.slice().sort(comparePrecedence);
    this.all = all;
    // entries attached at each key (input to the per-key lists)
    const own = new Map<string, Entry[]>();
    const root: Entry[] = [];
    for (let i = 0; i < all.length; i++) {
      const e = all[i];
      if (e.key === '') {
        root.push(e);
        continue;
      }
      let l = own.get(e.key);
      if (l === undefined) own.set(e.key, (l = []));
      l.push(e);
    }
    this.root = root;
    let maxLen = 0;
    for (const k of own.keys()) if (k.length > maxLen) maxLen = k.length;
    this.keyLen = new Uint8Array(maxLen + 1);
    if (own.size === 0) {
      this.byKey = null;
      return;
    }
    const byKey = new Map<string, Entry[]>();
    let refs = 0;
    for (const [k, mine] of own) {
      const list: Entry[] = mine.slice();
      for (const a of ancestorKeys(k)) {
        const theirs = own.get(a);
        if (theirs === undefined) continue;
        // an ancestor's Exact entries cannot match below it; its prefixes can
        for (let i = 0; i < theirs.length; i++) if (theirs[i].kind !== PATH_EXACT) list.push(theirs[i]);
      }
      for (let i = 0; i < root.length; i++) list.push(root[i]);
      list.sort(comparePrecedence);
      refs += list.length;
      if (refs > MAX_INDEX_REFS) {
        this.byKey = null;
        this.root = all;
        return;
      }
      byKey.set(k, list);
      this.keyLen[k.length] = 1;
    }
    this.byKey = byKey;
  }

  lookup(path: string): Entry[] {
    const m = this.byKey;
    if (m === null) return this.root;
    const lens = this.keyLen;
    const max = lens.length - 1;
    if (path.length <= max && lens[path.length] === 1) {
      const l = m.get(path);
      if (l !== undefined) return l;
    }
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      if (i > max || lens[i] !== 1) continue;
      const l = m.get(path.slice(0, i));
      if (l !== undefined) return l;
    }
    return this.root;
  }
}

/**
 * Per-request query state, reused across match() calls (match is synchronous, so one per router
 * suffices): the raw query is parsed at most once, and only when a query match is examined.
 */
class QueryState {
  raw = '';
  parsed = false;
  /** flat [name, value, name, value, ...], percent-decoded */
  pairs: string[] = [];
  reset(raw: string): void {
    this.raw = raw;
    this.parsed = false;
  }
  /** value of the first occurrence of name (case-sensitive), or undefined */
  get(name: string): string | undefined {
    if (!this.parsed) this.parse();
    const p = this.pairs;
    for (let i = 0; i < p.length; i += 2) if (p[i] === name) return p[i + 1];
    return undefined;
  }
  private parse(): void {
    this.parsed = true;
    const p = this.pairs;
    p.length = 0;
    const q = this.raw;
    let start = 0;
    const n = q.length;
    while (start <= n) {
      let end = q.indexOf('&', start);
      if (end < 0) end = n;
      if (end > start) {
        const eq = q.indexOf('=', start);
        if (eq >= 0 && eq < end) {
          p.push(decodeComponent(q.slice(start, eq)), decodeComponent(q.slice(eq + 1, end)));
        } else {
          p.push(decodeComponent(q.slice(start, end)), '');
        }
      }
      start = end + 1;
    }
  }
}

/** Percent-decodes when there is anything to decode; a malformed escape leaves the text as is. */
function decodeComponent(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The hostname of a Host header or :authority for matching: port stripped (`[v6]:port` too),
 * one trailing dot dropped, lower-cased.
 */
export function normalizeHost(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const i = host.indexOf(']');
    if (i >= 0) end = i + 1;
  } else {
    const i = host.indexOf(':');
    // exactly one colon: host:port; more than one: a bare IPv6 literal, keep it whole
    if (i >= 0 && host.indexOf(':', i + 1) < 0) end = i;
  }
  if (end > 0 && host.charCodeAt(end - 1) === 46 /* . */) end--;
  return (end === host.length ? host : host.slice(0, end)).toLowerCase();
}

/** RE2 syntax, linear time, a full match of the value (regex.ts) */
function anchored(source: string): FullMatcher {
  return compileFullMatch(source);
}

function compileValueMatchers(list: readonly ValueMatchIR[], lowerNames: boolean): ValueMatcher[] {
  const out: ValueMatcher[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    const name = lowerNames ? m.name.toLowerCase() : m.name;
    // Gateway API: only the first entry with an equivalent name is considered.
    if (seen.has(name)) continue;
    seen.add(name);
    if (m.type === 'RegularExpression') out.push(new ValueMatcher(name, '', anchored(m.value)));
    else out.push(new ValueMatcher(name, m.value, null));
  }
  return out;
}

function compileEntry(rule: RuleIR, match: MatchIR, matchIndex: number, created: number): Entry {
  const pm = match.path;
  let kind: number;
  let value: string;
  let re: FullMatcher | null = null;
  let key = '';
  let matchedPrefix: string | undefined;
  if (pm.type === 'Exact') {
    kind = PATH_EXACT;
    value = pm.value;
    key = value;
  } else if (pm.type === 'RegularExpression') {
    kind = PATH_REGEX;
    value = pm.value;
    re = anchored(pm.value);
    // a pattern whose every match starts with `/a/b/c…` can only match paths at or below `/a/b`
    const lit = literalPrefix(value);
    const slash = lit.lastIndexOf('/');
    if (lit.charCodeAt(0) === SLASH && slash > 0) key = lit.slice(0, slash);
  } else {
    kind = PATH_PREFIX;
    value = pm.value;
    if (value.length > 0 && value.charCodeAt(value.length - 1) === SLASH) value = value.slice(0, -1);
    matchedPrefix = value;
    // A prefix starting with `/` confines the paths it matches to its key; `/` (→ '') matches any.
    if (value.charCodeAt(0) === SLASH) key = value;
  }
  const headers = compileValueMatchers(match.headers ?? [], true);
  const query = compileValueMatchers(match.queryParams ?? [], false);
  const method = match.method === undefined || match.method === '' ? null : match.method;
  const result: RouteMatch = Object.freeze({ rule, match, matchedPrefix });
  return new Entry(kind, value, re, method, headers, query, result, key, rule, matchIndex, created);
}

function pathMatches(e: Entry, path: string): boolean {
  switch (e.kind) {
    case PATH_EXACT:
      return path === e.value;
    case PATH_PREFIX: {
      const v = e.value;
      const n = v.length;
      if (n === 0) return path.length === 0 || path.charCodeAt(0) === SLASH;
      return path.startsWith(v) && (path.length === n || path.charCodeAt(n) === SLASH);
    }
    default:
      return (e.re as FullMatcher).test(path);
  }
}

function scan(list: Entry[], path: string, req: RouteRequest, qs: QueryState): RouteMatch | null {
  const method = req.method;
  outer: for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!pathMatches(e, path)) continue;
    if (e.method !== null && e.method !== method) continue;
    const hs = e.headers;
    for (let j = 0; j < hs.length; j++) {
      const h = hs[j];
      const v = req.header(h.name);
      if (v === undefined) continue outer;
      if (h.re === null ? v !== h.exact : !h.re.test(v)) continue outer;
    }
    const qm = e.query;
    if (qm.length !== 0) {
      if (qs.raw.length === 0) continue;
      for (let j = 0; j < qm.length; j++) {
        const q = qm[j];
        const v = qs.get(q.name);
        if (v === undefined) continue outer;
        if (q.re === null ? v !== q.exact : !q.re.test(v)) continue outer;
      }
    }
    return e.result;
  }
  return null;
}

class CompiledRouter implements Router {
  readonly size: number;
  readonly warnings: readonly string[];
  /** exact hostname → the groups to try in order: its own, matching wildcards (longest first), catch-all */
  readonly exact: Map<string, Bucket[]>;
  /** wildcard suffix (`.example.io` for `*.example.io`) → group */
  readonly wild: Map<string, Bucket>;
  readonly catchAll: Bucket | null;
  private readonly qs = new QueryState();

  constructor(exact: Map<string, Bucket[]>, wild: Map<string, Bucket>, catchAll: Bucket | null, size: number, warnings: string[]) {
    this.exact = exact;
    this.wild = wild;
    this.catchAll = catchAll;
    this.size = size;
    this.warnings = warnings;
  }

  match(req: RouteRequest): RouteMatch | null {
    const path = req.path;
    const qs = this.qs;
    qs.reset(req.query);
    const host = normalizeHost(req.host);
    const chain = this.exact.get(host);
    if (chain !== undefined) {
      for (let i = 0; i < chain.length; i++) {
        const r = scan(chain[i].lookup(path), path, req, qs);
        if (r !== null) return r;
      }
      return null;
    }
    if (this.wild.size !== 0) {
      // `*.example.io` needs at least one label before `.example.io`: start after the first label.
      for (let i = host.indexOf('.'); i > 0; i = host.indexOf('.', i + 1)) {
        const b = this.wild.get(host.slice(i));
        if (b !== undefined) {
          const r = scan(b.lookup(path), path, req, qs);
          if (r !== null) return r;
        }
      }
    }
    if (this.catchAll !== null) return scan(this.catchAll.lookup(path), path, req, qs);
    return null;
  }
}

/** A route hostname, normalised: `{ kind: 'exact', key: 'a.example.io' }`, `{ kind: 'wild', key: '.example.io' }`, or catch-all. */
function classifyHostname(h: string): { kind: 'exact' | 'wild' | 'any'; key: string } {
  let name = h.trim().toLowerCase();
  if (name.length > 1 && name.charCodeAt(name.length - 1) === 46) name = name.slice(0, -1);
  if (name === '' || name === '*') return { kind: 'any', key: '' };
  if (name.startsWith('*.')) return { kind: 'wild', key: name.slice(1) };
  return { kind: 'exact', key: name };
}

/** One rule compiled: its entries and where they go (a pure function of the immutable RuleIR). */
interface CompiledRule {
  entries: Entry[];
  warnings: string[];
  catchAll: boolean;
  exactHosts: string[];
  wildSuffixes: string[];
}

/**
 * Compiled rules by RuleIR identity: the controller hands over the very same (immutable) RuleIR for
 * an unchanged route, so a snapshot swap compiles only the rules that changed. Weak: a rule no
 * snapshot holds any more goes with it.
 */
const compiledRules = new WeakMap<RuleIR, CompiledRule>();

function compileRule(rule: RuleIR): CompiledRule {
  const cached = compiledRules.get(rule);
  if (cached !== undefined) return cached;
  const matches = rule.matches.length === 0 ? [IMPLICIT_MATCH] : rule.matches;
  const t = Date.parse(rule.routeCreated);
  const created = Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  const entries: Entry[] = [];
  const warnings: string[] = [];
  for (let m = 0; m < matches.length; m++) {
    try {
      entries.push(compileEntry(rule, matches[m], m, created));
    } catch (err) {
      warnings.push(`${rule.id} match ${m}: ${(err as Error).message}; the match never matches`);
    }
  }
  let catchAll = rule.hostnames.length === 0;
  const exactHosts: string[] = [];
  const wildSuffixes: string[] = [];
  for (const h of rule.hostnames) {
    const c = classifyHostname(h);
    if (c.kind === 'any') catchAll = true;
    else if (c.kind === 'exact') {
      if (!exactHosts.includes(c.key)) exactHosts.push(c.key);
    } else if (!wildSuffixes.includes(c.key)) wildSuffixes.push(c.key);
  }
  const out: CompiledRule = { entries, warnings, catchAll, exactHosts, wildSuffixes };
  compiledRules.set(rule, out);
  return out;
}

/** The group's bucket: the previous router's when it holds exactly these entries in this order, else a new one. */
function bucketFor(entries: Entry[], previous: Bucket | undefined): Bucket {
  if (previous !== undefined) {
    const p = previous.input;
    if (p.length === entries.length) {
      let same = true;
      for (let i = 0; i < p.length; i++) {
        if (p[i] !== entries[i]) {
          same = false;
          break;
        }
      }
      if (same) return previous;
    }
  }
  return new Bucket(entries);
}

/**
 * Compiles the rules attached to a listener: `listener` is its id (rules whose `listeners` include
 * it) or a predicate on a rule's listeners. Rules with `invalid` set are included: the data plane
 * answers their status code when they match. With `previous` (this listener's router for the last
 * snapshot), hostname groups whose rules are all the same RuleIR objects as before are reused as
 * they are, so a swap that changes one route costs a pass over the rules plus that route's groups.
 * The result never depends on `previous`.
 */
export function compileRouter(rules: readonly RuleIR[], listener: string | ((listeners: readonly string[]) => boolean), previous?: Router): Router {
  const attached = typeof listener === 'string' ? (ls: readonly string[]) => ls.includes(listener) : listener;
  const prev = previous instanceof CompiledRouter ? previous : undefined;
  const exactEntries = new Map<string, Entry[]>();
  const wildEntries = new Map<string, Entry[]>();
  const anyEntries: Entry[] = [];
  const warnings: string[] = [];
  let size = 0;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    if (!attached(rule.listeners)) continue;
    const c = compileRule(rule);
    for (let i = 0; i < c.warnings.length; i++) warnings.push(c.warnings[i]);
    const entries = c.entries;
    size += entries.length;
    if (entries.length === 0) continue;
    for (const host of c.exactHosts) {
      const list = exactEntries.get(host);
      if (list === undefined) exactEntries.set(host, entries.slice());
      else for (let i = 0; i < entries.length; i++) list.push(entries[i]);
    }
    for (const suffix of c.wildSuffixes) {
      const list = wildEntries.get(suffix);
      if (list === undefined) wildEntries.set(suffix, entries.slice());
      else for (let i = 0; i < entries.length; i++) list.push(entries[i]);
    }
    if (c.catchAll) for (let i = 0; i < entries.length; i++) anyEntries.push(entries[i]);
  }

  const catchAll = anyEntries.length === 0 ? null : bucketFor(anyEntries, prev?.catchAll ?? undefined);
  const wild = new Map<string, Bucket>();
  for (const [k, list] of wildEntries) wild.set(k, bucketFor(list, prev?.wild.get(k)));
  const exact = new Map<string, Bucket[]>();
  for (const [host, list] of exactEntries) {
    const chain: Bucket[] = [bucketFor(list, prev?.exact.get(host)?.[0])];
    for (let i = host.indexOf('.'); i > 0; i = host.indexOf('.', i + 1)) {
      const b = wild.get(host.slice(i));
      if (b !== undefined) chain.push(b);
    }
    if (catchAll !== null) chain.push(catchAll);
    exact.set(host, chain);
  }
  return new CompiledRouter(exact, wild, catchAll, size, warnings);
}
