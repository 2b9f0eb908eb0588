// A worker's HostResolver: the DNS caches live in the main process (one cache, one --dns-max-pending
// budget and one console view for the whole process, as Envoy's main-thread DNS cache). A worker asks
// the main once per (backend, host, port) and reuses the answer for a short while, so a hit stays
// synchronous; concurrent misses share one question. Used marks go to the main, at most once per
// key per interval.
import type { HostResolver } from '../resolve';
import { DnsCacheError, type DnsErrorCode } from '../../dns/cache';

export interface ResolverDeps {
  /** ask the main process; rejects with the cache's error code as the message */
  ask(backend: string, host: string, port: number): Promise<string[]>;
  used(keys: Array<[string, string, number]>): void;
  now: () => number;
  /** how long a worker reuses an answer (default 1 s) */
  reuseMs?: number;
}

const CODES: readonly string[] = ['OVERFLOW', 'RESOLUTION_FAILURE', 'TIMEOUT'];

export class RemoteResolver implements HostResolver {
  private readonly answers = new Map<string, { addrs: string[]; until: number }>();
  private readonly asking = new Map<string, Promise<string[]>>();
  private readonly usedAt = new Map<string, number>();
  private pendingUsed: Array<[string, string, number]> = [];
  private readonly reuseMs: number;

  constructor(private readonly deps: ResolverDeps) {
    this.reuseMs = deps.reuseMs ?? 1_000;
  }

  resolve(backend: string, host: string, port: number): string[] | Promise<string[]> {
    const k = `${backend}\n${host}\n${port}`;
    const now = this.deps.now();
    const a = this.answers.get(k);
    if (a !== undefined && a.until > now) return a.addrs;
    const inFlight = this.asking.get(k);
    if (inFlight !== undefined) return inFlight;
    if (this.answers.size > 10_000) this.answers.clear();
    const p = this.deps.ask(backend, host, port).then(
      (addrs) => {
        this.asking.delete(k);
        this.answers.set(k, { addrs, until: this.deps.now() + this.reuseMs });
        return addrs;
      },
      (err: Error) => {
        this.asking.delete(k);
        throw new DnsCacheError((CODES.includes(err.message) ? err.message : 'RESOLUTION_FAILURE') as DnsErrorCode);
      },
    );
    this.asking.set(k, p);
    return p;
  }

  used(backend: string, host: string, port: number): void {
    const k = `${backend}\n${host}\n${port}`;
    const now = this.deps.now();
    const last = this.usedAt.get(k);
    if (last !== undefined && now - last < this.reuseMs) return;
    if (this.usedAt.size > 10_000) this.usedAt.clear();
    this.usedAt.set(k, now);
    if (this.pendingUsed.push([backend, host, port]) === 1) {
      queueMicrotask(() => {
        const keys = this.pendingUsed;
        this.pendingUsed = [];
        this.deps.used(keys);
      });
    }
  }
}
