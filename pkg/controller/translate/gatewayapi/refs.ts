// ReferenceGrant (Gateway API): a reference from an object in one namespace to an object in
// another is allowed only when a ReferenceGrant in the target's namespace names the source's
// group/kind/namespace in `from` and the target's group/kind (and name, when given) in `to`. Pure.
import type { UReferenceGrant } from './types';

export interface RefFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface RefTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function refAllowed(grants: UReferenceGrant[], from: RefFrom, to: RefTo): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (g) =>
      g.metadata.namespace === to.namespace &&
      (g.spec?.from ?? []).some((f) => (f.group ?? '') === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      (g.spec?.to ?? []).some((t) => (t.group ?? '') === to.group && t.kind === to.kind && (!t.name || t.name === to.name)),
  );
}
