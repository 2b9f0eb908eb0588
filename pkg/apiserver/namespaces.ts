// The namespace rules of namespaced writes, kube's NamespaceLifecycle in short: an object is created
// only in a namespace that exists (404 `namespaces "x" not found`) and is not being deleted (403,
// cause NamespaceTerminating), and a namespace is deleted only when empty (switchyard refuses
// instead of cascading; see namespace_validate.ts).
import { ApiError, fromStorage, notFound } from '../apierrors/errors';
import type { KObject } from '../../apis/meta/v1/types';
import type { Namespace } from '../../apis/core/v1/types';
import { namespaceDeletionRefusal } from '../../apis/core/v1/namespace_validate';
import { DEFAULT_NAMESPACE, SYSTEM_NAMESPACE } from '../../apis/core/v1/types';
import type { Resource } from '../registry/resource';
import type { RegistryContext } from '../registry/generic/context';
import { createObject } from '../registry/generic/create';
import type { ServerContext } from './context';

const NAMESPACES_GR = { group: '', resource: 'namespaces' };

export const namespaceResource = (resources: Resource[]): Resource | undefined => resources.find((r) => r.group === '' && r.plural === 'namespaces');

/**
 * 404 unless namespace `ns` exists; returns it (undefined when Namespaces are not served). `live`
 * reads the store rather than the watch cache, which may not hold a deletion that just happened
 * (creates need it: new content in a terminating or deleted namespace is refused).
 */
export async function requireNamespace(ctx: ServerContext, ns: string, live = false): Promise<KObject | undefined> {
  const nsr = namespaceResource(ctx.resources);
  if (!nsr) return undefined;
  const key = nsr.keyPrefix + ns;
  let obj = live ? undefined : ctx.cacherFor(nsr).objectFor(key);
  if (!obj) {
    try {
      obj = await ctx.registry.store.get(key);
    } catch (err) {
      const e = fromStorage(err, NAMESPACES_GR, ns);
      throw e.code === 404 ? notFound(NAMESPACES_GR, ns) : e;
    }
  }
  return obj;
}

/** being deleted: no new content may be created in it (kube's NamespaceLifecycle: 403 NamespaceTerminating) */
export const isTerminating = (ns: KObject): boolean => !!ns.metadata.deletionTimestamp || (ns as Namespace).status?.phase === 'Terminating';

/** 403 for the namespaces every cluster has, 409 for one that still holds objects. */
export async function guardNamespaceDelete(ctx: ServerContext, name: string): Promise<void> {
  const contents: { resource: string; count: number }[] = [];
  for (const r of ctx.resources) {
    if (!r.namespaced || r.namespace !== undefined) continue;
    const res = await ctx.registry.store.list(`${r.keyPrefix}${name}/`, { limit: 1 });
    contents.push({ resource: r.plural, count: res.items.length });
  }
  const refusal = namespaceDeletionRefusal(name, contents);
  if (!refusal) return;
  throw new ApiError(refusal.code, refusal.code === 403 ? 'Forbidden' : 'Conflict', refusal.message, { name, group: '', kind: 'namespaces' });
}

/** `default` and `switchyard-system` exist from the first start (every replica may try: AlreadyExists is fine). */
export async function ensureNamespaces(registry: RegistryContext, resources: Resource[]): Promise<void> {
  const nsr = namespaceResource(resources);
  if (!nsr) return;
  for (const name of [DEFAULT_NAMESPACE, SYSTEM_NAMESPACE]) {
    try {
      await createObject(registry, nsr, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { version: 'v1', fieldManager: 'switchyard' });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }
}
