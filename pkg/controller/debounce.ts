// Coalesces bursts: the first trigger arms a timer; each later one pushes it back to `quietMs`
// after the latest trigger, but never beyond `maxWaitMs` after the first, so a steady stream of
// events still gets a run at least every maxWaitMs. One run per burst. The clock is injectable.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface DebounceOptions {
  quietMs: number;
  maxWaitMs: number;
  clock?: Clock;
}

export class Debouncer {
  private readonly clock: Clock;
  private timer: unknown;
  private armed = false;
  private firstAt = 0;
  private dueAt = 0;
  private stopped = false;

  constructor(
    private readonly run: () => void,
    private readonly opts: DebounceOptions,
  ) {
    this.clock = opts.clock ?? realClock;
  }

  /** a run is pending */
  get pending(): boolean {
    return this.armed;
  }

  trigger(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    if (!this.armed) {
      this.armed = true;
      this.firstAt = now;
    }
    const due = Math.min(now + this.opts.quietMs, this.firstAt + this.opts.maxWaitMs);
    if (this.timer !== undefined && due === this.dueAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, due - now));
  }

  /** run now if a run is pending (and cancel the timer) */
  flush(): void {
    if (this.armed) this.fire();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armed = false;
  }

  private fire(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armed = false;
    this.run();
  }
}
