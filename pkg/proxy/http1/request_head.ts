// The HTTP/1.1 fast path's request codec: one complete request head, parsed by node's own llhttp
// binding (the parser node:http uses, with the same strictness: no lenient flags, node's header
// byte limit), and the decision whether the fast path may serve it. Anything it does not take is
// handed to node:http with its bytes untouched, so every unusual request keeps node's behaviour.
import { MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES } from '../front';

interface NodeHTTPParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  close(): void;
  [k: number]: unknown;
}

interface ParserModule {
  HTTPParser: {
    new (): NodeHTTPParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnMessageComplete: number;
    kOnBody: number;
    kLenientNone: number;
  };
  methods: string[];
}

// node's internal module (the binding node:http itself uses); stable across node 18–22
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HTTPParser, methods } = require('_http_common') as ParserModule;

/** One parsed request head. */
export interface RequestHead {
  method: string;
  url: string;
  versionMajor: number;
  versionMinor: number;
  /** node's rawHeaders: [name, value, …] as received */
  raw: string[];
  upgrade: boolean;
  shouldKeepAlive: boolean;
  /** the message ended with the head (no body) */
  complete: boolean;
}

/** A reusable parser for one connection's request heads. */
export class HeadParser {
  private readonly parser: NodeHTTPParser;
  private head: RequestHead | null = null;
  private rawAcc: string[] = [];
  private urlAcc = '';
  private closed = false;

  constructor() {
    const p = new HTTPParser();
    p.initialize(HTTPParser.REQUEST, {}, MAX_REQUEST_HEADER_BYTES, HTTPParser.kLenientNone);
    // more than 32 fields arrive in several kOnHeaders calls before kOnHeadersComplete
    p[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
      for (let i = 0; i < headers.length; i++) this.rawAcc.push(headers[i]);
      this.urlAcc += url;
    };
    p[HTTPParser.kOnHeadersComplete] = (
      versionMajor: number,
      versionMinor: number,
      headers: string[] | undefined,
      method: number,
      url: string | undefined,
      _statusCode: unknown,
      _statusMessage: unknown,
      upgrade: boolean,
      shouldKeepAlive: boolean,
    ) => {
      let raw = headers;
      if (raw === undefined) {
        raw = this.rawAcc;
        this.rawAcc = [];
      } else if (this.rawAcc.length !== 0) {
        raw = this.rawAcc.concat(raw);
        this.rawAcc = [];
      }
      let u = url;
      if (!u) {
        u = this.urlAcc;
        this.urlAcc = '';
      }
      this.head = { method: methods[method] ?? '', url: u, versionMajor, versionMinor, raw, upgrade, shouldKeepAlive, complete: false };
      return 0;
    };
    p[HTTPParser.kOnBody] = () => undefined;
    p[HTTPParser.kOnMessageComplete] = () => {
      if (this.head !== null) this.head.complete = true;
    };
    this.parser = p;
  }

  /**
   * Parses `bytes`, which must be exactly one request head (through its blank line). Null when the
   * bytes are not a well-formed head that ends a message (malformed, a body follows, …): the
   * caller hands them to node:http, which answers as it always does.
   */
  parse(bytes: Buffer): RequestHead | null {
    if (this.closed) return null;
    this.head = null;
    this.rawAcc = [];
    this.urlAcc = '';
    const n = this.parser.execute(bytes);
    const h = this.head;
    this.head = null;
    if (typeof n !== 'number' || n !== bytes.length || h === null) return null;
    return h;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.parser.close();
  }
}

/** What makes a request the fast path's; null: it is. (Anything else goes to node:http.) */
export function notFastReason(h: RequestHead): string | null {
  if (!h.complete) return 'body';
  if (h.versionMajor !== 1 || h.versionMinor !== 1) return 'version';
  if (h.upgrade || h.method === 'CONNECT') return 'upgrade';
  // absolute-form (forward proxy), asterisk-form (OPTIONS *): the general path
  if (h.url.charCodeAt(0) !== 47 /* '/' */) return 'target';
  const raw = h.raw;
  if (raw.length > MAX_REQUEST_HEADERS * 2) return 'header count';
  let host = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    switch (n.length) {
      case 4: // node answers 400 to an HTTP/1.1 request without Host (requireHostHeader)
        if (!host && n.toLowerCase() === 'host') host = true;
        break;
      case 6: // expect: node answers 100-continue or 417
        if (n.toLowerCase() === 'expect') return 'expect';
        break;
      case 7: // upgrade without Connection: upgrade (node strips it as hop-by-hop, as would we)
        if (n.toLowerCase() === 'upgrade') return 'upgrade';
        break;
      case 12: // gRPC over HTTP/1.1: its own error answers
        if (n.toLowerCase() === 'content-type' && /^application\/grpc/i.test(raw[i + 1])) return 'grpc';
        break;
      case 14: // a request body, even an empty one, goes the general way
        if (n.toLowerCase() === 'content-length' && raw[i + 1] !== '0') return 'body';
        break;
      case 17:
        if (n.toLowerCase() === 'transfer-encoding') return 'body';
        break;
    }
  }
  return host ? null : 'no host';
}

/** Fields of which node keeps the first value only (IncomingMessage#headers, matchKnownFields). */
const FIRST_WINS = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);

/**
 * The `headers` object node's IncomingMessage would build from `raw`: lower-case names, duplicates
 * joined with ", " (cookie with "; ", set-cookie as an array, some fields first-wins).
 */
export function headersObject(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const prev = out[name];
    if (prev === undefined || !Object.hasOwn(out, name)) {
      out[name] = name === 'set-cookie' ? [value] : value;
      continue;
    }
    if (name === 'set-cookie') (prev as string[]).push(value);
    else if (FIRST_WINS.has(name)) continue;
    else out[name] = prev + (name === 'cookie' ? '; ' : ', ') + value;
  }
  return out;
}
