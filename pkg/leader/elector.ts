// A leader elector over any LeaseClient (the store, or the Lease API over HTTP), in the manner of
// client-go's leaderelection: every retryPeriod read the lease and apply decide(); the holder renews,
// the others wait until the lease has gone unrenewed for leaseDuration on their own clock.
//
// Safety: isLeader() is true only until (start of the last successful acquire/renew attempt) +
// renewDeadline. The write that made us leader happened after that start, and a rival can only take
// over leaseDuration after it *saw* that write, so with renewDeadline < leaseDuration the old
// leader stops acting before a new one may start, even when its renewals stall or fail silently.
import type { LeaseRead, LeaseSpec } from './lease';
import { decide, observe, recordOf, release, type Observation } from './decide';

export interface LeaseClient {
  /** e.g. "switchyard-system/switchyard-controller" */
  readonly name: string;
  get(): Promise<LeaseRead | null>;
  /** the new resourceVersion, or null when someone created it first */
  create(spec: LeaseSpec): Promise<string | null>;
  /** the new resourceVersion, or null when resourceVersion is stale (or the lease is gone) */
  update(spec: LeaseSpec, resourceVersion: string): Promise<string | null>;
}

export interface Clock {
  now(): number;
}

export interface ElectorEvents {
  onStartedLeading?(): void;
  onStoppedLeading?(): void;
  /** the holder changed (as seen by this candidate); '' = nobody */
  onNewLeader?(identity: string): void;
  /** an attempt failed (not a lost race): for logs */
  onError?(err: Error): void;
}

export interface ElectorOptions extends ElectorEvents {
  client: LeaseClient;
  identity: string;
  /** how long a lease is valid without renewal (kube default 15 s) */
  leaseDurationMs: number;
  /** how long the leader keeps acting without a successful renewal (kube default 10 s) */
  renewDeadlineMs: number;
  /** how often to try (kube default 2 s) */
  retryPeriodMs: number;
  clock?: Clock;
  /** jitter source for follower retries (0..1) */
  rand?: () => number;
}

export const DEFAULT_TIMINGS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export function validateTimings(t: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }): void {
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) throw new Error('leader election: lease duration must be greater than the renew deadline');
  if (!(t.renewDeadlineMs > t.retryPeriodMs * 1.2)) throw new Error('leader election: renew deadline must be greater than 1.2 × the retry period');
  if (!(t.retryPeriodMs > 0)) throw new Error('leader election: retry period must be positive');
  if (t.leaseDurationMs < 1000) throw new Error('leader election: lease duration must be at least 1s');
}

export class LeaderElector {
  private observed: Observation | undefined;
  private leading = false;
  private validUntil = 0;
  private holderSeen = '';
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly leaseDurationSeconds: number;
  /** times this candidate became leader */
  transitions = 0;

  constructor(private readonly opts: ElectorOptions) {
    validateTimings(opts);
    this.clock = opts.clock ?? { now: Date.now };
    this.leaseDurationSeconds = Math.ceil(opts.leaseDurationMs / 1000);
  }

  get identity(): string {
    return this.opts.identity;
  }

  get leaseName(): string {
    return this.opts.client.name;
  }

  /** Leading, and the last renewal is recent enough to act on. */
  isLeader(): boolean {
    return this.leading && this.clock.now() < this.validUntil;
  }

  /** the holder as last seen ('' = none or unknown) */
  holder(): string {
    return this.holderSeen;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      await this.step();
      if (this.stopped) return;
      // followers spread their retries (client-go's JitterUntil, factor 1.2); the leader renews on time
      const wait = this.leading ? this.opts.retryPeriodMs : this.opts.retryPeriodMs * (1 + 0.2 * (this.opts.rand ?? Math.random)());
      this.timer = setTimeout(() => void loop(), wait);
      this.timer.unref();
    };
    void loop();
  }

  /** Stop trying; give the lease up when we hold it, so a successor need not wait it out. */
  async stop(opts: { release?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.isLeader() && opts.release !== false) {
      // bounded: a shutdown never waits long on an unreachable apiserver or store
      const release = async () => {
        await this.inFlight?.catch(() => undefined);
        if (this.isLeader()) await this.release();
      };
      await withTimeout(release(), opts.timeoutMs ?? 2000).catch((err: Error) => this.opts.onError?.(err));
    }
    this.setLeading(false);
  }

  /** One attempt to acquire or renew (the loop calls this; tests drive it directly). */
  step(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.attempt().finally(() => {
      this.inFlight = undefined;
      this.checkExpiry();
    });
    return this.inFlight;
  }

  private async attempt(): Promise<void> {
    const started = this.clock.now();
    const timeoutMs = Math.max(this.opts.retryPeriodMs, this.opts.renewDeadlineMs / 2);
    try {
      const current = await withTimeout(this.opts.client.get(), timeoutMs);
      const now = this.clock.now();
      this.observed = observe(this.observed, current, now);
      this.seeHolder(current?.spec.holderIdentity ?? '');
      const d = decide(current?.spec ?? null, this.observed, { identity: this.opts.identity, leaseDurationSeconds: this.leaseDurationSeconds }, now);
      if (d.action === 'wait') {
        this.setLeading(false); // someone else holds a live lease
        return;
      }
      const rv = d.action === 'create' ? await withTimeout(this.opts.client.create(d.spec), timeoutMs) : await withTimeout(this.opts.client.update(d.spec, current!.resourceVersion), timeoutMs);
      if (rv === null) return; // lost a race: re-read next time
      this.observed = { record: recordOf({ spec: d.spec, resourceVersion: rv }), at: this.clock.now() };
      this.validUntil = started + this.opts.renewDeadlineMs;
      this.seeHolder(this.opts.identity);
      this.setLeading(true);
    } catch (err) {
      this.opts.onError?.(err as Error);
    }
  }

  private async release(): Promise<void> {
    const current = await this.opts.client.get();
    if (!current) return;
    const spec = release(current.spec, this.opts.identity, this.clock.now());
    if (spec) await this.opts.client.update(spec, current.resourceVersion);
  }

  private seeHolder(identity: string): void {
    if (identity === this.holderSeen) return;
    this.holderSeen = identity;
    this.opts.onNewLeader?.(identity);
  }

  private setLeading(on: boolean): void {
    if (on === this.leading) {
      if (on) this.armExpiry();
      return;
    }
    this.leading = on;
    if (on) {
      this.transitions++;
      this.armExpiry();
      this.opts.onStartedLeading?.();
    } else {
      if (this.expiryTimer) clearTimeout(this.expiryTimer);
      this.opts.onStoppedLeading?.();
    }
  }

  /** report the loss as soon as the renew deadline passes, not at the next attempt */
  private armExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.stopped) return;
    const wait = Math.max(0, this.validUntil - this.clock.now()) + 1;
    this.expiryTimer = setTimeout(() => this.checkExpiry(), wait);
    this.expiryTimer.unref();
  }

  private checkExpiry(): void {
    if (this.leading && this.clock.now() >= this.validUntil) this.setLeading(false);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`leader election: no answer within ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
