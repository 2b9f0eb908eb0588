// RE2 syntax check for route regular expressions (the router matches them with re2js: see
// pkg/proxy/router/regex.ts): backreferences, lookaround, repeat counts above 1000… are refused.
import { RE2JS } from 're2js';

/** Why RE2 refuses `source`, or null when it compiles. */
export function re2SyntaxError(source: string): string | null {
  try {
    RE2JS.compile(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
