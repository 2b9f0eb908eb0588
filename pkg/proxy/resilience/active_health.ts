// Active health checking, the pure part: thresholds over probe results. The loop that sends a probe
// to `path` every `intervalMs` (timing out after `timeoutMs`) lives with the data plane and calls
// recordProbe with each verdict.
//
// An endpoint starts healthy (as nginx and Kong do) and flips to unhealthy after
// `unhealthyThreshold` failures in a row, back to healthy after `healthyThreshold` successes in a
// row. A result of the other kind resets the run. Thresholds below 1 count as 1.
import type { ActiveHealthCheckIR } from '../ir';
import type { EndpointState } from '../balancer/endpoint_state';

/**
 * Record one probe result at `now`. Returns true when the verdict (`state.healthy`) changed.
 * `lastResult` and `lastCheckedAt` are kept for the console.
 */
export function recordProbe(
  s: EndpointState,
  ok: boolean,
  cfg: Pick<ActiveHealthCheckIR, 'healthyThreshold' | 'unhealthyThreshold'>,
  now: number,
): boolean {
  s.lastCheckedAt = now;
  if (ok) {
    s.lastResult = 'success';
    s.probeFailures = 0;
    s.probeSuccesses++;
    if (!s.healthy && s.probeSuccesses >= Math.max(1, cfg.healthyThreshold)) {
      s.healthy = true;
      return true;
    }
    return false;
  }
  s.lastResult = 'failure';
  s.probeSuccesses = 0;
  s.probeFailures++;
  if (s.healthy && s.probeFailures >= Math.max(1, cfg.unhealthyThreshold)) {
    s.healthy = false;
    return true;
  }
  return false;
}

/** A probe answer counts as healthy when it is a 2xx. */
export function probeStatusOk(status: number): boolean {
  return status >= 200 && status < 300;
}
