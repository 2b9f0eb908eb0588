// The proxy's default timeouts for one proxied request (Envoy's edge recommendations; each is a flag,
// 0 disables it):
//   upstreamResponseMs  the upstream's response headers, per attempt (--upstream-response-timeout) → 504
//   upstreamBodyMs      the upstream's response body idle (--upstream-body-timeout) → both sides aborted
//   clientBodyMs        the client's request body idle (--client-body-timeout) → 408, both sides closed
// An HTTPRoute's own timeouts win on its rules: `backendRequest` replaces the response-headers
// default, and `request` (which bounds the whole exchange) replaces both upstream defaults. The
// client-body timeout is the client's side and always applies.
import type { RuleIR } from '../ir';

export interface UpstreamTimeouts {
  upstreamResponseMs: number;
  upstreamBodyMs: number;
  clientBodyMs: number;
}

export const DEFAULT_UPSTREAM_TIMEOUTS: Readonly<UpstreamTimeouts> = Object.freeze({
  upstreamResponseMs: 60_000,
  upstreamBodyMs: 60_000,
  clientBodyMs: 60_000,
});

/** The defaults with what is given (negative or non-finite values count as 0: disabled). */
export function upstreamTimeouts(given: Partial<UpstreamTimeouts> = {}): UpstreamTimeouts {
  const pick = (v: number | undefined, d: number) => (v === undefined ? d : v > 0 && Number.isFinite(v) ? v : 0);
  return {
    upstreamResponseMs: pick(given.upstreamResponseMs, DEFAULT_UPSTREAM_TIMEOUTS.upstreamResponseMs),
    upstreamBodyMs: pick(given.upstreamBodyMs, DEFAULT_UPSTREAM_TIMEOUTS.upstreamBodyMs),
    clientBodyMs: pick(given.clientBodyMs, DEFAULT_UPSTREAM_TIMEOUTS.clientBodyMs),
  };
}

/** undici's per-request headersTimeout for an attempt on `rule` (0: none; a route's backendRequest is enforced by the exchange itself, connecting and queueing included). */
export function headersTimeoutFor(rule: Pick<RuleIR, 'timeouts'>, d: UpstreamTimeouts): number {
  const t = rule.timeouts;
  return t.requestMs !== undefined || t.backendRequestMs !== undefined ? 0 : d.upstreamResponseMs;
}

/** undici's per-request bodyTimeout (response body idle) for an attempt on `rule` (0: none). */
export function bodyTimeoutFor(rule: Pick<RuleIR, 'timeouts'>, d: UpstreamTimeouts): number {
  return rule.timeouts.requestMs !== undefined ? 0 : d.upstreamBodyMs;
}
