import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../apis/meta/v1/types';
import { serverSideApply } from './apply';
import { deepEqual, fieldSetFromObject, valueAtPath } from './fieldset';
import { listTypeAtFromMap } from './listtypes';
import { decodeManagedFields, stripUntracked } from './managed';
import { trackUpdate } from './update';

const AV = 'example.com/v1';
const listTypeAt = listTypeAtFromMap({ 'spec.conds': { type: 'map', keys: ['type'] }, 'spec.tags': { type: 'set' } });

let seed = 4242;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];

function randomSpec(depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = rnd(4);
  for (let i = 0; i < n; i++) {
    const k = pick(['a', 'b', 'c', 'conds', 'tags', 'list']);
    if (k === 'conds') o.conds = Array.from({ length: rnd(3) }, () => ({ type: pick(['R', 'S', 'T']), v: rnd(3) })).filter((c, j, arr) => arr.findIndex((x) => x.type === c.type) === j);
    else if (k === 'tags') o.tags = [...new Set(Array.from({ length: rnd(3) }, () => pick(['x', 'y', 'z'])))];
    else if (k === 'list') o.list = Array.from({ length: rnd(3) }, () => rnd(5));
    else o[k] = depth < 2 && rnd(3) === 0 ? randomSpec(depth + 1) : pick([1, 2, 'x', true, {}]);
  }
  return o;
}

function cfg(): KObject {
  const o: KObject = { apiVersion: AV, kind: 'Thing', metadata: { name: 'n' }, spec: randomSpec() };
  if (rnd(2)) o.metadata.labels = Object.fromEntries(Array.from({ length: rnd(3) }, () => [pick(['l1', 'l2', 'l3']), pick(['v', 'w'])]));
  return o;
}

test('property: random applies and updates never throw and keep SSA invariants', () => {
  for (let round = 0; round < 150; round++) {
    let live: KObject | null = null;
    for (let step = 0; step < 12; step++) {
      const now = `2024-01-01T00:${String(step).padStart(2, '0')}:00Z`;
      if (live && rnd(4) === 0) {
        // a non-apply write
        const next: KObject = { ...cfg(), metadata: { ...live.metadata } };
        const mf = trackUpdate({ oldObj: live, newObj: next, manager: pick(['u1', 'u2']), apiVersion: AV, now, listTypeAt });
        decodeManagedFields(mf);
        live = { ...next, metadata: { ...next.metadata, managedFields: mf } };
        continue;
      }
      const applied = cfg();
      const manager = pick(['m1', 'm2', 'm3']);
      const r = serverSideApply({ live, applied, manager, force: true, apiVersion: AV, now, listTypeAt });
      assert.deepEqual(r.conflicts, []);
      const obj = r.object;
      const managers = decodeManagedFields(obj.metadata.managedFields); // always decodable
      // every field the applier applied holds the applied value
      const A = stripUntracked(fieldSetFromObject(applied, listTypeAt));
      for (const p of A.leaves()) {
        const want = valueAtPath(applied, p);
        const got = valueAtPath(obj, p);
        if (want.value === null) continue;
        // an applied empty map may be filled by other managers' fields
        if (typeof want.value === 'object' && want.value !== null && !Array.isArray(want.value) && Object.keys(want.value).length === 0) {
          assert.ok(got.found, `empty map at ${p.join('/')}`);
          continue;
        }
        assert.ok(got.found && deepEqual(got.value, want.value), `round ${round} step ${step}: ${p.join('/')}`);
      }
      // the applier's entry is exactly A
      const mine = [...managers.values()].find((m) => m.manager === manager && m.operation === 'Apply');
      if (A.isEmpty()) assert.equal(mine, undefined);
      else assert.ok(mine && mine.set.equals(A));
      live = { ...obj, metadata: { ...obj.metadata, uid: 'u', resourceVersion: String(step) } };
      // an identical re-apply is a no-op once the object is tracked
      if ((live.metadata.managedFields ?? []).length > 0) {
        const again = serverSideApply({ live, applied, manager, force: false, apiVersion: AV, now: '2030-01-01T00:00:00Z', listTypeAt });
        assert.deepEqual(again.conflicts, [], `round ${round} step ${step}: re-apply conflicts`);
        assert.equal(again.changed, false, `round ${round} step ${step}: re-apply changed`);
      }
    }
  }
});
