// What an upstream attempt's error means, and whose fault it is. Only upstream-side outcomes
// (connect failure, reset, timeout; 5xx is a status, not an error) may feed passive health and
// circuit breakers: a request undici refuses as an invalid argument (duplicate Host, a header value
// it will not write, an `Expect` it does not support) or a client that stopped sending its body is
// the client's doing, and counting it against the endpoint would let any client open a backend's
// circuit breaker.

/** undici error codes for a request it refuses to send: the request is bad, not the upstream */
const CLIENT_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export type AttemptErrorKind =
  /** the request is malformed (400), nothing counts against the endpoint */
  | 'client'
  /** nothing was sent: the connection (TCP or TLS) could not be made; the next address may be tried */
  | 'connect'
  /** no response headers (or body bytes) in time */
  | 'timeout'
  /** the connection failed after the request started going out */
  | 'reset';

/**
 * Classify an attempt's error. `sent`: the request had started going upstream (undici called
 * onRequestStart on a connected socket). A connect timeout is a connect failure (nothing sent).
 */
export function classifyAttemptError(err: Error, sent: boolean): AttemptErrorKind {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && CLIENT_CODES.has(code)) return 'client';
  if (!sent) return 'connect';
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'timeout';
  return 'reset';
}

/** A copy of a flat [name, value, …] list without header `lname` (lower case); the same list when absent. */
export function withoutHeader(headers: string[], lname: string): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!;
    if (n.length !== lname.length || n.toLowerCase() !== lname) {
      if (out !== null) out.push(n, headers[i + 1]!);
    } else if (out === null) {
      out = headers.slice(0, i);
    }
  }
  return out ?? headers;
}
