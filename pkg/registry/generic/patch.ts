// patch (PATCH): JSON patch (RFC 6902, fast-json-patch), merge patch (RFC 7386) and server-side
// apply. Strategic merge is refused with 415, as for CRDs. A patch carrying a stale
// metadata.resourceVersion is a 409, like any optimistic-concurrency failure.
import { applyPatch, validate as validateJsonPatch, type Operation } from 'fast-json-patch';
import type { KObject } from '../../../apis/meta/v1/types';
import { ApiError, badRequest, conflict, fromStorage, invalid, MODIFIED, unsupportedMediaType } from '../../apierrors/errors';
import type { Resource } from '../resource';
import type { RegistryContext } from './context';
import type { WriteOptions, WriteResult } from './options';
import { keyOf, prepareIncoming, toVersion, validateObject, versionOf } from './admit';
import { strategicMerge, StrategicMergeError } from './strategic_merge';
import { finishUpdate, modify } from './update';
import { mergePatch } from './merge_patch';
import { persistCreate, prepareForCreate } from './create';
import { applyConfig } from './managed_fields';

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'] as const;
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
/** what a built-in kind (strategy.strategicMerge) also takes, as kube-apiserver lists them */
export const BUILTIN_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', STRATEGIC_MERGE_PATCH, 'application/apply-patch+yaml'] as const;
export type PatchType = (typeof BUILTIN_PATCH_TYPES)[number];

/** The patch types `r` takes: custom kinds refuse strategic merge (415), as kube's CRDs do. */
export const patchTypesFor = (r?: Resource): readonly PatchType[] => (r?.strategy.strategicMerge ? BUILTIN_PATCH_TYPES : PATCH_TYPES);

export function patchTypeOf(contentType: string, r?: Resource): PatchType {
  const mt = contentType.split(';')[0].trim().toLowerCase();
  const accepted = patchTypesFor(r);
  if ((accepted as readonly string[]).includes(mt)) return mt as PatchType;
  throw unsupportedMediaType(mt, accepted);
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export async function patchObject(
  ctx: RegistryContext,
  r: Resource,
  name: string,
  type: PatchType,
  patch: unknown,
  opts: PatchOptions,
): Promise<WriteResult> {
  if (type === 'application/apply-patch+yaml') return applyObject(ctx, r, name, patch, opts);
  if (opts.force) throw badRequest('force is only allowed for apply patches');
  if (type === 'application/json-patch+json') checkJsonPatch(patch);
  else if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('a merge patch must be a JSON object');
  const warnings: string[] = [];
  const object = await modify(ctx, r, name, opts, (cur) => {
    const patched =
      type === 'application/json-patch+json'
        ? applyJsonPatch(r, cur, patch as Operation[])
        : type === STRATEGIC_MERGE_PATCH
          ? applyStrategic(r, opts.version, cur, patch)
          : (mergePatch(cur, patch) as KObject);
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patched object is not an object');
    const rv = (patched.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
    if (rv !== undefined && rv !== cur.metadata.resourceVersion) throw conflict(r.gr, name, MODIFIED);
    const next = prepareIncoming(r, opts.version, patched, opts.fieldValidation ?? 'Warn', warnings);
    return finishUpdate(ctx, r, cur, next, opts, warnings);
  });
  return { object, warnings };
}

function applyStrategic(r: Resource, version: string, cur: KObject, patch: unknown): KObject {
  try {
    return strategicMerge(structuredClone(cur), patch, versionOf(r, version).schema) as KObject;
  } catch (err) {
    if (!(err instanceof StrategicMergeError)) throw err;
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${err.message}`, {
      name: cur.metadata.name,
      group: r.group,
      kind: r.kind,
      causes: [{ reason: 'FieldValueInvalid', message: err.message, field: '' }],
    });
  }
}

function checkJsonPatch(patch: unknown): void {
  if (!Array.isArray(patch)) throw badRequest('a JSON patch must be an array of operations');
  const err = validateJsonPatch(patch as Operation[]);
  if (err) throw badRequest(`invalid JSON patch: ${err.message.split('\n')[0]}`);
}

function applyJsonPatch(r: Resource, cur: KObject, ops: Operation[]): KObject {
  try {
    return applyPatch(structuredClone(cur), ops, true, false).newDocument as KObject;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${msg}`, {
      name: cur.metadata.name,
      group: r.group,
      kind: r.kind,
      causes: [{ reason: 'FieldValueInvalid', message: msg, field: '' }],
    });
  }
}

/** Server-side apply: create when absent, else merge by field ownership. */
async function applyObject(ctx: RegistryContext, r: Resource, name: string, body: unknown, opts: PatchOptions): Promise<WriteResult> {
  if (!opts.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  const warnings: string[] = [];
  const applied = prepareIncoming(r, opts.version, body, opts.fieldValidation ?? 'Warn', warnings);
  if (applied.metadata.name && applied.metadata.name !== name) {
    throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (!applied.metadata.name) throw invalid({ group: r.group, kind: r.kind }, name, [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name is required for apply' }]);
  if (applied.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  let exists = true;
  try {
    await ctx.store.get(keyOf(r, name));
  } catch (err) {
    const e = fromStorage(err, r.gr, name);
    if (e.code !== 404) throw e;
    exists = false;
  }
  if (!exists) {
    const merged = applyConfig(r, opts.version, null, applied, opts.fieldManager, !!opts.force, ctx.now(), name);
    const obj = prepareForCreate(ctx, r, merged, opts, false);
    validateObject(r, opts.version, obj, null, warnings);
    try {
      return { object: await persistCreate(ctx, r, obj, opts), warnings, created: true };
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409 || err.reason !== 'AlreadyExists') throw err;
      // lost a create race: apply onto what won
    }
  }
  const object = await modify(ctx, r, name, opts, (cur) => {
    const rv = applied.metadata.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion) throw conflict(r.gr, name, MODIFIED);
    const merged = applyConfig(r, opts.version, cur, structuredClone(applied), opts.fieldManager!, !!opts.force, ctx.now(), name);
    return finishUpdate(ctx, r, cur, merged, opts, warnings, true);
  });
  return { object: toVersion(r, object, opts.version), warnings };
}
