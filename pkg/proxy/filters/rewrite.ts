// URLRewrite (and RequestRedirect) path modifiers, Gateway API semantics:
//   ReplaceFullPath     the whole path becomes the value;
//   ReplacePrefixMatch  the matched prefix is replaced and the rest kept, never producing `//`:
//                         /foo/bar with prefix /foo → /xyz  = /xyz/bar,  → /xyz/ = /xyz/bar,  → / = /bar
//                         /foo     with prefix /foo → /xyz  = /xyz,      → /     = /
//                         /foo/    with prefix /foo → /xyz  = /xyz/,     → /     = /
// The query string is preserved unchanged.

export type PathModifierIR = { type: 'ReplaceFullPath'; value: string } | { type: 'ReplacePrefixMatch'; value: string };

function stripTrailingSlash(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 47 ? s.slice(0, -1) : s;
}

/**
 * The new path (no query). `matchedPrefix` is RouteMatch.matchedPrefix (a trailing `/` on it is
 * tolerated). ReplacePrefixMatch without a matched prefix (the route matched by Exact or
 * RegularExpression, which Gateway API forbids with ReplacePrefixMatch) or with one that is not a
 * prefix of the path leaves the path unchanged.
 */
export function replacePath(path: string, mod: PathModifierIR, matchedPrefix?: string): string {
  if (mod.type === 'ReplaceFullPath') return mod.value.length === 0 ? '/' : mod.value;
  if (matchedPrefix === undefined) return path;
  const prefix = stripTrailingSlash(matchedPrefix);
  if (!path.startsWith(prefix)) return path;
  let rest = path.slice(prefix.length);
  if (rest.length !== 0 && rest.charCodeAt(0) !== 47) rest = '/' + rest;
  const out = stripTrailingSlash(mod.value) + rest;
  if (out.length === 0) return '/';
  return out.charCodeAt(0) === 47 ? out : '/' + out;
}

/**
 * The upstream request target (`path` or `path?query`) after a URLRewrite filter's path modifier;
 * `filter` is any object carrying an optional `path` modifier (URLRewrite or RequestRedirect).
 */
export function rewritePath(path: string, query: string, filter: { path?: PathModifierIR }, matchedPrefix?: string): string {
  const p = filter.path === undefined ? path : replacePath(path, filter.path, matchedPrefix);
  return query.length === 0 ? p : p + '?' + query;
}
