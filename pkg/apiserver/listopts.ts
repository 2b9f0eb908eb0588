// List/watch query parameters → storage ListOptions with a selector predicate.
import type { Request } from 'express';
import type { KObject } from '../../apis/meta/v1/types';
import { badRequest, invalid } from '../apierrors/errors';
import { forbidden, notSupported, type FieldErrorList } from '../../apis/meta/v1/field';
import type { ListOptions } from '../storage/interface';
import type { Resource } from '../registry/resource';
import { parseLabelSelector, SelectorError } from '../selectors/labels';
import { parseFieldSelector } from '../selectors/fields';
import { bool, int, str, type Query } from './request/query';

export interface ParsedListOptions extends ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export function selectorPredicate(r: Resource, q: Query): ((o: KObject) => boolean) | undefined {
  const ls = str(q, 'labelSelector');
  const fs = str(q, 'fieldSelector');
  let labels: { matches(l: Record<string, string> | undefined): boolean } | undefined;
  let fields: { matches(o: KObject): boolean } | undefined;
  try {
    if (ls) labels = parseLabelSelector(ls);
    if (fs) fields = parseFieldSelector(fs, r.strategy.selectableFields);
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
  // a namespace view shares its resource's watch cache, which holds every namespace
  const ns = r.namespace;
  if (!labels && !fields && ns === undefined) return undefined;
  return (o) => (ns === undefined || o.metadata.namespace === ns) && (!labels || labels.matches(o.metadata.labels)) && (!fields || fields.matches(o));
}

/** sendInitialEvents as kube reads it: absent (or empty) is "not given", else a Go boolean. */
export function sendInitialEvents(q: Query): boolean | undefined {
  const v = str(q, 'sendInitialEvents');
  return v === undefined || v === '' ? undefined : bool(q, 'sendInitialEvents');
}

/**
 * kube's ValidateListOptions (apiserver/pkg/apis/meta/internalversion/validation), WatchList on:
 * every violation at once, as one 422 `ListOptions.meta.k8s.io "" is invalid`.
 */
export function validateListOptions(q: Query, watch: boolean): void {
  const errs: FieldErrorList = [];
  const match = str(q, 'resourceVersionMatch') ?? '';
  const rv = str(q, 'resourceVersion') ?? '';
  const cont = str(q, 'continue') ?? '';
  const initial = sendInitialEvents(q);
  if (watch) {
    if (initial !== undefined && match !== 'NotOlderThan') {
      errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match) {
      if (initial === undefined) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (cont) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
  } else {
    if (match) {
      if (!rv) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (cont) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
      if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
      if (match === 'Exact' && rv === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
    if (initial !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
}

export function listOptions(r: Resource, req: Request): ListOptions {
  const q = req.query as Query;
  validateListOptions(q, false);
  const match = str(q, 'resourceVersionMatch');
  return {
    limit: int(q, 'limit', 0),
    continue: str(q, 'continue') || undefined,
    resourceVersion: str(q, 'resourceVersion'),
    resourceVersionMatch: (match as ListOptions['resourceVersionMatch']) || '',
    predicate: selectorPredicate(r, q),
  };
}
