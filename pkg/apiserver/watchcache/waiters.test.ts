import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RevisionWaiters } from './waiters';

describe('RevisionWaiters', () => {
  it('resolves at once when the revision is already seen', async () => {
    const w = new RevisionWaiters();
    assert.equal(await w.wait(5, 5, 1000), true);
    assert.equal(w.size, 0);
  });
  it('resolves waiters up to the notified revision, leaves the rest', async () => {
    const w = new RevisionWaiters();
    const a = w.wait(10, 3, 60_000);
    const b = w.wait(20, 3, 60_000);
    w.notify(15);
    assert.equal(await a, true);
    assert.equal(w.size, 1);
    w.failAll();
    assert.equal(await b, false);
    assert.equal(w.size, 0);
  });
  it('gives up after its timeout', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const w = new RevisionWaiters();
    const p = w.wait(10, 3, 3000);
    t.mock.timers.tick(2999);
    assert.equal(w.size, 1);
    t.mock.timers.tick(1);
    assert.equal(await p, false);
    assert.equal(w.size, 0);
  });
});
