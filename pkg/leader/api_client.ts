// A LeaseClient over the Kubernetes Lease API (coordination.k8s.io/v1, namespaced), through
// client-node's typed client: what `switchyard proxy` replicas use, since they only talk HTTP.
// switchyard's apiserver serves exactly this API (lease_api.ts); a real cluster serves it natively,
// so the same proxy elects its status writer there too (RBAC: get/create/update on leases).
// Like client-go's LeaseLock, an update sends back the lease as last read with a new spec.
import type { ClientNode } from '../util/esm';
import type { LeaseClient } from './elector';
import { cleanSpec, LEASE_API_VERSION, microTime, type Lease, type LeaseRead, type LeaseSpec } from './lease';

type KubeConfig = InstanceType<ClientNode['KubeConfig']>;
type CoordinationApi = InstanceType<ClientNode['CoordinationV1Api']>;

export class ApiLeaseClient implements LeaseClient {
  readonly name: string;
  private readonly api: CoordinationApi;
  private last: Lease | undefined;

  constructor(
    k8s: ClientNode,
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly leaseName: string,
  ) {
    this.name = `${namespace}/${leaseName}`;
    this.api = kc.makeApiClient(k8s.CoordinationV1Api);
  }

  async get(): Promise<LeaseRead | null> {
    try {
      const lease = (await this.api.readNamespacedLease({ name: this.leaseName, namespace: this.namespace })) as unknown as Lease;
      this.last = lease;
      return { spec: normalize(lease.spec ?? {}), resourceVersion: lease.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (codeOf(err) === 404) {
        this.last = undefined;
        return null;
      }
      throw err;
    }
  }

  async create(spec: LeaseSpec): Promise<string | null> {
    const body = { apiVersion: LEASE_API_VERSION, kind: 'Lease', metadata: { name: this.leaseName, namespace: this.namespace }, spec: cleanSpec(spec) };
    try {
      const lease = (await this.api.createNamespacedLease({ namespace: this.namespace, body: body as never })) as unknown as Lease;
      this.last = lease;
      return lease.metadata?.resourceVersion ?? null;
    } catch (err) {
      if (codeOf(err) === 409) return null;
      throw err;
    }
  }

  async update(spec: LeaseSpec, resourceVersion: string): Promise<string | null> {
    const base = this.last ?? { apiVersion: LEASE_API_VERSION, kind: 'Lease', metadata: { name: this.leaseName, namespace: this.namespace } };
    const body = { ...base, apiVersion: LEASE_API_VERSION, kind: 'Lease', metadata: { ...base.metadata, resourceVersion }, spec: cleanSpec(spec) };
    try {
      const lease = (await this.api.replaceNamespacedLease({ name: this.leaseName, namespace: this.namespace, body: body as never })) as unknown as Lease;
      this.last = lease;
      return lease.metadata?.resourceVersion ?? null;
    } catch (err) {
      const code = codeOf(err);
      if (code === 409 || code === 404) return null;
      throw err;
    }
  }
}

function codeOf(err: unknown): number | undefined {
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

/** MicroTime fields back to their wire form whatever the client library turned them into. */
function normalize(spec: LeaseSpec): LeaseSpec {
  const t = (v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    const ms = v instanceof Date ? v.getTime() : Date.parse(String(v));
    return Number.isFinite(ms) ? microTime(ms) : String(v);
  };
  return cleanSpec({ ...spec, acquireTime: t(spec.acquireTime), renewTime: t(spec.renewTime) });
}
