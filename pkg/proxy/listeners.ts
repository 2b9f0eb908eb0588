// The proxy's listening sockets: the default one (--proxy-listen) plus one per Gateway listener
// port. Several listener ids may share a port. A port that cannot be bound is reported (the
// controller turns it into Programmed=False); removing a listener stops accepting at once and
// lets in-flight requests finish. A TLS listener terminates with the proxy's certificate; a port
// whose protocol changes (HTTP ↔ HTTPS) is closed and bound again.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { ListenerIR } from './ir';
import { answerAndClose } from './tunnel';
import { MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES } from './front';
import type * as http2 from 'node:http2';
import { createH2Server, divertHTTP2 } from './h2_listener';
import { defaultCertificate, SecureContextCache, SniTable } from './sni';
import { FastPath } from './http1/connection';
import { DateCache } from './http1/response_head';

export interface PortHandler {
  /** HTTP/1.1 and HTTP/2 requests alike (an HTTP/2 one is node's compat request/response) */
  request(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse, port: number): void;
  upgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, port: number): void;
  connect?(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, port: number): void;
}

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

/** the certificate, or how to get it the first time a TLS listener opens (generation writes files) */
export type TlsSource = TlsMaterial | (() => TlsMaterial);

interface OpenPort {
  key: string;
  server: http.Server | https.Server;
  tls: boolean;
  /** every accepted socket, upgraded ones too (node's closeAllConnections knows only HTTP ones) */
  sockets: Set<Socket>;
  /** the HTTP/2 sessions (h2 by ALPN, or h2c with prior knowledge) */
  h2: http2.Http2Server;
  sessions: Set<http2.ServerHttp2Session>;
  ids: Set<string>;
  /** TLS: the certificates chosen by SNI (listeners' Secrets) */
  sni?: SniTable;
  /** the bound port (differs from the requested one only for port 0) */
  port: number;
  /** plain ports: the HTTP/1.1 fast path in front of node's server */
  fast?: FastPath;
}

export class ListenerManager {
  private readonly open = new Map<string, OpenPort>();
  readonly bindErrors = new Map<string, string>();
  /** one secure context per listener certificate version, shared by every port */
  private readonly contexts = new SecureContextCache();

  constructor(
    private readonly handler: PortHandler,
    private readonly onChange: () => void = () => undefined,
    private readonly serverOptions: http.ServerOptions = {},
    /** the certificate TLS listeners present; without it a TLS listener cannot open */
    private readonly tlsSource?: TlsSource,
    /** plain ports serve common HTTP/1.1 requests on the fast path (http1/), the rest on node:http */
    private readonly fastPath = true,
  ) {}

  private readonly dates = new DateCache();

  private tlsMaterial?: TlsMaterial;
  /** the certificate, loaded on first use; a string says why there is none */
  private certificate(): TlsMaterial | string {
    if (this.tlsMaterial) return this.tlsMaterial;
    if (!this.tlsSource) return 'the proxy has no certificate';
    try {
      this.tlsMaterial = typeof this.tlsSource === 'function' ? this.tlsSource() : this.tlsSource;
      return this.tlsMaterial;
    } catch (err) {
      return `the proxy certificate could not be loaded: ${(err as Error).message}`;
    }
  }

  /** bound port → terminates TLS (the first open entry on a port decides, as a scan of `open` would) */
  private tlsByPort = new Map<number, boolean>();

  /** Does this bound port terminate TLS? */
  isTLS(port: number): boolean {
    return this.tlsByPort.get(port) ?? false;
  }

  private indexTLS(): void {
    const m = new Map<number, boolean>();
    for (const p of this.open.values()) if (!m.has(p.port)) m.set(p.port, p.tls);
    this.tlsByPort = m;
  }

  /** listener ids served on each bound port */
  idsByPort(): Map<number, Set<string>> {
    const out = new Map<number, Set<string>>();
    for (const p of this.open.values()) out.set(p.port, p.ids);
    return out;
  }

  /** every address:port bound now (the forward proxy's deny-list refuses them) */
  boundAddresses(): { host: string; port: number }[] {
    return [...this.open.values()].map((p) => ({ host: (p.server.address() as AddressInfo | null)?.address ?? p.key.slice(0, p.key.lastIndexOf(':')), port: p.port }));
  }

  /** requests served by the HTTP/1.1 fast path, and connections it handed to node:http, on every plain port */
  fastPathCounts(): { served: number; handedOver: number } {
    const out = { served: 0, handedOver: 0 };
    for (const p of this.open.values()) {
      if (!p.fast) continue;
      out.served += p.fast.counters.served;
      out.handedOver += p.fast.counters.handedOver;
    }
    return out;
  }

  boundPort(listenerId: string): number | undefined {
    for (const p of this.open.values()) if (p.ids.has(listenerId)) return p.port;
    return undefined;
  }

  /** Make the open sockets match `listeners`. Resolves when binds have settled. */
  async reconcile(listeners: ListenerIR[]): Promise<void> {
    const want = new Map<string, { host: string; port: number; ids: Set<string>; tls: boolean; listeners: ListenerIR[] }>();
    for (const l of listeners) {
      const key = `${l.host}:${l.port}`;
      // listeners sharing a port share its socket: the first one decides the protocol
      const w = want.get(key) ?? { host: l.host, port: l.port, ids: new Set<string>(), tls: !!l.tls, listeners: [] };
      w.ids.add(l.id);
      w.listeners.push(l);
      want.set(key, w);
    }
    let rebind = false;
    for (const [key, p] of [...this.open]) {
      const w = want.get(key);
      if (!w || w.tls !== p.tls) {
        this.open.delete(key);
        this.indexTLS();
        closeGracefully(p.server, p.sockets, p.sessions, p.fast);
        if (w) rebind = true;
      }
    }
    // server.close() releases the listening socket on the next turn of the loop
    if (rebind) await new Promise((r) => setImmediate(r));
    const binds: Promise<void>[] = [];
    for (const [key, w] of want) {
      const existing = this.open.get(key);
      if (existing) {
        existing.ids = w.ids;
        if (existing.sni) this.updateCertificates(existing, w.listeners);
        continue;
      }
      binds.push(this.bind(key, w.host, w.port, w.ids, w.tls, w.listeners));
    }
    const inUse = new Set<string>();
    for (const l of listeners) if (l.certificate) inUse.add(l.certificate.id);
    this.contexts.retain(inUse);
    for (const id of [...this.bindErrors.keys()]) if (!listeners.some((l) => l.id === id)) this.bindErrors.delete(id);
    await Promise.all(binds);
    const after = this.signature();
    if (after !== this.lastSignature) {
      this.lastSignature = after;
      this.onChange();
    }
  }

  /** what the controller reports from (bound ports, their listener ids, bind errors): onChange fires when it changes */
  private lastSignature = '';
  private signature(): string {
    const open = [...this.open.values()].map((p) => `${p.key}=${p.port}:${[...p.ids].sort().join(',')}`).sort();
    const errs = [...this.bindErrors].map(([id, e]) => `${id}:${e}`).sort();
    return JSON.stringify([open, errs]);
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    this.indexTLS();
    await Promise.all(all.map((p) => closeGracefully(p.server, p.sockets, p.sessions, p.fast)));
  }

  /**
   * The default certificate of a TLS port: a hostname-less listener's Secret, else the proxy's own
   * (--proxy-tls-cert, or generated), else any listener's (clients without a matching SNI name).
   */
  private portDefault(listeners: readonly ListenerIR[]): { material: TlsMaterial; id: string } | string {
    const own = defaultCertificate(listeners);
    if (own) return { material: { cert: own.cert, key: own.key }, id: own.id };
    const proxy = this.tlsSource || !listeners.some((l) => l.certificate) ? this.certificate() : undefined;
    if (proxy !== undefined && typeof proxy !== 'string') return { material: proxy, id: '' };
    const any = listeners.find((l) => l.certificate)?.certificate;
    if (any) return { material: { cert: any.cert, key: any.key }, id: any.id };
    return proxy ?? 'the proxy has no certificate';
  }

  /** A live port's certificates changed: new handshakes get them, open connections keep theirs. */
  private updateCertificates(p: OpenPort, listeners: readonly ListenerIR[]): void {
    try {
      p.sni!.update(listeners);
      const d = this.portDefault(listeners);
      if (typeof d !== 'string' && d.id !== p.sni!.defaultId) {
        (p.server as https.Server).setSecureContext({ ...d.material });
        p.sni!.defaultId = d.id;
      }
    } catch (err) {
      // the controller validated the PEM; keep serving what the port has
      for (const id of p.ids) this.bindErrors.set(id, `cannot update the certificates on ${p.key}: ${(err as Error).message}`);
    }
  }

  private bind(key: string, host: string, port: number, ids: Set<string>, tls: boolean, listeners: readonly ListenerIR[] = []): Promise<void> {
    const def = tls ? this.portDefault(listeners) : undefined;
    const cert = def === undefined ? undefined : typeof def === 'string' ? def : def.material;
    if (typeof cert === 'string') {
      for (const id of ids) this.bindErrors.set(id, `cannot serve TLS on ${host}:${port}: ${cert}`);
      return Promise.resolve();
    }
    // slowloris: a client must send its headers in time; node checks that deadline every
    // connectionsCheckingInterval (default 30 s), so check at a quarter of it
    const headersTimeout = this.serverOptions.headersTimeout ?? 30_000;
    const options: http.ServerOptions = { keepAlive: true, maxHeaderSize: MAX_REQUEST_HEADER_BYTES, insecureHTTPParser: false, connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(headersTimeout / 4))), ...this.serverOptions };
    let server: http.Server | https.Server;
    let sni: SniTable | undefined;
    try {
      if (cert) {
        sni = new SniTable(this.contexts);
        sni.update(listeners);
        sni.defaultId = typeof def === 'object' ? def.id : '';
      }
      server = cert
        ? https.createServer({ ...options, ...cert, SNICallback: sni!.callback, ALPNProtocols: ['h2', 'http/1.1'], handshakeTimeout: Math.min(headersTimeout, 120_000) })
        : http.createServer(options);
    } catch (err) {
      // unusable PEM, or a key that does not match its certificate
      for (const id of ids) this.bindErrors.set(id, `cannot serve TLS on ${host}:${port}: ${(err as Error).message}`);
      return Promise.resolve();
    }
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = headersTimeout;
    server.requestTimeout = 0; // streaming bodies and WebSockets are long-lived
    // one above the limit: the proxy sees that there were too many and answers 431 (front.ts), where
    // node alone would drop the fields past its count silently (Content-Length included)
    server.maxHeadersCount = MAX_REQUEST_HEADERS + 1;
    // a TLS handshake that never finishes is cut like slow headers
    if (tls) (server as https.Server).on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
    const sockets = new Set<Socket>();
    server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
    });
    // HTTP/2 connections leave node's HTTP/1.1 code for an http2 server (h2_listener.ts)
    let boundPort = port;
    const h2 = createH2Server((req, res) => this.handler.request(req, res, boundPort), { idleTimeoutMs: server.keepAliveTimeout > 0 ? Math.max(server.keepAliveTimeout, headersTimeout) : headersTimeout });
    const sessions = new Set<http2.ServerHttp2Session>();
    h2.on('session', (s: http2.ServerHttp2Session) => {
      sessions.add(s);
      s.once('close', () => sessions.delete(s));
    });
    let fast: FastPath | undefined;
    if (!tls && this.fastPath) {
      fast = new FastPath({
        request: (req, res) => this.handler.request(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse, boundPort),
        dates: this.dates,
        keepAliveMs: server.keepAliveTimeout,
      });
    }
    divertHTTP2(server, tls, h2, headersTimeout, fast?.front);
    return new Promise((resolve) => {
      const onBindError = (err: NodeJS.ErrnoException) => {
        for (const id of ids) this.bindErrors.set(id, `cannot listen on ${host}:${port}: ${err.code ?? err.message}`);
        resolve();
      };
      server.once('error', onBindError);
      server.listen({ host, port }, () => {
        // once bound, a server 'error' is an accept failure (EMFILE…): transient, the server keeps
        // listening. It is not a bind error, and an unhandled 'error' event would end the process.
        server.off('error', onBindError);
        server.on('error', () => undefined);
        const bound = (server.address() as AddressInfo).port;
        for (const id of ids) this.bindErrors.delete(id);
        boundPort = bound;
        const entry: OpenPort = { key, server, tls, ids, port: bound, sockets, h2, sessions, sni, fast };
        this.open.set(key, entry);
        this.indexTLS();
        server.on('request', (req, res) => this.handler.request(req, res, entry.port));
        server.on('upgrade', (req, socket, head) => this.handler.upgrade(req, socket, head, entry.port));
        server.on('connect', (req, socket, head) => {
          if (this.handler.connect) this.handler.connect(req, socket, head, entry.port);
          else answerAndClose(socket, 'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        });
        server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
          if (!socket.writable) return socket.destroy();
          const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
          socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        });
        resolve();
      });
    });
  }
}

/** In-flight requests and tunnels get this long to finish once a listener closes; then they are cut. */
export const CLOSE_GRACE_MS = 10_000;

function closeGracefully(server: http.Server | https.Server, sockets: Set<Socket>, sessions: Set<http2.ServerHttp2Session>, fast?: FastPath): Promise<void> {
  // HTTP/2: GOAWAY now, the session closes once its open streams end
  for (const s of sessions) s.close();
  // fast-path connections: idle ones close now, busy ones after their response
  fast?.drain();
  return new Promise((resolve) => {
    // bounded: a WebSocket tunnel or a stuck upstream must not keep a removed port (or shutdown) forever
    const deadline = setTimeout(() => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
    }, CLOSE_GRACE_MS);
    deadline.unref();
    // like Go's Server.Shutdown: keep closing connections as they turn idle (a keep-alive
    // connection whose in-flight response just finished would otherwise linger for keepAliveTimeout)
    const poll = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
