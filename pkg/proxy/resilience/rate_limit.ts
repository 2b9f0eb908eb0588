// Token-bucket rate limiting: `requestsPerMinute` per minute with a burst of the same size, one
// bucket per key. One RateLimiter per rule; the key is the client IP when `perClientIP`, otherwise a
// constant (`take('', now)`), so the route is implicit in the limiter and no key strings are built.
//
// Memory is bounded: a bucket idle long enough to have refilled completely is identical to a missing
// one, so sweeps drop those for free; if the limiter still holds `maxKeys` buckets (an address scan
// inside one minute), the oldest-created buckets go first, which at worst hands those clients a fresh
// burst. Sweeps run when the key count crosses a moving mark (at least doubling, up to maxKeys), so
// their cost is amortised to O(1) per new key and nothing runs per request for known keys.
import type { RateLimitIR } from '../ir';

export interface RateLimitResult {
  allowed: boolean;
  /** whole seconds until one token is back (≥ 1); 0 when allowed */
  retryAfterSeconds: number;
}

export const DEFAULT_MAX_KEYS = 100_000;
const MIN_SWEEP_MARK = 1024;
const ALLOWED: RateLimitResult = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

class Bucket {
  constructor(
    public tokens: number,
    public last: number,
  ) {}
}

export class RateLimiter {
  readonly perClientIP: boolean;
  private readonly capacity: number;
  /** tokens per ms */
  private readonly rate: number;
  /** ms for an empty bucket to refill completely */
  private readonly fullMs: number;
  private readonly maxKeys: number;
  private readonly buckets = new Map<string, Bucket>();
  private sweepMark: number;
  /** buckets dropped by the hard cap (not the free idle sweep): metrics */
  evicted = 0;

  constructor(cfg: RateLimitIR, opts: { maxKeys?: number } = {}) {
    this.perClientIP = cfg.perClientIP;
    this.capacity = cfg.requestsPerMinute > 0 ? cfg.requestsPerMinute : 0;
    this.rate = this.capacity / 60_000;
    this.fullMs = 60_000;
    this.maxKeys = Math.max(1, opts.maxKeys ?? DEFAULT_MAX_KEYS);
    this.sweepMark = Math.min(this.maxKeys, MIN_SWEEP_MARK);
  }

  /** Buckets held. */
  get size(): number {
    return this.buckets.size;
  }

  /** The key to pass to take() for a request from `clientIP`. */
  keyFor(clientIP: string): string {
    return this.perClientIP ? clientIP : '';
  }

  /**
   * Take one token for `key` at `now` (ms). The returned object is shared when allowed: read it, do
   * not keep it. A limit of 0 requests per minute refuses everything (Retry-After 60).
   */
  take(key: string, now: number): RateLimitResult {
    if (this.capacity === 0) return { allowed: false, retryAfterSeconds: 60 };
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.sweepMark) this.sweep(now);
      b = new Bucket(this.capacity, now);
      this.buckets.set(key, b);
    } else {
      const elapsed = now - b.last;
      if (elapsed > 0) {
        const t = b.tokens + elapsed * this.rate;
        b.tokens = t < this.capacity ? t : this.capacity;
        b.last = now;
      }
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return ALLOWED;
    }
    const secs = Math.ceil((1 - b.tokens) / this.rate / 1000);
    return { allowed: false, retryAfterSeconds: secs > 1 ? secs : 1 };
  }

  /** Drop buckets that have refilled completely by `now`; then, over the cap, the oldest ones. */
  sweep(now: number): void {
    const buckets = this.buckets;
    const fullMs = this.fullMs;
    for (const [k, b] of buckets) {
      if (now - b.last >= fullMs * (1 - b.tokens / this.capacity)) buckets.delete(k);
    }
    if (buckets.size >= this.maxKeys) {
      // Keep 90 % so the next sweep is maxKeys/10 new keys away.
      let excess = buckets.size - Math.floor(this.maxKeys * 0.9);
      for (const k of buckets.keys()) {
        if (excess-- <= 0) break;
        buckets.delete(k);
        this.evicted++;
      }
    }
    this.sweepMark = Math.min(this.maxKeys, Math.max(MIN_SWEEP_MARK, buckets.size * 2));
  }
}
