// Helpers for the proxy tests: real loopback upstream servers (node:http, http2, https) that record
// what reached them, a Proxy started directly with hand-built Snapshots, a bounded HTTP client, and
// builders for BackendIR / RuleIR. Every wait here is bounded.
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import { Proxy, type ProxyOptions } from '../../pkg/proxy/proxy';
import type { BackendIR, EndpointIR, RuleIR, Snapshot } from '../../pkg/proxy/ir';
import type { HostResolver } from '../../pkg/proxy/resolve';
import type { Logger } from '../../pkg/log/logger';
import { createLogger } from '../../pkg/log/logger';
import { createCA, createServingCert, type KeyPairPEM } from '../../pkg/certs/selfsigned';
import { translate } from '../../pkg/controller/translate';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------- upstreams

export interface Seen {
  method: string;
  url: string;
  httpVersion: string;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  servername?: string;
}

export type Handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse, up: Upstream) => void;

export type UpstreamKind = 'http' | 'h2c' | 'https' | 'h2';

/**
 * One upstream server. By default it answers 200 with `x-upstream: <name>` and a JSON echo of what
 * it received; `/health` answers `healthStatus`. `handler` replaces the default for other paths.
 */
export class Upstream {
  hits = 0;
  healthHits = 0;
  healthStatus = 200;
  /** the last 200 requests (not /health) */
  readonly seen: Seen[] = [];
  handler: Handler | null = null;
  port = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly name: string,
    readonly kind: UpstreamKind,
    readonly server: http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer,
  ) {}

  static async start(name: string, kind: UpstreamKind = 'http', opts: { port?: number; handler?: Handler } = {}): Promise<Upstream> {
    let server: Upstream['server'];
    switch (kind) {
      case 'http':
        server = http.createServer({ keepAlive: true });
        break;
      case 'h2c':
        server = http2.createServer();
        break;
      case 'https':
        server = https.createServer({ ...tlsMaterial() });
        break;
      case 'h2':
        server = http2.createSecureServer({ ...tlsMaterial(), allowHTTP1: false });
        break;
    }
    const up = new Upstream(name, kind, server);
    if (opts.handler) up.handler = opts.handler;
    (server as http.Server).on('request', (req: http.IncomingMessage, res: http.ServerResponse) => up.onRequest(req, res));
    const connEvent = kind === 'https' || kind === 'h2' ? 'secureConnection' : 'connection';
    server.on(connEvent, (s: Socket) => {
      up.sockets.add(s);
      s.once('close', () => up.sockets.delete(s));
    });
    await up.listen(opts.port ?? 0);
    return up;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port }, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      this.healthHits++;
      res.writeHead(this.healthStatus, { 'content-type': 'text/plain' });
      res.end(this.healthStatus === 200 ? 'ok' : 'unhealthy');
      return;
    }
    this.hits++;
    const seen: Seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      httpVersion: req.httpVersion,
      rawHeaders: req.rawHeaders,
      headers: req.headers,
      servername: (req.socket as TLSSocket).servername || undefined,
    };
    this.seen.push(seen);
    if (this.seen.length > 200) this.seen.shift();
    if (this.handler) return void this.handler(req, res, this);
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ upstream: this.name, ...seen });
      if (res.writableEnded) return;
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': this.name, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }

  get last(): Seen | undefined {
    return this.seen[this.seen.length - 1];
  }

  /** Stop listening and cut every connection: the endpoint is gone (connect refused). */
  async kill(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<void>((r) => {
      timer = setTimeout(r, 2000); // bounded, whatever the server waits for
      this.server.close(() => r());
    });
    for (const s of this.sockets) s.destroy();
    await closed;
    clearTimeout(timer);
  }

  /** Listen again on the same port. */
  revive(): Promise<void> {
    return this.listen(this.port);
  }

  close(): Promise<void> {
    return this.kill();
  }
}

/** Answer `status` with `x-upstream` set (and consume the request body first). */
export function answer(status: number, body = `${status} from upstream`, headers: Record<string, string> = {}): Handler {
  return (req, res, up) => {
    req.resume();
    req.on('end', () => {
      if (res.writableEnded || (res as http.ServerResponse).destroyed) return;
      (res as http.ServerResponse).writeHead(status, { 'x-upstream': up.name, 'content-type': 'text/plain', ...headers });
      res.end(body);
    });
  };
}

/** Answer 200 after `ms` (or when `release` resolves). */
export function slow(ms: number, release?: Promise<void>): Handler {
  return (req, res, up) => {
    req.resume();
    const done = () => {
      if (res.writableEnded || (res as http.ServerResponse).destroyed) return;
      (res as http.ServerResponse).writeHead(200, { 'x-upstream': up.name, 'content-type': 'text/plain' });
      res.end('slow');
    };
    const t = setTimeout(done, ms);
    release?.then(() => {
      clearTimeout(t);
      done();
    });
    res.on('close', () => clearTimeout(t));
  };
}

let tlsCache: { key: string; cert: string; ca: string } | undefined;

/** A CA-signed serving certificate for localhost/127.0.0.1, generated once per process. */
export function tlsMaterial(): { key: string; cert: string; ca: string } {
  if (!tlsCache) {
    const ca: KeyPairPEM = createCA('switchyard-proxy-test-ca', 1);
    // other.localhost: URLRewrite's hostname in protocols.test.ts, verified like any upstream name
    const srv = createServingCert(ca, ['localhost', '127.0.0.1', 'other.localhost'], 'localhost', 1);
    tlsCache = { key: srv.key, cert: srv.cert, ca: ca.cert };
  }
  return tlsCache;
}

// ---------------------------------------------------------------- snapshot builders

export interface EpSpec {
  port: number;
  host?: string;
  weight?: number;
  region?: string;
}

export function ep(s: EpSpec | number): EndpointIR {
  const e = typeof s === 'number' ? { port: s } : s;
  const host = e.host ?? '127.0.0.1';
  return { id: `${host}:${e.port}`, host, isIP: /^[0-9.]+$|:/.test(host), port: e.port, weight: e.weight ?? 1, ...(e.region ? { region: e.region } : {}) };
}

export function backend(name: string, endpoints: Array<EpSpec | number | Upstream>, extra: Partial<BackendIR> = {}): BackendIR {
  const protocol = extra.protocol ?? '';
  return {
    name,
    protocol,
    defaultPort: protocol === 'tls' || protocol === 'h2' ? 443 : 80,
    endpoints: endpoints.map((e) => ep(e instanceof Upstream ? e.port : e)),
    loadBalancer: { algorithm: 'round-robin', slots: 10_000 },
    ...extra,
  };
}

let ruleCounter = 0;

export type RuleSpec = Partial<RuleIR> & {
  /** backend names (weight 1 each), or full refs via backendRefs */
  to?: string[];
};

export function rule(route: string, s: RuleSpec = {}): RuleIR {
  const ruleIndex = s.ruleIndex ?? 0;
  const { to, ...rest } = s;
  return {
    id: `route/${route}/rule/${ruleIndex}`,
    route,
    routeCreated: s.routeCreated ?? `2024-01-01T00:00:${String(ruleCounter++ % 60).padStart(2, '0')}Z`,
    ruleIndex,
    hostnames: [],
    listeners: ['default'],
    matches: [],
    filters: [],
    backendRefs: (to ?? []).map((b) => ({ backend: b, weight: 1 })),
    timeouts: {},
    websocket: true,
    ...rest,
  };
}

export function prefix(value: string, more: Partial<RuleIR['matches'][number]> = {}): RuleIR['matches'][number] {
  return { path: { type: 'PathPrefix', value }, headers: [], queryParams: [], ...more };
}

export function exact(value: string, more: Partial<RuleIR['matches'][number]> = {}): RuleIR['matches'][number] {
  return { path: { type: 'Exact', value }, headers: [], queryParams: [], ...more };
}

export function regex(value: string, more: Partial<RuleIR['matches'][number]> = {}): RuleIR['matches'][number] {
  return { path: { type: 'RegularExpression', value }, headers: [], queryParams: [], ...more };
}

/**
 * Rules and backends from API objects through the controller's own translation (what the proxy
 * gets from `kubectl apply`), plus the route statuses it would write.
 */
export function translated(backends: Array<Partial<Backend> & { metadata: Backend['metadata'] }>, routes: Array<Partial<HTTPRoute> & { metadata: HTTPRoute['metadata'] }>) {
  const now = '2024-01-01T00:00:00Z';
  const withDefaults = <T extends { metadata: { creationTimestamp?: string } }>(o: T): T => ({ ...o, metadata: { creationTimestamp: now, ...o.metadata } });
  const out = translate({
    backends: backends.map((b) => withDefaults({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', ...b }) as Backend),
    routes: routes.map((r) => withDefaults({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', ...r }) as HTTPRoute),
    gateways: [],
    gatewayClasses: [],
    proxyHost: '127.0.0.1',
    now,
  });
  return { rules: out.snapshot.rules, backends: Object.values(out.snapshot.backends), routeStatuses: out.statuses.routes };
}

// ---------------------------------------------------------------- the proxy

/** Static resolver: `localhost` (and any name in `extra`) → 127.0.0.1. */
export function staticResolver(extra: Record<string, string> = {}): HostResolver & { lookups: number } {
  const table: Record<string, string> = { localhost: '127.0.0.1', ...extra };
  const r = {
    lookups: 0,
    resolve(_backend: string, host: string): string[] | Promise<string[]> {
      r.lookups++;
      const a = table[host];
      return a ? [a] : Promise.reject(new Error(`DNS resolution failure: ${host}`));
    },
  };
  return r;
}

export interface TestProxy {
  proxy: Proxy;
  port: number;
  base: string;
  /** swap in rules and backends (generation auto-incremented); resolves when served */
  set(rules: RuleIR[], backends: BackendIR[]): Promise<void>;
  close(): Promise<void>;
}

let generation = 0;

export async function startTestProxy(
  rules: RuleIR[] = [],
  backends: BackendIR[] = [],
  opts: {
    resolver?: HostResolver;
    rand?: () => number;
    host?: string;
    log?: Logger;
    accessLog?: boolean;
    tls?: ProxyOptions['tls'];
    deny?: ProxyOptions['deny'];
    upstreamTrust?: ProxyOptions['upstreamTrust'];
    trustedProxies?: ProxyOptions['trustedProxies'];
  } = {},
): Promise<TestProxy> {
  const log = opts.log ?? createLogger({ level: process.env.PROXY_TEST_LOG ?? 'error', json: true });
  const proxy = new Proxy({
    listen: { host: opts.host ?? '127.0.0.1', port: 0 },
    log,
    resolver: opts.resolver ?? staticResolver(),
    accessLog: opts.accessLog,
    tls: opts.tls,
    deny: opts.deny,
    upstreamTrust: opts.upstreamTrust,
    trustedProxies: opts.trustedProxies,
    ...(opts.rand ? { rand: opts.rand } : {}),
  });
  await proxy.start();
  const port = proxy.defaultPort()!;
  const tp: TestProxy = {
    proxy,
    port,
    base: `http://127.0.0.1:${port}`,
    async set(r, b) {
      const s: Snapshot = { generation: ++generation, listeners: [], rules: r, backends: Object.fromEntries(b.map((x) => [x.name, x])) };
      await proxy.setSnapshot(s);
      if (proxy.snapshot.generation !== s.generation) throw new Error('snapshot was not served');
    },
    close: () => proxy.close(),
  };
  await tp.set(rules, backends);
  return tp;
}

// ---------------------------------------------------------------- client

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** the x-upstream header: which upstream answered ('' for a proxy-made answer) */
  upstream: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface SendOptions {
  method?: string;
  host?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | NodeJS.ReadableStream;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
}

export const defaultAgent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 2_000 });

export async function send(base: string, path: string, o: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string | string[]> = { ...(o.headers ?? {}) };
  if (o.host) headers.host = o.host;
  const timeout = o.timeoutMs ?? 10_000;
  const res = await request(base + path, {
    method: (o.method ?? 'GET') as Dispatcher.HttpMethod,
    headers,
    body: o.body as Dispatcher.DispatchOptions['body'],
    dispatcher: o.dispatcher ?? defaultAgent,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const text = body.toString('utf8');
  const up = res.headers['x-upstream'];
  return {
    status: res.statusCode,
    headers: res.headers,
    body,
    text,
    upstream: typeof up === 'string' ? up : '',
    json: () => JSON.parse(text),
  };
}

/** Send `n` requests one after another; count answers by upstream (`status:<code>` for others). */
export async function tally(n: number, one: (i: number) => Promise<Reply>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await one(i);
    const k = r.status === 200 ? r.upstream : `status:${r.status}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Poll `fn` every `everyMs` until it returns a truthy value or `timeoutMs` passes. */
export async function until<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 5_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

/** Raw header values by lower-case name, in order. */
export function rawValues(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) out.push(raw[i + 1]);
  return out;
}
