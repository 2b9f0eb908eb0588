// update (PUT) and the part every modification shares (finishUpdate): system fields kept from the
// stored object, status or spec reset by subresource, generation, managedFields, validation.
// An update that leaves a deleting object without finalizers deletes it, as kube does.
import type { KObject } from '../../../apis/meta/v1/types';
import { FieldPath, invalid as fieldInvalid } from '../../../apis/meta/v1/field';
import { badRequest, conflict, fromStorage, invalid, MODIFIED } from '../../apierrors/errors';
import type { Resource } from '../resource';
import { apiVersionOf } from '../resource';
import type { RegistryContext } from './context';
import type { WriteOptions, WriteResult } from './options';
import { keyOf, prepareIncoming, setNamespace, toVersion, validateObject } from './admit';
import { specChanged } from './meta';
import { trackUpdate } from './managed_fields';
import { isStorageError } from '../../storage/errors';

export async function updateObject(ctx: RegistryContext, r: Resource, name: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
  const warnings: string[] = [];
  const incoming = prepareIncoming(r, opts.version, body, opts.fieldValidation ?? 'Warn', warnings, { errors: (opts.duplicateFields ?? []).map((f) => `duplicate field "${f}"`) });
  if (incoming.metadata.name && incoming.metadata.name !== name) {
    throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
  }
  incoming.metadata.name = name;
  const rv = incoming.metadata.resourceVersion;
  // kube's Store.Update: a missing object is 404 before the resourceVersion is looked at
  const object = await modify(ctx, r, name, opts, (cur) => {
    if (!rv) {
      throw invalid({ group: r.group, kind: r.plural }, name, [
        fieldInvalid(FieldPath.root('metadata').child('resourceVersion'), '0x0', 'must be specified for an update'),
      ]);
    }
    if (cur.metadata.resourceVersion !== rv) throw conflict(r.gr, name, MODIFIED);
    return finishUpdate(ctx, r, cur, structuredClone(incoming), opts, warnings);
  });
  return { object, warnings };
}

/**
 * Read-modify-write through the store (or, for dryRun, on a copy): `change` maps the current
 * object (in the request version) to the next one, already validated.
 */
export async function modify(
  ctx: RegistryContext,
  r: Resource,
  name: string,
  opts: WriteOptions,
  change: (cur: KObject) => KObject | Promise<KObject>,
): Promise<KObject> {
  const key = keyOf(r, name);
  const storageApiVersion = apiVersionOf(r, r.storageVersion);
  try {
    if (opts.dryRun) {
      const cur = await ctx.store.get(key);
      return toVersion(r, await change(toVersion(r, cur, opts.version)), opts.version);
    }
    let emptied: EmptiedFinalizers | undefined;
    let res;
    try {
      res = await ctx.store.guaranteedUpdate(key, undefined, async (cur) => {
        const next = await change(toVersion(r, cur, opts.version));
        // kube's errEmptiedFinalizers: the last finalizer of a deleting object is gone, so the
        // object is deleted instead of stored (watchers see one DELETED, no intermediate MODIFIED)
        if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) throw new EmptiedFinalizers(next, cur.metadata.uid);
        return { ...next, apiVersion: storageApiVersion };
      });
    } catch (err) {
      if (!(err instanceof EmptiedFinalizers)) throw err;
      emptied = err;
    }
    if (emptied) return await deleteWithoutFinalizers(ctx, key, emptied);
    return toVersion(r, res!.object, opts.version);
  } catch (err) {
    throw fromStorage(err, r.gr, name);
  }
}

class EmptiedFinalizers extends Error {
  constructor(
    readonly object: KObject,
    readonly uid: string | undefined,
  ) {
    super('emptied finalizers');
  }
}

/**
 * kube's deleteWithoutFinalizers: delete the object (same uid: never a recreated one) and answer
 * the updated object the client sent. Deletion is racy (two updates may both empty the
 * finalizers), so NotFound is success; any other failure is the client's answer.
 */
async function deleteWithoutFinalizers(ctx: RegistryContext, key: string, e: EmptiedFinalizers): Promise<KObject> {
  try {
    await ctx.store.delete(key, e.uid ? { uid: e.uid } : undefined);
  } catch (err) {
    if (!isStorageError(err, 'NotFound')) throw err;
  }
  return e.object;
}

/**
 * The next state of `cur` given the client's `next` (both in the request version). `tracked`:
 * managedFields were already computed (server-side apply) and are kept as they are.
 */
export function finishUpdate(
  ctx: RegistryContext,
  r: Resource,
  cur: KObject,
  next: KObject,
  opts: WriteOptions,
  warnings: string[],
  tracked = false,
): KObject {
  if (next.metadata.uid && next.metadata.uid !== cur.metadata.uid) {
    throw conflict(r.gr, cur.metadata.name!, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${cur.metadata.uid}`);
  }
  let out: KObject;
  if (opts.subresource === 'status') {
    // the status subresource changes status only (and keeps its managedFields bookkeeping)
    out = structuredClone(cur);
    if (next.status === undefined) delete out.status;
    else out.status = next.status;
    out.metadata.managedFields = next.metadata.managedFields ?? cur.metadata.managedFields;
  } else {
    out = next;
    if (r.hasStatus) {
      if (cur.status === undefined) delete out.status;
      else out.status = structuredClone(cur.status);
    }
  }
  const m = out.metadata;
  const c = cur.metadata;
  m.name = c.name;
  m.uid = c.uid;
  m.creationTimestamp = c.creationTimestamp;
  m.resourceVersion = c.resourceVersion;
  setNamespace(r, out);
  delete m.selfLink;
  if (c.deletionTimestamp) {
    m.deletionTimestamp = c.deletionTimestamp;
    m.deletionGracePeriodSeconds = c.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  m.generation = (c.generation ?? 1) + (opts.subresource !== 'status' && specChanged(out, cur) ? 1 : 0);
  if (!tracked) m.managedFields = trackUpdate(r, opts.version, cur, out, opts.fieldManager, ctx.now(), opts.subresource);
  if (!m.managedFields?.length) delete m.managedFields;
  validateObject(r, opts.version, out, cur, warnings);
  return out;
}
