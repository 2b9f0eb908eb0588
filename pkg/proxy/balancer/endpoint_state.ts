// Mutable per-endpoint state shared by the balancers (which read it) and the resilience pieces
// (which write it). One object per endpoint id, kept across snapshot swaps by
// reconcileEndpointStates, so in-flight counts, health verdicts, ejections and breakers survive a
// config change; a request in flight holds its EndpointState and finishes on it.
//
// A class so every instance has one hidden class (the balancer loops over them per request).
import type { BackendIR, EndpointIR, PassiveHealthCheckIR } from '../ir';
import { breakerConfig, CircuitBreaker, sameBreakerConfig } from '../resilience/circuit_breaker';
import { recordPassive } from '../resilience/passive';

/** edgeProxy's soft_limit default; the divisor of loadAware's load when a Backend sets none. */
export const DEFAULT_SOFT_LIMIT = 100;

export type ProbeResult = 'success' | 'failure';

export class EndpointState {
  ep: EndpointIR;
  /** requests in flight */
  active = 0;
  /** active health check verdict (true until a checker says otherwise) */
  healthy = true;
  /** passive ejection: not picked before this time (ms) */
  ejectedUntil = 0;
  breaker: CircuitBreaker | null = null;
  /** circuitBreaker.maxConnections; Infinity when unset. At it the endpoint is skipped. */
  hardLimit = Infinity;
  /** circuitBreaker.softLimit; Infinity when unset (every endpoint is "below" it). */
  softLimit = Infinity;
  /** passive health config in force (undefined: no ejection) */
  passive: PassiveHealthCheckIR | undefined = undefined;
  /** passive: failures in a row */
  passiveFailures = 0;
  /** passive: times ejected (metrics/console) */
  ejections = 0;
  /** active health: successes / failures in a row */
  probeSuccesses = 0;
  probeFailures = 0;
  /** active health: last probe result and when (0: never probed) */
  lastResult: ProbeResult | null = null;
  lastCheckedAt = 0;

  constructor(ep: EndpointIR) {
    this.ep = ep;
  }
}

/** The Backend fields that shape endpoint state. */
export type EndpointConfig = Pick<BackendIR, 'circuitBreaker' | 'passiveHealthCheck' | 'activeHealthCheck'>;

const positiveOr = (v: number | undefined, dflt: number): number => (v !== undefined && v > 0 ? v : dflt);

/** Apply a Backend's limits, breaker and health config to one state (new or kept). */
export function configureEndpointState(s: EndpointState, ep: EndpointIR, cfg: EndpointConfig): void {
  s.ep = ep;
  const cb = cfg.circuitBreaker;
  s.hardLimit = positiveOr(ep.maxConnections ?? cb?.maxConnections, Infinity);
  s.softLimit = positiveOr(ep.softLimit ?? cb?.softLimit, Infinity);
  const bc = breakerConfig(cb);
  if (bc === null) s.breaker = null;
  else if (s.breaker === null) s.breaker = new CircuitBreaker(bc);
  else if (!sameBreakerConfig(s.breaker.config, bc)) s.breaker.reconfigure(bc);
  s.passive = cfg.passiveHealthCheck;
  if (s.passive === undefined) {
    s.passiveFailures = 0;
    s.ejectedUntil = 0;
  }
  if (cfg.activeHealthCheck === undefined) {
    // No checker will ever bring it back: forget an old verdict.
    s.healthy = true;
    s.probeSuccesses = 0;
    s.probeFailures = 0;
  }
}

export function createEndpointState(ep: EndpointIR, cfg: EndpointConfig = {}): EndpointState {
  const s = new EndpointState(ep);
  configureEndpointState(s, ep, cfg);
  return s;
}

/**
 * States for a Backend's endpoints in its order, reusing `prev` states with the same endpoint id
 * (their counters, health, ejection and breaker kept; config reapplied). Called on snapshot change.
 */
export function reconcileEndpointStates(
  prev: readonly EndpointState[] | undefined,
  backend: EndpointConfig & { endpoints: readonly EndpointIR[] },
): EndpointState[] {
  const byId = new Map<string, EndpointState>();
  if (prev !== undefined) for (let i = 0; i < prev.length; i++) byId.set(prev[i]!.ep.id, prev[i]!);
  const eps = backend.endpoints;
  const out = new Array<EndpointState>(eps.length);
  for (let i = 0; i < eps.length; i++) {
    const ep = eps[i]!;
    const old = byId.get(ep.id);
    if (old !== undefined) {
      byId.delete(ep.id); // a duplicated id gets a state of its own
      configureEndpointState(old, ep, backend);
      out[i] = old;
    } else {
      out[i] = createEndpointState(ep, backend);
    }
  }
  return out;
}

/**
 * May a request go to this endpoint now: healthy, not ejected, breaker allows, below the hard limit.
 * (Weight 0 is the balancer's business: such an endpoint is available but never chosen.)
 */
export function available(s: EndpointState, now: number): boolean {
  return (
    s.healthy && s.ejectedUntil <= now && s.active < s.hardLimit && (s.breaker === null || s.breaker.allow(now))
  );
}

/** Below the soft limit: preferred over endpoints at or above theirs. */
export function belowSoft(s: EndpointState): boolean {
  return s.active < s.softLimit;
}

/** The data plane sends a request to `s` (after a balancer picked it). */
export function startRequest(s: EndpointState): void {
  s.active++;
  if (s.breaker !== null) s.breaker.onStart();
}

/**
 * A request to `s` finished. `failed`: a connect error, a timeout or a 5xx from the upstream (what
 * both the breaker and passive ejection count as failures; see resilience/passive.isFailure).
 * Feeds the breaker and passive ejection.
 */
export function finishRequest(s: EndpointState, failed: boolean, now: number): void {
  if (s.active > 0) s.active--;
  if (failed) {
    if (s.breaker !== null) s.breaker.onFailure(now);
  } else if (s.breaker !== null) {
    s.breaker.onSuccess(now);
  }
  recordPassive(s, failed, s.passive, now);
}

/** A request to `s` was abandoned without a verdict (the client went away). */
export function cancelRequest(s: EndpointState): void {
  if (s.active > 0) s.active--;
  if (s.breaker !== null) s.breaker.onCancel();
}
