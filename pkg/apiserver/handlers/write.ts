// POST (create), PUT (update, also on /status) and PATCH (json, merge, apply; also on /status).
// Updates and patches start from the watch cache's object when it holds one (registry_for.ts).
import type { Request, Response } from 'express';
import { badRequest } from '../../apierrors/errors';
import type { Resource } from '../../registry/resource';
import { createObject } from '../../registry/generic/create';
import { updateObject } from '../../registry/generic/update';
import { patchObject, patchTypeOf } from '../../registry/generic/patch';
import type { WriteOptions } from '../../registry/generic/options';
import type { ServerContext } from '../context';
import { decodeRequestBody, readBody } from '../request/body';
import { negotiate } from '../request/negotiate';
import { bool, dryRun, fieldManager, fieldValidation, type Query } from '../request/query';
import { send, warn } from '../respond';
import { registryFor } from './registry_for';

function writeOptions(req: Request, version: string, subresource?: 'status'): WriteOptions {
  const q = req.query as Query;
  return {
    version,
    dryRun: dryRun(q),
    fieldManager: fieldManager(q, req.headers['user-agent']),
    fieldValidation: fieldValidation(q),
    subresource,
  };
}

export async function handleCreate(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response, admitCreate?: WriteOptions['admitCreate']): Promise<void> {
  const opts = { ...writeOptions(req, version), admitCreate };
  const body = decodeRequestBody(await readBody(req), req.headers['content-type']);
  const result = await createObject(ctx.registry, r, body.value, { ...opts, duplicateFields: body.duplicates });
  warn(res, result.warnings);
  send(res, 201, result.object, negotiate(req.headers.accept).yaml);
}

export async function handleUpdate(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response, subresource?: 'status'): Promise<void> {
  const opts = writeOptions(req, version, subresource);
  const body = decodeRequestBody(await readBody(req), req.headers['content-type']);
  const result = await updateObject(registryFor(ctx, r), r, req.params.name as string, body.value, { ...opts, duplicateFields: body.duplicates });
  warn(res, result.warnings);
  send(res, 200, result.object, negotiate(req.headers.accept).yaml);
}

export async function handlePatch(ctx: ServerContext, r: Resource, version: string, req: Request, res: Response, subresource?: 'status', admitCreate?: WriteOptions['admitCreate']): Promise<void> {
  const type = patchTypeOf(req.headers['content-type'] ?? '', r);
  const q = req.query as Query;
  const opts = { ...writeOptions(req, version, subresource), force: bool(q, 'force'), admitCreate };
  if (type === 'application/apply-patch+yaml' && q.fieldManager === undefined) {
    throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  }
  const raw = await readBody(req);
  // an apply patch is YAML (JSON is YAML too); the others are JSON
  const body = decodeRequestBody(raw, type === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json', {
    allowArray: type === 'application/json-patch+json',
  });
  const result = await patchObject(registryFor(ctx, r), r, req.params.name as string, type, body.value, { ...opts, duplicateFields: body.duplicates });
  warn(res, result.warnings);
  send(res, result.created ? 201 : 200, result.object, negotiate(req.headers.accept).yaml);
}
