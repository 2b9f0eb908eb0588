// Passive health checking (outlier ejection): an endpoint that fails `consecutiveFailures` times in a
// row (connect error, timeout or 5xx) is ejected for `ejectionMs`; any success resets the run. The
// balancers skip an endpoint while `now < ejectedUntil`; it comes back by itself afterwards and needs
// a fresh run of failures to be ejected again.
//
// Unlike Envoy there is no max-ejection-percent: when every endpoint is ejected the route answers 503
// until the first ejection ends.
import type { PassiveHealthCheckIR } from '../ir';
import type { EndpointState } from '../balancer/endpoint_state';

/** What became of one upstream attempt. */
export interface AttemptOutcome {
  kind: 'connect-error' | 'timeout' | 'status';
  status?: number;
}

/** Counted as a failure by passive ejection and the circuit breaker: no answer, or a 5xx. */
export function isFailure(outcome: AttemptOutcome): boolean {
  return outcome.kind !== 'status' || (outcome.status !== undefined && outcome.status >= 500);
}

/**
 * Record one result for `s`. Returns true when this failure ejected the endpoint.
 * `cfg` undefined (or a threshold ≤ 0): passive checking is off and nothing is recorded.
 */
export function recordPassive(
  s: EndpointState,
  failed: boolean,
  cfg: PassiveHealthCheckIR | undefined,
  now: number,
): boolean {
  if (cfg === undefined || !(cfg.consecutiveFailures > 0)) return false;
  if (!failed) {
    s.passiveFailures = 0;
    return false;
  }
  if (++s.passiveFailures < cfg.consecutiveFailures) return false;
  s.passiveFailures = 0;
  s.ejectedUntil = now + cfg.ejectionMs;
  s.ejections++;
  return true;
}

/** Ejected at `now`. */
export function isEjected(s: EndpointState, now: number): boolean {
  return now < s.ejectedUntil;
}
