// Gateway API's CORS filter (HTTPRoute filter type `CORS`), answered by the proxy. Pure.
//
// Preflight (OPTIONS with Origin and Access-Control-Request-Method) never reaches the upstream: the
// proxy answers 204. From an allowed origin it carries
//   Access-Control-Allow-Origin       the request's Origin (always echoed: valid with and without
//                                     credentials, where `*` is not)
//   Access-Control-Allow-Methods      allowMethods joined; `*` echoes the requested method
//   Access-Control-Allow-Headers      allowHeaders joined; `*` echoes the requested headers
//   Access-Control-Expose-Headers     exposeHeaders joined (when any)
//   Access-Control-Max-Age            maxAge (Gateway API default 5)
//   Access-Control-Allow-Credentials  `true` only when allowCredentials
// From any other origin: 204 with none of them (the browser then refuses the request).
// Actual requests go upstream; an allowed Origin gets Allow-Origin, Allow-Credentials and
// Expose-Headers on the response (replacing the upstream's own), and every response varies by Origin.
//
// Origins: `*` matches any; `scheme://host[:port]` matches exactly (case-insensitive); a host of
// `*.example.com` matches one or more labels before `example.com` (`a.example.com`,
// `a.b.example.com`), scheme and port still exact.
import type { CorsIR } from '../ir';

interface OriginPattern {
  any: boolean;
  scheme: string;
  /** exact host, or the suffix `.example.com` when wildcard */
  host: string;
  wildcard: boolean;
  port: string;
}

export interface CompiledCors {
  readonly ir: CorsIR;
  readonly origins: readonly OriginPattern[];
  readonly anyMethod: boolean;
  readonly anyHeader: boolean;
  readonly methods: string;
  readonly headers: string;
  readonly expose: string;
}

/** `scheme://host[:port]` split (lower-cased scheme and host); null when it is not that shape */
function splitOrigin(o: string): { scheme: string; host: string; port: string } | null {
  const i = o.indexOf('://');
  if (i <= 0) return null;
  const scheme = o.slice(0, i).toLowerCase();
  let rest = o.slice(i + 3);
  if (rest.length === 0 || rest.includes('/')) return null;
  let port = '';
  if (rest.charCodeAt(0) === 91 /* [ */) {
    const j = rest.indexOf(']');
    if (j < 0) return null;
    const after = rest.slice(j + 1);
    if (after.length > 0) {
      if (after.charCodeAt(0) !== 58 /* : */) return null;
      port = after.slice(1);
    }
    rest = rest.slice(0, j + 1);
  } else {
    const j = rest.lastIndexOf(':');
    if (j >= 0) {
      port = rest.slice(j + 1);
      rest = rest.slice(0, j);
    }
  }
  if (port !== '' && !/^[0-9]{1,5}$/.test(port)) return null;
  return { scheme, host: rest.toLowerCase(), port };
}

export function compileCors(ir: CorsIR): CompiledCors {
  const origins: OriginPattern[] = [];
  for (const o of ir.allowOrigins) {
    if (o === '*') {
      origins.push({ any: true, scheme: '', host: '', wildcard: false, port: '' });
      continue;
    }
    const s = splitOrigin(o);
    if (!s) continue; // the schema refuses these; an unparsable one matches nothing
    const wildcard = s.host === '*' || s.host.startsWith('*.');
    origins.push({ any: false, scheme: s.scheme, host: wildcard ? s.host.slice(1) : s.host, wildcard, port: s.port });
  }
  return {
    ir,
    origins,
    anyMethod: ir.allowMethods.includes('*'),
    anyHeader: ir.allowHeaders.includes('*'),
    methods: ir.allowMethods.join(', '),
    headers: ir.allowHeaders.join(', '),
    expose: ir.exposeHeaders.join(', '),
  };
}

export function originAllowed(c: CompiledCors, origin: string): boolean {
  let s: { scheme: string; host: string; port: string } | null | undefined;
  for (const p of c.origins) {
    if (p.any) return true;
    s ??= splitOrigin(origin);
    if (!s) return false;
    if (s.scheme !== p.scheme || s.port !== p.port) continue;
    if (p.wildcard) {
      // `*` alone (host `*`, suffix ``) matches any host; `*.x.com` needs at least one label before `.x.com`
      if (p.host === '' ? s.host.length > 0 : s.host.length > p.host.length && s.host.endsWith(p.host)) return true;
    } else if (s.host === p.host) return true;
  }
  return false;
}

/** a CORS preflight: OPTIONS carrying Origin and Access-Control-Request-Method */
export function isPreflight(method: string | undefined, origin: string | undefined, requestMethod: string | undefined): boolean {
  return method === 'OPTIONS' && origin !== undefined && origin !== '' && requestMethod !== undefined && requestMethod !== '';
}

/** The preflight answer's headers (flat [name, value, …]); status 204. */
export function preflightHeaders(c: CompiledCors, origin: string, requestMethod: string, requestHeaders: string | undefined): string[] {
  const out = ['vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'];
  if (!originAllowed(c, origin)) return out;
  out.push('access-control-allow-origin', origin);
  const methods = c.anyMethod ? requestMethod : c.methods;
  if (methods !== '') out.push('access-control-allow-methods', methods);
  const rh = requestHeaders?.trim() ?? '';
  const headers = c.anyHeader ? (rh !== '' ? rh : c.ir.allowCredentials ? '' : '*') : c.headers;
  if (headers !== '') out.push('access-control-allow-headers', headers);
  if (c.expose !== '') out.push('access-control-expose-headers', c.expose);
  out.push('access-control-max-age', String(c.ir.maxAge));
  if (c.ir.allowCredentials) out.push('access-control-allow-credentials', 'true');
  return out;
}

const RESPONSE_CORS = new Set(['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers']);

/**
 * An actual (non-preflight) response's headers with CORS applied: from an allowed origin, the
 * upstream's own Allow-Origin / Allow-Credentials / Expose-Headers are replaced by the filter's;
 * `Vary: Origin` is added whenever the request carried an Origin.
 */
export function applyCorsResponse(c: CompiledCors, origin: string | undefined, flat: string[]): string[] {
  if (origin === undefined || origin === '') return flat;
  if (!originAllowed(c, origin)) {
    flat.push('vary', 'Origin');
    return flat;
  }
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    if (!RESPONSE_CORS.has(flat[i]!.toLowerCase())) out.push(flat[i]!, flat[i + 1]!);
  }
  out.push('access-control-allow-origin', origin, 'vary', 'Origin');
  if (c.ir.allowCredentials) out.push('access-control-allow-credentials', 'true');
  if (c.expose !== '') out.push('access-control-expose-headers', c.expose);
  return out;
}
