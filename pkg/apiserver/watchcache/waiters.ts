// Requests waiting for the watch cache to reach a revision: each resolves true once the cache has
// seen that revision, false when its time is up or the cache restarts (the caller then reads from
// storage). Bounded: every wait has a timeout.
interface Waiter {
  revision: number;
  resolve(ok: boolean): void;
  timer: NodeJS.Timeout;
}

export class RevisionWaiters {
  private readonly pending = new Set<Waiter>();

  get size(): number {
    return this.pending.size;
  }

  /** Resolves true at once when `current >= revision`. */
  wait(revision: number, current: number, timeoutMs: number): Promise<boolean> {
    if (current >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.pending.delete(w);
          resolve(false);
        }, timeoutMs),
      };
      this.pending.add(w);
    });
  }

  /** The cache has now seen `revision`. */
  notify(revision: number): void {
    for (const w of this.pending) {
      if (w.revision <= revision) this.settle(w, true);
    }
  }

  /** Every waiter gives up (cache restarting or stopped). */
  failAll(): void {
    for (const w of this.pending) this.settle(w, false);
  }

  private settle(w: Waiter, ok: boolean): void {
    clearTimeout(w.timer);
    this.pending.delete(w);
    w.resolve(ok);
  }
}
