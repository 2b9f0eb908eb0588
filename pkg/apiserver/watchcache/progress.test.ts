import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressTracker } from './progress';

describe('ProgressTracker', () => {
  it('trusts a progress revision once a later notification follows it', () => {
    const p = new ProgressTracker();
    assert.equal(p.sawProgress(10), 0);
    assert.equal(p.sawProgress(12), 10);
    assert.equal(p.sawProgress(12), 12);
  });
  it('never goes back (etcd may answer a lower revision than one already seen)', () => {
    const p = new ProgressTracker();
    p.sawProgress(20);
    assert.equal(p.sawProgress(15), 20);
    assert.equal(p.sawProgress(15), 20);
  });
  it('forgets everything on reset (a cache restart)', () => {
    const p = new ProgressTracker();
    p.sawProgress(20);
    p.reset();
    assert.equal(p.sawProgress(25), 0);
    assert.equal(p.sawProgress(25), 25);
  });
});
