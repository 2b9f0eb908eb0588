// Listener hostname × route hostnames (Gateway API): the hostnames a route answers on one
// listener. A listener without hostname takes the route's; a route without hostnames takes the
// listener's; otherwise the exact names and wildcards that match each other, the more specific
// one kept. [] with both given and nothing in common: the route does not attach there. Pure.

/** `*.example.com` matches `a.example.com` and `a.b.example.com`, never `example.com` */
export function wildcardMatches(wildcard: string, host: string): boolean {
  if (!wildcard.startsWith('*.')) return wildcard === host;
  const suffix = wildcard.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix);
}

/** undefined: no restriction (neither side names a host) */
export function intersectHostnames(listener: string | undefined, route: string[] | undefined): string[] | undefined {
  const l = listener ? listener.toLowerCase() : undefined;
  const r = (route ?? []).map((h) => h.toLowerCase());
  if (!l) return r.length ? r : undefined;
  if (!r.length) return [l];
  const out = new Set<string>();
  const lw = l.startsWith('*.');
  for (const h of r) {
    const hw = h.startsWith('*.');
    if (h === l) out.add(h);
    else if (lw && !hw) {
      if (wildcardMatches(l, h)) out.add(h);
    } else if (!lw && hw) {
      if (wildcardMatches(h, l)) out.add(l);
    } else if (lw && hw) {
      // the more specific wildcard is the intersection
      if (h.slice(1).endsWith(l.slice(1))) out.add(h);
      else if (l.slice(1).endsWith(h.slice(1))) out.add(l);
    }
  }
  return [...out];
}
