// Finalizers in the generic flows, over an in-memory SQLite store: the mark (markAsDeleting), the
// last finalizer's removal deleting in the same operation (no stored intermediate state), and the
// follow-up delete's failure reaching the client instead of a 200 for an object that lingers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../apis/meta/v1/types';
import { ObjectStore } from '../../storage/store';
import { SqliteDriver } from '../../storage/sqlite/driver';
import { StorageError } from '../../storage/errors';
import type { ObjectEvent, Store } from '../../storage/interface';
import { ApiError } from '../../apierrors/errors';
import { findResource, servedResources } from '../kinds';
import { defaultContext } from './context';
import { createObject } from './create';
import { deleteObject, markAsDeleting } from './delete';
import { updateObject } from './update';

const r = findResource(servedResources(), 'core.apoxy.dev', 'backends');
const V = 'v1alpha2';
const body = (name: string, finalizers: string[]) => ({
  apiVersion: 'core.apoxy.dev/v1alpha2',
  kind: 'Backend',
  metadata: { name, finalizers },
  spec: { endpoints: [{ ip: '10.0.0.1' }] },
});

function setup(failDeletes = false) {
  const store = new ObjectStore(new SqliteDriver({ file: ':memory:' }));
  const wrapped: Store = new Proxy(store, {
    get(target, prop, recv) {
      if (prop === 'delete' && failDeletes) return () => Promise.reject(new StorageError('Unavailable', 'etcd: leader lost'));
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store, ctx: defaultContext(wrapped) };
}

describe('finalizers in the generic flows', () => {
  it('markAsDeleting: the first mark bumps generation; a repeated one keeps it', () => {
    const o = { metadata: { name: 'x', generation: 3 } } as KObject;
    markAsDeleting(o, '2025-01-01T00:00:00Z');
    assert.equal(o.metadata.generation, 4);
    assert.equal(o.metadata.deletionGracePeriodSeconds, 0);
    markAsDeleting(o, '2025-01-01T00:00:09Z');
    assert.equal(o.metadata.generation, 4);
  });

  it('removing the last finalizer deletes without storing the emptied object (one DELETED event)', async () => {
    const { store, ctx } = setup();
    await createObject(ctx, r, body('a', ['x/y']), { version: V });
    const marked = await deleteObject(ctx, r, 'a', { version: V });
    assert.equal(marked.kind, 'pending');
    const events: ObjectEvent[] = [];
    const w = store.watch(r.keyPrefix, { resourceVersion: marked.object.metadata.resourceVersion }, { onEvent: (e) => events.push(e), onError: () => undefined });
    const next = structuredClone(marked.object);
    next.metadata.finalizers = [];
    const res = await updateObject(ctx, r, 'a', next, { version: V });
    assert.deepEqual(res.object.metadata.finalizers, []);
    await assert.rejects(store.get(`${r.keyPrefix}a`), (e: unknown) => e instanceof StorageError && e.code === 'NotFound');
    for (let i = 0; i < 50 && !events.length; i++) await new Promise((s) => setImmediate(s));
    w.stop();
    assert.deepEqual(events.map((e) => e.type), ['DELETED']);
    await store.close();
  });

  it('a failing follow-up delete is the answer (not a 200 for an object that lingers)', async () => {
    const { store, ctx } = setup(true);
    await createObject(ctx, r, body('b', ['x/y']), { version: V });
    // positive control: marking writes through guaranteedUpdate, which works
    const marked = await deleteObject(ctx, r, 'b', { version: V });
    assert.equal(marked.kind, 'pending');
    const next = structuredClone(marked.object);
    next.metadata.finalizers = [];
    await assert.rejects(updateObject(ctx, r, 'b', next, { version: V }), (e: unknown) => e instanceof ApiError && e.code === 503);
    const still = await store.get(`${r.keyPrefix}b`);
    assert.deepEqual(still.metadata.finalizers, ['x/y'], 'nothing stored: the finalizer is still there for a retry');
    await store.close();
  });
});
