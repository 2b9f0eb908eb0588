// A LeaseClient straight over the object store (etcd or SQLite): compare-and-swap through
// Store.create (If mod_revision == 0) and Store.guaranteedUpdate with a resourceVersion
// precondition (If mod_revision == rv). The key is the one the Lease API serves
// (`<prefix>/leases/<namespace>/<name>`), so in-process candidates (apiserver replicas, `serve` on
// etcd) and HTTP candidates (`switchyard proxy` replicas) contend for the very same record.
import type { Store } from '../storage/interface';
import { isStorageError } from '../storage/errors';
import type { LeaseClient } from './elector';
import { cleanSpec, leaseKey, newLease, type Lease, type LeaseRead, type LeaseSpec } from './lease';

export class StoreLeaseClient implements LeaseClient {
  readonly name: string;
  private readonly key: string;

  constructor(
    private readonly store: Store,
    private readonly namespace: string,
    private readonly leaseName: string,
    prefix = '/registry',
  ) {
    this.name = `${namespace}/${leaseName}`;
    this.key = leaseKey(prefix, namespace, leaseName);
  }

  async get(): Promise<LeaseRead | null> {
    try {
      const obj = (await this.store.get(this.key)) as Lease;
      return { spec: obj.spec ?? {}, resourceVersion: obj.metadata.resourceVersion ?? '' };
    } catch (err) {
      if (isStorageError(err, 'NotFound')) return null;
      throw err;
    }
  }

  async create(spec: LeaseSpec): Promise<string | null> {
    try {
      const obj = await this.store.create(this.key, newLease(this.namespace, this.leaseName, spec));
      return obj.metadata.resourceVersion ?? null;
    } catch (err) {
      if (isStorageError(err, 'AlreadyExists')) return null;
      throw err;
    }
  }

  async update(spec: LeaseSpec, resourceVersion: string): Promise<string | null> {
    try {
      const res = await this.store.guaranteedUpdate(this.key, { resourceVersion }, (cur) => ({ ...cur, spec: cleanSpec(spec) }));
      return res.object.metadata.resourceVersion ?? null;
    } catch (err) {
      if (isStorageError(err, 'Conflict') || isStorageError(err, 'NotFound')) return null;
      throw err;
    }
  }
}
