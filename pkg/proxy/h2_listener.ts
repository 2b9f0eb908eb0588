// HTTP/2 to clients on the proxy's listeners. The listening socket stays node's http/https server
// (HTTP/1.1 keeps every behaviour it had: llhttp strictness, headersTimeout, clientError answers);
// connections that speak HTTP/2 are handed to an unbound node:http2 server instead:
// - TLS: ALPN offers `h2` and `http/1.1`; a socket that negotiated h2 goes to the http2 server.
// - plain: the first bytes are peeked; the HTTP/2 connection preface (`PRI * HTTP/2.0…`, h2c with
//   prior knowledge, RFC 9113 §3.3) goes to the http2 server, anything else to node's HTTP/1.1 code.
// Limits follow Envoy's edge recommendations: 100 concurrent streams, 64 KiB stream window, 1 MiB
// connection window, a bounded header list, and sessions cut after too many refused streams or
// invalid frames (rapid reset, CVE-2023-44487, and other floods).
import * as http2 from 'node:http2';
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES } from './front';

/** the client connection preface (RFC 9113 §3.4) */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const H2_MAX_CONCURRENT_STREAMS = 100;
export const H2_INITIAL_STREAM_WINDOW = 65_536;
export const H2_INITIAL_CONNECTION_WINDOW = 1_048_576;
/** the hard header list limit advertised to clients; the 431 limit (MAX_REQUEST_HEADER_BYTES) is checked below it */
export const H2_MAX_HEADER_LIST_SIZE = MAX_REQUEST_HEADER_BYTES + 16 * 1024;

export interface H2Options {
  /** a session with no frames for this long is closed (GOAWAY) */
  idleTimeoutMs: number;
}

/** An unbound http2 server with the edge limits; requests arrive as node's compat request/response. */
export function createH2Server(onRequest: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void, opts: H2Options): http2.Http2Server {
  const server = http2.createServer({
    settings: {
      maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS,
      initialWindowSize: H2_INITIAL_STREAM_WINDOW,
      maxHeaderListSize: H2_MAX_HEADER_LIST_SIZE,
      enablePush: false,
    },
    // pseudo-headers and a margin: more than MAX_REQUEST_HEADERS fields is answered 431 by the
    // front door (as over HTTP/1.1), far more than that is refused by nghttp2 itself
    maxHeaderListPairs: MAX_REQUEST_HEADERS * 2,
    maxSessionRejectedStreams: 100,
    maxSessionInvalidFrames: 100,
    maxOutstandingPings: 10,
    maxSettings: 32,
    maxSessionMemory: 10,
    // h2c/ALPN mix-ups: an unknown protocol gets this long before the socket is cut
    unknownProtocolTimeout: 10_000,
  });
  server.on('session', (session: http2.ServerHttp2Session) => {
    // 1 MiB for the whole connection (Envoy's initial_connection_window_size)
    session.once('connect', () => {
      try {
        session.setLocalWindowSize(H2_INITIAL_CONNECTION_WINDOW);
      } catch {
        /* the session is already gone */
      }
    });
    if (opts.idleTimeoutMs > 0) session.setTimeout(opts.idleTimeoutMs, () => session.close());
    session.on('error', () => session.destroy());
  });
  server.on('request', onRequest);
  // CONNECT streams too (node would answer 405 itself): the front door answers 501, logged and counted
  server.on('connect', onRequest);
  // a stream-level failure (a reset mid-response) must not surface as an unhandled 'error'
  server.on('sessionError', () => undefined);
  server.on('streamError' as 'sessionError', () => undefined);
  return server;
}

/** 'h2', 'h1' or 'more' (the bytes so far are a proper prefix of the preface) */
export function classifyPreface(buf: Buffer): 'h2' | 'h1' | 'more' {
  const n = Math.min(buf.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (buf[i] !== PREFACE[i]) return 'h1';
  return n === PREFACE.length ? 'h2' : 'more';
}

/**
 * Replaces a listening server's connection listener by one that routes each connection: TLS by
 * the negotiated ALPN protocol, plain by peeking the preface. `http1` is node's own listener (called
 * with the server as `this`); `h2` the http2 server. The peek is bounded by `peekTimeoutMs` (a
 * connection that sends nothing is cut, as headersTimeout would cut it over HTTP/1.1).
 */
export function divertHTTP2(server: http.Server, tls: boolean, h2: http2.Http2Server, peekTimeoutMs: number, plainHTTP1?: (toNode: (s: Socket) => void) => (s: Socket) => void): void {
  const event = tls ? 'secureConnection' : 'connection';
  const own = server.listeners(event);
  // node's http connection listener is registered first, by the constructor
  const http1 = own[0] as (this: http.Server, s: Socket) => void;
  server.removeListener(event, http1 as (...a: unknown[]) => void);
  const toHTTP1 = (s: Socket) => http1.call(server, s);
  if (tls) {
    server.prependListener(event, (s: TLSSocket) => (s.alpnProtocol === 'h2' ? h2.emit('connection', s) : toHTTP1(s)));
    return;
  }
  // a plain HTTP/1.1 connection may go to a front of its own first (the fast path), which hands it to node's code
  const plain = plainHTTP1 ? plainHTTP1(toHTTP1) : toHTTP1;
  server.prependListener(event, (s: Socket) => peek(s, h2, plain, peekTimeoutMs));
}

function peek(s: Socket, h2: http2.Http2Server, http1: (s: Socket) => void, timeoutMs: number): void {
  let got: Buffer | null = null;
  const timer = setTimeout(() => s.destroy(), timeoutMs);
  const done = () => {
    clearTimeout(timer);
    s.removeListener('data', onData);
    s.removeListener('close', onClose);
  };
  const onClose = () => clearTimeout(timer);
  const onData = (chunk: Buffer) => {
    got = got === null ? chunk : Buffer.concat([got, chunk]);
    const kind = classifyPreface(got);
    if (kind === 'more') return;
    done();
    s.pause();
    s.unshift(got);
    if (kind === 'h2') h2.emit('connection', s);
    else http1(s);
    // node's HTTP/1.1 code reads the socket's handle directly; the unshifted bytes flow on resume
    process.nextTick(() => s.resume());
  };
  s.on('data', onData);
  s.once('close', onClose);
}
