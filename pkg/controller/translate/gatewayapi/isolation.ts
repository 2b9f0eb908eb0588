// Listener isolation (Gateway API, GatewayHTTPListenerIsolation): a request whose host matches a
// more specific listener on the same port is served only by that listener's routes. The proxy
// routes per port with "most specific hostname group first, then fall through", so isolation is
// lowered as two things. Pure.
//   1. A route attached to listener L drops the hostnames a more specific sibling listener (same
//      Gateway, same port) covers entirely: `*.example.com` on the catch-all listener is the
//      `*.example.com` listener's.
//   2. Every listener with a less specific sibling gets a catch-all 404 rule in its own hostname
//      group, ranked below every real rule there: a request for its hostname that none of its
//      routes matches answers 404 instead of falling through to the less specific listener's
//      routes.
import { wildcardMatches } from './hostnames';
import type { UListener } from './types';

const HTTP = new Set(['HTTP', 'HTTPS']);
const host = (l: UListener) => (l.hostname ?? '').toLowerCase();

/** does listener hostname `a` accept every host `b` accepts, and more (b strictly more specific)? */
export function lessSpecific(a: string, b: string): boolean {
  if (a === b) return false;
  if (a === '') return true;
  if (b === '') return false;
  if (!a.startsWith('*.')) return false;
  return b.startsWith('*.') ? b.slice(1).endsWith(a.slice(1)) : wildcardMatches(a, b);
}

/** is every host matching `h` (a route hostname) also matched by listener hostname `l`? */
function covered(h: string, l: string): boolean {
  if (l === '') return true;
  if (h === l) return true;
  if (!l.startsWith('*.')) return false;
  return h.startsWith('*.') ? h.slice(1).endsWith(l.slice(1)) : wildcardMatches(l, h);
}

const siblings = (l: UListener, all: UListener[]) => all.filter((o) => o !== l && o.port === l.port && HTTP.has(o.protocol));

/**
 * The hostnames a route keeps on listener `l` (from the listener × route intersection): those no
 * more specific sibling covers. undefined (no restriction) stays undefined; [] means the route
 * serves nothing of its own here.
 */
export function isolateHostnames(l: UListener, all: UListener[], hostnames: string[] | undefined): string[] | undefined {
  if (!hostnames) return undefined;
  const more = siblings(l, all).filter((o) => lessSpecific(host(l), host(o)));
  return hostnames.filter((h) => !more.some((o) => covered(h, host(o))));
}

/** the listeners that need a 404 rule of their own: a hostname, and a less specific sibling on the port */
export function isolatedListeners(all: UListener[]): UListener[] {
  return all.filter((l) => HTTP.has(l.protocol) && host(l) !== '' && siblings(l, all).some((o) => lessSpecific(host(o), host(l))));
}
