// The request and response objects the fast path hands to the proxy's request handler: the parts
// of node's IncomingMessage and ServerResponse that the front door, the router and the Exchange
// use, without node:http's streams. A fast-path request never has a body (request_head.ts).
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { checkStatus, reasonPhrase, responseHead } from './response_head';
import type { RequestHead } from './request_head';
import { headersObject } from './request_head';

/** What a response needs from its connection. */
export interface ResponseSink {
  readonly socket: Socket;
  /** the Date value for this second */
  date(): string;
  readonly keepAliveSeconds: number;
  /** the response was written to the end: the connection may read the next request (or close) */
  responseDone(res: FastResponse, last: boolean): void;
}

/** A bodyless HTTP/1.1 request (IncomingMessage's fields the proxy reads). */
export class FastRequest {
  readonly method: string;
  url: string;
  rawHeaders: string[];
  readonly headers: Record<string, string | string[]>;
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly httpVersion = '1.1';
  /** the whole message was received (there is no body) */
  readonly complete = true;
  readonly errored = null;
  readonly readableFlowing = null;
  readonly upgrade = false;

  constructor(
    readonly socket: Socket,
    head: RequestHead,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.rawHeaders = head.raw;
    this.headers = headersObject(head.raw);
  }
}

type Body = Buffer | string | Uint8Array;

const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** a head and body below this are copied into one buffer (one write) rather than written as two */
const COPY_LIMIT = 16 * 1024;

function toBuffer(b: Body): Buffer {
  if (typeof b === 'string') return Buffer.from(b);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A response on a fast-path connection, written as node's ServerResponse writes it (response_head.ts),
 * with at most one socket write per call: the head goes out with the first body bytes.
 * Events: 'close' (the response ended or its connection went away), 'drain', 'finish'.
 */
export class FastResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  shouldKeepAlive: boolean;
  headersSent = false;
  writableEnded = false;
  finished = false;
  destroyed = false;
  /** the head, built by writeHead and not yet written */
  private head: string | null = null;
  private chunked = false;
  private last = false;
  private hasBody: boolean;
  private readonly isHead: boolean;
  /** headers set before writeHead (setHeader), as node keeps them: name → [name, value] */
  private pending: Map<string, [string, string | string[]]> | null = null;
  /** a write returned false: 'drain' is due */
  needDrain = false;

  constructor(
    private readonly sink: ResponseSink,
    req: FastRequest,
    keepAlive: boolean,
  ) {
    super();
    this.isHead = req.method === 'HEAD';
    this.hasBody = !this.isHead;
    this.shouldKeepAlive = keepAlive;
  }

  get socket(): Socket {
    return this.sink.socket;
  }

  setHeader(name: string, value: string | number | string[]): this {
    if (this.headersSent) throw Object.assign(new Error('Cannot set headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    (this.pending ??= new Map()).set(name.toLowerCase(), [name, Array.isArray(value) ? value : String(value)]);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.pending?.get(name.toLowerCase())?.[1];
  }

  /** writeHead(status, [reason], headers): headers as a flat [name, value, …] list or an object */
  writeHead(status: number, reason?: string | readonly string[] | Record<string, string | number>, headers?: readonly string[] | Record<string, string | number>): this {
    if (this.headersSent) throw Object.assign(new Error('Cannot write headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    let h = headers;
    let r: string | undefined;
    if (typeof reason === 'string') r = reason;
    else if (reason !== undefined) h = reason;
    const code = checkStatus(status);
    const phrase = reasonPhrase(code, r);
    const fields = this.fieldList(h);
    if (code === 204 || code === 304 || code < 200) this.hasBody = false;
    const f = responseHead(code, phrase, fields, this.sink.date(), this.shouldKeepAlive, this.sink.keepAliveSeconds, this.hasBody);
    this.statusCode = code;
    this.statusMessage = phrase;
    this.head = f.head;
    this.chunked = f.chunked;
    this.last = f.last;
    this.headersSent = true;
    return this;
  }

  /**
   * The fields in node's order: writeHead's own when nothing was set before (as given), else node's
   * header map: setHeader's fields, replaced by writeHead's of the same name (a list appends its
   * repeated names, an object replaces).
   */
  private fieldList(h: readonly string[] | Record<string, string | number> | undefined): readonly string[] {
    const p = this.pending;
    if (p === null) {
      if (h === undefined) return [];
      if (Array.isArray(h)) return h as readonly string[];
      const out: string[] = [];
      for (const k of Object.keys(h)) out.push(k, String((h as Record<string, string | number>)[k]));
      return out;
    }
    const map = new Map(p);
    if (Array.isArray(h)) {
      const list = h as readonly string[];
      for (let i = 0; i < list.length; i += 2) map.delete(list[i].toLowerCase());
      for (let i = 0; i < list.length; i += 2) {
        const k = list[i].toLowerCase();
        const e = map.get(k);
        if (e === undefined) map.set(k, [list[i], list[i + 1]]);
        else e[1] = Array.isArray(e[1]) ? [...e[1], list[i + 1]] : [e[1], list[i + 1]];
      }
    } else if (h) for (const k of Object.keys(h)) map.set(k.toLowerCase(), [k, String((h as Record<string, string | number>)[k])]);
    const out: string[] = [];
    for (const [name, v] of map.values()) {
      if (Array.isArray(v)) for (const x of v) out.push(name, x);
      else out.push(name, v);
    }
    return out;
  }

  write(chunk: Body): boolean {
    if (this.writableEnded) return false;
    if (this.head === null && !this.headersSent) this.writeHead(this.statusCode);
    const body = this.hasBody ? toBuffer(chunk) : null;
    if (body !== null && body.length === 0 && this.head === null) return true;
    const ok = this.send(body, false);
    if (!ok) this.needDrain = true;
    return ok;
  }

  end(chunk?: Body | (() => void)): this {
    if (this.writableEnded) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    this.finished = true;
    const body = this.hasBody && chunk !== undefined && typeof chunk !== 'function' ? toBuffer(chunk) : null;
    this.send(body, true);
    this.sink.responseDone(this, this.last || !this.shouldKeepAlive);
    if (this.listenerCount('finish') !== 0) this.emit('finish');
    return this;
  }

  /** one socket write (or one corked writev) for what is pending: head, body bytes, the last chunk */
  private send(body: Buffer | null, end: boolean): boolean {
    const s = this.sink.socket;
    if (s.destroyed) return false;
    const head = this.head;
    this.head = null;
    const n = body === null ? 0 : body.length;
    if (!this.chunked) {
      if (head === null) return n === 0 ? true : s.write(body!);
      if (n === 0) return s.write(head, 'latin1');
      if (n + head.length <= COPY_LIMIT) {
        const out = Buffer.allocUnsafe(head.length + n);
        out.write(head, 0, 'latin1');
        body!.copy(out, head.length);
        return s.write(out);
      }
      s.cork();
      s.write(head, 'latin1');
      const ok = s.write(body!);
      s.uncork();
      return ok;
    }
    // chunked: [head] [size CRLF body CRLF] [0 CRLF CRLF]
    s.cork();
    if (head !== null) s.write(head, 'latin1');
    let ok = true;
    if (n !== 0) {
      s.write(n.toString(16) + '\r\n', 'latin1');
      s.write(body!);
      ok = s.write(CRLF);
    }
    if (end) ok = s.write(LAST_CHUNK);
    s.uncork();
    return ok;
  }

  destroy(_err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.sink.socket.destroy();
    return this;
  }

  /** node's compat: HTTP/1.1 has no place for trailers here */
  addTrailers(): void {}
}
