// Upstream connection pools (undici), one per address, protocol and TLS server name (and, for
// tls/h2, per Backend TLS profile: its own trust and verdicts), shared by every snapshot that uses them: a new snapshot keeps warm connections; pools no snapshot refers
// to are closed gracefully (in-flight requests finish) on the next swap.
import { isIP } from 'node:net';
import { Pool, buildConnector } from 'undici';
import type { BackendIR, Protocol } from '../ir';
import { refusalSafeFactory } from './refusal_safe_client';
import { isTLSVerificationError, tlsProfile, upstreamTLSOptions, UpstreamTLSError, UpstreamTrust, TLSVerdicts, type TLSProfile } from './tls';

export interface UpstreamTarget {
  protocol: Protocol;
  address: string;
  port: number;
  /** TLS SNI and certificate name (the endpoint's FQDN, or URLRewrite's hostname) */
  servername?: string;
  /** the Backend (tls/h2: its spec.tls and the name its verdicts are recorded under) */
  backend?: BackendIR;
}

const isTLS = (p: Protocol): boolean => p === 'tls' || p === 'h2';

/** the TLS profile a target's pool is keyed by: none for plain protocols */
function profileOf(protocol: Protocol, backend: BackendIR | undefined): TLSProfile | null {
  return backend !== undefined && isTLS(protocol) ? tlsProfile(backend) : null;
}

export function targetKey(t: UpstreamTarget): string {
  const p = profileOf(t.protocol, t.backend);
  return `${t.protocol}|${t.address}|${t.port}|${t.servername ?? ''}|${p?.key ?? ''}`;
}

export interface PoolOptions {
  connectionsPerUpstream?: number;
  connectTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  idleSweepMs?: number;
  /** trust for tls/h2 upstreams (default: the system store only) */
  trust?: UpstreamTrust;
  /** where verification outcomes per Backend go (the controller's TLSVerified condition) */
  verdicts?: TLSVerdicts;
}

interface PoolEntry {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** '' for none (as in the key) */
  readonly servername: string;
  readonly profile: TLSProfile | null;
  readonly pool: Pool;
  /** used since the last sweep */
  used: boolean;
}

export class UpstreamPools {
  private readonly pools = new Map<string, PoolEntry>();
  /** address → port → entries (one per protocol and servername): found per request without building the key */
  private readonly byAddress = new Map<string, Map<number, PoolEntry[]>>();
  private readonly sweeper: NodeJS.Timeout;
  readonly trust: UpstreamTrust;
  readonly verdicts: TLSVerdicts;

  constructor(private readonly opts: PoolOptions = {}) {
    this.trust = opts.trust ?? new UpstreamTrust();
    this.verdicts = opts.verdicts ?? new TLSVerdicts();
    // a pool nobody used for a whole interval (an endpoint that went away, a forward-proxy host
    // no longer asked for) is closed gracefully: its in-flight requests finish first
    this.sweeper = setInterval(() => this.sweep(), opts.idleSweepMs ?? 5 * 60_000);
    this.sweeper.unref();
  }

  get(t: UpstreamTarget): Pool {
    return this.poolFor(t.protocol, t.address, t.port, t.servername, t.backend);
  }

  /** get() without the target object */
  poolFor(protocol: Protocol, address: string, port: number, servername: string | undefined, backend?: BackendIR): Pool {
    let ports = this.byAddress.get(address);
    if (ports === undefined) this.byAddress.set(address, (ports = new Map()));
    let list = ports.get(port);
    if (list === undefined) ports.set(port, (list = []));
    const sn = servername ?? '';
    const profile = profileOf(protocol, backend);
    const pk = profile?.key;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.protocol === protocol && e.servername === sn && e.profile?.key === pk) {
        e.used = true;
        return e.pool;
      }
    }
    const t: UpstreamTarget = { protocol, address, port, servername, backend };
    const e: PoolEntry = { key: targetKey(t), address, port, protocol, servername: sn, profile, pool: this.create(t, profile), used: true };
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

  private create(t: UpstreamTarget, profile: TLSProfile | null): Pool {
    const tls = isTLS(t.protocol);
    const host = t.address.includes(':') ? `[${t.address}]` : t.address;
    const origin = `${tls ? 'https' : 'http'}://${host}:${t.port}`;
    // Our own connector, because undici's Pool builds its connector without `useH2c` (h2c would
    // silently speak HTTP/1.1) and takes the TLS SNI from each request's Host header. Here the SNI
    // is the target's servername (the endpoint FQDN or URLRewrite's hostname, or spec.tls.serverName)
    // and nothing for an IP literal, whatever the client sent; the chain and that name (or the IP)
    // are verified unless the Backend opts out (upstream/tls.ts).
    const name = t.servername && isIP(t.servername) === 0 ? t.servername : undefined;
    const tlsOpts = tls ? upstreamTLSOptions(this.trust, profile?.tls, name, t.address) : undefined;
    const connector = buildConnector({
      timeout: this.opts.connectTimeoutMs ?? 5_000,
      allowH2: t.protocol === 'h2',
      ...(t.protocol === 'h2c' ? { useH2c: true } : {}),
      ...(tlsOpts ?? {}),
    } as buildConnector.BuildOptions);
    const sni = tlsOpts?.servername;
    const checked = profile?.tls?.serverName || name || t.address;
    const verifying = tls && !profile?.tls?.insecureSkipVerify;
    const verdicts = this.verdicts;
    const connect = !verifying
      ? (opts: buildConnector.Options, cb: buildConnector.Callback) => connector({ ...opts, servername: sni }, cb)
      : (opts: buildConnector.Options, cb: buildConnector.Callback) =>
          connector({ ...opts, servername: sni }, (err, socket) => {
            // each new connection's outcome is the Backend's verdict (recorded only when it changes)
            if (err !== null && isTLSVerificationError(err)) {
              const e = new UpstreamTLSError(err, checked);
              if (profile) verdicts.record(profile.backend, profile.key, false, e.message);
              return cb(e, null);
            }
            if (err === null && profile) verdicts.record(profile.backend, profile.key, true, 'the upstream certificate chain and name verified');
            cb(err, socket as never);
          });
    return new Pool(origin, {
      connections: this.opts.connectionsPerUpstream ?? 256,
      pipelining: 1,
      keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? 30_000,
      // headers and body timing belong to the route (timeouts.backendRequest), not to the pool
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: t.protocol === 'h2',
      connect,
      // a request undici refuses must not hold a connection slot for good (refusal_safe_client.ts)
      factory: refusalSafeFactory,
    } as Pool.Options);
  }
}
