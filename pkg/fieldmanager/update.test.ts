import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject, ManagedFieldsEntry } from '../../apis/meta/v1/types';
import { serverSideApply } from './apply';
import { listTypeAtFromMap } from './listtypes';
import { ANCIENT_CHANGES_MANAGER } from './managed';
import { managedFieldsChangedByClient, trackUpdate, TrackUpdateArgs } from './update';

const AV = 'core.apoxy.dev/v1alpha2';
const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';
const listTypeAt = listTypeAtFromMap({ 'status.conditions': { type: 'map', keys: ['type'] } });

function obj(spec: Record<string, unknown> | undefined, meta: Record<string, unknown> = {}, status?: unknown): KObject {
  const o: KObject = { apiVersion: AV, kind: 'Backend', metadata: { name: 'b1', ...meta } };
  if (spec !== undefined) o.spec = spec;
  if (status !== undefined) o.status = status;
  return o;
}

function track(oldObj: KObject | null, newObj: KObject, manager: string, now: string, extra: Partial<TrackUpdateArgs> = {}) {
  return trackUpdate({ oldObj, newObj, manager, apiVersion: AV, now, listTypeAt, ...extra });
}

/** store: stamp the server fields and the computed managedFields */
function save(o: KObject, mf: ManagedFieldsEntry[], rv: string): KObject {
  return { ...o, metadata: { ...o.metadata, uid: 'u1', resourceVersion: rv, managedFields: mf } };
}

const fv1 = (mf: ManagedFieldsEntry[], manager: string) => JSON.stringify(mf.find((e) => e.manager === manager)?.fieldsV1);

test('create: the creator owns every field, created maps included (kube encoding)', () => {
  const o = obj({ protocol: 'h2', endpoints: [{ fqdn: 'a' }] }, { labels: { app: 'web' } });
  const mf = track(null, o, 'kubectl-create', T0);
  assert.deepEqual(mf, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: AV,
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { '.': {}, 'f:endpoints': {}, 'f:protocol': {} } },
    },
  ]);
});

test('update: changed fields move to the writer, others lose them; no change keeps entries', () => {
  const o0 = obj({ protocol: 'h2', endpoints: [{ fqdn: 'a' }] }, { labels: { app: 'web' } });
  let live = save(o0, track(null, o0, 'kubectl-create', T0), '1');

  // kubectl-edit changes protocol and adds a label
  const edited = structuredClone(live);
  (edited.spec as Record<string, unknown>).protocol = 'h1';
  edited.metadata.labels!.tier = 'fe';
  edited.metadata.resourceVersion = '1';
  const mf = track(live, edited, 'kubectl-edit', T1);
  assert.equal(fv1(mf, 'kubectl-create'), '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:endpoints":{}}}');
  assert.equal(fv1(mf, 'kubectl-edit'), '{"f:metadata":{"f:labels":{"f:tier":{}}},"f:spec":{"f:protocol":{}}}');
  assert.deepEqual(
    mf.map((e) => [e.manager, e.time]),
    [
      ['kubectl-create', T0],
      ['kubectl-edit', T1],
    ],
  );
  live = save(edited, mf, '2');

  // a PUT that changes nothing (only server fields differ) leaves managedFields as they are
  const same = structuredClone(live);
  same.metadata.resourceVersion = '2';
  assert.deepEqual(track(live, same, 'kubectl-edit', T2), live.metadata.managedFields);

  // the same manager again: its entry merges, time moves
  const again = structuredClone(live);
  (again.spec as Record<string, unknown>).endpoints = [{ fqdn: 'b' }];
  const mf2 = track(live, again, 'kubectl-edit', T2);
  assert.equal(fv1(mf2, 'kubectl-edit'), '{"f:metadata":{"f:labels":{"f:tier":{}}},"f:spec":{"f:endpoints":{},"f:protocol":{}}}');
  assert.equal(mf2.find((e) => e.manager === 'kubectl-edit')!.time, T2);
  assert.equal(fv1(mf2, 'kubectl-create'), '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{}}', 'an owned node without children encodes as {}');
});

test('update: removed fields leave every set; emptied managers are dropped', () => {
  const o0 = obj({ protocol: 'h2' });
  const live = save(o0, track(null, o0, 'creator', T0), '1');
  const next = obj({});
  next.metadata.managedFields = live.metadata.managedFields;
  const mf = track(live, next, 'editor', T1);
  // creator keeps only the spec map it created; editor changed nothing it could own
  assert.deepEqual(
    mf.map((e) => [e.manager, JSON.stringify(e.fieldsV1)]),
    [['creator', '{"f:spec":{}}']],
  );
  const gone = obj(undefined);
  const mf2 = track(save(next, mf, '2'), gone, 'editor', T2);
  assert.deepEqual(mf2, []);
});

test('update takes fields from appliers too (and the next apply without force conflicts)', () => {
  const applied = serverSideApply({ live: null, applied: obj({ protocol: 'h2' }), manager: 'kubectl', force: false, apiVersion: AV, now: T0, listTypeAt });
  const live = save(applied.object, applied.object.metadata.managedFields!, '1');
  const edited = structuredClone(live);
  (edited.spec as Record<string, unknown>).protocol = 'h1';
  const mf = track(live, edited, 'kubectl-edit', T1);
  assert.deepEqual(
    mf.map((e) => [e.manager, e.operation]),
    [['kubectl-edit', 'Update']],
  );
  const again = serverSideApply({ live: save(edited, mf, '2'), applied: obj({ protocol: 'h2' }), manager: 'kubectl', force: false, apiVersion: AV, now: T2, listTypeAt });
  assert.deepEqual(
    again.conflicts.map((c) => [c.manager, c.field]),
    [['kubectl-edit', '.spec.protocol']],
  );
});

test('managedFields set by the client are honoured; [] and [{}] reset; garbage falls back to stored', () => {
  const o0 = obj({ protocol: 'h2' });
  const live = save(o0, track(null, o0, 'kubectl-client-side-apply', T0), '1');
  // kubectl's csaupgrade JSON patch: same object, managedFields rewritten to an Apply entry
  const upgraded: ManagedFieldsEntry[] = [
    { manager: 'kubectl', operation: 'Apply', apiVersion: AV, time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:protocol': {} } } },
  ];
  const patched = { ...structuredClone(live), metadata: { ...structuredClone(live.metadata), managedFields: upgraded } };
  assert.equal(managedFieldsChangedByClient(live, patched), true);
  assert.deepEqual(track(live, patched, 'kubectl', T1), upgraded);

  // client-set entries plus a change in the same write: the change is still attributed
  const patched2 = structuredClone(patched);
  (patched2.spec as Record<string, unknown>).protocol = 'h1';
  const mf2 = track(live, patched2, 'kubectl-patch', T1);
  assert.deepEqual(
    mf2.map((e) => [e.manager, JSON.stringify(e.fieldsV1)]),
    [['kubectl-patch', '{"f:spec":{"f:protocol":{}}}']],
  );

  for (const reset of [[], [{}]] as ManagedFieldsEntry[][]) {
    const r = { ...structuredClone(live), metadata: { ...structuredClone(live.metadata), managedFields: reset } };
    assert.equal(managedFieldsChangedByClient(live, r), true);
    assert.deepEqual(track(live, r, 'x', T1), [], 'an existing object is untracked after a reset (kube)');
    // ...and stays untracked on later updates
    const later = obj({ protocol: 'h3' });
    assert.deepEqual(track(save(r, [], '2'), later, 'x', T2), []);
    // a create with [] is tracked from scratch
    assert.equal(track(null, r, 'creator', T1).length, 1);
  }

  const garbage = { ...structuredClone(live), metadata: { ...structuredClone(live.metadata), managedFields: [{ manager: 'x', operation: 'Nope' }] as never } };
  assert.deepEqual(track(live, garbage, 'x', T1), live.metadata.managedFields);

  // absent managedFields (a client that does not know them) keeps the stored ones
  const unaware = structuredClone(live);
  delete unaware.metadata.managedFields;
  assert.equal(managedFieldsChangedByClient(live, unaware), false);
  assert.deepEqual(track(live, unaware, 'x', T1), live.metadata.managedFields);
  assert.equal(managedFieldsChangedByClient(live, structuredClone(live)), false);
});

test('status subresource writes are recorded with subresource and ignore client managedFields', () => {
  const o0 = obj({ protocol: 'h2' });
  const live = save(o0, track(null, o0, 'creator', T0), '1');
  const withStatus = structuredClone(live);
  withStatus.status = { conditions: [{ type: 'Ready', status: 'True' }], observedGeneration: 1 };
  withStatus.metadata.managedFields = [];
  const mf = track(live, withStatus, 'ctrl', T1, { subresource: 'status' });
  const e = mf.find((x) => x.manager === 'ctrl')!;
  assert.equal(e.subresource, 'status');
  assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
  assert.equal(
    JSON.stringify(e.fieldsV1),
    '{"f:status":{".":{},"f:conditions":{".":{},"k:{\\"type\\":\\"Ready\\"}":{".":{},"f:status":{},"f:type":{}}},"f:observedGeneration":{}}}',
  );
  assert.ok(mf.some((x) => x.manager === 'creator'));
});

test('the same manager through another apiVersion gets its own Update entry', () => {
  const o0 = obj({ a: 1 });
  const live = save(o0, track(null, o0, 'm', T0), '1');
  const n = structuredClone(live);
  (n.spec as Record<string, unknown>).b = 2;
  const mf = track(live, n, 'm', T1, { apiVersion: 'core.apoxy.dev/v1alpha3' });
  assert.deepEqual(
    mf.map((e) => [e.manager, e.apiVersion]),
    [
      ['m', AV],
      ['m', 'core.apoxy.dev/v1alpha3'],
    ],
  );
});

test('more than 10 Update managers: the oldest fold into ancient-changes', () => {
  const o0 = obj({ f0: 0 });
  let live = save(o0, track(null, o0, 'm0', '2024-01-01T00:00:00Z'), '1');
  for (let i = 1; i <= 11; i++) {
    const n = structuredClone(live);
    (n.spec as Record<string, unknown>)[`f${i}`] = i;
    const t = `2024-01-01T00:${String(i).padStart(2, '0')}:00Z`;
    live = save(n, track(live, n, `m${i}`, t), String(i + 1));
  }
  const mf = live.metadata.managedFields!;
  assert.equal(mf.length, 10);
  const ancient = mf.find((e) => e.manager === ANCIENT_CHANGES_MANAGER)!;
  assert.ok(ancient, 'bucket exists');
  assert.deepEqual(Object.keys((ancient.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']).filter((k) => k !== '.').sort(), ['f:f0', 'f:f1', 'f:f2']);
  assert.ok(!mf.some((e) => e.manager === 'm0' || e.manager === 'm1' || e.manager === 'm2'));
});
