// The fast path's response head: byte for byte what node's ServerResponse writes for the same
// writeHead call on an HTTP/1.1 keep-alive server (_storeHeader): the status line, the fields in
// the order given (names as given), `Date` unless given, `Connection`/`Keep-Alive`, and
// `Transfer-Encoding: chunked` when a response with a body has no Content-Length. Pure.
import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';

/** how the head frames what follows */
export interface HeadFraming {
  head: string;
  /** the body is sent chunked */
  chunked: boolean;
  /** the connection closes after this response */
  last: boolean;
}

/** node's check for the reason phrase (ERR_INVALID_CHAR) */
const INVALID_REASON = /[^\t\x20-\x7e\x80-\xff]/;

/** A status code node accepts (ERR_HTTP_INVALID_STATUS_CODE otherwise). */
export function checkStatus(status: number): number {
  const s = status | 0;
  if (s < 100 || s > 999 || s !== status) {
    const e = new RangeError(`Invalid status code: ${status}`) as Error & { code: string };
    e.code = 'ERR_HTTP_INVALID_STATUS_CODE';
    throw e;
  }
  return s;
}

export function reasonPhrase(status: number, reason: string | undefined): string {
  const r = reason ?? STATUS_CODES[status] ?? 'unknown';
  if (INVALID_REASON.test(r)) {
    const e = new TypeError('Invalid character in statusMessage') as Error & { code: string };
    e.code = 'ERR_INVALID_CHAR';
    throw e;
  }
  return r;
}

/**
 * The head for `fields` ([name, value, …], already grouped as node's header map would hold them),
 * validated as node validates them (throws node's errors). `hasBody`: false for HEAD and
 * 204/304/1xx; `keepAlive`: the request allows another one on the connection.
 */
export function responseHead(status: number, reason: string, fields: readonly string[], date: string, keepAlive: boolean, keepAliveSeconds: number, hasBody: boolean): HeadFraming {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  let hasDate = false;
  let contLen = false;
  let te = false;
  let connection = false;
  let last = !keepAlive;
  let defaultKeepAlive = true;
  let chunked = false;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    validateHeaderName(name);
    validateHeaderValue(name, value);
    head += name + ': ' + value + '\r\n';
    // node's matchHeader: the fields that change the framing
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'date') hasDate = true;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') {
          connection = true;
          if (/(?:^|\W)close(?:$|\W)/i.test(value)) last = true;
        } else if (name.toLowerCase() === 'keep-alive') defaultKeepAlive = false;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') contLen = true;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          te = true;
          if (/(?:^|\W)chunked(?:$|\W)/i.test(value)) chunked = true;
        }
        break;
    }
  }
  if (!hasDate) head += 'Date: ' + date + '\r\n';
  if (chunked && (status === 204 || status === 304)) {
    chunked = false;
    keepAlive = false;
  }
  if (!connection) {
    if (keepAlive) {
      head += 'Connection: keep-alive\r\n';
      if (keepAliveSeconds > 0 && defaultKeepAlive) head += `Keep-Alive: timeout=${keepAliveSeconds}\r\n`;
    } else {
      last = true;
      head += 'Connection: close\r\n';
    }
  }
  if (!contLen && !te) {
    if (!hasBody) chunked = false;
    else {
      head += 'Transfer-Encoding: chunked\r\n';
      chunked = true;
    }
  }
  return { head: head + '\r\n', chunked, last };
}

/** The IMF-fixdate for `Date`, recomputed once a second (as node's utcDate). */
export class DateCache {
  private value = '';
  private second = -1;
  constructor(private readonly now: () => number = Date.now) {}
  get(): string {
    const t = this.now();
    const s = Math.floor(t / 1000);
    if (s !== this.second) {
      this.second = s;
      this.value = new Date(s * 1000).toUTCString();
    }
    return this.value;
  }
}
