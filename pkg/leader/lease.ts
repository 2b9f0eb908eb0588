// The lease record, exactly coordination.k8s.io/v1 Lease (the object client-go's LeaseLock uses),
// so the same elector runs against switchyard's apiserver, its store, or a real Kubernetes cluster.
import { randomUUID } from 'node:crypto';
import type { KObject } from '../../apis/meta/v1/types';

export const LEASE_GROUP = 'coordination.k8s.io';
export const LEASE_VERSION = 'v1';
export const LEASE_API_VERSION = `${LEASE_GROUP}/${LEASE_VERSION}`;

/** coordination.k8s.io/v1 LeaseSpec (times are metav1.MicroTime strings) */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KObject {
  spec?: LeaseSpec;
}

/** A lease as read: its spec and the resourceVersion a compare-and-swap must name. */
export interface LeaseRead {
  spec: LeaseSpec;
  resourceVersion: string;
}

/** metav1.MicroTime's wire form: RFC 3339 with exactly six fractional digits, UTC. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The storage key kube-apiserver uses for a Lease: `<prefix>/leases/<namespace>/<name>`. */
export function leaseKey(prefix: string, namespace: string, name: string): string {
  return `${prefix.replace(/\/+$/, '')}/leases/${namespace}/${name}`;
}

export function leasePrefix(prefix: string, namespace: string): string {
  return `${prefix.replace(/\/+$/, '')}/leases/${namespace}/`;
}

export function newLease(namespace: string, name: string, spec: LeaseSpec, now = Date.now()): Lease {
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    spec: cleanSpec(spec),
  };
}

/** Only LeaseSpec's own fields, undefined ones dropped (stable bytes for no-op detection). */
export function cleanSpec(s: LeaseSpec): LeaseSpec {
  const out: LeaseSpec = {};
  if (s.holderIdentity !== undefined) out.holderIdentity = s.holderIdentity;
  if (s.leaseDurationSeconds !== undefined) out.leaseDurationSeconds = s.leaseDurationSeconds;
  if (s.acquireTime !== undefined) out.acquireTime = s.acquireTime;
  if (s.renewTime !== undefined) out.renewTime = s.renewTime;
  if (s.leaseTransitions !== undefined) out.leaseTransitions = s.leaseTransitions;
  return out;
}
