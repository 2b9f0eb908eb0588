// RequestRedirect → status and Location, Gateway API semantics:
//   scheme, hostname, path: replaced when set, else the request's (hostname without its port);
//   port: when set, used; else when scheme is set, that scheme's well-known port (http 80,
//         https 443); else the listener's port (NOT the port in the Host header);
//   the port is left out of Location when it is the scheme's default (http:80, https:443);
//   the query string is kept; the status defaults to 302.
import type { FilterIR } from '../ir';
import { replacePath } from './rewrite';

export type RequestRedirectFilter = Extract<FilterIR, { type: 'RequestRedirect' }>;

export interface RedirectRequest {
  scheme: 'http' | 'https';
  /** Host header or :authority, may include a port */
  host: string;
  path: string;
  /** raw query without `?` */
  query: string;
  listenerPort: number;
}

export interface Redirect {
  status: number;
  location: string;
}

function defaultPort(scheme: string): number {
  return scheme === 'http' ? 80 : scheme === 'https' ? 443 : 0;
}

/** The host of a Host header without its port (`[v6]:port` → `[v6]`). */
export function hostWithoutPort(host: string): string {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const i = host.indexOf(']');
    return i < 0 ? host : host.slice(0, i + 1);
  }
  const i = host.indexOf(':');
  return i >= 0 && host.indexOf(':', i + 1) < 0 ? host.slice(0, i) : host;
}

/**
 * The redirect for `req`. `matchedPrefix` (RouteMatch.matchedPrefix) is needed for a
 * ReplacePrefixMatch path. When neither the filter nor the request supplies a hostname (an HTTP/1.0
 * request without Host) the Location is relative (path and query only).
 */
export function redirectLocation(req: RedirectRequest, f: RequestRedirectFilter, matchedPrefix?: string): Redirect {
  const status = f.statusCode > 0 ? f.statusCode : 302;
  const scheme = f.scheme ? f.scheme.toLowerCase() : req.scheme;
  let port: number;
  if (f.port !== undefined && f.port > 0) port = f.port;
  else if (f.scheme) port = defaultPort(scheme) || req.listenerPort;
  else port = req.listenerPort;
  const host = f.hostname ? f.hostname : hostWithoutPort(req.host);
  let path = f.path === undefined ? req.path : replacePath(req.path, f.path, matchedPrefix);
  if (path.length === 0) path = '/';
  const target = req.query.length === 0 ? path : path + '?' + req.query;
  if (host.length === 0) return { status, location: target };
  const showPort = port > 0 && port !== defaultPort(scheme);
  return { status, location: scheme + '://' + host + (showPort ? ':' + port : '') + target };
}
