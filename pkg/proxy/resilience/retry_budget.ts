// Retry budget (Envoy's retry_budget): at most `percent` % of a Backend's active requests may be
// retries, never fewer than `minConcurrent` concurrent retries. Above it an attempt that failed is
// not retried: when an upstream is down, retries must not multiply the load on what is left.
//
// Pure counters: the data plane calls start() when an attempt goes out (retry or not), finish() when
// it ends, and asks allows() before it retries. One budget per Backend, kept across snapshot swaps.

export interface RetryBudgetConfig {
  /** retries allowed as a percentage of active requests (Envoy default 20) */
  percent: number;
  /** retries allowed whatever the percentage says (Envoy default 3) */
  minConcurrent: number;
}

export const DEFAULT_RETRY_BUDGET: Readonly<RetryBudgetConfig> = Object.freeze({ percent: 20, minConcurrent: 3 });

export class RetryBudget {
  /** attempts in flight, retries included */
  active = 0;
  /** retries in flight */
  retries = 0;

  constructor(readonly config: Readonly<RetryBudgetConfig> = DEFAULT_RETRY_BUDGET) {}

  /** May one more retry start now? */
  allows(): boolean {
    const c = this.config;
    const byShare = (this.active * c.percent) / 100;
    return this.retries < (byShare > c.minConcurrent ? byShare : c.minConcurrent);
  }

  /** An attempt goes out; `retry`: it is a retry of a failed one. */
  start(retry: boolean): void {
    this.active++;
    if (retry) this.retries++;
  }

  /** An attempt started with start(retry) ended (any outcome). */
  finish(retry: boolean): void {
    if (this.active > 0) this.active--;
    if (retry && this.retries > 0) this.retries--;
  }
}
