// The steps every incoming object goes through, in kube's order: type/version check, pruning of
// unknown fields (fieldValidation Strict → 400, Warn → Warning header), schema defaults, the
// strategy's canonical form; and, once system fields are set, validation into one 422.
import type { KObject } from '../../../apis/meta/v1/types';
import { invalid as fieldInvalid, type FieldErrorList } from '../../../apis/meta/v1/field';
import { badRequest, invalid } from '../../apierrors/errors';
import { applyDefaults, pruneUnknownFields } from '../../schema/structural';
import { mergeFieldErrors } from '../../schema/validator';
import { validateListSetsAndMaps } from '../../schema/listtype';
import type { Resource, ServedVersion } from '../resource';
import { servedVersion, apiVersionOf } from '../resource';
import type { FieldValidation } from './options';
import { checkMetaShape, validateMetaUpdate, validateObjectMeta } from './meta';
import { checkObjectBounds } from './limits';

export function versionOf(r: Resource, version: string): ServedVersion {
  const v = servedVersion(r, version);
  if (!v) throw badRequest(`version ${version} of ${r.gr.resource}.${r.group} is not served`);
  return v;
}

/** How strict decoding errors (duplicate and unknown fields) are reported for one request. */
export interface StrictDecoding {
  /** duplicate JSON keys the body had (request/json_decode.ts), already worded */
  errors?: string[];
  /**
   * a patch: kube reports Strict failures of the patched object as 422 `patch: Invalid value`
   * (handlers/patch.go) instead of the 400 of a create or update
   */
  patch?: boolean;
}

/** Decode-time checks and transforms of a request object. Mutates and returns `obj`; warnings out. */
export function prepareIncoming(
  r: Resource,
  version: string,
  body: unknown,
  fv: FieldValidation,
  warnings: string[],
  strict: StrictDecoding = {},
): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const obj = body as KObject;
  const want = apiVersionOf(r, version);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = want;
  if (obj.kind === undefined || obj.kind === '') obj.kind = r.kind;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') throw badRequest('apiVersion and kind must be strings');
  if (obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== r.kind) {
    throw badRequest(`${obj.kind} in version "${version}" cannot be handled as a ${r.kind}: the kind in the data (${obj.kind}) does not match the expected kind (${r.kind})`);
  }
  const unknown = checkMetaShape(obj);
  checkNamespace(r, obj);
  for (const k of unknown) delete (obj.metadata as Record<string, unknown>)[k.slice('metadata.'.length)];
  const v = versionOf(r, version);
  const patchedJSON = strict.patch && fv === 'Strict' ? JSON.stringify(obj) : '';
  unknown.push(...pruneUnknownFields(obj, v.schema));
  // kube's schemaCoercingDecoder: the JSON decoder's errors first, then the pruned fields
  const errs = [...(strict.errors ?? []), ...unknown.map((f) => `unknown field "${f}"`)];
  if (errs.length && fv === 'Strict') {
    if (strict.patch) {
      throw invalid({ group: '', kind: '' }, '', [fieldInvalid('patch', patchedJSON, `strict decoding error: ${errs.join(', ')}`)]);
    }
    throw badRequest(`${r.kind} in version "${version}" cannot be handled as a ${r.kind}: strict decoding error: ${errs.join(', ')}`);
  }
  if (errs.length && fv === 'Warn') warnings.push(...errs);
  applyDefaults(obj, v.schema);
  r.strategy.normalize(obj);
  return obj;
}

/** Schema + metadata + strategy validation of a complete object; throws one 422 with every cause. */
export function validateObject(r: Resource, version: string, obj: KObject, old: KObject | null, warnings: string[]): void {
  checkObjectBounds(obj, { group: r.group, kind: r.kind }, obj.metadata.name ?? '');
  const meta = validateObjectMeta(obj.metadata, r.strategy);
  const errs: FieldErrorList = [...meta.errors];
  if (old) errs.push(...validateMetaUpdate(obj.metadata, old.metadata));
  const served = versionOf(r, version);
  const schemaErrs = [...served.validate(obj), ...validateListSetsAndMaps(served.schema, obj)];
  const semanticErrs = old ? r.strategy.validateUpdate(obj, old) : r.strategy.validate(obj);
  errs.push(...mergeFieldErrors(schemaErrs, semanticErrs));
  if (errs.length) throw invalid({ group: r.group, kind: r.kind }, obj.metadata.name ?? '', dedupe(errs));
  warnings.push(...meta.warnings, ...r.strategy.warnings(obj));
}

function dedupe(errs: FieldErrorList): FieldErrorList {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.type}|${e.field}|${e.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The object as served in `version` (storage → request version: only apiVersion differs). */
export function toVersion(r: Resource, obj: KObject, version: string): KObject {
  const apiVersion = apiVersionOf(r, version);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

export const keyOf = (r: Resource, name: string) => r.keyPrefix + name;

/** kube's BeforeCreate/BeforeUpdate: an object naming another namespace than the URL's is a 400. */
function checkNamespace(r: Resource, obj: KObject): void {
  const ns = obj.metadata.namespace;
  if (r.namespace !== undefined && ns !== undefined && ns !== '' && ns !== r.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** metadata.namespace as the URL gives it (namespaced kinds), or none (cluster-scoped kinds). */
export function setNamespace(r: Resource, obj: KObject): void {
  if (r.namespaced && r.namespace !== undefined) obj.metadata.namespace = r.namespace;
  else delete obj.metadata.namespace;
}
