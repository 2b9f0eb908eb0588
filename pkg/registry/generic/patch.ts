// patch (PATCH): JSON patch (RFC 6902, evanphx/json-patch semantics), merge patch (RFC 7386) and
// server-side apply. Strategic merge is taken by built-in kinds only; custom kinds refuse it with 415, as CRDs do. A patch carrying a stale
// metadata.resourceVersion is a 409, like any optimistic-concurrency failure; a patch that renames
// the object is a 400 (kube's checkName). Apply on /status never creates and owns status only;
// apply on the main resource resets status (kube's reset fields: no conflict, no ownership).
import type { KObject } from '../../../apis/meta/v1/types';
import { ApiError, badRequest, conflict, fromStorage, invalid, MODIFIED, notFound, unsupportedMediaType } from '../../apierrors/errors';
import { applyJsonPatch, decodeJsonPatch, JsonPatchError, MAX_JSON_PATCH_OPERATIONS } from './json_patch';
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
  let ops: Record<string, unknown>[] = [];
  if (type === 'application/json-patch+json') ops = checkJsonPatch(patch);
  else if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('a merge patch must be a JSON object');
  const warnings: string[] = [];
  const object = await modify(ctx, r, name, opts, (cur) => {
    const patched =
      type === 'application/json-patch+json'
        ? jsonPatch(cur, ops)
        : type === STRATEGIC_MERGE_PATCH
          ? applyStrategic(r, opts.version, cur, patch)
          : (mergePatch(cur, patch) as KObject);
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patched object is not an object');
    checkName(patched, name);
    const rv = (patched.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
    if (rv !== undefined && rv !== cur.metadata.resourceVersion) throw conflict(r.gr, name, MODIFIED);
    const next = prepareIncoming(r, opts.version, patched, opts.fieldValidation ?? 'Warn', warnings, { errors: patchDuplicates(type, opts), patch: true });
    return finishUpdate(ctx, r, cur, next, opts, warnings);
  });
  return { object, warnings };
}

/** The patch body's duplicate keys as kube words them (a JSON patch's carry "json patch "). */
function patchDuplicates(type: PatchType, opts: PatchOptions): string[] {
  const prefix = type === 'application/json-patch+json' ? 'json patch ' : '';
  return (opts.duplicateFields ?? []).map((f) => `${prefix}duplicate field "${f}"`);
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

/** kube's DecodePatch (400) and operation bound (413). */
function checkJsonPatch(patch: unknown): Record<string, unknown>[] {
  let ops: Record<string, unknown>[];
  try {
    ops = decodeJsonPatch(patch);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops;
}

/** A JSON patch failure is kube's NewGenericServerResponse(422): a fixed message, the reason in a cause. */
function jsonPatch(cur: KObject, ops: Record<string, unknown>[]): KObject {
  try {
    return applyJsonPatch(structuredClone(cur) as unknown as Record<string, unknown>, ops) as KObject;
  } catch (err) {
    if (!(err instanceof JsonPatchError)) throw err;
    throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ reason: 'UnexpectedServerResponse', message: err.message }],
    });
  }
}

/** kube's checkName (handlers/rest.go): the patched object must keep the name in the URL. */
function checkName(patched: KObject, name: string): void {
  const meta = patched.metadata as unknown;
  const objName = meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as { name?: unknown }).name : undefined;
  if (objName === undefined || objName === null || objName === '') {
    throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  }
  if (objName !== name) throw badRequest(`the name of the object (${String(objName)}) does not match the name on the URL (${name})`);
}

/** Server-side apply: create when absent, else merge by field ownership. */
async function applyObject(ctx: RegistryContext, r: Resource, name: string, body: unknown, opts: PatchOptions, type: PatchType = 'application/apply-patch+yaml'): Promise<WriteResult> {
  if (!opts.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  const warnings: string[] = [];
  const applied = resetFields(r, prepareIncoming(r, opts.version, body, opts.fieldValidation ?? 'Warn', warnings, { errors: patchDuplicates(type, opts) }), opts.subresource);
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
  // the status subresource never creates (kube's status REST passes forceAllowCreate=false)
  if (!exists && opts.subresource === 'status') throw notFound(r.gr, name);
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
    const merged = applyConfig(r, opts.version, cur, structuredClone(applied), opts.fieldManager!, !!opts.force, ctx.now(), name, opts.subresource);
    return finishUpdate(ctx, r, cur, merged, opts, warnings, true);
  });
  return { object: toVersion(r, object, opts.version), warnings };
}

/**
 * The strategies' reset fields, taken out of an applied configuration before ownership is
 * computed (structured-merge-diff's ignored fields): the main resource of a kind with a status
 * subresource never sets status; /status sets status only (its entry records nothing else).
 */
export function resetFields(r: Resource, applied: KObject, subresource: 'status' | undefined): KObject {
  if (subresource === 'status') {
    const out: KObject = { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
    if (applied.metadata.name !== undefined) out.metadata.name = applied.metadata.name;
    if (applied.metadata.resourceVersion !== undefined) out.metadata.resourceVersion = applied.metadata.resourceVersion;
    if (applied.metadata.managedFields !== undefined) out.metadata.managedFields = applied.metadata.managedFields;
    if (applied.status !== undefined) out.status = applied.status;
    return out;
  }
  if (r.hasStatus) delete applied.status;
  return applied;
}
