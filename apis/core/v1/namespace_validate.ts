// Namespace: a DNS-1123 label name, status.phase Active from creation. Deletion is refused while
// the namespace holds objects, and always for the namespaces every cluster has (kube forbids
// deleting default, kube-system and kube-public; switchyard-system is our kube-system).
import { IMMORTAL_NAMESPACES, type Namespace } from './types';

export function prepareNamespaceForCreate(ns: Namespace): void {
  ns.status = { phase: 'Active' };
  canonicalizeNamespace(ns);
}

/**
 * kube's namespace strategy Canonicalize, on create and every update and patch: the
 * kubernetes.io/metadata.name label is the namespace's name (selectors rely on it since 1.22, e.g. a
 * Gateway's allowedRoutes); a request that changes or removes it gets it back.
 */
export function canonicalizeNamespace(ns: Namespace): void {
  if (ns.metadata?.name) ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name };
}

/** Why `name` may not be deleted now, or undefined. `contents`: object counts by resource. */
export function namespaceDeletionRefusal(name: string, contents: ReadonlyArray<{ resource: string; count: number }>): { code: 403 | 409; message: string } | undefined {
  if (IMMORTAL_NAMESPACES.includes(name)) return { code: 403, message: `namespaces "${name}" is forbidden: this namespace may not be deleted` };
  const held = contents.filter((c) => c.count > 0);
  if (!held.length) return undefined;
  const what = held.map((c) => `${c.resource}`).join(', ');
  return {
    code: 409,
    message: `Operation cannot be fulfilled on namespaces "${name}": the namespace is not empty (it still holds ${what}); switchyard does not cascade namespace deletion: delete its objects first`,
  };
}
