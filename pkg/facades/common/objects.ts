// Backends and HTTPRoutes as the facades read and write them: through the apiserver's own registry
// flows (pkg/registry/generic: admission, defaults, validation, managedFields, optimistic
// concurrency), never around them, so every facade object is a first-class API object.
import type { KObject } from '../../../apis/meta/v1/types';
import { ApiError } from '../../apierrors/errors';
import type { RegistryContext } from '../../registry/generic/context';
import { createObject } from '../../registry/generic/create';
import { updateObject } from '../../registry/generic/update';
import { deleteObject } from '../../registry/generic/delete';
import { getObject, listObjects } from '../../registry/generic/read';
import { findResource } from '../../registry/kinds';
import type { Resource } from '../../registry/resource';
import type { WriteOptions } from '../../registry/generic/options';
import { FACADE_LABEL } from '../../../apis/annotations';

export { FACADE_LABEL };

export type Kind = 'backends' | 'httproutes';

/** Thrown by an update's mutate function to leave the object as it is. */
export class Unchanged extends Error {}

export class Objects {
  private readonly kinds: Record<Kind, Resource>;

  constructor(
    readonly ctx: RegistryContext,
    resources: Resource[],
    /** fieldManager recorded in managedFields (`switchyard-edgeproxy`, …) */
    readonly manager: string,
  ) {
    this.kinds = {
      backends: findResource(resources, 'core.apoxy.dev', 'backends'),
      httproutes: findResource(resources, 'gateway.apoxy.dev', 'httproutes'),
    };
  }

  resource(kind: Kind): Resource {
    return this.kinds[kind];
  }

  private opts(kind: Kind): WriteOptions {
    return { version: this.kinds[kind].storageVersion, fieldManager: this.manager, fieldValidation: 'Strict' };
  }

  /** The object, or undefined when it does not exist. */
  async get(kind: Kind, name: string): Promise<KObject | undefined> {
    try {
      return await getObject(this.ctx, this.kinds[kind], name, this.kinds[kind].storageVersion);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  async list(kind: Kind, predicate?: (o: KObject) => boolean): Promise<{ items: KObject[]; resourceVersion: string }> {
    const r = this.kinds[kind];
    const res = await listObjects(this.ctx, r, r.storageVersion, predicate ? { predicate } : {});
    return { items: res.items, resourceVersion: res.metadata.resourceVersion };
  }

  /** Create; throws the ApiError (409 AlreadyExists, 422 Invalid, …). */
  async create(kind: Kind, obj: KObject): Promise<KObject> {
    const r = this.kinds[kind];
    const res = await createObject(this.ctx, r, { apiVersion: `${r.group}/${r.storageVersion}`, kind: r.kind, ...obj }, this.opts(kind));
    return res.object;
  }

  /**
   * Read-modify-write: `mutate` gets a copy of the current object and returns the next one (or
   * throws Unchanged to leave it, or any error to abort). Retried on a lost race. Resolves to the
   * stored object, or undefined when it does not exist.
   */
  async update(kind: Kind, name: string, mutate: (cur: KObject) => KObject, attempts = 8): Promise<KObject | undefined> {
    const r = this.kinds[kind];
    for (let i = 0; ; i++) {
      const cur = await this.get(kind, name);
      if (!cur) return undefined;
      let next: KObject;
      try {
        next = mutate(structuredClone(cur));
      } catch (err) {
        if (err instanceof Unchanged) return cur;
        throw err;
      }
      next.metadata.resourceVersion = cur.metadata.resourceVersion;
      try {
        return (await updateObject(this.ctx, r, name, next, this.opts(kind))).object;
      } catch (err) {
        if (err instanceof ApiError && err.code === 409 && err.reason === 'Conflict' && i + 1 < attempts) continue;
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    }
  }

  /**
   * Delete (optionally only while it still has `resourceVersion`). true: deleted; false: it was not
   * there. A failed precondition throws the 409.
   */
  async delete(kind: Kind, name: string, preconditions?: { uid?: string; resourceVersion?: string }): Promise<boolean> {
    try {
      await deleteObject(this.ctx, this.kinds[kind], name, { version: this.kinds[kind].storageVersion, ...(preconditions ? { preconditions } : {}) });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return false;
      throw err;
    }
  }
}

export const isFacadeObject = (o: KObject | undefined, facade: string): boolean => o?.metadata.labels?.[FACADE_LABEL] === facade;

/** The field errors of a 422 as `field: message` lines (for facade error bodies). */
export function invalidCauses(err: ApiError): Array<{ field: string; message: string }> {
  return (err.details?.causes ?? []).map((c) => ({ field: c.field ?? '', message: c.message ?? '' }));
}

/** One readable sentence from a registry error. */
export function describe(err: ApiError): string {
  const causes = invalidCauses(err);
  if (err.code === 422 && causes.length) return causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
  return err.message;
}
