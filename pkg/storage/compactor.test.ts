// Coordinated compaction: several compactors (replicas) on one store; only one compacts per
// interval, always to a revision at least one interval old, and another takes over when it stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KObject } from '../../apis/meta/v1/types';
import { ObjectStore } from './store';
import { SqliteDriver } from './sqlite/driver';
import { compactKey, startCompactor, type CompactTick } from './compactor';

function obj(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Thing', metadata: { name, uid: randomUUID() }, spec: { n: name } };
}

test('two replicas: one compacts per interval, the other loses every race; takeover when it stops', async () => {
  const store = new ObjectStore(new SqliteDriver({ file: ':memory:' }));
  try {
    const key = compactKey('/registry');
    assert.equal(key, '/registry/compact_rev_key');
    const ticks: Record<string, CompactTick[]> = { a: [], b: [] };
    const a = startCompactor(store, { intervalMs: 0, key, onTick: (t) => ticks.a.push(t) });
    const b = startCompactor(store, { intervalMs: 0, key, onTick: (t) => ticks.b.push(t) });
    const driver = (store as ObjectStore).driver;

    let n = 0;
    const revAtTick: number[] = [];
    for (let interval = 0; interval < 6; interval++) {
      for (let i = 0; i < 3; i++) await store.create(`/registry/things/t${n++}`, obj(`t${n}`));
      revAtTick.push(await store.currentRevision());
      await a.tick(); // the two replicas tick at different phases of the same interval
      await b.tick();
    }
    assert.deepEqual(ticks.a.map((t) => t.outcome), ['bootstrap', 'compacted', 'compacted', 'compacted', 'compacted', 'compacted']);
    assert.deepEqual(ticks.b.map((t) => t.outcome), ['lost', 'lost', 'lost', 'lost', 'lost', 'lost']);
    // each compaction goes to the revision a saw one interval earlier (its previous swap), never newer
    for (let i = 1; i < ticks.a.length; i++) {
      const r = ticks.a[i].revision!;
      assert.ok(r <= revAtTick[i - 1] + 1, `compaction ${i} to ${r} keeps the last interval (rev then ${revAtTick[i - 1]})`);
    }
    assert.equal(await driver.compactedRevision(), ticks.a.at(-1)!.revision);

    // a dies: b, which learned the record's version and the revision at its last (lost) tick,
    // wins its next tick and compacts to that revision, one interval old
    a.stop();
    const before = await store.currentRevision();
    await b.tick();
    assert.deepEqual(ticks.b.slice(6).map((t) => t.outcome), ['compacted']);
    assert.ok(ticks.b[6].revision! <= before);
    await b.tick();
    await b.tick();
    assert.deepEqual(ticks.b.slice(6).map((t) => t.outcome), ['compacted', 'compacted', 'compacted']);
  } finally {
    await store.close();
  }
});

test('concurrent ticks from three replicas: exactly one wins the swap', async () => {
  const store = new ObjectStore(new SqliteDriver({ file: ':memory:' }));
  try {
    const key = compactKey();
    const cs = [0, 1, 2].map(() => startCompactor(store, { intervalMs: 0, key }));
    for (let round = 0; round < 5; round++) {
      await store.create(`/registry/things/r${round}`, obj(`r${round}`));
      const out = await Promise.all(cs.map((c) => c.tick()));
      const winners = out.filter((t) => t.outcome === 'compacted' || t.outcome === 'bootstrap');
      assert.equal(winners.length, 1, `round ${round}: ${out.map((t) => t.outcome).join(',')}`);
      assert.ok(out.every((t) => t.outcome !== 'error'), JSON.stringify(out));
    }
  } finally {
    await store.close();
  }
});
