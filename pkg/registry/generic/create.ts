// create (POST), in BeforeCreate order: decode checks, system metadata, strategy, validation, store.
import type { KObject } from '../../../apis/meta/v1/types';
import { fromStorage } from '../../apierrors/errors';
import type { Resource } from '../resource';
import { apiVersionOf } from '../resource';
import type { RegistryContext } from './context';
import type { WriteOptions, WriteResult } from './options';
import { keyOf, prepareIncoming, setNamespace, toVersion, validateObject } from './admit';
import { generateName } from './meta';
import { trackUpdate } from './managed_fields';

export async function createObject(ctx: RegistryContext, r: Resource, body: unknown, opts: WriteOptions): Promise<WriteResult> {
  const warnings: string[] = [];
  const obj = prepareIncoming(r, opts.version, body, opts.fieldValidation ?? 'Warn', warnings, { errors: (opts.duplicateFields ?? []).map((f) => `duplicate field "${f}"`) });
  const created = prepareForCreate(ctx, r, obj, opts);
  validateObject(r, opts.version, created, null, warnings);
  return { object: await persistCreate(ctx, r, created, opts), warnings, created: true };
}

/** System fields and strategy reset of a new object (also used by server-side apply's create). */
export function prepareForCreate(ctx: RegistryContext, r: Resource, obj: KObject, opts: WriteOptions, managed = true): KObject {
  const m = obj.metadata;
  opts.admitCreate?.(obj);
  if (!m.name && m.generateName) m.name = generateName(m.generateName);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  setNamespace(r, obj);
  delete m.selfLink;
  m.uid = ctx.uid();
  m.creationTimestamp = ctx.now();
  m.generation = 1;
  if (r.hasStatus) delete obj.status;
  r.strategy.prepareForCreate?.(obj);
  if (managed) m.managedFields = trackUpdate(r, opts.version, null, obj, opts.fieldManager, ctx.now());
  if (!m.managedFields?.length) delete m.managedFields; // Go's omitempty: never `managedFields: []`
  return obj;
}

export async function persistCreate(ctx: RegistryContext, r: Resource, obj: KObject, opts: WriteOptions): Promise<KObject> {
  const name = obj.metadata.name!;
  const stored: KObject = { ...obj, apiVersion: apiVersionOf(r, r.storageVersion) };
  if (opts.dryRun) return toVersion(r, obj, opts.version);
  try {
    return toVersion(r, await ctx.store.create(keyOf(r, name), stored), opts.version);
  } catch (err) {
    throw fromStorage(err, r.gr, name);
  }
}
