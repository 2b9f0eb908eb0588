// The apiserver's Lease API: the slice of coordination.k8s.io/v1 that leader election needs
// (get, list, create, update with a resourceVersion precondition, delete), namespaced as in
// Kubernetes, stored in the same store under `<prefix>/leases/<ns>/<name>` (kube's own key).
// It is what lets `switchyard proxy` replicas, which only speak HTTP, elect one status writer with
// the stock client (client-node's CoordinationV1Api, client-go's LeaseLock) — the same code that
// works against a real cluster. Not in discovery or OpenAPI: it is infrastructure, not a served
// kind (kubectl reaches it with `get --raw`).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { FieldError } from '../../apis/meta/v1/field';
import type { KObject } from '../../apis/meta/v1/types';
import { ApiError, badRequest, fromStorage, invalid, methodNotAllowed, type GroupResource } from '../apierrors/errors';
import type { User } from '../auth/tokens';
import { decodeBody, readBody } from '../apiserver/request/body';
import { send, sendError } from '../apiserver/respond';
import type { Store } from '../storage/interface';
import { cleanSpec, LEASE_API_VERSION, LEASE_GROUP, leaseKey, leasePrefix, newLease, type Lease, type LeaseSpec } from './lease';

const GR: GroupResource = { group: LEASE_GROUP, resource: 'leases' };
const KIND = { group: LEASE_GROUP, kind: 'Lease' };
const MAX_LEASE_BODY = 64 * 1024;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface LeaseApiOptions {
  store: Store;
  /** storage prefix (--etcd-prefix) */
  prefix?: string;
}

/** Mount on the apiserver's express app (after authentication). */
export function mountLeaseApi(app: express.Express, opts: LeaseApiOptions): void {
  const prefix = opts.prefix ?? '/registry';
  const base = `/apis/${LEASE_GROUP}/v1/namespaces/:ns/leases`;
  const store = opts.store;

  const guard = (verb: string) => (req: Request, res: Response, next: NextFunction) => {
    const user = (req as Request & { user?: User }).user;
    const ns = req.params.ns as string;
    if (!DNS_LABEL.test(ns) || ns.length > 63) return sendError(res, badRequest(`invalid namespace ${JSON.stringify(ns)}`));
    if (user && user.role !== 'admin' && verb !== 'get' && verb !== 'list') {
      const name = (req.params.name as string | undefined) ?? '';
      const target = name ? `leases.${LEASE_GROUP} "${name}"` : `leases.${LEASE_GROUP}`;
      return sendError(res, new ApiError(403, 'Forbidden', `${target} is forbidden: User "${user.name}" cannot ${verb} resource "leases" in API group "${LEASE_GROUP}" in the namespace "${ns}"`, { name: name || undefined, group: LEASE_GROUP, kind: 'leases' }));
    }
    next();
  };

  app.get(base, guard('list'), async (req, res) => {
    try {
      const list = await store.list(leasePrefix(prefix, req.params.ns as string));
      send(res, 200, { apiVersion: LEASE_API_VERSION, kind: 'LeaseList', metadata: { resourceVersion: list.resourceVersion }, items: list.items.map((o) => shape(o)) });
    } catch (err) {
      sendError(res, fromStorage(err, GR, ''));
    }
  });

  app.post(base, guard('create'), async (req, res) => {
    let name = '';
    try {
      const body = await leaseBody(req);
      name = body.metadata?.name ?? '';
      if (body.metadata?.namespace && body.metadata.namespace !== req.params.ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      validate(name, body);
      if (body.metadata?.resourceVersion) throw invalid(KIND, name, [{ type: 'FieldValueForbidden', field: 'metadata.resourceVersion', detail: 'must be empty on create' }]);
      const lease = newLease(req.params.ns as string, name, body.spec ?? {});
      if (body.metadata?.labels) lease.metadata.labels = body.metadata.labels;
      if (body.metadata?.annotations) lease.metadata.annotations = body.metadata.annotations;
      send(res, 201, shape(await store.create(leaseKey(prefix, req.params.ns as string, name), lease)));
    } catch (err) {
      sendError(res, fromStorage(err, GR, name));
    }
  });

  app.get(`${base}/:name`, guard('get'), async (req, res) => {
    const name = req.params.name as string;
    try {
      send(res, 200, shape(await store.get(leaseKey(prefix, req.params.ns as string, name))));
    } catch (err) {
      sendError(res, fromStorage(err, GR, name));
    }
  });

  app.put(`${base}/:name`, guard('update'), async (req, res) => {
    const name = req.params.name as string;
    try {
      const body = await leaseBody(req);
      if ((body.metadata?.name ?? '') !== name) throw badRequest('the name of the object does not match the name on the URL');
      if (body.metadata?.namespace && body.metadata.namespace !== req.params.ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      validate(name, body);
      const rv = body.metadata?.resourceVersion;
      const uid = body.metadata?.uid;
      // PUT without a resourceVersion is an unconditional update, as in Kubernetes.
      const out = await store.guaranteedUpdate(leaseKey(prefix, req.params.ns as string, name), rv || uid ? { resourceVersion: rv, uid } : undefined, (cur) => {
        const next: KObject = { ...cur, spec: cleanSpec(body.spec ?? {}) };
        next.metadata = { ...cur.metadata };
        if (body.metadata?.labels !== undefined) next.metadata.labels = body.metadata.labels;
        if (body.metadata?.annotations !== undefined) next.metadata.annotations = body.metadata.annotations;
        return next;
      });
      send(res, 200, shape(out.object));
    } catch (err) {
      sendError(res, fromStorage(err, GR, name));
    }
  });

  app.delete(`${base}/:name`, guard('delete'), async (req, res) => {
    const name = req.params.name as string;
    try {
      const gone = await store.delete(leaseKey(prefix, req.params.ns as string, name));
      send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: LEASE_GROUP, kind: 'leases', uid: gone.metadata.uid } });
    } catch (err) {
      sendError(res, fromStorage(err, GR, name));
    }
  });

  app.all([base, `${base}/:name`], (req, res) => sendError(res, methodNotAllowed(req.method, 'leases')));
}

async function leaseBody(req: Request): Promise<Lease> {
  const value = decodeBody(await readBody(req, MAX_LEASE_BODY), req.headers['content-type']);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the request body must be a Lease object');
  const obj = value as Lease;
  if (obj.kind !== undefined && obj.kind !== 'Lease') throw badRequest(`expected kind Lease, got ${JSON.stringify(obj.kind)}`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== LEASE_API_VERSION) throw badRequest(`expected apiVersion ${LEASE_API_VERSION}, got ${JSON.stringify(obj.apiVersion)}`);
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null)) throw badRequest('metadata must be an object');
  return obj;
}

function validate(name: string, obj: Lease): void {
  const errs: FieldError[] = [];
  if (!name) errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'" });
  const s = (obj.spec ?? {}) as Record<string, unknown>;
  if (typeof s !== 'object' || Array.isArray(s)) errs.push({ type: 'FieldValueTypeInvalid', field: 'spec', value: s, detail: 'must be an object' });
  else {
    if (s.holderIdentity !== undefined && s.holderIdentity !== null && typeof s.holderIdentity !== 'string') errs.push({ type: 'FieldValueTypeInvalid', field: 'spec.holderIdentity', value: s.holderIdentity, detail: 'must be a string' });
    for (const f of ['leaseDurationSeconds', 'leaseTransitions'] as const) {
      const v = s[f];
      if (v === undefined || v === null) continue;
      if (!Number.isInteger(v)) errs.push({ type: 'FieldValueTypeInvalid', field: `spec.${f}`, value: v, detail: 'must be an integer' });
      else if (f === 'leaseDurationSeconds' ? (v as number) <= 0 : (v as number) < 0) errs.push({ type: 'FieldValueInvalid', field: `spec.${f}`, value: v, detail: f === 'leaseDurationSeconds' ? 'must be greater than 0' : 'must be greater than or equal to 0' });
    }
    for (const f of ['acquireTime', 'renewTime'] as const) {
      const v = s[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || !Number.isFinite(Date.parse(v))) errs.push({ type: 'FieldValueInvalid', field: `spec.${f}`, value: v, detail: 'must be an RFC 3339 time' });
    }
  }
  if (errs.length) throw invalid(KIND, name, errs);
}

function shape(obj: KObject): Lease {
  return { ...obj, apiVersion: LEASE_API_VERSION, kind: 'Lease' } as Lease;
}

export type { LeaseSpec };
