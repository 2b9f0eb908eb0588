// Helpers shared by the apiserver integration tests: a started server (SQLite or etcd) with an
// HTTPS client that trusts its CA, kubectl runs with a private HOME (discovery cache) and a
// request timeout, watch streams read line by line with bounded waits, and small polling helpers.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';
import { startSwitchyard, REPO_ROOT, type SwitchyardProcess, type StartOptions } from '../harness/switchyard';
import { startEtcd, type EtcdMember } from '../harness/etcd';
import { tempDir } from '../harness/tmp';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const BACKENDS = '/apis/core.apoxy.dev/v1alpha2/backends';
export const BACKENDS_V1ALPHA = '/apis/core.apoxy.dev/v1alpha/backends';
export const HTTPROUTES = '/apis/gateway.apoxy.dev/v1/httproutes';
export const GATEWAYS = '/apis/gateway.apoxy.dev/v1/gateways';
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export type Storage = 'sqlite' | 'etcd';

export interface TestServer {
  sy: SwitchyardProcess;
  etcd?: EtcdMember;
  api: Api;
  readonlyApi: Api;
  storage: Storage;
  stop(): Promise<void>;
}

/**
 * The apiserver alone (`switchyard apiserver`): no controller writing status behind the tests'
 * back, so resourceVersions and conditions are only what the test itself wrote.
 */
export async function startServer(storage: Storage = 'sqlite', opts: StartOptions = {}): Promise<TestServer> {
  let etcd: EtcdMember | undefined;
  const extraArgs = [...(opts.extraArgs ?? [])];
  if (storage === 'etcd') {
    etcd = await startEtcd();
    extraArgs.push('--etcd-servers', etcd.clientURL);
  }
  let sy: SwitchyardProcess;
  try {
    sy = await startSwitchyard({ command: 'apiserver', ...opts, extraArgs });
  } catch (err) {
    await etcd?.stop();
    throw err;
  }
  const ts: TestServer = {
    sy,
    etcd,
    storage,
    api: new Api(sy.apiURL, sy.caFile, sy.adminToken),
    readonlyApi: new Api(sy.apiURL, sy.caFile, sy.readonlyToken),
    async stop() {
      await ts.api.close();
      await ts.readonlyApi.close();
      await ts.sy.stop();
      await etcd?.stop();
    },
  };
  return ts;
}

/** Restart the switchyard process of `ts` (same data dir, port and storage). */
export async function restartServer(ts: TestServer): Promise<void> {
  await ts.api.close();
  await ts.readonlyApi.close();
  ts.sy = await ts.sy.restart();
  ts.api = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.adminToken);
  ts.readonlyApi = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.readonlyToken);
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ReqOptions {
  body?: unknown;
  /** raw body (string/Buffer) sent as is */
  raw?: string | Buffer;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  /** override the bearer token; null: none */
  token?: string | null;
  timeoutMs?: number;
}

/** An HTTPS client for one server and one token. */
export class Api {
  readonly agent: Agent;

  constructor(
    readonly base: string,
    caFile: string,
    readonly token: string,
    connections = 16,
  ) {
    this.agent = new Agent({ connect: { ca: fs.readFileSync(caFile, 'utf8') }, connections, pipelining: 1 });
  }

  async req(method: string, p: string, o: ReqOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const token = o.token === undefined ? this.token : o.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (o.accept) headers.accept = o.accept;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const timeout = o.timeoutMs ?? 15_000;
    // the dispatcher API sends the path exactly as given ("%2E%2E", "%zz"); a URL would be normalized
    const res = await this.agent.request({
      origin: this.base,
      path: p,
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  }

  get = (p: string, o?: ReqOptions) => this.req('GET', p, o);
  post = (p: string, body: unknown, o?: ReqOptions) => this.req('POST', p, { ...o, body });
  put = (p: string, body: unknown, o?: ReqOptions) => this.req('PUT', p, { ...o, body });
  del = (p: string, o?: ReqOptions) => this.req('DELETE', p, o);
  patch = (p: string, type: 'merge' | 'json' | 'apply' | 'strategic', body: unknown, o?: ReqOptions) =>
    this.req('PATCH', p, {
      ...o,
      raw: typeof body === 'string' ? body : JSON.stringify(body),
      contentType: {
        merge: 'application/merge-patch+json',
        json: 'application/json-patch+json',
        apply: 'application/apply-patch+yaml',
        strategic: 'application/strategic-merge-patch+json',
      }[type],
    });

  /** POST and insist on 201 */
  async create(p: string, obj: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const a = await this.post(p, obj);
    if (a.status !== 201) throw new Error(`create ${p}: HTTP ${a.status} ${a.text}`);
    return a.json;
  }

  /** Opens a watch stream: headers are awaited; events are read lazily with bounded waits. */
  async watch(p: string, o: { accept?: string; timeoutMs?: number } = {}): Promise<WatchStream> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (o.accept) headers.accept = o.accept;
    const ac = new AbortController();
    const res = await request(this.base + p, {
      method: 'GET',
      headers,
      dispatcher: this.agent,
      signal: ac.signal,
      headersTimeout: o.timeoutMs ?? 10_000,
      bodyTimeout: 0,
    });
    return new WatchStream(res.statusCode, res.headers, res.body, ac);
  }

  close(): Promise<void> {
    return this.agent.close().catch(() => undefined);
  }
}

export interface WatchEvent {
  type: string;
  object: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Newline-delimited watch events with bounded waits. */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  ended = false;
  endError?: Error;
  private buf = '';
  private readers: (() => void)[] = [];
  private cursor = 0;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    body: AsyncIterable<Buffer> & { destroy?: (e?: Error) => unknown },
    private readonly ac: AbortController,
  ) {
    void (async () => {
      try {
        for await (const chunk of body) {
          this.buf += chunk.toString('utf8');
          let nl: number;
          while ((nl = this.buf.indexOf('\n')) >= 0) {
            const line = this.buf.slice(0, nl).trim();
            this.buf = this.buf.slice(nl + 1);
            if (!line) continue;
            try {
              this.events.push(JSON.parse(line) as WatchEvent);
            } catch {
              this.events.push({ type: 'UNPARSEABLE', object: line });
            }
          }
          this.wake();
        }
      } catch (err) {
        if (!ac.signal.aborted) this.endError = err as Error;
      } finally {
        if (this.buf.trim()) this.events.push({ type: 'TRAILING', object: this.buf });
        this.ended = true;
        this.wake();
      }
    })();
  }

  private wake(): void {
    for (const r of this.readers.splice(0)) r();
  }

  private waitChange(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.readers.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** The next unread event; undefined when the stream ended or nothing came within timeoutMs. */
  async next(timeoutMs = 5000): Promise<WatchEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.events.length) {
      if (this.ended) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.waitChange(left);
    }
    return this.events[this.cursor++];
  }

  /** Reads events until one matches; throws with what was seen after timeoutMs. */
  async until(pred: (e: WatchEvent) => boolean, timeoutMs = 5000, what = 'a matching event'): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(0, deadline - Date.now()));
      if (e && pred(e)) return e;
      if (!e) {
        throw new Error(`watch: no ${what} within ${timeoutMs} ms (ended=${this.ended}); saw ${JSON.stringify(this.events.map((x) => [x.type, x.object?.metadata?.name ?? x.object?.code, x.object?.metadata?.resourceVersion]))}`);
      }
    }
  }

  /** Resolves true when the server ended the stream within timeoutMs. */
  async waitEnd(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await this.waitChange(deadline - Date.now());
    return this.ended;
  }

  close(): void {
    this.ac.abort();
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  (args: string[], o?: { input?: string; timeoutMs?: number; kubeconfig?: string }): Promise<KubectlResult>;
  bin: string;
  home: string;
  /** run and insist on exit code 0 */
  ok(args: string[], o?: { input?: string; timeoutMs?: number; kubeconfig?: string }): Promise<string>;
}

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
export const KUBECTL_120 = path.join(REPO_ROOT, '.cache', 'kubectl-1.20', 'usr', 'bin', 'kubectl');

/**
 * kubectl with its own HOME (so ~/.kube/cache discovery never leaks between servers), KUBECONFIG
 * from the env, and `--request-timeout` unless the args carry one.
 */
export function kubectlFor(kubeconfig: string, bin = KUBECTL): Kubectl {
  const home = tempDir('switchyard-kubectl-home-');
  const run = ((args: string[], o: { input?: string; timeoutMs?: number; kubeconfig?: string } = {}) => {
    const full = args.some((a) => a.startsWith('--request-timeout')) ? args : [...args, '--request-timeout=20s'];
    return new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        bin,
        full,
        {
          env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: o.kubeconfig ?? kubeconfig },
          timeout: o.timeoutMs ?? 30_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 124) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (o.input !== undefined) child.stdin!.end(o.input);
      else child.stdin!.end();
    });
  }) as Kubectl;
  run.bin = bin;
  run.home = home;
  run.ok = async (args, o) => {
    const r = await run(args, o);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  };
  return run;
}

/** Polls `fn` until it returns a truthy value; throws after timeoutMs with the last value. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last as T;
    } catch (err) {
      lastErr = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)} ${lastErr ? String(lastErr) : ''}`);
}

export function backend(name: string, spec: Record<string, unknown> = { endpoints: [{ ip: '10.0.0.1' }] }, metadata: Record<string, unknown> = {}) {
  return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, ...metadata }, spec };
}

/** Dynamic import of an ES module from this CommonJS build (client-node 1.x is ESM only). */
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;
export type ClientNode = typeof import('@kubernetes/client-node');
export const loadClientNode = () => dynamicImport('@kubernetes/client-node') as Promise<ClientNode>;

/** Compacts etcd directly (the store's history up to `revision`) through its JSON gateway. */
export async function compactEtcd(clientURL: string, revision?: number): Promise<number> {
  const post = async (p: string, body: unknown) => {
    const res = await request(clientURL + p, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, headersTimeout: 5000, bodyTimeout: 5000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`etcd ${p}: HTTP ${res.statusCode} ${text}`);
    return JSON.parse(text) as { header?: { revision?: string } };
  };
  const rev = revision ?? Number((await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 })).header?.revision);
  await post('/v3/kv/compaction', { revision: String(rev), physical: true });
  return rev;
}
