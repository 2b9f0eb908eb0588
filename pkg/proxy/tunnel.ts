// What the detached-socket paths (CONNECT and Upgrade) share: answering and closing a socket that no
// HTTP parser reads any more, holding the client's early bytes until the tunnel opens, dialling the
// resolved addresses one after the other, the tunnel's idle timeout, and their access-log line.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProxyContext } from './context';
import type { RuleIR } from './ir';

/** An upstream that accepts no connection within this long is the next address's turn (as the pools' connectTimeout). */
export const CONNECT_TIMEOUT_MS = 5_000;

/** how long a closed detached socket may take to read our answer before it is destroyed */
const LINGER_MS = 5_000;

/**
 * Answer a detached (upgrade or CONNECT) socket and close it. Nothing reads such a socket any more,
 * so the client's FIN would never be seen and the half-open socket would linger (and hold up the
 * listener's close): drain what the client still sends, end our side (end() flushes the answer
 * first), and destroy it if the client has not closed within LINGER_MS.
 */
export function answerAndClose(socket: Duplex, response: string): void {
  if (socket.destroyed) return;
  socket.removeAllListeners('data');
  socket.resume();
  socket.end(response);
  const t = setTimeout(() => socket.destroy(), LINGER_MS);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}

/** A plain-text answer for a detached socket, with `Connection: close`. */
export function plainAnswer(status: number, reason: string, body = '', extra: Record<string, string> = {}): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const k of Object.keys(extra)) head += `${k}: ${extra[k]}\r\n`;
  const len = Buffer.byteLength(body);
  return `${head}${len ? 'Content-Type: text/plain\r\n' : ''}Content-Length: ${len}\r\nConnection: close\r\n\r\n${body}`;
}

/** at most this much of what the client sends before the tunnel opens is held (then reading pauses) */
const EARLY_MAX = 64 * 1024;

/**
 * Reads the client socket while the target is resolved, dialled and (Upgrade) answers, so that a
 * client that leaves is noticed at once (`onGone`), and holds what it sent: nothing of it goes
 * upstream before the tunnel opens (`take()`), and it is dropped if the tunnel never opens.
 */
export class ClientHold {
  private chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  gone = false;

  constructor(
    private readonly client: Duplex,
    head: Buffer,
    private readonly onGone: () => void,
  ) {
    if (head.length) this.push(head);
    client.on('data', this.onData);
    client.once('end', this.onEnd);
    client.once('close', this.onClose);
  }

  private readonly onData = (b: Buffer) => this.push(b);
  private readonly onEnd = () => this.leave();
  private readonly onClose = () => this.leave();

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    if (this.size >= EARLY_MAX) this.client.pause();
  }

  private leave(): void {
    if (this.done || this.gone) return;
    this.gone = true;
    this.onGone();
  }

  /** Stop holding: the bytes the client sent so far (the tunnel opened), or nothing (it did not). */
  take(): Buffer {
    const b = Buffer.concat(this.chunks);
    this.release();
    return b;
  }

  /** Stop holding, dropping what was held. */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.client.off('data', this.onData);
    this.client.off('end', this.onEnd);
    this.client.off('close', this.onClose);
    this.chunks = [];
  }
}

export interface DialTarget {
  addresses: readonly string[];
  port: number;
  /** TLS to the upstream: the connect options (SNI and verification) for the address dialled; undefined: plain TCP */
  tls?: (address: string) => tls.ConnectionOptions;
}

export interface Dialing {
  /** stop: the socket being dialled is destroyed and the callback is never called */
  cancel(): void;
}

/**
 * Connects to the addresses in order: a connect failure or timeout moves on to the next one; the
 * callback gets the first connected socket, or the last error when none connected.
 */
export function dialInOrder(t: DialTarget, cb: (err: Error | null, socket: net.Socket | null, address: string) => void): Dialing {
  let i = 0;
  let current: net.Socket | null = null;
  let cancelled = false;
  const next = (lastErr: Error | null): void => {
    if (cancelled) return;
    if (i >= t.addresses.length) return cb(lastErr ?? new Error('no address to dial'), null, t.addresses[t.addresses.length - 1] ?? '');
    const address = t.addresses[i++];
    const s: net.Socket = t.tls
      ? tls.connect({ host: address, port: t.port, ...t.tls(address), ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: address, port: t.port });
    current = s;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      s.destroy();
      next(err);
    };
    s.setTimeout(CONNECT_TIMEOUT_MS, () => fail(new Error('upstream connect timeout')));
    s.once('error', fail);
    s.once(t.tls ? 'secureConnect' : 'connect', () => {
      if (settled) return;
      settled = true;
      s.setTimeout(0);
      s.off('error', fail);
      current = null;
      if (cancelled) return void s.destroy();
      cb(null, s, address);
    });
  };
  next(null);
  return {
    cancel() {
      cancelled = true;
      current?.destroy();
      current = null;
    },
  };
}

/**
 * Joins the client and the upstream both ways. The tunnel closes when either side closes or errs,
 * and when no byte went either way for `idleMs` (0: never): every byte either way passes the
 * client socket, so its inactivity timer sees both directions.
 */
export function joinTunnel(client: Duplex & { setTimeout?: (ms: number, cb?: () => void) => unknown }, upstream: net.Socket, idleMs: number, onClose: (reason: string) => void): void {
  let closed = false;
  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    client.destroy();
    upstream.destroy();
    onClose(reason);
  };
  client.on('error', () => close('client error'));
  upstream.on('error', () => close('upstream error'));
  client.once('close', () => close('client closed'));
  upstream.once('close', () => {
    // a clean end from the upstream was passed on by pipe(): let the client read it before closing
    if (!client.writableEnded) close('upstream closed');
    else if (!closed) {
      closed = true;
      onClose('upstream closed');
      const t = setTimeout(() => client.destroy(), LINGER_MS);
      t.unref();
      client.once('close', () => clearTimeout(t));
    }
  });
  if (idleMs > 0 && typeof client.setTimeout === 'function') client.setTimeout(idleMs, () => close('tunnel idle timeout'));
  upstream.pipe(client);
  client.pipe(upstream);
  client.resume();
}

/** One access line (--proxy-access-log) for a CONNECT or Upgrade, as the exchange writes for a request. */
export function logDetached(
  ctx: ProxyContext,
  req: IncomingMessage,
  e: { requestId: string; status: number; started: number; rule: RuleIR | null; backend?: string; upstream?: string; reason?: string },
): void {
  if (!ctx.requestLog.wants(e.reason !== undefined)) return;
  ctx.requestLog.write({
    requestId: e.requestId,
    method: req.method ?? '',
    host: req.headers.host ?? '',
    path: req.url ?? '',
    status: e.status,
    durationMs: performance.now() - e.started,
    route: e.rule?.route ?? '',
    backend: e.backend ?? '',
    upstream: e.upstream,
    client: req.socket.remoteAddress ?? '',
    userAgent: req.headers['user-agent'],
    reason: e.reason,
  });
}
