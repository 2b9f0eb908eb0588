// gRPC through the proxy (gRPC over HTTP/2, grpc/doc/PROTOCOL-HTTP2.md):
// - a request is gRPC when its content-type is application/grpc or application/grpc+<codec>;
// - upstream it carries `te: trailers` (the forwarding step strips TE as hop-by-hop);
// - the upstream's trailers (grpc-status, grpc-message, …) are relayed to HTTP/2 clients;
// - an answer the proxy makes itself is a gRPC error: HTTP 200, content-type application/grpc and
//   grpc-status/grpc-message in a trailers-only response, as Envoy does, because gRPC clients read
//   the status from there (an HTTP 503 would surface as a generic UNAVAILABLE/UNKNOWN without the message).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** gRPC status codes the proxy uses (grpc/include/grpc/impl/codegen/status.h) */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export function isGrpcRequest(req: IncomingMessage): boolean {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && ct.length >= 16 && ct.charCodeAt(12) === 103 /* 'g' */ && /^application\/grpc(?:$|[+;])/i.test(ct);
}

/** The gRPC status for a status the proxy would have answered over plain HTTP. */
export function grpcStatusForHTTP(status: number): number {
  switch (status) {
    case 400:
    case 431:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
    case 501:
      return GrpcStatus.UNIMPLEMENTED; // no route: no such service/method here
    case 408:
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 502:
    case 503:
      return GrpcStatus.UNAVAILABLE; // no healthy upstream, connect failure, reset
    default:
      return status >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN;
  }
}

/** grpc-message is percent-encoded UTF-8 (bytes outside 0x20–0x7E, and '%') */
export function encodeGrpcMessage(msg: string): string {
  let out = '';
  for (const b of Buffer.from(msg, 'utf8')) {
    out += b < 0x20 || b > 0x7e || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

/**
 * A gRPC error for what would have been `httpStatus` (headers already set on `res`, e.g.
 * retry-after, are kept). To an HTTP/2 client the status goes in the trailers: node's compat
 * response cannot send a trailers-only HEADERS frame (it always waits for trailers), and a client
 * reads grpc-status from the headers only when they end the stream. HTTP/1.1 has it in the headers.
 */
export function writeGrpcError(res: ServerResponse, httpStatus: number, msg: string, requestId: string, http2: boolean): void {
  const status = { 'grpc-status': String(grpcStatusForHTTP(httpStatus)), 'grpc-message': encodeGrpcMessage(msg) };
  res.writeHead(200, { 'content-type': 'application/grpc', 'x-request-id': requestId, ...(http2 ? {} : status) });
  if (http2) res.addTrailers(status);
  res.end();
}

const STATUS_FIELDS = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin']);

/**
 * A trailers-only upstream answer (grpc-status among the response headers, RFC: "Trailers-Only"):
 * the status fields are taken out of the flat header list (mutated) and returned, to be sent as
 * trailers to the HTTP/2 client (see writeGrpcError). Null when the headers carry no grpc-status.
 */
export function takeTrailersOnlyStatus(flat: string[]): Record<string, string> | null {
  let has = false;
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === 'grpc-status') has = true;
  if (!has) return null;
  const out: Record<string, string> = Object.create(null);
  let w = 0;
  for (let i = 0; i < flat.length; i += 2) {
    if (STATUS_FIELDS.has(flat[i])) out[flat[i]] = flat[i + 1];
    else {
      flat[w++] = flat[i];
      flat[w++] = flat[i + 1];
    }
  }
  flat.length = w;
  return out;
}

/**
 * The upstream's trailers as a header object. undici hands HTTP/2 trailers to onResponseEnd parsed
 * from a raw list, but HTTP/2 gives it an object (which then parses to nothing): take the
 * controller's raw trailers in that case.
 */
export function upstreamTrailers(parsed: Record<string, string | string[] | undefined> | undefined, raw: unknown): Record<string, string | string[]> | null {
  let out: Record<string, string | string[]> | null = null;
  const add = (k: string, v: unknown) => {
    if (k.length === 0 || k.charCodeAt(0) === 58 /* pseudo */ || (typeof v !== 'string' && !Array.isArray(v))) return;
    (out ??= Object.create(null) as Record<string, string | string[]>)[k.toLowerCase()] = v as string | string[];
  };
  if (parsed) for (const k of Object.keys(parsed)) add(k, parsed[k]);
  if (out === null && raw !== null && typeof raw === 'object') {
    if (Array.isArray(raw)) {
      for (let i = 0; i + 1 < raw.length; i += 2) add(String(raw[i]), String(raw[i + 1]));
    } else for (const k of Object.keys(raw)) add(k, (raw as Record<string, unknown>)[k]);
  }
  return out;
}
