import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../apis/meta/v1/types';
import { conflictCauses, formatConflictMessage, serverSideApply, ServerSideApplyArgs } from './apply';
import { listTypeAtFromMap } from './listtypes';
import { trackUpdate } from './update';

const AV = 'core.apoxy.dev/v1alpha2';
const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';
const listTypeAt = listTypeAtFromMap({ 'status.conditions': { type: 'map', keys: ['type'] } });

function backend(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return { apiVersion: AV, kind: 'Backend', metadata: { name: 'b1', ...meta }, spec };
}

/** The stored object after a write: the server stamps uid/resourceVersion like the registry would. */
function stored(o: KObject, rv = '1'): KObject {
  return { ...o, metadata: { ...o.metadata, uid: 'u1', resourceVersion: rv, creationTimestamp: T0 } };
}

function apply(live: KObject | null, applied: KObject, manager: string, now: string, extra: Partial<ServerSideApplyArgs> = {}) {
  return serverSideApply({ live, applied, manager, force: false, apiVersion: AV, now, listTypeAt, ...extra });
}

const fields = (o: KObject, manager: string, operation = 'Apply') =>
  JSON.stringify(o.metadata.managedFields?.find((e) => e.manager === manager && e.operation === operation)?.fieldsV1);
const managers = (o: KObject) => (o.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);

test('SSA create, then an identical re-apply changes nothing (not even the time)', () => {
  const cfg = backend({ protocol: 'h2', endpoints: [{ fqdn: 'a.example.com' }] }, { labels: { app: 'web' } });
  const r1 = apply(null, cfg, 'kubectl', T0);
  assert.deepEqual(r1.conflicts, []);
  assert.equal(r1.changed, true);
  assert.deepEqual(r1.object.spec, cfg.spec);
  assert.deepEqual(r1.object.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: AV,
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:endpoints': {}, 'f:protocol': {} } },
    },
  ]);

  const live = stored(r1.object);
  const r2 = apply(live, cfg, 'kubectl', T1);
  assert.equal(r2.changed, false);
  assert.deepEqual(r2.conflicts, []);
  assert.deepEqual(r2.object, live);
  assert.equal(r2.object.metadata.managedFields![0].time, T0);
});

test('server-owned metadata keeps live values; applied ones are ignored', () => {
  const live = stored(apply(null, backend({ protocol: 'h2' }), 'kubectl', T0).object, '7');
  const r = apply(live, backend({ protocol: 'h1' }, { uid: 'evil', resourceVersion: '1', generation: 99 }), 'kubectl', T1);
  assert.equal(r.object.metadata.uid, 'u1');
  assert.equal(r.object.metadata.resourceVersion, '7');
  assert.equal(r.object.metadata.generation, undefined);
  assert.equal(r.object.metadata.creationTimestamp, T0);
});

test('removing a field from the applied config deletes it (and maps it leaves empty)', () => {
  const live = stored(
    apply(null, backend({ protocol: 'h2', endpoints: [{ fqdn: 'a' }], loadBalancer: { policy: 'RoundRobin' } }, { labels: { app: 'web' } }), 'kubectl', T0).object,
  );
  const r = apply(live, backend({ endpoints: [{ fqdn: 'a' }] }), 'kubectl', T1);
  assert.equal(r.changed, true);
  assert.deepEqual(r.object.spec, { endpoints: [{ fqdn: 'a' }] });
  assert.equal(r.object.metadata.labels, undefined, 'labels map left empty and unowned goes');
  assert.equal(fields(r.object, 'kubectl'), '{"f:spec":{"f:endpoints":{}}}');
  assert.equal(r.object.metadata.managedFields![0].time, T1);
  assert.equal(r.object.metadata.name, 'b1');
});

test('a field co-owned by another applier stays when one stops applying it', () => {
  let live = stored(apply(null, backend({ protocol: 'h2', endpoints: [{ fqdn: 'a' }] }), 'alice', T0).object);
  const r1 = apply(live, backend({ protocol: 'h2' }), 'bob', T1); // same value: shared, no conflict
  assert.deepEqual(r1.conflicts, []);
  assert.equal(r1.changed, true, 'managedFields changed');
  assert.equal(fields(r1.object, 'bob'), '{"f:spec":{"f:protocol":{}}}');
  assert.equal(r1.object.metadata.managedFields!.find((e) => e.manager === 'bob')!.time, undefined, 'object unchanged: no time, like kube');
  live = stored(r1.object, '2');
  const r2 = apply(live, backend({ endpoints: [{ fqdn: 'a' }] }), 'alice', T2);
  assert.deepEqual(r2.object.spec, { protocol: 'h2', endpoints: [{ fqdn: 'a' }] });
  assert.equal(fields(r2.object, 'alice'), '{"f:spec":{"f:endpoints":{}}}');
  assert.equal(fields(r2.object, 'bob'), '{"f:spec":{"f:protocol":{}}}');
});

test('conflicts with an Update manager, and force takes the ownership', () => {
  const created = backend({ protocol: 'h1', endpoints: [{ fqdn: 'a' }] });
  created.metadata.managedFields = trackUpdate({ oldObj: null, newObj: created, manager: 'kubectl-client-side-apply', apiVersion: AV, now: T0, listTypeAt });
  const live = stored(created);

  const r = apply(live, backend({ protocol: 'h2', endpoints: [{ fqdn: 'a' }] }), 'kubectl', T1);
  assert.deepEqual(
    r.conflicts.map((c) => [c.manager, c.field]),
    [['kubectl-client-side-apply', '.spec.protocol']],
  );
  assert.equal(r.changed, false);
  assert.deepEqual(r.object, live);
  assert.equal(
    formatConflictMessage(r.conflicts),
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using core.apoxy.dev/v1alpha2: .spec.protocol',
  );
  assert.deepEqual(conflictCauses(r.conflicts), [
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using core.apoxy.dev/v1alpha2', field: '.spec.protocol' },
  ]);

  const f = apply(live, backend({ protocol: 'h2', endpoints: [{ fqdn: 'a' }] }), 'kubectl', T1, { force: true });
  assert.deepEqual(f.conflicts, []);
  assert.equal(f.object.spec && (f.object.spec as { protocol: string }).protocol, 'h2');
  assert.equal(fields(f.object, 'kubectl'), '{"f:spec":{"f:endpoints":{},"f:protocol":{}}}');
  // the updater lost protocol but keeps what it still owns alone (endpoints is now shared)
  assert.equal(fields(f.object, 'kubectl-client-side-apply', 'Update'), '{"f:spec":{".":{},"f:endpoints":{}}}');
  assert.deepEqual(managers(f.object), ['kubectl/Apply', 'kubectl-client-side-apply/Update']);
});

test('conflict messages with several managers and fields', () => {
  const msg = formatConflictMessage([
    { manager: 'b', field: '.spec.x', operation: 'Apply' },
    { manager: 'a', field: '.spec.y', operation: 'Update', apiVersion: 'v1' },
    { manager: 'a', field: '.spec.z', operation: 'Update', apiVersion: 'v1' },
  ]);
  assert.equal(msg, 'Apply failed with 3 conflicts: conflicts with "a" using v1:\n- .spec.y\n- .spec.z\nconflicts with "b":\n- .spec.x');
  // conflicts without operation info take the version from the map
  assert.equal(
    formatConflictMessage([{ manager: 'm', field: '.spec.p' }], { m: 'core.apoxy.dev/v1alpha2' }),
    'Apply failed with 1 conflict: conflict with "m" using core.apoxy.dev/v1alpha2: .spec.p',
  );
  assert.equal(
    formatConflictMessage([{ manager: 'm', field: '.status.x', operation: 'Update', apiVersion: 'v1', subresource: 'status' }]),
    'Apply failed with 1 conflict: conflict with "m" with subresource "status" using v1: .status.x',
  );
});

test('applying only the last-applied annotation with a second manager merges', () => {
  const full = backend({ protocol: 'h2', endpoints: [{ fqdn: 'a' }] }, { labels: { app: 'web' } });
  let live = stored(apply(null, full, 'kubectl', T0).object);
  const LA = 'kubectl.kubernetes.io/last-applied-configuration';
  const ann = (v: string) => backend(undefined as never, { annotations: { [LA]: v } });
  const annOnly = (v: string): KObject => {
    const o = ann(v);
    delete o.spec;
    return o;
  };
  const r = apply(live, annOnly('{"v":1}'), 'kubectl-last-applied', T1);
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(r.object.spec, full.spec, 'spec kept');
  assert.deepEqual(r.object.metadata.labels, { app: 'web' });
  assert.deepEqual(r.object.metadata.annotations, { [LA]: '{"v":1}' });
  assert.equal(fields(r.object, 'kubectl-last-applied'), '{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}');
  assert.equal(fields(r.object, 'kubectl'), '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:endpoints":{},"f:protocol":{}}}');

  // and again with a new value: still no conflict (it owns the annotation), kubectl's set intact
  live = stored(r.object, '2');
  const r2 = apply(live, annOnly('{"v":2}'), 'kubectl-last-applied', T2);
  assert.deepEqual(r2.conflicts, []);
  assert.deepEqual(r2.object.spec, full.spec);
  assert.deepEqual(r2.object.metadata.annotations, { [LA]: '{"v":2}' });

  // kubectl re-applies its config (no annotation in it): the annotation survives
  live = stored(r2.object, '3');
  const r3 = apply(live, full, 'kubectl', T2);
  assert.equal(r3.changed, false);
  assert.deepEqual(r3.object.metadata.annotations, { [LA]: '{"v":2}' });
});

test('map lists (conditions by type) merge per element and prune per element', () => {
  const status = (...conds: Array<Record<string, unknown>>): KObject => ({
    apiVersion: AV,
    kind: 'Backend',
    metadata: { name: 'b1' },
    status: { conditions: conds },
  });
  const ready = { type: 'Ready', status: 'True', reason: 'Ok' };
  const accepted = { type: 'Accepted', status: 'True', reason: 'Ok' };
  let live = stored(apply(null, backend({ protocol: 'h2' }), 'kubectl', T0).object);
  let r = apply(live, status(ready), 'ctrl-a', T1, { subresource: 'status' });
  live = stored(r.object, '2');
  r = apply(live, status(accepted), 'ctrl-b', T1, { subresource: 'status' });
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual((r.object.status as { conditions: unknown[] }).conditions, [ready, accepted]);
  assert.equal(
    fields(r.object, 'ctrl-a'),
    '{"f:status":{"f:conditions":{"k:{\\"type\\":\\"Ready\\"}":{".":{},"f:reason":{},"f:status":{},"f:type":{}}}}}',
  );
  const entryA = r.object.metadata.managedFields!.find((e) => e.manager === 'ctrl-a')!;
  assert.equal(entryA.subresource, 'status');
  assert.deepEqual(r.object.spec, { protocol: 'h2' });

  // ctrl-a changes Ready's status: no conflict (it owns it)
  live = stored(r.object, '3');
  r = apply(live, status({ ...ready, status: 'False' }), 'ctrl-a', T2, { subresource: 'status' });
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual((r.object.status as { conditions: unknown[] }).conditions, [{ ...ready, status: 'False' }, accepted]);

  // ctrl-b trying to set Ready conflicts with ctrl-a on exactly the changed field
  live = stored(r.object, '4');
  const c = apply(live, status(accepted, { ...ready, status: 'True' }), 'ctrl-b', T2, { subresource: 'status' });
  assert.deepEqual(
    c.conflicts.map((x) => [x.manager, x.field]),
    [['ctrl-a', '.status.conditions[type="Ready"].status']],
  );

  // ctrl-a stops applying Ready: the element goes, Accepted stays
  r = apply(live, status(), 'ctrl-a', T2, { subresource: 'status' });
  assert.deepEqual((r.object.status as { conditions: unknown[] }).conditions, [accepted]);
  assert.deepEqual(managers(r.object), ['kubectl/Apply', 'ctrl-b/Apply']);
});

test('an object without managedFields: its fields go to before-first-apply', () => {
  const live = stored(backend({ protocol: 'h1', endpoints: [{ fqdn: 'a' }] }));
  const r = apply(live, backend({ protocol: 'h2' }), 'kubectl', T1);
  assert.deepEqual(
    r.conflicts.map((c) => [c.manager, c.field]),
    [['before-first-apply', '.spec.protocol']],
  );
  const ok = apply(live, backend({ protocol: 'h1' }), 'kubectl', T1);
  assert.deepEqual(ok.conflicts, []);
  assert.equal(ok.changed, true);
  assert.equal(fields(ok.object, 'before-first-apply', 'Update'), '{"f:spec":{".":{},"f:endpoints":{},"f:protocol":{}}}');
  assert.equal(fields(ok.object, 'kubectl'), '{"f:spec":{"f:protocol":{}}}');
});

test('labels: removing one key keeps the others; another applier keeps its own', () => {
  let live = stored(apply(null, backend({}, { labels: { a: '1', b: '2' } }), 'm1', T0).object);
  live = stored(apply(live, backend({}, { labels: { c: '3' } }), 'm2', T1).object, '2');
  const r = apply(live, backend({}, { labels: { a: '1' } }), 'm1', T2);
  assert.deepEqual(r.object.metadata.labels, { a: '1', c: '3' });
  const r2 = apply(stored(r.object, '3'), backend({}), 'm1', T2);
  assert.deepEqual(r2.object.metadata.labels, { c: '3' });
});
