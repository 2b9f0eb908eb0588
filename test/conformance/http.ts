// The suite's HTTP expectations (conformance/utils/http): an ExpectedResponse names the request to
// send, the request the echo backend must see, the response (status, headers, redirect), and the
// backend pod prefix and namespace. compareRoundTrip is pure; send() does one real request through
// the proxy (no redirect following, one connection per request); expectEventually() wants a run of
// consecutive matches as the suite's MakeRequestAndExpectEventuallyConsistentResponse does.
import * as http from 'node:http';
import * as https from 'node:https';
import type { EchoReply } from './echo';

export interface Request {
  Host?: string;
  Method?: string;
  Path?: string;
  Headers?: Record<string, string>;
  UnfollowRedirect?: boolean;
  Protocol?: string;
  Body?: string;
  SNI?: string;
}
/** as upstream: the Request embedded (`{Request: {...}, AbsentHeaders}`), or flat */
export interface ExpectedRequest extends Request {
  Request?: Request;
  AbsentHeaders?: string[];
}
export interface Response {
  StatusCode?: number;
  StatusCodes?: number[];
  Headers?: Record<string, string>;
  /** header → the values any one of which is right (CORS lists in either order) */
  ValidHeaderValues?: Record<string, string[]>;
  /** compare header values with all whitespace removed */
  IgnoreWhitespace?: boolean;
  AbsentHeaders?: string[];
}
export interface RedirectRequest {
  Scheme?: string;
  Host?: string;
  Port?: string;
  Path?: string;
}
export interface ExpectedResponse {
  Request: Request;
  ExpectedRequest?: ExpectedRequest;
  RedirectRequest?: RedirectRequest;
  BackendSetResponseHeaders?: Record<string, string>;
  Response?: Response;
  Backend?: string;
  Namespace?: string;
  TestCaseName?: string;
  MirroredTo?: Array<{ BackendRef: { Name: string; Namespace: string }; Path?: string }>;
}

/** where a Gateway listener is reached: loopback and the port we gave its listener */
export interface GatewayAddr {
  host: string;
  port: number;
  /** the port the upstream manifest asked for (80, 443, 8080 ...) */
  declaredPort: number;
}

export interface Captured {
  status: number;
  headers: Record<string, string[]>;
  echo?: EchoReply;
  location?: string;
}

export function statusCodes(er: ExpectedResponse): number[] {
  const codes = [...(er.Response?.StatusCodes ?? [])];
  if (er.Response?.StatusCode && !codes.includes(er.Response.StatusCode)) codes.push(er.Response.StatusCode);
  return codes.length ? codes : [200];
}

export function caseName(er: ExpectedResponse, i: number): string {
  if (er.TestCaseName) return er.TestCaseName;
  const r = er.Request;
  let s = `${i} request to '${r.Host ?? ''}${r.Path ?? '/'}'`;
  if (r.Headers) s += ' with headers';
  if (er.Backend) return `${s} should go to ${er.Backend}`;
  return `${s} should receive one of ${JSON.stringify(statusCodes(er))}`;
}

/** one request as the suite's round tripper makes it */
export function send(addr: GatewayAddr, er: ExpectedResponse, scheme: 'http' | 'https' = 'http', timeoutMs = 5_000): Promise<Captured> {
  const r = er.Request;
  const headers: Record<string, string> = { connection: 'close' };
  for (const [k, v] of Object.entries(r.Headers ?? {})) headers[k] = v;
  const setHeaders = Object.entries(er.BackendSetResponseHeaders ?? {}).map(([k, v]) => `${k}:${v}`);
  headers['X-Echo-Set-Header'] = setHeaders.join(',');
  const wellKnown = (scheme === 'http' && addr.port === 80) || (scheme === 'https' && addr.port === 443);
  headers.host = r.Host ?? (wellKnown ? addr.host : `${addr.host}:${addr.port}`);
  const mod = scheme === 'https' ? https : http;
  const servername = r.SNI ?? (r.Host ? r.Host.replace(/:\d+$/, '') : undefined);
  return new Promise((resolve, reject) => {
    const req = mod.request(
      { host: addr.host, port: addr.port, path: r.Path ?? '/', method: r.Method ?? 'GET', headers, agent: false, ...(scheme === 'https' ? { servername, rejectUnauthorized: false } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const hs: Record<string, string[]> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) (hs[res.rawHeaders[i]!.toLowerCase()] ??= []).push(res.rawHeaders[i + 1]!);
          const status = res.statusCode ?? 0;
          let echo: EchoReply | undefined;
          if (status === 200 || status === 204) {
            try {
              echo = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EchoReply;
            } catch {
              echo = undefined;
            }
          }
          resolve({ status, headers: hs, echo, location: res.headers.location });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(r.Body ?? undefined);
  });
}

const header = (hs: Record<string, string[]> | undefined, name: string): string[] | undefined => {
  if (!hs) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(hs)) if (k.toLowerCase() === want) return v;
  return undefined;
};

/**
 * The suite's CompareRoundTrip. Adaptation: our listeners do not sit on the well-known ports the
 * manifests ask for, so a redirect with no port expected may carry the listener's real port.
 */
export function compareRoundTrip(addr: GatewayAddr, scheme: string, er: ExpectedResponse, c: Captured): string | undefined {
  const codes = statusCodes(er);
  if (!codes.includes(c.status)) return `expected status code to be one of ${JSON.stringify(codes)}, got ${c.status}`;
  if (c.status === 200 || c.status === 204) {
    const want: ExpectedRequest = er.ExpectedRequest ? { ...er.ExpectedRequest.Request, ...er.ExpectedRequest } : { ...er.Request };
    // a reply that is not the echo's JSON: as upstream, assume the request made was the one sent
    const got: EchoReply = c.echo ?? { path: '', host: '', method: er.Request.Method ?? 'GET', proto: '', headers: {}, httpPort: '', namespace: '', ingress: '', service: '', pod: '' };
    if (want.Host && want.Host !== got.host) return `expected host to be ${want.Host}, got ${got.host}`;
    const wantPath = er.ExpectedRequest ? (want.Path ?? '') : (er.Request.Path ?? '/');
    if (wantPath !== got.path) return `expected path to be ${wantPath}, got ${got.path}`;
    const wantMethod = want.Method || 'GET';
    if (wantMethod !== got.method) return `expected method to be ${wantMethod}, got ${got.method}`;
    if ((er.Namespace ?? '') !== got.namespace) return `expected namespace to be ${er.Namespace ?? ''}, got ${got.namespace}`;
    for (const [name, value] of Object.entries(want.Headers ?? {})) {
      const v = header(got.headers, name);
      if (!v) return `expected ${name} header to be set, actual headers: ${JSON.stringify(got.headers)}`;
      if (v.join(',') !== value) return `expected ${name} header to be set to ${value}, got ${v.join(',')}`;
    }
    const norm = (v: string) => (er.Response?.IgnoreWhitespace ? v.replace(/\s+/g, '') : v);
    for (const [name, values] of Object.entries(er.Response?.ValidHeaderValues ?? {})) {
      const v = header(c.headers, name);
      if (!v) return `expected response header ${name} to be set, actual: ${JSON.stringify(c.headers)}`;
      if (!values.map(norm).includes(norm(v.join(',')))) return `expected response header ${name} to be one of ${JSON.stringify(values)}, got ${v.join(',')}`;
    }
    for (const [name, value] of Object.entries(er.Response?.Headers ?? {})) {
      const v = header(c.headers, name);
      if (!v) return `expected response header ${name} to be set, actual: ${JSON.stringify(c.headers)}`;
      if (norm(v.join(',')) !== norm(value)) return `expected response header ${name} to be ${value}, got ${v.join(',')}`;
    }
    for (const name of er.Response?.AbsentHeaders ?? []) if (header(c.headers, name)) return `expected response header ${name} to not be set`;
    for (const name of want.AbsentHeaders ?? []) if (header(got.headers, name)) return `expected request header ${name} to not be set, got ${header(got.headers, name)!.join(',')}`;
    if (!got.pod.startsWith(er.Backend ?? '')) return `expected pod name to start with ${er.Backend}, got ${got.pod}`;
    return undefined;
  }
  if ([301, 302, 303, 307, 308].includes(c.status)) {
    if (!er.RedirectRequest) return `got redirect ${c.status} to ${c.location}, none expected`;
    if (!c.location) return 'redirect without Location';
    let loc: URL;
    try {
      loc = new URL(c.location);
    } catch {
      return `Location ${c.location} is not an absolute URL`;
    }
    const gotScheme = loc.protocol.replace(/:$/, '');
    const want = er.RedirectRequest;
    const wantHost = want.Host || loc.hostname;
    if (wantHost !== loc.hostname) return `expected redirected hostname to be ${wantHost}, got ${loc.hostname}`;
    const gotPort = loc.port;
    if (!want.Port) {
      const ok = gotPort === '' || (gotScheme === 'http' && gotPort === '80') || (gotScheme === 'https' && gotPort === '443') || gotPort === String(addr.port);
      if (!ok) return `for ${gotScheme} scheme, expected redirected port to be the default or the listener's (${addr.port}), got ${gotPort}`;
    } else if (want.Port !== gotPort && !(want.Port === String(addr.declaredPort) && gotPort === String(addr.port))) {
      return `expected redirected port to be ${want.Port}, got ${gotPort}`;
    }
    const wantScheme = want.Scheme || scheme;
    if (wantScheme !== gotScheme) return `expected redirected scheme to be ${wantScheme}, got ${gotScheme}`;
    const wantPath = want.Path || (er.Request.Path ?? '/').split('?')[0];
    if (wantPath !== loc.pathname) return `expected redirected path to be ${wantPath}, got ${loc.pathname}`;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** the suite's eventually-consistent check: `threshold` matches in a row within maxMs */
export async function expectEventually(addr: GatewayAddr, er: ExpectedResponse, opts: { scheme?: 'http' | 'https'; threshold?: number; maxMs?: number } = {}): Promise<void> {
  const scheme = opts.scheme ?? 'http';
  const threshold = opts.threshold ?? 3;
  const deadline = Date.now() + (opts.maxMs ?? 30_000);
  let streak = 0;
  let last = '';
  for (let n = 0; n < 2_000 && Date.now() < deadline; n++) {
    let problem: string | undefined;
    try {
      problem = compareRoundTrip(addr, scheme, er, await send(addr, er, scheme));
    } catch (err) {
      problem = `request failed: ${(err as Error).message}`;
    }
    if (problem === undefined) {
      if (++streak >= threshold) return;
      continue;
    }
    streak = 0;
    last = problem;
    await sleep(100);
  }
  throw new Error(`${caseName(er, 0)}: not consistent within the timeout: ${last}`);
}
