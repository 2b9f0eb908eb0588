// Active health checks: the I/O loop around the pure threshold logic. One timer per checked
// Backend probes every endpoint (GET path, bounded by timeout) through the same pools as traffic;
// verdicts flip after the configured consecutive successes / failures.
import type { Dispatcher } from 'undici';
import type { BackendRuntime } from '../runtime';
import type { UpstreamPools } from '../upstream/pools';
import type { HostResolver } from '../resolve';
import { probeStatusOk, recordProbe } from '../resilience/active_health';

export interface HealthCheckerDeps {
  pools: UpstreamPools;
  resolver: HostResolver;
  now: () => number;
  onVerdict?: (backend: string, endpoint: string, healthy: boolean) => void;
}

export class ActiveHealthChecker {
  private readonly timers = new Map<string, { runtime: BackendRuntime; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: HealthCheckerDeps) {}

  /** Check exactly these runtimes (by backend name); a replaced runtime restarts its loop. */
  sync(runtimes: Map<string, BackendRuntime>): void {
    for (const [name, t] of [...this.timers]) {
      const rt = runtimes.get(name);
      if (!rt || rt !== t.runtime || !rt.ir.activeHealthCheck) {
        clearInterval(t.timer);
        this.timers.delete(name);
      }
    }
    for (const [name, rt] of runtimes) {
      const hc = rt.ir.activeHealthCheck;
      if (!hc || this.timers.has(name)) continue;
      const timer = setInterval(() => this.probeAll(name, rt), hc.intervalMs);
      timer.unref();
      this.timers.set(name, { runtime: rt, timer });
      void this.probeAll(name, rt);
    }
  }

  stop(): void {
    for (const t of this.timers.values()) clearInterval(t.timer);
    this.timers.clear();
  }

  private async probeAll(name: string, rt: BackendRuntime): Promise<void> {
    await Promise.all(rt.states.map((s) => this.probe(name, rt, s)));
  }

  private async probe(name: string, rt: BackendRuntime, s: BackendRuntime['states'][number]): Promise<void> {
    const hc = rt.ir.activeHealthCheck!;
    const port = s.ep.port || rt.ir.defaultPort;
    let ok = false;
    try {
      const addrs = s.ep.isIP ? [s.ep.host] : await this.deps.resolver.resolve(name, s.ep.host, port);
      // the same pool key as traffic to this endpoint (exchange.ts), so probes share its pool
      const pool = this.deps.pools.get({ protocol: rt.ir.protocol, address: addrs[0], port, servername: s.ep.host, backend: rt.ir });
      const res = await pool.request({
        path: hc.path,
        method: 'GET',
        servername: s.ep.host,
        headers: { host: s.ep.isIP ? `${s.ep.host}:${port}` : s.ep.host, 'user-agent': 'switchyard-health-check' },
        signal: AbortSignal.timeout(hc.timeoutMs),
      } as Dispatcher.RequestOptions<null>);
      ok = probeStatusOk(res.statusCode);
      await res.body.dump();
    } catch {
      ok = false;
    }
    if (recordProbe(s, ok, hc, this.deps.now())) this.deps.onVerdict?.(name, s.ep.id, s.healthy);
  }
}
