// Shared pieces of the facade tests: the real binary with every facade on, curl run verbatim,
// plain HTTP requests (with a Host header) through the proxy, and loopback upstreams that say
// who answered.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../harness/ports';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface FacadeServer {
  sy: SwitchyardProcess;
  proxy: string;
  edge: string;
  registry: string;
  upstreams: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startFacadeServer(env: NodeJS.ProcessEnv = {}): Promise<FacadeServer> {
  const [proxyPort, regPort, upPort, edgePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const opts = {
    extraArgs: ['--registry-listen', `127.0.0.1:${regPort}`, '--upstreams-listen', `127.0.0.1:${upPort}`, '--proxy-listen', `127.0.0.1:${proxyPort}`],
    env: { EDGEPROXY_API_ENABLED: 'true', EDGEPROXY_API_LISTEN_ADDR: `127.0.0.1:${edgePort}`, EDGEPROXY_HEARTBEAT_TTL_SECS: '3', ...env },
  };
  const fs: FacadeServer = {
    sy: await startSwitchyard(opts),
    proxy: `http://127.0.0.1:${proxyPort}`,
    edge: `http://127.0.0.1:${edgePort}`,
    registry: `http://127.0.0.1:${regPort}`,
    upstreams: `http://127.0.0.1:${upPort}`,
    async stop() {
      await fs.sy.stop();
    },
    async restart() {
      fs.sy = await fs.sy.restart();
    },
  };
  return fs;
}

export interface CurlResult {
  status: number;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: string;
}

/**
 * Run a seed's curl command line (as a shell would split it: the seeds' `-d '…'` JSON stays one
 * argument), with `http://localhost:PORT` / `http://proxy:81` rewritten to `base`. Adds -sS and
 * a status trailer.
 */
export function curl(commandLine: string, base: string): Promise<CurlResult> {
  const line = commandLine
    .replace(/\\[ \t]*\n/g, ' ')
    .replace(/\\ /g, ' ')
    .replace(/http:\/\/(localhost|proxy)(:\d+)?/g, base)
    .trim();
  const args = shellSplit(line);
  if (args[0] !== 'curl') throw new Error(`not a curl command: ${commandLine}`);
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-D', '-', '-w', '\n%{http_code}', ...args.slice(1)], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl failed: ${err.message}\n${stderr}`));
      const out = String(stdout);
      const nl = out.lastIndexOf('\n');
      const status = Number(out.slice(nl + 1));
      const rest = out.slice(0, nl);
      const split = rest.indexOf('\r\n\r\n');
      const headers = split >= 0 ? rest.slice(0, split) : '';
      const body = split >= 0 ? rest.slice(split + 4) : rest;
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status, body, json, headers });
    });
  });
}

/** POSIX-ish word splitting with single and double quotes (enough for the seeds' examples). */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      cur += s.slice(i + 1, j);
      i = j;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        cur += s[j];
      }
      i = j;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP/1.1 request; `body` objects are sent as JSON. */
export function request(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: unknown; agent?: http.Agent | false; timeoutMs?: number } = {},
): Promise<Reply> {
  const u = new URL(url);
  const payload = o.body === undefined ? undefined : typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && typeof o.body === 'object' && !Buffer.isBuffer(o.body)) {
    headers['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? (payload !== undefined ? 'POST' : 'GET'), headers, agent: o.agent ?? agent, timeout: o.timeoutMs ?? 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = body ? JSON.parse(body) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A loopback upstream that answers `<name> <method> <path>` (and records what it saw). */
export interface TestUpstream {
  name: string;
  host: string;
  port: number;
  url: string;
  seen: Array<{ method: string; path: string; host: string }>;
  /** replace the answer */
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  close(): Promise<void>;
}

export async function upstream(name: string, host = '127.0.0.1'): Promise<TestUpstream> {
  const up: TestUpstream = {
    name,
    host,
    port: 0,
    url: '',
    seen: [],
    handler: (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${name} ${req.method} ${req.url}`);
    },
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    up.seen.push({ method: req.method ?? '', path: req.url ?? '', host: req.headers.host ?? '' });
    req.resume();
    up.handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  up.port = (server.address() as AddressInfo).port;
  up.url = `http://${host}:${up.port}`;
  up.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return up;
}

/** Poll until fn() returns a truthy value. */
export async function until<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (err) {
      lastErr = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}${lastErr ? `; last error: ${String(lastErr)}` : ''}`);
}

/** Count answers by body prefix (the upstream's name). */
export async function tally(n: number, one: () => Promise<Reply>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await one();
    const key = r.status === 200 ? r.body.split(' ')[0]! : String(r.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
