import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planList } from './list_plan';

describe('planList (kube 1.31 shouldDelegateList, ConsistentListFromCache on)', () => {
  it('serves informer and RV=0 lists from the cache', () => {
    assert.deepEqual(planList({}), { from: 'cache', freshness: { kind: 'consistent' } });
    assert.deepEqual(planList({ resourceVersion: '' }), { from: 'cache', freshness: { kind: 'consistent' } });
    assert.deepEqual(planList({ resourceVersion: '0' }), { from: 'cache', freshness: { kind: 'any' } });
    assert.deepEqual(planList({ resourceVersion: '0', limit: 500 }), { from: 'cache', freshness: { kind: 'any' } }, 'kube ignores limit for RV=0');
    assert.deepEqual(planList({ resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' }), { from: 'cache', freshness: { kind: 'any' } });
    assert.deepEqual(planList({ resourceVersion: '42' }), { from: 'cache', freshness: { kind: 'atLeast', revision: 42 } });
    assert.deepEqual(planList({ resourceVersion: '42', resourceVersionMatch: 'NotOlderThan', limit: 0 }), { from: 'cache', freshness: { kind: 'atLeast', revision: 42 } });
  });
  it('keeps paging, Exact and continue on storage', () => {
    const s = (o: Parameters<typeof planList>[0]) => planList(o).from;
    assert.equal(s({ limit: 500 }), 'storage', 'kubectl get: limit=500, RV=""');
    assert.equal(s({ resourceVersion: '42', limit: 10 }), 'storage', 'legacy: RV=N with limit means Exact');
    assert.equal(s({ resourceVersion: '42', resourceVersionMatch: 'NotOlderThan', limit: 10 }), 'storage');
    assert.equal(s({ resourceVersion: '42', resourceVersionMatch: 'Exact' }), 'storage');
    assert.equal(s({ continue: 'abc' }), 'storage');
    assert.equal(s({ continue: 'abc', resourceVersion: '0' }), 'storage');
  });
  it('sends what storage refuses to storage, so the errors stay the same', () => {
    const s = (o: Parameters<typeof planList>[0]) => planList(o).from;
    assert.equal(s({ resourceVersion: 'abc' }), 'storage');
    assert.equal(s({ resourceVersion: '-1' }), 'storage');
    assert.equal(s({ resourceVersion: '99999999999999999' }), 'storage');
    assert.equal(s({ resourceVersionMatch: 'NotOlderThan' }), 'storage', 'match without RV');
    assert.equal(s({ resourceVersion: '0', resourceVersionMatch: 'Exact' }), 'storage', 'Exact with RV=0');
    assert.equal(s({ resourceVersion: '5', resourceVersionMatch: 'Bogus' as never }), 'storage');
  });
});
