// An HTTP/2 request made to look like the HTTP/1.1 requests the rest of the proxy reads: the front
// door (front.ts) and the forwarding step edit and forward `req.rawHeaders`, and route on
// `req.headers.host`. node's compat request lists the pseudo-headers (`:method`, `:path`,
// `:authority`, `:scheme`) among its raw headers and has no Host when the client sent `:authority`
// only. Here the pseudo-headers leave the raw list for good (they must never be forwarded as
// headers), `:authority` becomes Host (RFC 9113 §8.3.1: it wins over a Host field), and the
// header byte limit of HTTP/1.1 applies with the same number (431; the count is checked by the front door).
import type { Http2ServerRequest } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import { MAX_REQUEST_HEADER_BYTES } from './front';

export interface H2Refusal {
  status: number;
  msg: string;
}

/** Is this a request that arrived over HTTP/2? */
export function isHTTP2(req: IncomingMessage | Http2ServerRequest): req is Http2ServerRequest {
  return req.httpVersionMajor === 2;
}

/**
 * Rewrites the compat request in place: own writable `rawHeaders` without pseudo-headers, Host from
 * `:authority` (the pseudo keys stay in `headers`: node's compat request reads its method and url from them). Returns why the proxy must answer itself, or null.
 */
export function adaptH2Request(req: Http2ServerRequest): H2Refusal | null {
  const src = req.rawHeaders;
  const raw: string[] = [];
  let authority: string | undefined;
  let bytes = 0;
  let hostAt = -1;
  for (let i = 0; i + 1 < src.length; i += 2) {
    const n = src[i];
    const v = src[i + 1];
    bytes += n.length + v.length;
    if (n.charCodeAt(0) === 58 /* ':' */) {
      if (n === ':authority') authority = v;
      continue;
    }
    if (n.length === 4 && n === 'host') {
      if (hostAt >= 0) continue; // one Host only
      hostAt = raw.length;
    }
    raw.push(n, v);
  }
  if (authority !== undefined) {
    if (hostAt >= 0) raw[hostAt + 1] = authority;
    else raw.unshift('host', authority);
  }
  Object.defineProperty(req, 'rawHeaders', { value: raw, writable: true, configurable: true, enumerable: true });
  const h = req.headers as Record<string, string | string[] | undefined>;
  if (authority !== undefined) h.host = authority;
  if (bytes > MAX_REQUEST_HEADER_BYTES) return { status: 431, msg: `request headers larger than ${MAX_REQUEST_HEADER_BYTES} bytes` };
  if (req.method === 'CONNECT') return { status: 501, msg: 'CONNECT over HTTP/2 is not supported: use HTTP/1.1' };
  if (authority === undefined && h.host === undefined) return { status: 400, msg: 'HTTP/2 request without :authority or Host' };
  return null;
}

/** Does the request carry no body? Over HTTP/2 a body needs no Content-Length: the stream says. */
export function requestBodyless(req: IncomingMessage | Http2ServerRequest): boolean {
  if (isHTTP2(req)) {
    const cl = req.headers['content-length'];
    return cl === '0' || req.stream.endAfterHeaders;
  }
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (cl === undefined || cl === '0');
}
