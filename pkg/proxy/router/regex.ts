// Route regular expressions: RE2 syntax (Gateway API's and Envoy's dialect), matched by re2js, a
// linear-time engine (automata, no backtracking: `(a+)+$` on 10 KB of `a`s is linear, not
// exponential). A match is a FULL match of the value, as Envoy's safe_regex path match.
//
// Compiling a pattern costs tens of microseconds, so compiled matchers are kept by source across
// compiles (a snapshot swap recompiles every router, and a proxy port compiles its own copy): a
// swap then compiles only the patterns it has not seen. The cache is bounded (cleared when full).
import { RE2JS } from 're2js';

export interface FullMatcher {
  /** does the whole of `s` match? */
  test(s: string): boolean;
}

const CACHE_LIMIT = 50_000;
const cache = new Map<string, FullMatcher>();

/** Throws what RE2 refuses (the router reports it and the entry never matches). */
export function compileFullMatch(source: string): FullMatcher {
  let m = cache.get(source);
  if (m !== undefined) return m;
  const re = RE2JS.compile(source);
  m = { test: (s: string) => re.testExact(s) };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, m);
  return m;
}

/** characters that stand for themselves outside a character class (a conservative subset) */
function isPlainLiteral(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 47 /* / */ || c === 95 /* _ */ || c === 126 /* ~ */ || c === 37 /* % */ || c === 45 /* - */ ||
    c === 44 /* , */ || c === 59 /* ; */ || c === 61 /* = */ || c === 58 /* : */ || c === 64 /* @ */ ||
    c === 33 /* ! */ || c === 38 /* & */ || c === 39 /* ' */
  );
}

/** `\.` and the like: an escaped punctuation character that is itself */
function isEscapedLiteral(c: number): boolean {
  return c === 46 /* . */ || c === 45 /* - */ || c === 47 /* / */ || c === 95 /* _ */ || c === 126 /* ~ */;
}

/** Is there an alternation outside every group (`a|b`)? Then no prefix is common to all matches. */
function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 92 /* \ */) {
      i++;
    } else if (c === 91 /* [ */) {
      // skip the class: a leading `^` and a leading `]` are part of it
      i++;
      if (source.charCodeAt(i) === 94) i++;
      if (source.charCodeAt(i) === 93) i++;
      while (i < source.length && source.charCodeAt(i) !== 93) {
        if (source.charCodeAt(i) === 92) i++;
        i++;
      }
    } else if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */) depth--;
    else if (c === 124 /* | */ && depth <= 0) return true;
  }
  return false;
}

/**
 * The literal text every full match of `source` starts with ('' when unsure). Conservative: it
 * stops at the first character that is not plainly itself, drops a character made optional or
 * repeatable by a following `?`, `*`, `+` or `{`, and gives '' for a pattern with a top-level
 * alternation, a POSIX class, `\Q…\E` quoting, or flags. Call it only on a pattern that compiles.
 */
export function literalPrefix(source: string): string {
  if (source.includes('[:') || source.includes('\\Q') || hasTopLevelAlternation(source)) return '';
  let out = '';
  for (let i = 0; i < source.length; ) {
    let c = source.charCodeAt(i);
    let width = 1;
    if (c === 92 /* \ */) {
      const n = source.charCodeAt(i + 1);
      if (!isEscapedLiteral(n)) break;
      c = n;
      width = 2;
    } else if (!isPlainLiteral(c)) break;
    const next = source.charCodeAt(i + width);
    if (next === 63 /* ? */ || next === 42 /* * */ || next === 43 /* + */ || next === 123 /* { */) break;
    out += String.fromCharCode(c);
    i += width;
  }
  return out;
}
