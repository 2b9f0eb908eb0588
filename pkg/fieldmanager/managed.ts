// metadata.managedFields <-> managers and their field sets (kube's internal/managedfields.go,
// the stripMeta, capManagers and managedFieldsUpdater wrappers of the field manager).
import type { KObject, ManagedFieldsEntry } from '../../apis/meta/v1/types';
import { deepEqual, fieldElement, FieldSet, fromFieldsV1, toFieldsV1 } from './fieldset';

export type Operation = 'Apply' | 'Update';

/** One manager's slice of ownership (a decoded ManagedFieldsEntry). */
export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Fields no manager ever owns (kube's stripMeta list, plus the two deletion fields). */
export const UNTRACKED_METADATA_FIELDS: readonly string[] = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

const IGNORED: FieldSet = (() => {
  const s = new FieldSet();
  s.insert([fieldElement('apiVersion')]);
  s.insert([fieldElement('kind')]);
  s.insert([fieldElement('metadata')]);
  for (const f of UNTRACKED_METADATA_FIELDS) s.insert([fieldElement('metadata'), fieldElement(f)]);
  return s;
})();

/** Removes the never-tracked fields from a set. */
export function stripUntracked(set: FieldSet): FieldSet {
  return set.difference(IGNORED);
}

/**
 * The identity kube keys managers by (BuildManagerIdentifier): name, operation, subresource, and
 * for Update entries the apiVersion (an applier keeps one entry across versions).
 */
export function managerKey(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Update' ? m.apiVersion : '', m.subresource ?? '']);
}

/** kube's isResetManagedFields: `[]` or `[{}]` sent by a client clears managedFields. */
export function isManagedFieldsReset(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  if (mf.length === 0) return true;
  return mf.length === 1 && typeof mf[0] === 'object' && mf[0] !== null && Object.keys(mf[0]).length === 0;
}

/**
 * kube's DecodeManagedFields: every entry must have operation Apply|Update, an apiVersion,
 * fieldsType FieldsV1 and a decodable fieldsV1. Throws Error otherwise. A later entry with the
 * same identity replaces an earlier one.
 */
export function decodeManagedFields(mf: readonly ManagedFieldsEntry[] | undefined | null): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (mf == null) return out;
  if (!Array.isArray(mf)) throw new Error('managedFields must be a list');
  mf.forEach((e, i) => {
    if (typeof e !== 'object' || e === null) throw new Error(`managed fields entry ${i} is not an object`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion.length < 1) throw new Error('apiVersion must not be empty');
    if (e.fieldsType === undefined || (e.fieldsType as string) === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const set = e.fieldsV1 === undefined || e.fieldsV1 === null ? new FieldSet() : fromFieldsV1(e.fieldsV1);
    const m: Manager = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      ...(typeof e.time === 'string' && e.time ? { time: e.time } : {}),
      ...(typeof e.subresource === 'string' && e.subresource ? { subresource: e.subresource } : {}),
      set,
    };
    out.set(managerKey(m), m);
  });
  return out;
}

/** Decodes, answering an empty map for anything undecodable (kube's decodeLiveManagedFields). */
export function decodeManagedFieldsOrEmpty(mf: readonly ManagedFieldsEntry[] | undefined | null): Map<string, Manager> {
  try {
    return decodeManagedFields(mf);
  } catch {
    return new Map();
  }
}

function unixSeconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** kube's sortEncodedManagedFields: operation, time (seconds), manager, apiVersion, subresource. */
export function sortManagers(ms: Manager[]): Manager[] {
  return ms.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      unixSeconds(p.time) - unixSeconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** Encodes managers to metadata.managedFields in kube's order and field order; empty sets are dropped. */
export function encodeManagedFields(managers: Iterable<Manager>): ManagedFieldsEntry[] {
  return sortManagers([...managers].filter((m) => !m.set.isEmpty())).map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = toFieldsV1(m.set);
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

export const DEFAULT_MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * kube's capManagersManager: with more than `max` Update entries, the oldest are merged per
 * apiVersion into an `ancient-changes` entry until the count is within the cap.
 */
export function capUpdateManagers(managers: Map<string, Manager>, max = DEFAULT_MAX_UPDATE_MANAGERS): Map<string, Manager> {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return managers;
  updaters.sort(([ka, a], [kb, b]) => unixSeconds(a.time) - unixSeconds(b.time) || cmp(ka, kb));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [key, m] = updaters[i];
    const bucketKey = managerKey({ manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: m.apiVersion });
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, key);
      continue;
    }
    if (!managers.has(bucketKey)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucketKey, { ...f, manager: ANCIENT_CHANGES_MANAGER, subresource: undefined });
    }
    const bucket = managers.get(bucketKey)!;
    managers.set(bucketKey, { ...bucket, set: m.set.union(bucket.set), time: m.time });
    managers.delete(key);
    length--;
  }
  return managers;
}

/** The object without metadata.managedFields (a shallow-copied metadata). */
export function withoutManagedFields(obj: KObject): KObject {
  const meta = { ...(obj.metadata ?? {}) };
  delete meta.managedFields;
  return { ...obj, metadata: meta };
}

/**
 * True when a write's object carries managedFields the client set itself (they differ from what
 * is stored): kubectl's JSON patch of /metadata/managedFields, or a reset with `[]` / `[{}]`.
 */
export function managedFieldsChangedByClient(oldObj: KObject | null | undefined, newObj: KObject): boolean {
  const next = newObj?.metadata?.managedFields;
  if (!Array.isArray(next)) return false;
  const prev = oldObj?.metadata?.managedFields ?? [];
  if (isManagedFieldsReset(next)) return prev.length > 0 || next.length > 0;
  return !deepEqual(next, prev);
}
