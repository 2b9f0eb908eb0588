// The HTTP/1.1 fast path on one plain connection: complete request heads are parsed here
// (request_head.ts) and handed to the proxy's request handler with lean request/response objects
// (exchange_objects.ts); one request at a time (pipelined ones wait in the buffer, so responses
// keep their order). The first request the fast path does not take — a partial head (slowloris
// and large heads included), a malformed one, a body, Upgrade, CONNECT, Expect, HTTP/1.0, … — and
// every byte after it go to node:http on the same socket, which keeps the connection from then on:
// node's parser, limits, timeouts and error answers stay the rule for everything unusual.
import type { Socket } from 'node:net';
import { HeadParser, notFastReason } from './request_head';
import { FastRequest, FastResponse, type ResponseSink } from './exchange_objects';
import type { DateCache } from './response_head';

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** pipelined bytes buffered while a response is in flight before the socket stops reading */
const MAX_BUFFERED = 64 * 1024;

export interface FastPathOptions {
  /** the proxy's request handler (node:http's 'request' listener) */
  request(req: FastRequest, res: FastResponse): void;
  dates: DateCache;
  /** node's server.keepAliveTimeout: an idle connection is closed after it */
  keepAliveMs: number;
  /** fast-path counters (tests, stats) */
  counters?: FastPathCounters;
}

export interface FastPathCounters {
  served: number;
  handedOver: number;
}

/** The fast path of one listening port: its live connections (drained on close). */
export class FastPath {
  readonly connections = new Set<FastConnection>();
  draining = false;
  readonly counters: FastPathCounters;

  /** node:http's own connection listener: takes a socket from the fast path */
  http1: (socket: Socket) => void = (s) => void s.destroy();

  constructor(readonly opts: FastPathOptions) {
    this.counters = opts.counters ?? { served: 0, handedOver: 0 };
  }

  /** The connection listener for plain HTTP/1.1 sockets, in front of node's own (`toNode`). */
  readonly front = (toNode: (socket: Socket) => void): ((socket: Socket) => void) => {
    this.http1 = toNode;
    return (s) => this.accept(s);
  };

  /** a new plain connection (after the HTTP/2 preface peek) */
  accept(socket: Socket): void {
    if (this.draining) return this.http1(socket);
    const c = new FastConnection(this, socket);
    this.connections.add(c);
    c.start();
  }

  /** Graceful close: idle connections close now, busy ones after their response (`Connection: close`). */
  drain(): void {
    this.draining = true;
    for (const c of this.connections) c.closeIfIdle();
  }
}

export class FastConnection implements ResponseSink {
  private buf: Buffer | null = null;
  private busy: FastResponse | null = null;
  private parser: HeadParser | null = null;
  private gone = false;
  private scheduled = false;
  readonly keepAliveSeconds: number;
  private readonly onData = (d: Buffer) => this.data(d);
  private readonly onEnd = () => this.peerEnded();
  private readonly onClose = () => this.closed();
  private readonly onError = () => undefined;
  private readonly onTimeout = () => this.timedOut();
  private readonly onDrain = () => this.drained();
  private readonly next = () => {
    this.scheduled = false;
    this.process();
  };

  constructor(
    private readonly fp: FastPath,
    readonly socket: Socket,
  ) {
    this.keepAliveSeconds = Math.floor(fp.opts.keepAliveMs / 1000);
  }

  start(): void {
    const s = this.socket;
    s.on('data', this.onData);
    s.on('end', this.onEnd);
    s.on('close', this.onClose);
    s.on('error', this.onError);
    s.on('drain', this.onDrain);
    s.on('timeout', this.onTimeout);
    if (this.fp.opts.keepAliveMs > 0) s.setTimeout(this.fp.opts.keepAliveMs);
  }

  date(): string {
    return this.fp.opts.dates.get();
  }

  private data(d: Buffer): void {
    // the last response is out (Connection: close, drain): later bytes are nobody's, never buffered
    if (this.gone) return;
    this.buf = this.buf === null ? d : Buffer.concat([this.buf, d]);
    if (this.busy === null) this.process();
    else if (this.buf.length > MAX_BUFFERED) this.socket.pause();
  }

  /** Serve the buffered requests until one is in flight, the buffer is empty, or node:http takes over. */
  private process(): void {
    while (this.busy === null && !this.gone) {
      const b = this.buf;
      if (b === null) return;
      // as node:http: a client that does not read its answers gets no more of them (the next
      // pipelined request waits for 'drain'; the socket stops reading, so the buffer stays bounded)
      if (this.socket.writableNeedDrain) {
        this.socket.pause();
        return;
      }
      const end = b.indexOf(HEAD_END);
      if (end < 0) return this.handOver();
      const len = end + 4;
      const headBytes = len === b.length ? b : b.subarray(0, len);
      const parser = (this.parser ??= new HeadParser());
      const head = parser.parse(headBytes);
      if (head === null || notFastReason(head) !== null) return this.handOver();
      this.buf = len === b.length ? null : b.subarray(len);
      if (this.socket.isPaused() && (this.buf === null || this.buf.length <= MAX_BUFFERED)) this.socket.resume();
      const req = new FastRequest(this.socket, head);
      const res = new FastResponse(this, req, head.shouldKeepAlive && !this.fp.draining);
      this.busy = res;
      this.fp.counters.served++;
      this.fp.opts.request(req, res);
    }
  }

  responseDone(res: FastResponse, last: boolean): void {
    if (this.busy !== res) return;
    this.busy = null;
    if (last || this.fp.draining) {
      this.finish();
      return;
    }
    if (this.buf !== null && !this.scheduled) {
      // the next pipelined request, once the handler that ended this response has returned
      this.scheduled = true;
      process.nextTick(this.next);
    }
  }

  /** the last response is written: close the connection once it is flushed (node's destroySoon) */
  private finish(): void {
    this.gone = true;
    this.buf = null;
    const s = this.socket;
    s.end();
    // the server allows half-open sockets: without this, a client that never sends its FIN would
    // keep the connection (and whatever it sends) until the idle timeout
    if (s.writableFinished) s.destroy();
    else s.once('finish', () => s.destroy());
  }

  /** node:http takes the socket, with every byte not yet served */
  private handOver(): void {
    const s = this.socket;
    this.release();
    this.fp.counters.handedOver++;
    s.pause();
    const rest = this.buf;
    this.buf = null;
    if (rest !== null) s.unshift(rest);
    this.fp.http1(s);
    // node's HTTP/1.1 code reads the socket's handle directly; the unshifted bytes flow on resume
    process.nextTick(() => s.resume());
  }

  /** this connection leaves the fast path (closed, or handed over) */
  private release(): void {
    const s = this.socket;
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onClose);
    s.removeListener('error', this.onError);
    s.removeListener('drain', this.onDrain);
    s.removeListener('timeout', this.onTimeout);
    s.setTimeout(0);
    this.gone = true;
    this.fp.connections.delete(this);
    this.parser?.close();
    this.parser = null;
  }

  /** the client half-closed: as node:http (allowHalfOpen off), a request in flight is aborted */
  private peerEnded(): void {
    if (this.busy !== null) return void this.socket.destroy();
    this.gone = true;
    this.socket.end();
  }

  private closed(): void {
    const res = this.busy;
    this.busy = null;
    this.buf = null;
    this.release();
    if (res !== null) {
      res.destroyed = true;
      res.emit('close');
    }
  }

  private timedOut(): void {
    // idle past keepAliveTimeout: closed, as node closes an idle keep-alive connection
    if (this.busy === null) this.socket.destroy();
  }

  private drained(): void {
    const res = this.busy;
    if (res !== null && res.needDrain) {
      res.needDrain = false;
      res.emit('drain');
    } else if (res === null && this.buf !== null && !this.gone) {
      // pipelined requests held back while the client was not reading (process)
      if (this.socket.isPaused() && this.buf.length <= MAX_BUFFERED) this.socket.resume();
      this.process();
    }
  }

  closeIfIdle(): void {
    if (this.busy === null && !this.gone) this.socket.destroy();
  }
}
