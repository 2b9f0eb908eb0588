// Where a forward-proxy request goes: the absolute-form URI (`GET http://host:port/p`), or the
// Host header, or a CONNECT authority. Pure. No port → 80, or 443 for tls/h2 Backends.
import { isIP } from 'node:net';

export interface ForwardTarget {
  host: string;
  port: number;
  /** the path (and query) to send upstream */
  path: string;
}

/** Splits `host[:port]` / `[v6][:port]`; null when malformed. */
export function splitAuthority(authority: string, defaultPort: number): { host: string; port: number } | null {
  const a = authority.trim();
  if (!a) return null;
  let host: string;
  let portText: string | undefined;
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    if (end < 0) return null;
    host = a.slice(1, end);
    const rest = a.slice(end + 1);
    if (rest && !rest.startsWith(':')) return null;
    portText = rest ? rest.slice(1) : undefined;
    if (isIP(host) !== 6) return null;
  } else {
    const i = a.lastIndexOf(':');
    if (i >= 0 && a.indexOf(':') !== i) return null; // bare IPv6 without brackets
    host = i >= 0 ? a.slice(0, i) : a;
    portText = i >= 0 ? a.slice(i + 1) : undefined;
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port < 1 || port > 65535) return null;
  }
  host = host.toLowerCase().replace(/\.$/, '');
  if (!host || !/^[a-z0-9.:_-]+$/.test(host)) return null;
  return { host, port };
}

/** splitAuthority of Host headers, remembered (they repeat; the parse costs ~0.6 µs); bounded */
const hostCache = new Map<string, { host: string; port: number } | null>();
const HOST_CACHE_MAX = 4096;

function hostAuthority(hostHeader: string, defaultPort: number): { host: string; port: number } | null {
  const k = `${defaultPort}\n${hostHeader}`; // a header value never holds a newline
  let hp = hostCache.get(k);
  if (hp === undefined) {
    hp = splitAuthority(hostHeader, defaultPort);
    if (hostCache.size >= HOST_CACHE_MAX) hostCache.clear();
    hostCache.set(k, hp);
  }
  return hp;
}

/** The target of a request to a dynamicProxy Backend. */
export function forwardTarget(url: string, hostHeader: string | undefined, defaultPort: number): ForwardTarget | null {
  if (/^https?:\/\//i.test(url)) {
    const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
    const rest = url.slice(scheme.length + 3);
    const slash = rest.search(/[/?]/);
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '/' : rest[slash] === '?' ? `/${rest.slice(slash)}` : rest.slice(slash);
    const hp = splitAuthority(authority.replace(/^[^@]*@/, ''), scheme === 'https' ? 443 : defaultPort);
    return hp ? { ...hp, path } : null;
  }
  const hp = hostHeader ? hostAuthority(hostHeader, defaultPort) : null;
  return hp ? { host: hp.host, port: hp.port, path: url || '/' } : null;
}
