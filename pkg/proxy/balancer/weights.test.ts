import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWeightedPicker, pickExcept } from './weights';
import { seeded } from './testutil';

test('splits by weight; weight 0 is never chosen', () => {
  const p = createWeightedPicker([{ weight: 0 }, { weight: 3 }, { weight: 0 }, { weight: 1 }, { weight: 0 }], seeded(7));
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 40_000; i++) counts[p.pick()!]!++;
  assert.equal(counts[0], 0);
  assert.equal(counts[2], 0);
  assert.equal(counts[4], 0);
  assert.ok(Math.abs(counts[1]! / 40_000 - 0.75) < 0.01, String(counts));
  assert.equal(p.total, 4);
});

test('boundaries of rand', () => {
  let r = 0;
  const p = createWeightedPicker([{ weight: 1 }, { weight: 0 }, { weight: 1 }, { weight: 0 }], () => r);
  assert.equal(p.pick(), 0);
  r = 0.5;
  assert.equal(p.pick(), 2);
  r = 1 - Number.EPSILON / 2;
  assert.equal(p.pick(), 2);
});

test('all zero or empty → null; a single positive ref needs no rand', () => {
  assert.equal(createWeightedPicker([{ weight: 0 }, { weight: 0 }], Math.random).pick(), null);
  assert.equal(createWeightedPicker([], Math.random).pick(), null);
  const p = createWeightedPicker([{ weight: 0 }, { weight: 5 }], () => assert.fail('rand called'));
  assert.equal(p.pick(), 1);
});

test('pickExcept: skipped refs count as weight 0, the rest keep their proportions; none left → null', () => {
  const refs = [{ weight: 3 }, { weight: 1 }, { weight: 2 }, { weight: 0 }];
  const rand = seeded(11);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 30_000; i++) counts[pickExcept(refs, [true, false, false, false], rand)!]!++;
  assert.equal(counts[0], 0, 'a skipped ref is never chosen');
  assert.equal(counts[3], 0, 'nor a zero weight');
  assert.ok(Math.abs(counts[1]! / 30_000 - 1 / 3) < 0.015, String(counts));
  assert.equal(pickExcept(refs, [true, true, true, false], rand), null);
  assert.equal(pickExcept(refs, [false, true, true, true], () => 0.999999), 0);
});
