// Helpers for the upstream-side security tests: the real `switchyard serve` with small timeout flags,
// Backends and HTTPRoutes written through its API, loopback upstreams whose behaviour each test sets,
// and raw `net` clients. Every wait is bounded.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api, BACKENDS, ROUTES } from '../scaleout/lib';
import { until as proxyUntil } from '../proxy/lib';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Serve {
  proc: SwitchyardProcess;
  api: Api;
  proxyPort: number;
  close(): Promise<void>;
}

export async function startServe(extraArgs: string[] = []): Promise<Serve> {
  const proc = await startSwitchyard({ command: 'serve', extraArgs });
  const m = /"proxyPort":(\d+)/.exec(proc.logs());
  if (!m) throw new Error(`no proxyPort in the ready line:\n${proc.logs().slice(-2000)}`);
  const api = new Api(proc.apiURL, fs.readFileSync(path.join(proc.dataDir, 'ca.crt'), 'utf8'), proc.adminToken);
  return {
    proc,
    api,
    proxyPort: Number(m[1]),
    async close() {
      api.close();
      await proc.stop('SIGKILL').catch(() => undefined);
    },
  };
}

export async function create(api: Api, coll: string, obj: object): Promise<void> {
  const r = await api.request('POST', coll, obj);
  if (r.status !== 201) throw new Error(`create ${coll}: HTTP ${r.status} ${r.text}`);
}

export function backendObj(name: string, endpoints: Array<{ ip?: string; fqdn?: string; port: number }>, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name }, spec: { endpoints, ...spec } };
}

/** one rule on `hostname`, every path, to weighted Backend refs */
export function routeObj(name: string, hostname: string, refs: Array<{ name: string; weight?: number }>, ruleExtra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: { name },
    spec: {
      hostnames: [hostname],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: refs.map((r) => ({ kind: 'Backend', name: r.name, ...(r.weight !== undefined ? { weight: r.weight } : {}) })), ...ruleExtra }],
    },
  };
}

export { BACKENDS, ROUTES };

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request on a fresh connection (each call is "another client"). */
export function request(port: number, host: string, p: string, opts: { method?: string; body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, method: opts.method ?? 'GET', agent: false, timeout: opts.timeoutMs ?? 5000, headers: { host, ...(opts.headers ?? {}) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${p}: no answer within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface RawResult {
  /** everything the proxy wrote */
  text: string;
  /** status codes of the response lines seen, in order (a 100 Continue included) */
  statuses: number[];
  /** the proxy closed the connection (within the wait) */
  closed: boolean;
  ms: number;
}

/**
 * Raw bytes to the proxy on one connection. `then` runs after the first data arrives (e.g. send the
 * body after 100 Continue). Resolves when the connection closes, or after `waitMs` with what came.
 */
export function raw(port: number, bytes: string | Buffer, opts: { waitMs?: number; then?: (s: net.Socket, got: string) => void; until?: (got: string) => boolean } = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let thenDone = false;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      s.destroy();
      const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ text: got, statuses, closed, ms: Date.now() - started });
    };
    const t = setTimeout(() => finish(false), opts.waitMs ?? 5000);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (!thenDone && opts.then) {
        thenDone = true;
        opts.then(s, got);
      }
      if (opts.until?.(got)) finish(false);
    });
    s.on('error', () => undefined);
    s.on('close', () => finish(true));
    s.write(bytes);
  });
}

export interface TestUpstream {
  port: number;
  host: string;
  server: http.Server;
  hits: number;
  /** bodies received in full (by path) */
  bodies: string[];
  /** requests whose connection closed before their body was complete */
  aborted: number;
  handler: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null;
  close(): Promise<void>;
}

/** An upstream on `host` (default 127.0.0.1): answers 200 `<name>` after reading the body, unless `handler` is set. */
export async function upstream(name: string, host = '127.0.0.1', port = 0): Promise<TestUpstream> {
  const sockets = new Set<net.Socket>();
  const u: TestUpstream = {
    port: 0,
    host,
    server: http.createServer({ keepAlive: true }),
    hits: 0,
    bodies: [],
    aborted: 0,
    handler: null,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => {
        const t = setTimeout(r, 2000);
        u.server.close(() => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
  u.server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  u.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    u.hits++;
    req.on('aborted', () => u.aborted++);
    if (u.handler) return u.handler(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      u.bodies.push(Buffer.concat(chunks).toString('latin1'));
      const body = `${name}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-upstream': name });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    u.server.once('error', reject);
    u.server.listen({ host, port }, () => resolve());
  });
  u.port = (u.server.address() as AddressInfo).port;
  return u;
}

/** A loopback port nothing listens on (bound, then closed). */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Poll `fn` until it returns a truthy value (bounded): test/proxy's, with this suite's longer defaults. */
export function until<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  return proxyUntil(what, fn, timeoutMs, everyMs);
}
