// managedFields for non-apply writes (create, update/PUT, patch): kube's FieldManager.Update with
// the structured-merge-diff Updater.Update semantics.
import type { KObject, ManagedFieldsEntry } from '../../apis/meta/v1/types';
import { atomicLists, FieldSet, ListTypeAt } from './fieldset';
import {
  capUpdateManagers,
  decodeManagedFields,
  decodeManagedFieldsOrEmpty,
  encodeManagedFields,
  isManagedFieldsReset,
  Manager,
  managerKey,
  stripUntracked,
  withoutManagedFields,
} from './managed';
import { compareObjects } from './merge';

export { managedFieldsChangedByClient, isManagedFieldsReset } from './managed';

export interface TrackUpdateArgs {
  /** the stored object; null for a create */
  oldObj: KObject | null;
  /** the object about to be stored (its metadata.managedFields as the client sent/kept them) */
  newObj: KObject;
  /** the field manager: ?fieldManager=, else kube's default from the user agent (`kubectl-edit`...) */
  manager: string;
  /** apiVersion of the request (group/version) */
  apiVersion: string;
  /** RFC 3339 time stamped on the entry when this write changed something */
  now: string;
  listTypeAt?: ListTypeAt;
  /** `status` for writes through the status subresource */
  subresource?: string;
}

/**
 * Which managers the write starts from (kube's decodeManagedFields): a reset (`[]`/`[{}]`) starts
 * empty; managedFields the client sent are honoured when they decode and are non-empty; otherwise
 * (absent, undecodable, or a subresource write) the stored ones are used.
 */
function baseManagers(oldObj: KObject | null, newObj: KObject, subresource: string | undefined): Map<string, Manager> {
  const stored = () => decodeManagedFieldsOrEmpty(oldObj?.metadata?.managedFields);
  if (subresource) return stored();
  const sent = newObj.metadata?.managedFields;
  if (isManagedFieldsReset(sent)) return new Map();
  if (sent === undefined || sent === null) return stored();
  try {
    const m = decodeManagedFields(sent);
    return m.size > 0 ? m : stored();
  } catch {
    return stored();
  }
}

/**
 * Runs structured-merge-diff's Update for `manager` over `managers` (mutated and returned): fields
 * the write added or changed move to the manager's Update entry (time = now when it gained any),
 * every other manager loses them, removed fields leave every set, emptied managers are dropped.
 */
export function applyUpdateToManagers(
  managers: Map<string, Manager>,
  oldObj: KObject | Record<string, never> | null,
  newObj: KObject,
  manager: string,
  apiVersion: string,
  now: string,
  listTypeAt: ListTypeAt,
  subresource?: string,
): Map<string, Manager> {
  const before = oldObj ? withoutManagedFields(oldObj as KObject) : {};
  const after = withoutManagedFields(newObj);
  const c = compareObjects(before, after, listTypeAt);
  const changed = c.modified.union(c.added);
  for (const [k, m] of managers) {
    const set = m.set.difference(changed).difference(c.removed);
    if (set.isEmpty()) managers.delete(k);
    else managers.set(k, { ...m, set });
  }
  const taken = stripUntracked(changed.difference(c.removed));
  if (!taken.isEmpty()) {
    const id = { manager, operation: 'Update' as const, apiVersion, ...(subresource ? { subresource } : {}) };
    const key = managerKey(id);
    const prev = managers.get(key);
    managers.set(key, { ...id, time: now, set: prev ? taken.union(prev.set) : taken });
  }
  return capUpdateManagers(managers);
}

/**
 * The managedFields to store with `newObj` after a create/update/patch by `manager`.
 *
 * - Tracking starts at creation. An existing object without managedFields (or whose client reset
 *   them with `[]` / `[{}]`) stays untracked on updates, like kube (its first apply then records
 *   the existing fields under `before-first-apply`): the result is `[]`.
 * - When nothing changed, entries (and their times) come back unchanged.
 */
export function trackUpdate(args: TrackUpdateArgs): ManagedFieldsEntry[] {
  const { oldObj, newObj, manager, apiVersion, now, subresource } = args;
  const listTypeAt = args.listTypeAt ?? atomicLists;
  const managers = baseManagers(oldObj, newObj, subresource);
  if (managers.size === 0 && oldObj) return [];
  applyUpdateToManagers(managers, oldObj, newObj, manager, apiVersion, now, listTypeAt, subresource);
  return encodeManagedFields(managers.values());
}

/** A FieldSet of what an object sets, minus the never-tracked fields (handy for callers/tests). */
export function trackedFields(obj: KObject, listTypeAt: ListTypeAt = atomicLists): FieldSet {
  return stripUntracked(compareObjects({}, withoutManagedFields(obj), listTypeAt).added);
}
