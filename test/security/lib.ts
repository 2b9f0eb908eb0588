// Helpers for the adversarial suite: the real `switchyard serve`, objects created through its API,
// raw upstreams (net servers that record every byte and answer what the test says), raw clients,
// and a tiny DNS server that answers only when the test releases it. Every wait is bounded.
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api, BACKENDS, ROUTES, waitFor } from '../scaleout/lib';

export { waitFor, sleep } from '../scaleout/lib';

export interface Serve {
  proc: SwitchyardProcess;
  api: Api;
  port: number;
  stop(): Promise<void>;
  /** a Backend with loopback endpoints, or a dynamicProxy Backend (no endpoints) */
  backend(name: string, endpoints: Array<{ ip?: string; fqdn?: string; port: number }> | 'dynamic'): Promise<void>;
  /** an HTTPRoute: PathPrefix `prefix` (and hostnames) → backend */
  route(name: string, backend: string, o?: { prefix?: string; hostnames?: string[]; rateLimit?: number }): Promise<void>;
  /** the number of access lines logged for this path so far */
  accessLines(pred: (l: Record<string, unknown>) => boolean): Array<Record<string, unknown>>;
}

export async function startServe(extraArgs: string[] = []): Promise<Serve> {
  const proc = await startSwitchyard({ command: 'serve', extraArgs: ['--proxy-access-log', ...extraArgs] });
  const m = /"proxyPort":(\d+)/.exec(proc.logs());
  if (!m) throw new Error(`no proxyPort in the ready line:\n${proc.logs().slice(-2000)}`);
  const api = new Api(proc.apiURL, fs.readFileSync(path.join(proc.dataDir, 'ca.crt'), 'utf8'), proc.adminToken);
  const s: Serve = {
    proc,
    api,
    port: Number(m[1]),
    async stop() {
      api.close();
      await proc.stop('SIGKILL').catch(() => undefined);
    },
    async backend(name, endpoints) {
      const spec = endpoints === 'dynamic' ? { dynamicProxy: {} } : { endpoints };
      const r = await api.request('POST', BACKENDS, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name }, spec });
      if (r.status !== 201) throw new Error(`backend ${name}: ${r.status} ${r.text}`);
    },
    async route(name, backend, o = {}) {
      const rule: Record<string, unknown> = { matches: [{ path: { type: 'PathPrefix', value: o.prefix ?? '/' } }], backendRefs: [{ kind: 'Backend', name: backend }] };
      if (o.rateLimit) rule.rateLimit = { requestsPerMinute: o.rateLimit };
      const r = await api.request('POST', ROUTES, {
        apiVersion: 'gateway.apoxy.dev/v1',
        kind: 'HTTPRoute',
        metadata: { name },
        spec: { ...(o.hostnames ? { hostnames: o.hostnames } : {}), rules: [rule] },
      });
      if (r.status !== 201) throw new Error(`route ${name}: ${r.status} ${r.text}`);
    },
    accessLines(pred) {
      const out: Array<Record<string, unknown>> = [];
      for (const line of proc.logs().split('\n')) {
        if (!line.includes('"proxy request"')) continue;
        try {
          const j = JSON.parse(line) as Record<string, unknown>;
          if (pred(j)) out.push(j);
        } catch {
          /* not JSON */
        }
      }
      return out;
    },
  };
  return s;
}

// ------------------------------------------------------------------------------- raw upstream

export interface RawConn {
  socket: net.Socket;
  /** every byte received on this connection */
  received: Buffer;
}

/**
 * A TCP upstream that records every byte of every connection. `onData` decides what to answer
 * (called with the connection and all it received so far).
 */
export class RawUpstream {
  readonly conns: RawConn[] = [];
  port = 0;
  accepted = 0;
  private constructor(private readonly server: net.Server) {}

  static async start(onData: (c: RawConn, all: string) => void): Promise<RawUpstream> {
    const server = net.createServer();
    const up = new RawUpstream(server);
    server.on('connection', (socket) => {
      up.accepted++;
      const c: RawConn = { socket, received: Buffer.alloc(0) };
      up.conns.push(c);
      socket.on('error', () => undefined);
      socket.on('data', (d) => {
        c.received = Buffer.concat([c.received, d]);
        onData(c, c.received.toString('latin1'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    up.port = (server.address() as net.AddressInfo).port;
    return up;
  }

  /** connections still open */
  get open(): number {
    return this.conns.filter((c) => !c.socket.destroyed).length;
  }

  /** everything every connection received */
  get allReceived(): string {
    return this.conns.map((c) => c.received.toString('latin1')).join('\n----\n');
  }

  close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

// ------------------------------------------------------------------------------- raw client

export interface RawReply {
  /** everything received */
  text: string;
  /** the first line */
  status: string;
  /** the connection was closed by the proxy (as opposed to our timeout) */
  closed: boolean;
}

/** Writes `bytes`, reads until the proxy closes (or `timeoutMs`: then closed=false). */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let closed = false;
    const t = setTimeout(() => s.destroy(), timeoutMs);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('end', () => (closed = true));
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text: got, status: got.split('\r\n')[0] ?? '', closed });
    });
    s.write(bytes);
  });
}

/** A raw client kept open: write, wait for text, close. */
export class RawClient {
  readonly socket: net.Socket;
  text = '';
  closed = false;
  private constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => (this.text += d.toString('latin1')));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
  }
  static async open(port: number): Promise<RawClient> {
    const c = new RawClient(port);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', () => resolve());
      c.socket.once('error', reject);
    });
    return c;
  }
  write(b: string | Buffer): void {
    this.socket.write(b);
  }
  waitFor(what: string, pred: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    return waitFor(what, () => (pred(this.text) ? this.text : undefined), timeoutMs, 20);
  }
  waitClosed(timeoutMs = 5000): Promise<true> {
    return waitFor('the proxy to close the connection', () => this.closed || undefined, timeoutMs, 20);
  }
  destroy(): void {
    this.socket.destroy();
  }
}

// ------------------------------------------------------------------------------- late DNS

/**
 * A DNS server on 127.0.0.1: A queries for a name in `records` are answered with its addresses (in
 * that order), other names and AAAA queries with no records. Names in `held` wait (no answer) until
 * `release(name)`; later queries for them are answered at once.
 */
export class LateDns {
  /** queries seen (A and AAAA), by name */
  readonly queries = new Map<string, number>();
  private readonly pending = new Map<string, Array<() => void>>();
  port = 0;
  private constructor(
    private readonly sock: dgram.Socket,
    private readonly records: Record<string, string[]>,
    private readonly held: Set<string>,
  ) {}

  static async start(records: Record<string, string[]>, held: string[] = []): Promise<LateDns> {
    const sock = dgram.createSocket('udp4');
    const d = new LateDns(sock, records, new Set(held));
    sock.on('message', (msg, rinfo) => d.onQuery(msg, rinfo));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    d.port = sock.address().port;
    return d;
  }

  private onQuery(q: Buffer, rinfo: dgram.RemoteInfo): void {
    if (q.length < 12) return;
    const labels: string[] = [];
    let i = 12;
    while (i < q.length && q[i] !== 0) {
      labels.push(q.subarray(i + 1, i + 1 + q[i]).toString('latin1'));
      i += q[i] + 1;
    }
    const name = labels.join('.').toLowerCase();
    const qtype = q.readUInt16BE(i + 1);
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const answer = () => this.sock.send(this.reply(q, i + 5, qtype, qtype === 1 ? (this.records[name] ?? []) : []), rinfo.port, rinfo.address);
    if (!this.held.has(name)) return answer();
    const list = this.pending.get(name) ?? [];
    list.push(answer);
    this.pending.set(name, list);
  }

  private reply(q: Buffer, qEnd: number, _qtype: number, addrs: string[]): Buffer {
    const header = Buffer.from(q.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2); // response, recursion desired + available, NOERROR
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addrs.length, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const rrs = addrs.map((a) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(30, 6); // TTL
      rr.writeUInt16BE(4, 10);
      a.split('.').forEach((p, k) => (rr[12 + k] = Number(p)));
      return rr;
    });
    return Buffer.concat([header, q.subarray(12, qEnd), ...rrs]);
  }

  release(name: string): void {
    this.held.delete(name);
    for (const a of this.pending.get(name) ?? []) a();
    this.pending.delete(name);
  }

  close(): Promise<void> {
    return new Promise((r) => this.sock.close(() => r()));
  }
}

/** an upstream that switches protocols, then echoes every later byte upper-cased */
export function answer101(c: RawConn, all: string): void {
  const rc = c as RawConn & { switched?: boolean; echoed?: number };
  const end = all.indexOf('\r\n\r\n');
  if (end < 0) return;
  if (!rc.switched) {
    rc.switched = true;
    rc.echoed = end + 4;
    c.socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  }
  if (all.length > rc.echoed!) {
    c.socket.write(all.slice(rc.echoed).toUpperCase());
    rc.echoed = all.length;
  }
}
