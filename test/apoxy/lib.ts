// Helpers for the Apoxy-manifest tests: `switchyard serve` on free loopback ports, the Apoxy-style
// files of ./manifests with the Gateway port rewritten, a loopback upstream that records what it
// was sent (and can fail on purpose), and an HTTP client that opens a fresh connection per request,
// so "this port is closed" means exactly that and never "an old keep-alive socket still works".
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { freePort } from '../harness/ports';
import { REPO_ROOT, startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { tempDir } from '../harness/tmp';
import { kubectlFor, waitFor, type Kubectl } from '../apiserver/lib';

export { waitFor };

export const MANIFESTS = path.join(REPO_ROOT, 'test', 'apoxy', 'manifests');
/** the port Apoxy's examples give their Gateway listener; the tests swap in a free one */
export const EXAMPLE_PORT = 10000;

export interface Serve {
  sy: SwitchyardProcess;
  k: Kubectl;
  /** --proxy-listen port (routes without parentRefs) */
  proxyPort: number;
  /** a directory for the rewritten manifests */
  dir: string;
  stop(): Promise<void>;
}

/** `switchyard serve` (SQLite, apiserver + controller + proxy) and kubectl with its own HOME. */
export async function startServe(extraArgs: string[] = []): Promise<Serve> {
  const proxyPort = await freePort();
  const sy = await startSwitchyard({ command: 'serve', extraArgs: ['--proxy-listen', `127.0.0.1:${proxyPort}`, ...extraArgs] });
  const k = kubectlFor(sy.kubeconfig);
  return { sy, k, proxyPort, dir: tempDir('switchyard-apoxy-'), stop: async () => void (await sy.stop()) };
}

/** The text of manifests/<name> with the example Gateway port replaced by `port`. */
export function manifest(name: string, port: number): string {
  const text = fs.readFileSync(path.join(MANIFESTS, name), 'utf8');
  return text.replace(new RegExp(`\\bport: ${EXAMPLE_PORT}\\b`, 'g'), `port: ${port}`);
}

/** Writes manifests/<name> (port rewritten) into `dir`; returns the file path. */
export function writeManifest(dir: string, name: string, port: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, manifest(name, port));
  return file;
}

/** kind/name of every document of a manifest, as kubectl prints them (`backend.core.apoxy.dev/app`). */
export function documentsOf(name: string): Array<{ kind: string; apiVersion: string; name: string; printed: string }> {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(MANIFESTS, name), 'utf8')).map((d) => d.toJS() as { kind: string; apiVersion: string; metadata: { name: string } });
  return docs.map((d) => ({
    kind: d.kind,
    apiVersion: d.apiVersion,
    name: d.metadata.name,
    printed: `${d.kind.toLowerCase()}.${d.apiVersion.split('/')[0]}/${d.metadata.name}`,
  }));
}

/** `kubectl get <resource> <name> -o json`, parsed; undefined when it is not found. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getObject(k: Kubectl, resource: string, name: string): Promise<any | undefined> {
  const r = await k(['get', resource, name, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${resource} ${name}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export const condition = (conds: Condition[] | undefined, type: string) => conds?.find((c) => c.type === type);

// ---- the loopback upstream ----

export interface Seen {
  method: string;
  url: string;
  host: string | undefined;
}

export interface Upstream {
  port: number;
  seen: Seen[];
  /** requests seen for a path */
  hits(url: string): Seen[];
  close(): Promise<void>;
}

/**
 * Answers 200 with a JSON echo ({method, url, host}). `/flaky/<n>-<key>` answers 503 to the first
 * n requests for that URL and 200 after that (the retry tests).
 */
export async function startUpstream(): Promise<Upstream> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const s: Seen = { method: req.method ?? '', url: req.url ?? '', host: req.headers.host };
    seen.push(s);
    req.resume();
    const flaky = /^\/flaky\/(\d+)-/.exec(s.url);
    if (flaky && seen.filter((x) => x.url === s.url).length <= Number(flaky[1])) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return res.end('upstream busy\n');
    }
    const body = JSON.stringify(s);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    hits: (url) => seen.filter((s) => s.url === url),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- a client that never reuses a connection ----

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** GET http://127.0.0.1:<port><path> on a new connection; rejects with the socket error (ECONNREFUSED…). */
export function get(port: number, urlPath: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'GET', agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET :${port}${urlPath} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The status of a GET, or the socket error code (e.g. 'ECONNREFUSED'). */
export async function statusOf(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<number | string> {
  try {
    return (await get(port, urlPath, headers)).status;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/** Resolves 'refused' when a TCP connect to the port is refused, 'open' when it is accepted. */
export function probe(port: number): Promise<'open' | 'refused' | string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(3000, () => {
      s.destroy();
      resolve('timeout');
    });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? String(err))));
  });
}

/** Points a Backend at one loopback endpoint (ip + port, the switchyard extension). */
export async function pointBackendAt(k: Kubectl, backend: string, port: number): Promise<void> {
  await k.ok(['patch', 'backend', backend, '--type=merge', '-p', JSON.stringify({ spec: { endpoints: [{ ip: '127.0.0.1', port }] } })]);
}
