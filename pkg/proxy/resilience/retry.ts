// Retry policy, the pure part: should attempt N+1 happen, and after how long.
//
// `attempt` is the number of retries already done (0 after the first try), so at most
// `cfg.attempts` retries happen after the first try (Gateway API: attempts counts retries; the
// registry facade's max_attempts N arrives here as N−1).
//
//   connect-error  the request never reached the upstream: retried, but only for idempotent methods
//                  when `idempotentOnly` (registry facade).
//   timeout        the upstream may have acted on it: treated as a 504 answer (retried when 504 is in
//                  `codes`), and only for idempotent methods whatever `idempotentOnly` says.
//   status         retried when the status is in `codes` (and the method is idempotent when
//                  `idempotentOnly`).
//
// Backoff: backoffMs · 2^attempt, capped at maxBackoffMs (registry: 100, 200, 400, … up to 2000 ms).
// With `rand` the delay gets "equal jitter" (half fixed, half random); without it, none.
import type { RetryIR } from '../ir';
import type { AttemptOutcome } from './passive';

export type { AttemptOutcome };

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

const NO_RETRY: RetryDecision = Object.freeze({ retry: false, delayMs: 0 });

/** RFC 9110 §9.2.2 idempotent methods. */
export function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'TRACE':
    case 'PUT':
    case 'DELETE':
      return true;
    default:
      return false;
  }
}

/** backoffMs · 2^attempt, capped at maxBackoffMs (no cap when maxBackoffMs ≤ 0). */
export function backoffDelay(cfg: Pick<RetryIR, 'backoffMs' | 'maxBackoffMs'>, attempt: number): number {
  const d = cfg.backoffMs * 2 ** attempt;
  return cfg.maxBackoffMs > 0 && d > cfg.maxBackoffMs ? cfg.maxBackoffMs : d;
}

function hasCode(codes: readonly number[], status: number): boolean {
  for (let i = 0; i < codes.length; i++) if (codes[i] === status) return true;
  return false;
}

export function retryDecision(
  cfg: RetryIR,
  attempt: number,
  outcome: AttemptOutcome,
  method: string,
  rand?: () => number,
): RetryDecision {
  if (attempt >= cfg.attempts) return NO_RETRY;
  let retry: boolean;
  switch (outcome.kind) {
    case 'connect-error':
      retry = !cfg.idempotentOnly || isIdempotent(method);
      break;
    case 'timeout':
      retry = hasCode(cfg.codes, 504) && isIdempotent(method);
      break;
    default:
      retry =
        outcome.status !== undefined &&
        hasCode(cfg.codes, outcome.status) &&
        (!cfg.idempotentOnly || isIdempotent(method));
  }
  if (!retry) return NO_RETRY;
  let delayMs = backoffDelay(cfg, attempt);
  if (rand !== undefined) delayMs = delayMs / 2 + rand() * (delayMs / 2);
  return { retry: true, delayMs };
}
