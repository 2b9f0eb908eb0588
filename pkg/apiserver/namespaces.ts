// The namespace rules of namespaced writes, kube's NamespaceLifecycle in short: an object is created
// only in a namespace that exists (404 `namespaces "x" not found`), and a namespace is deleted only
// when empty (switchyard refuses instead of cascading; see namespace_validate.ts).
import { ApiError, fromStorage, notFound } from '../apierrors/errors';
import { namespaceDeletionRefusal } from '../../apis/core/v1/namespace_validate';
import { DEFAULT_NAMESPACE, SYSTEM_NAMESPACE } from '../../apis/core/v1/types';
import type { Resource } from '../registry/resource';
import type { RegistryContext } from '../registry/generic/context';
import { createObject } from '../registry/generic/create';
import type { ServerContext } from './context';

const NAMESPACES_GR = { group: '', resource: 'namespaces' };

export const namespaceResource = (resources: Resource[]): Resource | undefined => resources.find((r) => r.group === '' && r.plural === 'namespaces');

/** 404 unless namespace `ns` exists (a no-op when Namespaces are not served). */
export async function requireNamespace(ctx: ServerContext, ns: string): Promise<void> {
  const nsr = namespaceResource(ctx.resources);
  if (!nsr) return;
  const key = nsr.keyPrefix + ns;
  if (ctx.cacherFor(nsr).objectFor(key)) return;
  try {
    await ctx.registry.store.get(key);
  } catch (err) {
    const e = fromStorage(err, NAMESPACES_GR, ns);
    throw e.code === 404 ? notFound(NAMESPACES_GR, ns) : e;
  }
}

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
