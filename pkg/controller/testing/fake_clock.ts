// A manual clock for the controller's unit tests: timers fire only when advance() passes them, in
// time order. Arrow properties, so the methods survive being passed around unbound.
import type { Clock } from '../debounce';

export class FakeClock implements Clock {
  t = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => (this.timers.set(++this.id, { at: this.t + ms, fn }), this.id);
  clearTimeout = (h: unknown) => void this.timers.delete(h as number);

  /** timers still pending */
  get armed(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}
