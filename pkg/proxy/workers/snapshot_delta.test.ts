import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import type { BackendIR, RuleIR, Snapshot } from '../ir';
import { applyDelta, computeDelta, indexRules, type Shipped, type SnapshotDelta } from './snapshot_delta';

function rule(i: number, backend = `b${i}`): RuleIR {
  return {
    id: `route/r${i}/rule/0`, route: `r${i}`, routeCreated: '', ruleIndex: 0, hostnames: [`h${i}.example`], listeners: ['default'],
    matches: [], filters: [], backendRefs: [{ backend, weight: 1 }], timeouts: {}, websocket: true,
  };
}
function backend(i: number, port = 80): BackendIR {
  return { name: `b${i}`, protocol: '', defaultPort: 80, endpoints: [{ id: `10.0.0.${i}:${port}`, host: `10.0.0.${i}`, isIP: true, port, weight: 1 }], loadBalancer: { algorithm: 'round-robin', slots: 0 } };
}
function snap(generation: number, n: number): Snapshot {
  const backends: Record<string, BackendIR> = {};
  for (let i = 0; i < n; i++) backends[`b${i}`] = backend(i);
  return { generation, listeners: [{ id: 'gw/l', host: '127.0.0.1', port: 0 }], rules: Array.from({ length: n }, (_, i) => rule(i)), backends };
}
const shipped = (seq: number, s: Snapshot): Shipped => ({ seq, snapshot: s, rules: indexRules(s.rules) });
/** what a worker got: the snapshot through v8 (fresh objects), as a full snapshot message makes it */
const overWire = <T>(x: T): T => v8.deserialize(v8.serialize(x)) as T;

/** main: s0 shipped whole, then s1 as a delta; worker: s0 deserialized, patched with the delta */
function roundTrip(s0: Snapshot, s1: Snapshot): { d: SnapshotDelta; w0: Snapshot; w1: Snapshot } {
  const d = computeDelta(shipped(1, s0), s1, 2);
  assert.ok(d, 'a delta');
  const w0 = overWire(s0);
  const w1 = applyDelta(w0, 1, overWire(d));
  assert.ok(w1, 'applies');
  assert.deepEqual(w1, s1);
  return { d, w0, w1 };
}

test('one changed rule and backend: only they travel; the worker keeps every other object', () => {
  const s0 = snap(1, 50);
  const s1: Snapshot = { ...s0, generation: 2, rules: [...s0.rules], backends: { ...s0.backends } };
  s1.rules[7] = { ...rule(7), hostnames: ['new.example'] };
  s1.backends.b3 = backend(3, 8080);
  const { d, w0, w1 } = roundTrip(s0, s1);
  assert.deepEqual(d.rules.map((r) => r.id), ['route/r7/rule/0']);
  assert.deepEqual(d.backends.map(([n]) => n), ['b3']);
  assert.equal(d.order, undefined);
  assert.deepEqual([d.removedRules, d.removedBackends], [[], []]);
  for (let i = 0; i < 50; i++) assert.equal(w1.rules[i] === w0.rules[i], i !== 7, `rule ${i}`);
  for (let i = 0; i < 50; i++) assert.equal(w1.backends[`b${i}`] === w0.backends[`b${i}`], i !== 3, `backend ${i}`);
  assert.notEqual(w1.rules, w0.rules);
  assert.notEqual(w1.backends, w0.backends);
  assert.deepEqual(w0, s0, 'the previous snapshot is left as it was');
});

test('added, removed and reordered rules and backends', () => {
  const s0 = snap(1, 20);
  const rules = [...s0.rules];
  rules.splice(4, 1); // r4 removed
  [rules[0], rules[10]] = [rules[10]!, rules[0]!]; // swapped
  rules.splice(2, 0, rule(99)); // added in the middle
  const backends: Record<string, BackendIR> = { ...s0.backends, b99: backend(99) };
  delete backends.b4;
  const s1: Snapshot = { ...s0, generation: 2, rules, backends };
  const { d, w0, w1 } = roundTrip(s0, s1);
  assert.deepEqual(d.removedRules, ['route/r4/rule/0']);
  assert.deepEqual(d.removedBackends, ['b4']);
  assert.deepEqual(d.rules.map((r) => r.id), ['route/r99/rule/0']);
  assert.ok(d.order);
  assert.deepEqual(w1.rules.map((r) => r.id), s1.rules.map((r) => r.id));
  assert.equal(w1.rules[0], w0.rules.find((r) => r.id === s1.rules[0]!.id), "the moved rule is the same object");
  assert.equal(w1.backends.b0, w0.backends.b0);
  assert.equal('b4' in w1.backends, false);
});

test('an order change alone carries no rule', () => {
  const s0 = snap(1, 10);
  const s1: Snapshot = { ...s0, generation: 2, rules: [...s0.rules].reverse() };
  const { d, w0, w1 } = roundTrip(s0, s1);
  assert.equal(d.rules.length, 0);
  assert.equal(d.backends.length, 0);
  assert.deepEqual(w1.rules, [...w0.rules].reverse());
  assert.equal(w1.rules[0], w0.rules[9]);
});

test('listeners and generation travel whole', () => {
  const s0 = snap(1, 10);
  const s1: Snapshot = { ...s0, generation: 7, listeners: [{ id: 'gw/x', host: '0.0.0.0', port: 8443, tls: true }] };
  const { w1 } = roundTrip(s0, s1);
  assert.equal(w1.generation, 7);
});

test('a chain of deltas equals the last snapshot', () => {
  let main = snap(1, 30);
  let sh = shipped(1, main);
  let worker = overWire(main);
  let wseq = 1;
  for (let g = 2; g <= 12; g++) {
    const rules = [...main.rules];
    rules[g] = { ...rules[g]!, ruleIndex: g };
    if (g % 3 === 0) rules.pop();
    const next: Snapshot = { ...main, generation: g, rules, backends: { ...main.backends, [`x${g}`]: backend(100 + g) } };
    const d = computeDelta(sh, next, g);
    assert.ok(d);
    const w = applyDelta(worker, wseq, overWire(d));
    assert.ok(w);
    assert.deepEqual(w, next);
    [main, sh, worker, wseq] = [next, shipped(g, next), w, g];
  }
});

test('a gap, or no previous snapshot: not applied (the worker asks for the whole one)', () => {
  const s0 = snap(1, 10);
  const s1: Snapshot = { ...s0, generation: 2, rules: [rule(0, 'other'), ...s0.rules.slice(1)] };
  const d = computeDelta(shipped(5, s0), s1, 6)!;
  assert.equal(d.base, 5);
  assert.equal(applyDelta(overWire(s0), 4, d), undefined);
  assert.equal(applyDelta(undefined, 5, d), undefined);
  assert.ok(applyDelta(overWire(s0), 5, d));
});

test('a delta inconsistent with the base is refused', () => {
  const s0 = snap(1, 10);
  const s1: Snapshot = { ...s0, generation: 2, rules: [...s0.rules].reverse() };
  const d = computeDelta(shipped(1, s0), s1, 2)!;
  assert.equal(applyDelta(snap(1, 5), 1, d), undefined, 'an id in the order the base lacks');
});

test('full snapshots instead: duplicate rule ids, or most of it changed', () => {
  const s0 = snap(1, 20);
  const dup: Snapshot = { ...s0, generation: 2, rules: [...s0.rules, s0.rules[0]!] };
  assert.equal(computeDelta(shipped(1, s0), dup, 2), undefined);
  assert.equal(indexRules(dup.rules), undefined);
  assert.equal(computeDelta({ seq: 2, snapshot: dup, rules: undefined }, s0, 3), undefined);
  assert.equal(computeDelta(shipped(1, s0), snap(2, 20), 2), undefined, 'every object new');
});
