// Upstream connection pools (undici), one per address, protocol and TLS server name, shared by
// every snapshot that uses them: a new snapshot keeps warm connections; pools no snapshot refers
// to are closed gracefully (in-flight requests finish) on the next swap.
import { isIP } from 'node:net';
import { Pool, buildConnector } from 'undici';
import type { Protocol } from '../ir';

export interface UpstreamTarget {
  protocol: Protocol;
  address: string;
  port: number;
  /** TLS SNI and certificate name (the endpoint's FQDN, or URLRewrite's hostname) */
  servername?: string;
}

export function targetKey(t: UpstreamTarget): string {
  return `${t.protocol}|${t.address}|${t.port}|${t.servername ?? ''}`;
}

export interface PoolOptions {
  connectionsPerUpstream?: number;
  connectTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  idleSweepMs?: number;
}

interface PoolEntry {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** '' for none (as in the key) */
  readonly servername: string;
  readonly pool: Pool;
  /** used since the last sweep */
  used: boolean;
}

export class UpstreamPools {
  private readonly pools = new Map<string, PoolEntry>();
  /** address → port → entries (one per protocol and servername): found per request without building the key */
  private readonly byAddress = new Map<string, Map<number, PoolEntry[]>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: PoolOptions = {}) {
    // a pool nobody used for a whole interval (an endpoint that went away, a forward-proxy host
    // no longer asked for) is closed gracefully: its in-flight requests finish first
    this.sweeper = setInterval(() => this.sweep(), opts.idleSweepMs ?? 5 * 60_000);
    this.sweeper.unref();
  }

  get(t: UpstreamTarget): Pool {
    return this.poolFor(t.protocol, t.address, t.port, t.servername);
  }

  /** get() without the target object */
  poolFor(protocol: Protocol, address: string, port: number, servername: string | undefined): Pool {
    let ports = this.byAddress.get(address);
    if (ports === undefined) this.byAddress.set(address, (ports = new Map()));
    let list = ports.get(port);
    if (list === undefined) ports.set(port, (list = []));
    const sn = servername ?? '';
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.protocol === protocol && e.servername === sn) {
        e.used = true;
        return e.pool;
      }
    }
    const t: UpstreamTarget = { protocol, address, port, servername };
    const e: PoolEntry = { key: targetKey(t), address, port, protocol, servername: sn, pool: this.create(t), used: true };
    this.pools.set(e.key, e);
    list.push(e);
    return e.pool;
  }

  sweep(): void {
    for (const [k, e] of this.pools) {
      if (e.used) {
        e.used = false;
        continue;
      }
      this.pools.delete(k);
      this.unindex(e);
      void e.pool.close().catch(() => undefined);
    }
  }

  private unindex(e: PoolEntry): void {
    const ports = this.byAddress.get(e.address);
    const list = ports?.get(e.port);
    if (!ports || !list) return;
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) ports.delete(e.port);
    if (ports.size === 0) this.byAddress.delete(e.address);
  }


  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.pools.values()];
    this.pools.clear();
    this.byAddress.clear();
    await Promise.all(all.map((e) => e.pool.close().catch(() => undefined)));
  }

  async destroy(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.pools.values()];
    this.pools.clear();
    this.byAddress.clear();
    await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
  }

  private create(t: UpstreamTarget): Pool {
    const tls = t.protocol === 'tls' || t.protocol === 'h2';
    const host = t.address.includes(':') ? `[${t.address}]` : t.address;
    const origin = `${tls ? 'https' : 'http'}://${host}:${t.port}`;
    // Our own connector, because undici's Pool builds its connector without `useH2c` (h2c would
    // silently speak HTTP/1.1) and takes the TLS SNI from each request's Host header. Here the SNI
    // is the target's servername (the endpoint FQDN or URLRewrite's hostname) and nothing for an IP
    // literal, whatever the client sent.
    const connector = buildConnector({
      timeout: this.opts.connectTimeoutMs ?? 5_000,
      allowH2: t.protocol === 'h2',
      ...(t.protocol === 'h2c' ? { useH2c: true } : {}),
      // Envoy's default for an upstream TLS context without a validation context: encrypt, do not
      // verify. (A CA bundle option is future work; see README.)
      ...(tls ? { rejectUnauthorized: false } : {}),
    } as buildConnector.BuildOptions);
    const sni = tls && t.servername && isIP(t.servername) === 0 ? t.servername : undefined;
    return new Pool(origin, {
      connections: this.opts.connectionsPerUpstream ?? 256,
      pipelining: 1,
      keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? 30_000,
      // headers and body timing belong to the route (timeouts.backendRequest), not to the pool
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: t.protocol === 'h2',
      connect: (opts: buildConnector.Options, cb: buildConnector.Callback) => connector({ ...opts, servername: sni }, cb),
    } as Pool.Options);
  }
}
