// GET one, LIST (JSON, Table or PartialObjectMetadataList; read from the watch cache or storage,
// see list_source.ts), and the watch dispatch.
import type { Request, Response } from 'express';
import { notAcceptable } from '../../apierrors/errors';
import type { Resource } from '../../registry/resource';
import { getObject } from '../../registry/generic/read';
import type { ServerContext } from '../context';
import { listOptions } from '../listopts';
import { negotiate } from '../request/negotiate';
import { bool, str, type Query } from '../request/query';
import { send } from '../respond';
import { tableOf, type IncludeObject } from '../table';
import { serveWatch } from './watch';
import { cachedListJSON, listFor } from './list_source';

function includeObject(q: Query): IncludeObject {
  const v = str(q, 'includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export async function handleGet(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response): Promise<void> {
  const accepts = negotiate(req.headers.accept);
  if (accepts.unacceptable) throw notAcceptable(req.headers.accept ?? '');
  const obj = await getObject(ctx.registry, r, req.params.name as string, version);
  if (accepts.table) {
    send(res, 200, tableOf(r, version, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeObject(req.query as Query)));
    return;
  }
  if (accepts.metadataOnly) {
    send(res, 200, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata });
    return;
  }
  send(res, 200, obj, accepts.yaml);
}

export async function handleList(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response): Promise<void> {
  const accepts = negotiate(req.headers.accept);
  if (accepts.unacceptable) throw notAcceptable(req.headers.accept ?? '');
  const q = req.query as Query;
  if (bool(q, 'watch')) {
    await serveWatch(ctx, r, version, req, res, accepts.table ? includeObject(q) : null);
    return;
  }
  const opts = listOptions(r, req);
  const answer = await listFor(ctx, r, version, opts);
  const list = answer.list;
  if (accepts.table) {
    send(res, 200, tableOf(r, version, list.items, list.metadata, includeObject(q)));
    return;
  }
  if (accepts.metadataOnly) {
    send(res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: list.metadata,
      items: list.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })),
    });
    return;
  }
  if (answer.cached && !accepts.yaml) {
    res.status(200).setHeader('Content-Type', 'application/json');
    res.end(cachedListJSON(list, answer.cached));
    return;
  }
  send(res, 200, list, accepts.yaml);
}
