// The leader-election decision, pure: given the lease as read, what this candidate saw before and
// the time, decide to create, renew, take over or wait. Same rules as client-go's
// tryAcquireOrRenew:
// - expiry is judged by the *local* clock from the moment this candidate first saw the current
//   record (never from renewTime, which another machine's clock wrote), plus the holder's own
//   leaseDurationSeconds;
// - an empty holderIdentity (a released lease) is free at once;
// - taking over bumps leaseTransitions; renewing keeps acquireTime.
import type { LeaseSpec } from './lease';
import { cleanSpec, microTime } from './lease';
import { canonicalJSON } from '../storage/codec';

/** What a candidate remembers about the lease between attempts. */
export interface Observation {
  /** the record as last seen (canonical JSON of resourceVersion and spec; '' = no lease) */
  record: string;
  /** local time (ms) at which that record was first seen */
  at: number;
}

export type Decision =
  | { action: 'create'; spec: LeaseSpec }
  | { action: 'renew'; spec: LeaseSpec }
  | { action: 'acquire'; spec: LeaseSpec; previousHolder: string }
  | { action: 'wait'; holder: string; expiresAt: number };

export interface Candidate {
  identity: string;
  /** the duration this candidate writes into the lease it holds */
  leaseDurationSeconds: number;
}

export function recordOf(current: { spec: LeaseSpec; resourceVersion: string } | null): string {
  return current ? canonicalJSON({ rv: current.resourceVersion, spec: cleanSpec(current.spec) }) : '';
}

/** Update the observation: the time only moves when the record changed. */
export function observe(prev: Observation | undefined, current: { spec: LeaseSpec; resourceVersion: string } | null, now: number): Observation {
  const record = recordOf(current);
  if (prev && prev.record === record) return prev;
  return { record, at: now };
}

/** When the lease held in `spec` expires for a candidate that saw it first at `observed.at`. */
export function expiresAt(spec: LeaseSpec, observed: Observation, fallbackSeconds: number): number {
  const secs = spec.leaseDurationSeconds && spec.leaseDurationSeconds > 0 ? spec.leaseDurationSeconds : fallbackSeconds;
  return observed.at + secs * 1000;
}

export function decide(current: LeaseSpec | null, observed: Observation, me: Candidate, now: number): Decision {
  const stamp = microTime(now);
  if (!current) {
    return {
      action: 'create',
      spec: { holderIdentity: me.identity, leaseDurationSeconds: me.leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
    };
  }
  const holder = current.holderIdentity ?? '';
  if (holder === me.identity) {
    return {
      action: 'renew',
      spec: cleanSpec({ ...current, leaseDurationSeconds: me.leaseDurationSeconds, acquireTime: current.acquireTime ?? stamp, renewTime: stamp, leaseTransitions: current.leaseTransitions ?? 0 }),
    };
  }
  if (holder !== '') {
    const until = expiresAt(current, observed, me.leaseDurationSeconds);
    if (now < until) return { action: 'wait', holder, expiresAt: until };
  }
  return {
    action: 'acquire',
    previousHolder: holder,
    spec: {
      holderIdentity: me.identity,
      leaseDurationSeconds: me.leaseDurationSeconds,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: (current.leaseTransitions ?? 0) + 1,
    },
  };
}

/** The spec that gives the lease up (client-go's ReleaseOnCancel), or null when it is not ours. */
export function release(current: LeaseSpec, identity: string, now: number): LeaseSpec | null {
  if ((current.holderIdentity ?? '') !== identity) return null;
  const stamp = microTime(now);
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp, leaseTransitions: current.leaseTransitions ?? 0 };
}
