// Route regular expressions: RE2 syntax (Gateway API's and Envoy's dialect), matched by re2js, a
// linear-time engine (automata, no backtracking: `(a+)+$` on 10 KB of `a`s is linear, not
// exponential). A match is a FULL match of the value, as Envoy's safe_regex path match.
import { RE2JS } from 're2js';

export interface FullMatcher {
  /** does the whole of `s` match? */
  test(s: string): boolean;
}

/** Throws what RE2 refuses (the router reports it and the entry never matches). */
export function compileFullMatch(source: string): FullMatcher {
  const re = RE2JS.compile(source);
  return { test: (s: string) => re.testExact(s) };
}
