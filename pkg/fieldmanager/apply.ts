// Server-side apply: kube's FieldManager.Apply over structured-merge-diff's Updater.Apply
// (merge, prune what the applier stopped applying, conflict detection, ownership transfer).
import type { KObject, StatusCause } from '../../apis/meta/v1/types';
import { atomicLists, deepEqual, FieldSet, fieldSetFromObject, goQuote, ListTypeAt, pathToString } from './fieldset';
import {
  capUpdateManagers,
  decodeManagedFieldsOrEmpty,
  encodeManagedFields,
  Manager,
  managerKey,
  sortManagers,
  stripUntracked,
  UNTRACKED_METADATA_FIELDS,
  withoutManagedFields,
} from './managed';
import { cloneJSON, compareObjects, mergeApplied, pruneRemovedFields } from './merge';
import { applyUpdateToManagers } from './update';

export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

export interface ApplyConflict {
  /** the other manager's name */
  manager: string;
  /** kube's path text: `.spec.protocol`, `.metadata.labels.app`, `.status.conditions[type="Ready"].status` */
  field: string;
  /** the other manager's entry */
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

export interface ServerSideApplyArgs {
  /** the stored object, or null when the apply creates it */
  live: KObject | null;
  /** the applied configuration (the request body) */
  applied: KObject;
  manager: string;
  force: boolean;
  /** apiVersion of the request */
  apiVersion: string;
  /** RFC 3339 time for entries this apply touches */
  now: string;
  listTypeAt?: ListTypeAt;
  subresource?: string;
}

export interface ServerSideApplyResult {
  /**
   * The object to store, managedFields included. With conflicts (and no force) this is the live
   * object unchanged (or the applied one for a create) and must not be stored.
   */
  object: KObject;
  /** non-empty means 409: nothing was applied */
  conflicts: ApplyConflict[];
  /** false when neither the object nor its managedFields changed: no write needed */
  changed: boolean;
}

/** Metadata fields an apply never sets from the applied config: they keep the live values. */
const SERVER_OWNED_METADATA = UNTRACKED_METADATA_FIELDS.filter((f) => f !== 'name' && f !== 'namespace');

/**
 * Server-side apply of `applied` by `manager` onto `live`:
 * - the applier's set A is what the config sets; its previous Apply set P is replaced by A;
 * - the result is live merged with the config (maps by key, associative lists by element key,
 *   everything else replaced), minus fields of P \ A that no manager owns any more;
 * - a field the apply adds or changes that another manager owns is a conflict, unless `force`,
 *   which moves the ownership to the applier; removed fields leave every manager;
 * - the applier's entry time moves to `now` only when the object changed.
 * An existing object without managedFields first gets its fields attributed to `before-first-apply`.
 */
export function serverSideApply(args: ServerSideApplyArgs): ServerSideApplyResult {
  const { manager, force, apiVersion, now, subresource } = args;
  const listTypeAt = args.listTypeAt ?? atomicLists;
  const live = args.live ? withoutManagedFields(cloneJSON(args.live)) : null;
  const liveValue: KObject = live ?? ({} as KObject);
  const applied = withoutManagedFields(args.applied);

  let managers = decodeManagedFieldsOrEmpty(args.live?.metadata?.managedFields);
  const originalEntries = encodeManagedFields(managers.values());
  if (args.live && managers.size === 0) {
    managers = applyUpdateToManagers(managers, null, live!, BEFORE_FIRST_APPLY_MANAGER, apiVersion, now, listTypeAt);
  }

  const appliedSet = stripUntracked(fieldSetFromObject(applied, listTypeAt));
  const id = { manager, operation: 'Apply' as const, apiVersion, ...(subresource ? { subresource } : {}) };
  const key = managerKey(id);
  const previous = managers.get(key);

  // merge, then prune what the applier stopped applying
  const merged = mergeApplied(liveValue, applied, listTypeAt) as KObject;
  if (!merged.metadata || typeof merged.metadata !== 'object' || Array.isArray(merged.metadata)) merged.metadata = {};
  for (const f of SERVER_OWNED_METADATA) {
    if (live && live.metadata[f] !== undefined) merged.metadata[f] = cloneJSON(live.metadata[f]);
    else delete merged.metadata[f];
  }
  const others = [...managers].filter(([k]) => k !== key);
  if (previous && !previous.set.isEmpty()) {
    let owned = appliedSet.clone();
    for (const [, m] of others) owned = owned.union(m.set);
    pruneRemovedFields(merged, previous.set, owned);
  }

  // ownership: conflicts with, or transfers from, the other managers
  const cmp = compareObjects(liveValue, merged, listTypeAt);
  const changedFields = cmp.modified.union(cmp.added);
  const conflicts: ApplyConflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [k, m] of others) {
    const c = stripUntracked(m.set.intersection(changedFields));
    if (c.isEmpty()) continue;
    taken.set(k, c);
    for (const p of c.paths()) {
      conflicts.push({
        manager: m.manager,
        field: pathToString(p),
        operation: m.operation,
        apiVersion: m.apiVersion,
        ...(m.subresource ? { subresource: m.subresource } : {}),
      });
    }
  }
  if (conflicts.length > 0 && !force) {
    conflicts.sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
    return { object: cloneJSON(args.live ?? args.applied), conflicts, changed: false };
  }
  for (const [k, m] of others) {
    let set = m.set.difference(cmp.removed);
    const t = taken.get(k);
    if (t) set = set.difference(t);
    if (set.isEmpty()) managers.delete(k);
    else managers.set(k, { ...m, set });
  }

  const objectChanged = !deepEqual(liveValue, merged) || !args.live;
  const time = objectChanged ? now : previous?.time;
  if (appliedSet.isEmpty()) managers.delete(key);
  else managers.set(key, { ...id, ...(time ? { time } : {}), set: appliedSet });
  capUpdateManagers(managers);

  const entries = encodeManagedFields(sortManagers([...managers.values()]));
  if (entries.length > 0) merged.metadata.managedFields = entries;
  else delete merged.metadata.managedFields;
  const changed = objectChanged || !deepEqual(entries, originalEntries);
  if (!changed) return { object: cloneJSON(args.live!), conflicts: [], changed: false };
  return { object: merged, conflicts: force ? [] : conflicts, changed };
}

function printManager(c: ApplyConflict, apiVersionOfManagers?: Record<string, string>): string {
  let s = goQuote(c.manager);
  if (c.subresource) s += ` with subresource ${goQuote(c.subresource)}`;
  const version =
    c.operation === 'Update'
      ? c.apiVersion
      : c.operation === undefined && apiVersionOfManagers && Object.prototype.hasOwnProperty.call(apiVersionOfManagers, c.manager)
        ? apiVersionOfManagers[c.manager]
        : undefined;
  return version !== undefined ? `${s} using ${version}` : s;
}

/**
 * kube's 409 message for apply conflicts:
 *   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using core.apoxy.dev/v1alpha2: .spec.protocol
 *   Apply failed with 2 conflicts: conflicts with "a" using v1:\n- .spec.x\n- .spec.y
 * Update managers print `using <apiVersion>` (taken from the conflict, or for conflicts without
 * operation info from `apiVersionOfManagers[manager]`); appliers print just their name.
 */
export function formatConflictMessage(conflicts: readonly ApplyConflict[], apiVersionOfManagers?: Record<string, string>): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0], apiVersionOfManagers)}: ${conflicts[0].field}`;
  }
  const byManager = new Map<string, { label: string; fields: string[] }>();
  for (const c of conflicts) {
    const label = printManager(c, apiVersionOfManagers);
    const k = JSON.stringify([c.manager, c.operation ?? '', c.apiVersion ?? '', c.subresource ?? '']);
    if (!byManager.has(k)) byManager.set(k, { label, fields: [] });
    byManager.get(k)!.fields.push(c.field);
  }
  const lines: string[] = [];
  for (const k of [...byManager.keys()].sort()) {
    const g = byManager.get(k)!;
    lines.push(`conflicts with ${g.label}:`);
    for (const f of g.fields) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The Status details.causes kube sends with the 409 (reason FieldManagerConflict). */
export function conflictCauses(conflicts: readonly ApplyConflict[], apiVersionOfManagers?: Record<string, string>): StatusCause[] {
  return conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c, apiVersionOfManagers)}`,
    field: c.field,
  }));
}
