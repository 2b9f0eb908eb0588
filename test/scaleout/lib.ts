// Helpers for the scale-out and fault suites: several `switchyard apiserver` replicas on one etcd
// cluster (one TLS identity and token file shared by all, as a Deployment's Secret would), `switchyard
// proxy` replicas, a small HTTPS JSON client, a resumable watch, Prometheus text parsing. Every wait
// is bounded.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { kubeconfig } from '../../pkg/certs/bootstrap';
import { freePort } from '../harness/ports';
import { spawnNode, type NodeChild } from '../harness/process';
import { BIN, startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { tempDir } from '../harness/tmp';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------------------- API client

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A JSON client for one apiserver URL, trusting the cluster CA, authenticating with a token. */
export class Api {
  readonly agent: https.Agent | http.Agent;

  constructor(
    readonly url: string,
    readonly ca: string | undefined,
    readonly token: string,
    opts: { maxSockets?: number } = {},
  ) {
    const isHttps = url.startsWith('https:');
    this.agent = isHttps ? new https.Agent({ keepAlive: true, ca, maxSockets: opts.maxSockets ?? 64 }) : new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  }

  request<T = any>(method: string, p: string, body?: unknown, timeoutMs = 10_000): Promise<Answer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const u = new URL(p, this.url);
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        u,
        {
          method,
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers, text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${p}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** the raw text of a GET (e.g. /metrics) */
  async text(p: string, timeoutMs = 5000): Promise<string> {
    const r = await this.request('GET', p, undefined, timeoutMs);
    if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status}`);
    return r.text;
  }

  close(): void {
    this.agent.destroy();
  }
}

export const BACKENDS = '/apis/core.apoxy.dev/v1alpha2/backends';
export const ROUTES = '/apis/gateway.apoxy.dev/v1/httproutes';
export const LEASES = (ns: string) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;

export function backend(name: string, endpoints: Array<{ ip: string; port: number }> = [{ ip: '10.0.0.1', port: 80 }], labels?: Record<string, string>) {
  return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, ...(labels ? { labels } : {}) }, spec: { endpoints } };
}

export function route(name: string, pathPrefix: string, backendName: string) {
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: { name },
    spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: pathPrefix } }], backendRefs: [{ kind: 'Backend', name: backendName }] }] },
  };
}

// ------------------------------------------------------------------------------- metrics

/** The value of one sample in Prometheus text format (labels: all given must match); undefined if absent. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const kv of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[kv[1]] = kv[2];
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total = (total ?? 0) + Number(m[4]);
  }
  return total;
}

// ------------------------------------------------------------------------------- apiserver replicas

export interface ApiReplica {
  index: number;
  proc: SwitchyardProcess;
  url: string;
  api: Api;
  /** a kubeconfig (admin) pointing at this replica */
  kubeconfig: string;
  restart(): Promise<void>;
}

export interface Replicas {
  replicas: ApiReplica[];
  ca: string;
  token: string;
  close(): Promise<void>;
}

/**
 * n `switchyard apiserver` processes on the given etcd endpoints. Replica 0 creates the CA, serving
 * certificate and token file; the others serve with those (--tls-cert/--tls-key/--token-auth-file).
 */
export async function startApiReplicas(etcdEndpoints: string[], n: number, opts: { extraArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Replicas> {
  const etcdArgs = ['--etcd-servers', etcdEndpoints.join(','), ...(opts.extraArgs ?? [])];
  const first = await startSwitchyard({ command: 'apiserver', extraArgs: etcdArgs, env: opts.env });
  const dir0 = first.dataDir;
  const ca = fs.readFileSync(path.join(dir0, 'ca.crt'), 'utf8');
  const shared = ['--tls-cert', path.join(dir0, 'serving.crt'), '--tls-key', path.join(dir0, 'serving.key'), '--token-auth-file', path.join(dir0, 'tokens.csv')];
  const procs: SwitchyardProcess[] = [first];
  procs.push(...(await Promise.all(Array.from({ length: n - 1 }, () => startSwitchyard({ command: 'apiserver', extraArgs: [...etcdArgs, ...shared], env: opts.env })))));
  const token = first.adminToken;
  const kcDir = tempDir('switchyard-kubeconfigs-');
  const replicas: ApiReplica[] = procs.map((proc, index) => {
    const kc = path.join(kcDir, `replica-${index}.kubeconfig`);
    fs.writeFileSync(kc, kubeconfig(proc.apiURL, ca, token, 'admin'), { mode: 0o600 });
    const r: ApiReplica = {
      index,
      proc,
      url: proc.apiURL,
      api: new Api(proc.apiURL, ca, token),
      kubeconfig: kc,
      async restart() {
        r.proc = await r.proc.restart();
      },
    };
    return r;
  });
  return {
    replicas,
    ca,
    token,
    async close() {
      for (const r of replicas) r.api.close();
      await Promise.all(replicas.map((r) => r.proc.stop().catch(() => undefined)));
    },
  };
}

// ------------------------------------------------------------------------------- proxy replicas

export interface ProxyReplica {
  identity: string;
  node: NodeChild;
  proxyPort: number;
  metricsPort: number;
  metrics(): Promise<string>;
  isLeader(): Promise<boolean>;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const TEST_LEASE = { duration: '3s', renew: '2s', retry: '500ms', durationMs: 3000, retryMs: 500 };

/** `switchyard proxy --kubeconfig …` with short leader-election timings and a metrics port. */
export async function startProxyReplica(kubeconfigPath: string, identity: string, opts: { extraArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ProxyReplica> {
  const proxyPort = await freePort();
  const metricsPort = await freePort();
  const args = [
    'proxy',
    '--kubeconfig', kubeconfigPath,
    '--data-dir', tempDir('switchyard-proxy-'),
    '--proxy-listen', `127.0.0.1:${proxyPort}`,
    '--metrics-listen', `127.0.0.1:${metricsPort}`,
    '--leader-elect-identity', identity,
    '--leader-elect-lease-duration', TEST_LEASE.duration,
    '--leader-elect-renew-deadline', TEST_LEASE.renew,
    '--leader-elect-retry-period', TEST_LEASE.retry,
    ...(opts.extraArgs ?? []),
  ];
  const node = spawnNode(BIN, args, { env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'debug', ...opts.env } });
  let all = '';
  node.child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  node.onLine((l) => (all += l + '\n'));
  await node.waitForLine((l) => l.includes('switchyard is ready'), 30_000);
  const get = (p: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: metricsPort, path: p, timeout: 3000, agent: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(b) : reject(new Error(`GET ${p}: HTTP ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  return {
    identity,
    node,
    proxyPort,
    metricsPort,
    metrics: () => get('/metrics'),
    async isLeader() {
      return metric(await get('/metrics'), 'leader_election_master_status') === 1;
    },
    logs: () => all,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      await node.kill(signal);
    },
  };
}

// ------------------------------------------------------------------------------- plain HTTP

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One HTTP request through a proxy port (fresh connection unless an agent is given). */
export function httpGet(port: number, p: string, opts: { host?: string; agent?: http.Agent | false; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, method: 'GET', agent: opts.agent ?? false, timeout: opts.timeoutMs ?? 5000, headers: { host: opts.host ?? 'test.local', ...(opts.headers ?? {}) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${p}: no answer within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A loopback upstream answering 200 `<name> <path>`; counts hits. */
export async function startUpstream(name: string): Promise<{ port: number; hits: () => number; server: http.Server; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    hits++;
    const body = `${name} ${req.url}\n`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-upstream': name });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    port,
    hits: () => hits,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

// ------------------------------------------------------------------------------- watch

export interface WatchState {
  /** name → resourceVersion of every live object, as this watcher has it */
  objects: Map<string, string>;
  lastRV: string;
  events: number;
  reconnects: number;
  relists: number;
  stop(): void;
}

/**
 * A watcher that behaves like an informer: list, then watch from the list's resourceVersion; when
 * the stream ends or fails, watch again from the last event's resourceVersion (relist on 410).
 */
export async function resilientWatch(api: Api, collection: string, opts: { selector?: string } = {}): Promise<WatchState> {
  const st: WatchState = { objects: new Map(), lastRV: '', events: 0, reconnects: 0, relists: 0, stop: () => undefined };
  let stopped = false;
  let current: http.ClientRequest | undefined;
  st.stop = () => {
    stopped = true;
    current?.destroy();
  };
  const sel = opts.selector ? `&labelSelector=${encodeURIComponent(opts.selector)}` : '';
  const relist = async () => {
    for (;;) {
      try {
        const r = await api.request('GET', `${collection}?${sel.slice(1)}`, undefined, 10_000);
        if (r.status === 200) {
          st.objects = new Map((r.body.items as Array<{ metadata: { name: string; resourceVersion: string } }>).map((o) => [o.metadata.name, o.metadata.resourceVersion]));
          st.lastRV = r.body.metadata.resourceVersion;
          st.relists++;
          return;
        }
      } catch {
        /* retry */
      }
      if (stopped) return;
      await sleep(200);
    }
  };
  await relist();
  const loop = async () => {
    while (!stopped) {
      const expired = await new Promise<boolean>((resolve) => {
        const u = new URL(`${collection}?watch=1&allowWatchBookmarks=true&resourceVersion=${st.lastRV}${sel}`, api.url);
        const mod = u.protocol === 'https:' ? https : http;
        const req = mod.request(u, { method: 'GET', ca: api.ca, agent: false, headers: { authorization: `Bearer ${api.token}` } } as https.RequestOptions, (res) => {
          if (res.statusCode === 410) return resolve(true);
          if (res.statusCode !== 200) {
            res.resume();
            return resolve(false);
          }
          let buf = '';
          let gone = false;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (!line.trim()) continue;
              const ev = JSON.parse(line) as { type: string; object: { code?: number; metadata: { name: string; resourceVersion: string } } };
              if (ev.type === 'ERROR') {
                gone = ev.object.code === 410;
                continue;
              }
              st.lastRV = ev.object.metadata.resourceVersion;
              if (ev.type === 'BOOKMARK') continue;
              st.events++;
              if (ev.type === 'DELETED') st.objects.delete(ev.object.metadata.name);
              else st.objects.set(ev.object.metadata.name, ev.object.metadata.resourceVersion);
            }
          });
          res.on('end', () => resolve(gone));
          res.on('error', () => resolve(gone));
          res.on('close', () => resolve(gone));
        });
        current = req;
        req.on('error', () => resolve(false));
        req.end();
      });
      if (stopped) return;
      st.reconnects++;
      if (expired) await relist();
      else await sleep(100);
    }
  };
  void loop();
  return st;
}
