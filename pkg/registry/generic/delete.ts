// delete (DELETE) with DeleteOptions: preconditions, dryRun, propagationPolicy. An object with
// finalizers is only marked (kube's markAsDeleting: deletionTimestamp, deletionGracePeriodSeconds 0
// and a generation bump) and stays until its finalizers are removed.
import type { KObject, Status } from '../../../apis/meta/v1/types';
import { badRequest, conflict, fromStorage } from '../../apierrors/errors';
import type { Resource } from '../resource';
import type { RegistryContext } from './context';
import { keyOf, toVersion } from './admit';
import { modify } from './update';

export interface DeleteOptions {
  version: string;
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
}

export type DeleteResult = { kind: 'deleted'; status: Status; object: KObject } | { kind: 'pending'; object: KObject };

const POLICIES = new Set(['Orphan', 'Background', 'Foreground']);

export function parseDeleteOptions(body: unknown, version: string, dryRunQuery: boolean): DeleteOptions {
  const opts: DeleteOptions = { version, dryRun: dryRunQuery };
  if (body === undefined || body === null) return opts;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('DeleteOptions must be an object');
  const b = body as Record<string, unknown>;
  if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(b.kind)}`);
  if (b.dryRun !== undefined) {
    if (!Array.isArray(b.dryRun) || b.dryRun.some((v) => v !== 'All')) throw badRequest('dryRun: Unsupported value: supported values: "All"');
    if (b.dryRun.length) opts.dryRun = true;
  }
  if (b.propagationPolicy !== undefined) {
    if (typeof b.propagationPolicy !== 'string' || !POLICIES.has(b.propagationPolicy)) {
      throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(b.propagationPolicy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    opts.propagationPolicy = b.propagationPolicy;
  }
  if (b.gracePeriodSeconds !== undefined) {
    if (!Number.isInteger(b.gracePeriodSeconds) || (b.gracePeriodSeconds as number) < 0) throw badRequest('gracePeriodSeconds must be a non-negative integer');
    opts.gracePeriodSeconds = b.gracePeriodSeconds as number;
  }
  if (b.preconditions !== undefined && b.preconditions !== null) {
    if (typeof b.preconditions !== 'object') throw badRequest('preconditions must be an object');
    const p = b.preconditions as Record<string, unknown>;
    for (const k of ['uid', 'resourceVersion']) {
      if (p[k] !== undefined && p[k] !== null && typeof p[k] !== 'string') throw badRequest(`preconditions.${k} must be a string`);
    }
    opts.preconditions = { uid: (p.uid as string) || undefined, resourceVersion: (p.resourceVersion as string) || undefined };
  }
  return opts;
}

export async function deleteObject(ctx: RegistryContext, r: Resource, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const key = keyOf(r, name);
  let cur: KObject;
  try {
    cur = await ctx.store.get(key);
  } catch (err) {
    throw fromStorage(err, r.gr, name);
  }
  if (cur.metadata.finalizers?.length) {
    const object = await modify(ctx, r, name, { version: opts.version, dryRun: opts.dryRun }, (c) => {
      checkPre(r, name, opts, c);
      if (!c.metadata.deletionTimestamp) {
        markAsDeleting(c, ctx.now());
        r.strategy.prepareForDelete?.(c);
      }
      return c;
    });
    return { kind: 'pending', object };
  }
  let gone: KObject;
  try {
    if (opts.dryRun) {
      checkPre(r, name, opts, cur);
      gone = cur;
    } else {
      gone = await ctx.store.delete(key, opts.preconditions);
    }
  } catch (err) {
    throw fromStorage(err, r.gr, name);
  }
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: r.group, kind: r.plural, uid: gone.metadata.uid },
    code: 200,
  };
  return { kind: 'deleted', status, object: toVersion(r, gone, opts.version) };
}

/**
 * kube's markAsDeleting for kinds without graceful deletion: the first mark bumps generation (a
 * controller watching observedGeneration learns of the deletion) and sets the timestamp.
 */
export function markAsDeleting(obj: KObject, now: string): void {
  const m = obj.metadata;
  if (!m.deletionTimestamp && (m.generation ?? 0) > 0) m.generation = m.generation! + 1;
  m.deletionTimestamp = now;
  m.deletionGracePeriodSeconds = 0;
}

function checkPre(r: Resource, name: string, opts: DeleteOptions, cur: KObject): void {
  const p = opts.preconditions;
  if (!p) return;
  if ((p.uid && p.uid !== cur.metadata.uid) || (p.resourceVersion && p.resourceVersion !== cur.metadata.resourceVersion)) {
    const which = p.uid && p.uid !== cur.metadata.uid ? `UID in precondition: ${p.uid}, UID in object meta: ${cur.metadata.uid}` : `ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`;
    throw conflict(r.gr, name, `Precondition failed: ${which}`);
  }
}
