import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToString, toFieldsV1 } from './fieldset';
import { listTypeAtFromMap } from './listtypes';
import { compareObjects, mergeApplied } from './merge';

const lt = listTypeAtFromMap({ 'status.conditions': { type: 'map', keys: ['type'] }, 'spec.s': { type: 'set' } });
const cond = (type: string, status = 'True') => ({ type, status });

test('mergeApplied', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['maps merge', { spec: { a: 1, b: 2 } }, { spec: { b: 3, c: 4 } }, { spec: { a: 1, b: 3, c: 4 } }],
    ['atomic list replaced', { spec: { l: [1, 2, 3] } }, { spec: { l: [4] } }, { spec: { l: [4] } }],
    ['empty map keeps live content', { spec: { a: 1 } }, { spec: {} }, { spec: { a: 1 } }],
    ['null removes', { spec: { a: 1, b: 2 } }, { spec: { a: null } }, { spec: { b: 2 } }],
    ['type change', { spec: { a: { x: 1 } } }, { spec: { a: 'x' } }, { spec: { a: 'x' } }],
    ['new subtree without nulls', {}, { spec: { a: { b: null, c: 1 } } }, { spec: { a: { c: 1 } } }],
    [
      'map list merges by key',
      { status: { conditions: [cond('A'), { type: 'B', status: 'False', reason: 'x' }] } },
      { status: { conditions: [cond('B')] } },
      { status: { conditions: [cond('A'), { type: 'B', status: 'True', reason: 'x' }] } },
    ],
    [
      'map list order: applied order for shared, new ones placed like SMD',
      { status: { conditions: [cond('A'), cond('B')] } },
      { status: { conditions: [cond('C'), cond('A')] } },
      { status: { conditions: [cond('C'), cond('A'), cond('B')] } },
    ],
    [
      'map list order 2',
      { status: { conditions: [cond('A'), cond('B'), cond('C')] } },
      { status: { conditions: [cond('C'), cond('A')] } },
      { status: { conditions: [cond('B'), cond('C'), cond('A')] } },
    ],
    ['set union', { spec: { s: ['a', 'b'] } }, { spec: { s: ['c', 'a'] } }, { spec: { s: ['c', 'a', 'b'] } }],
    [
      'invalid map list merges atomically',
      { status: { conditions: [{ status: 'x' }] } },
      { status: { conditions: [cond('A')] } },
      { status: { conditions: [cond('A')] } },
    ],
  ];
  for (const [name, live, applied, want] of cases) {
    const liveCopy = structuredClone(live);
    assert.deepEqual(mergeApplied(live, applied, lt), want, name);
    assert.deepEqual(live, liveCopy, `${name}: live not mutated`);
  }
});

test('compareObjects', () => {
  const paths = (s: ReturnType<typeof compareObjects>['added']) => [...s.paths()].map(pathToString);
  const cases: Array<[string, unknown, unknown, { added?: string[]; modified?: string[]; removed?: string[] }]> = [
    ['identical', { spec: { a: 1 } }, { spec: { a: 1 } }, {}],
    ['modified leaf', { spec: { a: 1 } }, { spec: { a: 2 } }, { modified: ['.spec.a'] }],
    ['added map is a member', {}, { spec: { a: 1 } }, { added: ['.spec', '.spec.a'] }],
    ['removed map', { spec: { a: 1 } }, {}, { removed: ['.spec', '.spec.a'] }],
    ['empty map added', {}, { spec: {} }, { added: ['.spec'] }],
    ['atomic list changed', { spec: { l: [1] } }, { spec: { l: [1, 2] } }, { modified: ['.spec.l'] }],
    [
      'map list element',
      { status: { conditions: [cond('A')] } },
      { status: { conditions: [cond('A', 'False'), cond('B')] } },
      { added: ['.status.conditions[type="B"]', '.status.conditions[type="B"].status', '.status.conditions[type="B"].type'], modified: ['.status.conditions[type="A"].status'] },
    ],
    ['set element', { spec: { s: ['a'] } }, { spec: { s: ['b'] } }, { added: ['.spec.s[="b"]'], removed: ['.spec.s[="a"]'] }],
    ['type change', { spec: { a: { b: 1 } } }, { spec: { a: 'x' } }, { modified: ['.spec.a'], removed: ['.spec.a.b'] }],
  ];
  for (const [name, l, r, want] of cases) {
    const c = compareObjects(l, r, lt);
    assert.deepEqual(paths(c.added), want.added ?? [], `${name}: added`);
    assert.deepEqual(paths(c.modified), want.modified ?? [], `${name}: modified`);
    assert.deepEqual(paths(c.removed), want.removed ?? [], `${name}: removed`);
  }
  // what a create gives a CRD object: created maps own themselves
  const c = compareObjects({}, { metadata: { labels: { app: 'x' } }, spec: { endpoints: [{ fqdn: 'a' }] } }, lt);
  assert.equal(
    JSON.stringify(toFieldsV1(c.added)),
    '{"f:metadata":{".":{},"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:endpoints":{}}}',
  );
});

describe('prototype-named keys in apply merges', () => {
  it('a live field named like an Object.prototype member merges as data, never as the inherited member', () => {
    const live = JSON.parse('{"spec":{"toString":"a","constructor":{"x":1}},"metadata":{"labels":{"valueOf":"v"}}}');
    const applied = JSON.parse('{"spec":{"__proto__":{"y":2}},"metadata":{"labels":{"hasOwnProperty":"h"}}}');
    const merged = mergeApplied(live, applied) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(merged.spec), ['toString', 'constructor', '__proto__']);
    assert.equal(Object.getPrototypeOf(merged.spec), Object.prototype);
    assert.deepEqual(merged.metadata.labels, { valueOf: 'v', hasOwnProperty: 'h' });
    const c = compareObjects(live, applied);
    assert.ok(!c.added.isEmpty() && !c.removed.isEmpty());
  });
});
