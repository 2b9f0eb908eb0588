// Live proxy figures for the web console: per key (a route, a backend) a ring of fixed time buckets
// (15 minutes at 10 s by default) holding request and error counters and a small fixed latency
// histogram. Recording is O(1) and allocates nothing: the bucket index is the time divided by the
// resolution, a slot is reset when the ring comes round to it, and the latency bucket is a binary
// search over a constant bounds table. p50/p99 are read off the histogram (linear within a bucket),
// only when a report is asked for.

/** Upper bounds (ms) of the latency histogram; one more bucket holds everything above the last. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 40, 60, 100, 150, 250, 400, 600, 1000, 2500, 5000, 10000,
];
const NB = LATENCY_BOUNDS_MS.length + 1;
const BOUNDS = Float64Array.from(LATENCY_BOUNDS_MS);

export interface RingOptions {
  /** bucket width in ms (default 10 s) */
  resolutionMs?: number;
  /** buckets kept (default 90: 15 minutes at 10 s) */
  slots?: number;
}

/** One point of a series: a bucket's start (epoch ms), counts, and latency quantiles (null: no request). */
export interface SeriesReport {
  key: string;
  /** start of the first bucket (epoch ms); bucket i starts at start + i × step */
  start: number;
  step: number;
  requests: number[];
  errors: number[];
  p50: Array<number | null>;
  p99: Array<number | null>;
  /** over the whole window */
  total: { requests: number; errors: number; p50: number | null; p99: number | null };
  /** epoch ms of the last request seen */
  lastAt: number;
}

/** Index of the histogram bucket for a latency (ms). */
export function latencyBucket(ms: number): number {
  if (!(ms > 0)) return 0; // 0, negative or NaN: the fastest bucket
  let lo = 0;
  let hi = NB - 1; // the overflow bucket
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The q-quantile (0..1) of a histogram `h` (NB counts from `off`), linear inside the bucket. */
export function quantile(h: ArrayLike<number>, off: number, q: number): number | null {
  let total = 0;
  for (let i = 0; i < NB; i++) total += h[off + i]!;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < NB; i++) {
    const c = h[off + i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lo = i === 0 ? 0 : BOUNDS[i - 1]!;
      if (i === NB - 1) return lo; // above the last bound: report the bound (no upper edge)
      const hi = BOUNDS[i]!;
      const frac = Math.min(1, Math.max(0, (rank - seen) / c));
      return round3(lo + (hi - lo) * frac);
    }
    seen += c;
  }
  return BOUNDS[BOUNDS.length - 1]!;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** One key's ring of buckets. */
export class SeriesRing {
  readonly resolutionMs: number;
  readonly slots: number;
  /** bucket number (time / resolution) each slot currently holds; -1: never used */
  private readonly epoch: Float64Array;
  private readonly requests: Uint32Array;
  private readonly errors: Uint32Array;
  private readonly hist: Uint32Array;
  lastAt = 0;

  constructor(opts: RingOptions = {}) {
    this.resolutionMs = opts.resolutionMs ?? 10_000;
    this.slots = opts.slots ?? 90;
    this.epoch = new Float64Array(this.slots).fill(-1);
    this.requests = new Uint32Array(this.slots);
    this.errors = new Uint32Array(this.slots);
    this.hist = new Uint32Array(this.slots * NB);
  }

  /** One finished request at `now` (epoch ms). O(1). */
  record(now: number, error: boolean, ms: number): void {
    const b = Math.floor(now / this.resolutionMs);
    const s = b % this.slots;
    if (this.epoch[s] !== b) {
      this.epoch[s] = b;
      this.requests[s] = 0;
      this.errors[s] = 0;
      this.hist.fill(0, s * NB, s * NB + NB);
    }
    this.requests[s]!++;
    if (error) this.errors[s]!++;
    this.hist[s * NB + latencyBucket(ms)]!++;
    if (now > this.lastAt) this.lastAt = now;
  }

  /** The window ending with the bucket that holds `now`, oldest first. */
  report(key: string, now: number): SeriesReport {
    const last = Math.floor(now / this.resolutionMs);
    const first = last - this.slots + 1;
    const requests: number[] = [];
    const errors: number[] = [];
    const p50: Array<number | null> = [];
    const p99: Array<number | null> = [];
    const sum = new Float64Array(NB);
    let totalReq = 0;
    let totalErr = 0;
    for (let b = first; b <= last; b++) {
      const s = ((b % this.slots) + this.slots) % this.slots;
      if (this.epoch[s] !== b) {
        requests.push(0);
        errors.push(0);
        p50.push(null);
        p99.push(null);
        continue;
      }
      requests.push(this.requests[s]!);
      errors.push(this.errors[s]!);
      totalReq += this.requests[s]!;
      totalErr += this.errors[s]!;
      p50.push(quantile(this.hist, s * NB, 0.5));
      p99.push(quantile(this.hist, s * NB, 0.99));
      for (let i = 0; i < NB; i++) sum[i]! += this.hist[s * NB + i]!;
    }
    return {
      key,
      start: first * this.resolutionMs,
      step: this.resolutionMs,
      requests,
      errors,
      p50,
      p99,
      total: { requests: totalReq, errors: totalErr, p50: quantile(sum, 0, 0.5), p99: quantile(sum, 0, 0.99) },
      lastAt: this.lastAt,
    };
  }

  /** No request within the window. */
  idle(now: number): boolean {
    return now - this.lastAt >= this.resolutionMs * this.slots;
  }
}

/** A 5xx (or no response at all: status 0) counts as an error. */
export const isErrorStatus = (status: number): boolean => status >= 500 || status <= 0;

export interface ProxyStatsOptions extends RingOptions {
  /** keys kept per kind (routes, backends); past it new keys share OTHER_KEY (default 2000) */
  maxKeys?: number;
}

export const OTHER_KEY = '(other)';
/** requests that matched no route */
export const NO_ROUTE_KEY = '(no route)';

/** Rings per route and per backend. */
export class ProxyStats {
  private readonly routes = new Map<string, SeriesRing>();
  private readonly backends = new Map<string, SeriesRing>();
  private readonly opts: RingOptions;
  private readonly maxKeys: number;

  constructor(opts: ProxyStatsOptions = {}) {
    this.opts = { resolutionMs: opts.resolutionMs, slots: opts.slots };
    this.maxKeys = opts.maxKeys ?? 2000;
  }

  get resolutionMs(): number {
    return this.opts.resolutionMs ?? 10_000;
  }

  get windowMs(): number {
    return this.resolutionMs * (this.opts.slots ?? 90);
  }

  /** One finished request: route name ('' = none matched), backend ('' = answered by the proxy). */
  observe(route: string, backend: string, status: number, ms: number, now: number): void {
    const error = isErrorStatus(status);
    this.ring(this.routes, route === '' ? NO_ROUTE_KEY : route).record(now, error, ms);
    if (backend !== '') this.ring(this.backends, backend).record(now, error, ms);
  }

  report(now: number): { routes: SeriesReport[]; backends: SeriesReport[] } {
    return { routes: this.reportOf(this.routes, now), backends: this.reportOf(this.backends, now) };
  }

  private ring(m: Map<string, SeriesRing>, key: string): SeriesRing {
    let r = m.get(key);
    if (r === undefined) {
      if (m.size >= this.maxKeys) {
        r = m.get(OTHER_KEY);
        if (r === undefined) m.set(OTHER_KEY, (r = new SeriesRing(this.opts)));
        return r;
      }
      r = new SeriesRing(this.opts);
      m.set(key, r);
    }
    return r;
  }

  private reportOf(m: Map<string, SeriesRing>, now: number): SeriesReport[] {
    const out: SeriesReport[] = [];
    for (const [key, r] of m) {
      if (r.idle(now)) {
        m.delete(key); // nothing left in its window: forget the key
        continue;
      }
      out.push(r.report(key, now));
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
