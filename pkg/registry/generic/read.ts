// get and list, served in the request's version.
import type { KObject } from '../../../apis/meta/v1/types';
import { fromStorage } from '../../apierrors/errors';
import type { ListOptions } from '../../storage/interface';
import type { Resource } from '../resource';
import { apiVersionOf } from '../resource';
import type { RegistryContext } from './context';
import { keyOf, toVersion } from './admit';

export async function getObject(ctx: RegistryContext, r: Resource, name: string, version: string): Promise<KObject> {
  try {
    return toVersion(r, await ctx.store.get(keyOf(r, name)), version);
  } catch (err) {
    throw fromStorage(err, r.gr, name);
  }
}

export interface ObjectList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KObject[];
}

export async function listObjects(ctx: RegistryContext, r: Resource, version: string, opts: ListOptions): Promise<ObjectList> {
  try {
    const res = await ctx.store.list(r.keyPrefix, opts);
    const metadata: ObjectList['metadata'] = { resourceVersion: res.resourceVersion };
    if (res.continue) metadata.continue = res.continue;
    if (res.remainingItemCount !== undefined) metadata.remainingItemCount = res.remainingItemCount;
    return { apiVersion: apiVersionOf(r, version), kind: r.listKind, metadata, items: res.items.map((o) => toVersion(r, o, version)) };
  } catch (err) {
    throw fromStorage(err, r.gr, '');
  }
}
