// Per-endpoint circuit breaker: closed → open → half-open → closed.
//
// Pure state machine with the clock passed in. Called per request, so it allocates nothing after
// construction; the windowed mode keeps the last `threshold` failure times in a fixed ring.
//
//   closed     every request allowed. Opens after `consecutiveFailures` failures in a row (a success
//              resets the run), or, with `failureWindowMs` > 0, after that many failures within the
//              window (successes do not reset it: the registry facade's "5 failures within 60 s").
//   open       nothing allowed until `openMs` has passed since it opened.
//   half-open  ONE probe at a time (allow() is false while a probe is in flight). A failure reopens;
//              `closeAfterSuccesses` successes (default 1, registry facade 2) close it.
//
// allow(now) has no side effect other than the timed open → half-open move, so a balancer can ask it
// of every endpoint while choosing; only the endpoint finally used gets onStart().
import type { CircuitBreakerIR } from '../ir';

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerConfig {
  /** failures that open the breaker (> 0) */
  threshold: number;
  /** 0: consecutive failures; > 0: `threshold` failures within this many ms */
  failureWindowMs: number;
  openMs: number;
  closeAfterSuccesses: number;
}

/** Default open duration: the registry facade's circuit_breaker.timeout default (30 s). */
export const DEFAULT_OPEN_MS = 30_000;

/** The breaker config of a Backend, or null when it has no breaker (absent or consecutiveFailures 0). */
export function breakerConfig(cb: CircuitBreakerIR | undefined): BreakerConfig | null {
  if (cb === undefined || !(cb.consecutiveFailures !== undefined && cb.consecutiveFailures > 0)) return null;
  return {
    threshold: Math.max(1, Math.floor(cb.consecutiveFailures)),
    failureWindowMs: cb.failureWindowMs !== undefined && cb.failureWindowMs > 0 ? cb.failureWindowMs : 0,
    openMs: cb.openMs !== undefined && cb.openMs >= 0 ? cb.openMs : DEFAULT_OPEN_MS,
    closeAfterSuccesses:
      cb.closeAfterSuccesses !== undefined && cb.closeAfterSuccesses >= 1 ? Math.floor(cb.closeAfterSuccesses) : 1,
  };
}

export function sameBreakerConfig(a: BreakerConfig, b: BreakerConfig): boolean {
  return (
    a.threshold === b.threshold &&
    a.failureWindowMs === b.failureWindowMs &&
    a.openMs === b.openMs &&
    a.closeAfterSuccesses === b.closeAfterSuccesses
  );
}

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
const NAMES: readonly BreakerStateName[] = ['closed', 'open', 'half-open'];

export class CircuitBreaker {
  private cfg: BreakerConfig;
  private phase = CLOSED;
  /** consecutive mode: failures in a row; windowed mode: entries used in `times` */
  private failures = 0;
  /** windowed mode: ring of the last `threshold` failure times (oldest at `head`) */
  private times: Float64Array;
  private head = 0;
  private openedAt = 0;
  private probing = false;
  private successes = 0;
  /** times the breaker opened (metrics/console) */
  opens = 0;

  constructor(cfg: BreakerConfig) {
    this.cfg = cfg;
    this.times = new Float64Array(cfg.failureWindowMs > 0 ? cfg.threshold : 0);
  }

  get state(): BreakerStateName {
    return NAMES[this.phase]!;
  }

  get config(): BreakerConfig {
    return this.cfg;
  }

  /** When the breaker is open: the time it half-opens. */
  get retryAt(): number {
    return this.phase === OPEN ? this.openedAt + this.cfg.openMs : 0;
  }

  /**
   * Swap in a new config (snapshot change) keeping the state. A changed threshold or window
   * restarts the failure count; an open breaker keeps its opening time.
   */
  reconfigure(cfg: BreakerConfig): void {
    const old = this.cfg;
    this.cfg = cfg;
    if (old.threshold !== cfg.threshold || old.failureWindowMs !== cfg.failureWindowMs) {
      this.times = new Float64Array(cfg.failureWindowMs > 0 ? cfg.threshold : 0);
      this.failures = 0;
      this.head = 0;
    }
    if (this.successes >= cfg.closeAfterSuccesses && this.phase === HALF_OPEN) this.close();
  }

  /** May a request go to this endpoint now? */
  allow(now: number): boolean {
    const p = this.phase;
    if (p === CLOSED) return true;
    if (p === OPEN) {
      if (now - this.openedAt < this.cfg.openMs) return false;
      this.phase = HALF_OPEN;
      this.successes = 0;
      this.probing = false;
      return true;
    }
    return !this.probing;
  }

  /** A request was sent to this endpoint (after allow() said yes). */
  onStart(): void {
    if (this.phase === HALF_OPEN) this.probing = true;
  }

  /** A request that started was abandoned without a verdict (client went away): frees the probe slot. */
  onCancel(): void {
    this.probing = false;
  }

  onSuccess(_now: number): void {
    const p = this.phase;
    if (p === CLOSED) {
      if (this.cfg.failureWindowMs === 0) this.failures = 0;
      return;
    }
    if (p === HALF_OPEN) {
      // A result arriving while no probe is out is a late answer from before the breaker opened.
      if (!this.probing) return;
      this.probing = false;
      if (++this.successes >= this.cfg.closeAfterSuccesses) this.close();
    }
    // OPEN: late answers from before it opened change nothing.
  }

  onFailure(now: number): void {
    const p = this.phase;
    if (p === CLOSED) {
      const cfg = this.cfg;
      if (cfg.failureWindowMs === 0) {
        if (++this.failures >= cfg.threshold) this.open(now);
        return;
      }
      // Windowed: keep the last `threshold` failure times; open when the oldest is within the window.
      const times = this.times;
      const n = cfg.threshold;
      if (this.failures < n) {
        times[(this.head + this.failures) % n] = now;
        this.failures++;
      } else {
        times[this.head] = now;
        this.head = (this.head + 1) % n;
      }
      if (this.failures >= n && now - times[this.head]! < cfg.failureWindowMs) this.open(now);
      return;
    }
    if (p === HALF_OPEN) {
      if (!this.probing) return;
      this.open(now);
    }
  }

  private open(now: number): void {
    this.phase = OPEN;
    this.openedAt = now;
    this.probing = false;
    this.successes = 0;
    this.failures = 0;
    this.head = 0;
    this.opens++;
  }

  private close(): void {
    this.phase = CLOSED;
    this.probing = false;
    this.successes = 0;
    this.failures = 0;
    this.head = 0;
  }
}
