import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRuntimes } from './runtime';
import type { BackendIR } from './ir';

const deps = { now: () => 0, rand: () => 0.5 };
const backend = (ports: number[]): BackendIR => ({
  name: 'b',
  protocol: '',
  defaultPort: 80,
  endpoints: ports.map((port) => ({ id: `127.0.0.1:${port}`, host: '127.0.0.1', isIP: true, port, weight: 1 })),
  loadBalancer: { algorithm: 'round-robin', slots: 10000 },
});

test('the same IR object keeps its runtime (endpoint state, balancer) without re-serializing', () => {
  const ir = backend([1, 2]);
  const first = buildRuntimes({ b: ir }, new Map(), deps);
  const second = buildRuntimes({ b: ir }, first, deps);
  assert.equal(second.get('b'), first.get('b'));
});

test('an equal IR in a new object keeps the runtime and is adopted, so the next swap is by identity', () => {
  const first = buildRuntimes({ b: backend([1, 2]) }, new Map(), deps);
  const again = backend([1, 2]);
  const second = buildRuntimes({ b: again }, first, deps);
  assert.equal(second.get('b'), first.get('b'));
  assert.equal(second.get('b')!.ir, again);
});

test('a changed IR gets a new runtime; endpoints it keeps keep their state objects', () => {
  const first = buildRuntimes({ b: backend([1, 2]) }, new Map(), deps);
  const second = buildRuntimes({ b: backend([2, 3]) }, first, deps);
  const a = first.get('b')!;
  const b = second.get('b')!;
  assert.notEqual(b, a);
  assert.deepEqual(b.states.map((s) => s.ep.port), [2, 3]);
  assert.equal(b.states[0], a.states.find((s) => s.ep.port === 2), 'endpoint 2 keeps its in-flight counts and health');
});
