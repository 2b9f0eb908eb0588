// List/watch query parameters → storage ListOptions with a selector predicate.
import type { Request } from 'express';
import type { KObject } from '../../apis/meta/v1/types';
import { badRequest } from '../apierrors/errors';
import type { ListOptions } from '../storage/interface';
import type { Resource } from '../registry/resource';
import { parseLabelSelector, SelectorError } from '../selectors/labels';
import { parseFieldSelector } from '../selectors/fields';
import { int, str, type Query } from './request/query';

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

export function listOptions(r: Resource, req: Request): ListOptions {
  const q = req.query as Query;
  const match = str(q, 'resourceVersionMatch');
  if (match !== undefined && match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`);
  }
  return {
    limit: int(q, 'limit', 0),
    continue: str(q, 'continue') || undefined,
    resourceVersion: str(q, 'resourceVersion'),
    resourceVersionMatch: (match as ListOptions['resourceVersionMatch']) || '',
    predicate: selectorPredicate(r, q),
  };
}
