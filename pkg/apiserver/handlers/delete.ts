// DELETE one (Status, or the object while finalizers hold it) and DELETE collection, which
// answers as kube's DeleteCollection does: the list it read, holding the items this call deleted
// (or marked for deletion); items someone else deleted meanwhile are left out.
import type { Request, Response } from 'express';
import type { Resource } from '../../registry/resource';
import { deleteObject, parseDeleteOptions } from '../../registry/generic/delete';
import { listObjects } from '../../registry/generic/read';
import type { ServerContext } from '../context';
import { listOptions } from '../listopts';
import { decodeBody, readBody } from '../request/body';
import { dryRun, type Query } from '../request/query';
import { send } from '../respond';
import { ApiError } from '../../apierrors/errors';

async function deleteOptionsOf(req: Request, version: string) {
  const raw = await readBody(req);
  const body = raw.length && raw.toString('utf8').trim() ? decodeBody(raw, req.headers['content-type'] || 'application/json') : undefined;
  const opts = parseDeleteOptions(body, version, dryRun(req.query as Query));
  const q = req.query as Query;
  if (typeof q.propagationPolicy === 'string' && !opts.propagationPolicy) opts.propagationPolicy = parseDeleteOptions({ propagationPolicy: q.propagationPolicy }, version, false).propagationPolicy;
  return opts;
}

export async function handleDelete(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response): Promise<void> {
  const opts = await deleteOptionsOf(req, version);
  const result = await deleteObject(ctx.registry, r, req.params.name as string, opts);
  if (result.kind === 'pending') send(res, 200, result.object);
  else send(res, 200, result.status);
}

export async function handleDeleteCollection(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response): Promise<void> {
  const opts = await deleteOptionsOf(req, version);
  const list = await listObjects(ctx.registry, r, version, { ...listOptions(r, req), limit: undefined, continue: undefined });
  // 32 at a time: concurrent writes share a commit (SQLite group commit, etcd pipelining)
  const deleted: boolean[] = new Array(list.items.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < list.items.length) {
      const i = next++;
      try {
        // DeleteOptions, preconditions included, apply to every item, as in kube's DeleteCollection
        await deleteObject(ctx.registry, r, list.items[i].metadata.name!, opts);
        deleted[i] = true;
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err; // deleted meanwhile is fine
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, list.items.length) }, worker));
  send(res, 200, { ...list, items: list.items.filter((_, i) => deleted[i]) });
}
