// How many first lookups (a host's initial resolution, that requests wait on) may be in flight at
// once in the whole process (--dns-max-pending, default 1024). Above it a new host is refused with
// 503 "DNS cache overflow" and no query is sent: a flood of distinct names cannot turn into an
// unbounded number of outstanding DNS questions (and waiting requests). One budget is shared by
// every Backend's cache. Refreshes of known hosts are not counted (they never block a request).
export const DEFAULT_DNS_MAX_PENDING = 1024;

export class PendingBudget {
  private held = 0;

  constructor(readonly max: number = DEFAULT_DNS_MAX_PENDING) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`dns max pending must be a positive integer, got ${max}`);
  }

  /** first lookups in flight now */
  get inFlight(): number {
    return this.held;
  }

  /** take a slot for a first lookup; false when all are taken */
  tryAcquire(): boolean {
    if (this.held >= this.max) return false;
    this.held++;
    return true;
  }

  release(): void {
    if (this.held > 0) this.held--;
  }
}
