// The incremental translator: after any sequence of edits it answers exactly what a fresh one
// does, re-translates only what changed, keeps unchanged parts' identity and reports `changed`
// exactly when the snapshot's content changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJSON } from '../../util/canonical_json';
import { IncrementalTranslator, type BuildInput } from './incremental';
import { WorldGen, type World } from '../testing/world';

const input = (w: World, preferRegion?: string): BuildInput => ({ ...w, proxyHost: '127.0.0.1', preferRegion });

test('after random edits, the memoized build equals a fresh build; changed ⇔ content changed', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const g = new WorldGen(seed);
    const w = g.world(50, 12);
    const inc = new IncrementalTranslator();
    let prev = canonicalJSON(inc.build(input(w, 'eu')).snapshot);
    for (let i = 0; i < 80; i++) {
      const op = g.mutate(w);
      const a = inc.build(input(w, 'eu'));
      const b = new IncrementalTranslator().build(input(w, 'eu'));
      const json = canonicalJSON(a.snapshot);
      assert.equal(json, canonicalJSON(b.snapshot), `seed ${seed} step ${i} (${op})`);
      assert.equal(canonicalJSON([...a.problems]), canonicalJSON([...b.problems]));
      assert.equal(a.changed, json !== prev, `seed ${seed} step ${i} (${op}): changed=${a.changed}`);
      prev = json;
    }
  }
});

test('status-only and heartbeat edits translate nothing and keep every IR', () => {
  const g = new WorldGen(7);
  const w = g.world(200, 20);
  const inc = new IncrementalTranslator();
  const first = inc.build(input(w));
  assert.equal(first.changed, true);
  assert.equal(inc.stats.backendsTranslated, 200);
  w.backends = w.backends.map((b, i) =>
    g.bump(b, (c) => {
      if (i % 2) c.status = { conditions: [] };
      else (c.metadata.annotations ??= {})['switchyard.dev/edge-heartbeat'] = 'later';
    }),
  );
  const second = inc.build(input(w));
  assert.equal(second.changed, false);
  assert.deepEqual(inc.stats, { backendsTranslated: 0, routesTranslated: 0, edgesBuilt: 0 });
  for (const [name, ir] of Object.entries(second.snapshot.backends)) assert.equal(ir, first.snapshot.backends[name], `${name} kept its identity`);
  assert.equal(inc.build(input(w)).changed, false, 'a resync changes nothing either');
});

test('one changed Backend is the only one re-translated; routes re-translate only when a lookup answer changes', () => {
  const g = new WorldGen(3);
  const w = g.world(300, 10);
  // no edge routes here: an edge pool is rebuilt whenever one of its members changes
  w.routes = w.routes.filter((r) => !r.metadata.annotations?.['switchyard.dev/balance']);
  const inc = new IncrementalTranslator();
  const first = inc.build(input(w));
  const notReferenced = w.backends.findIndex((b) => !w.routes.some((r) => JSON.stringify(r.spec).includes(`"${b.metadata.name}"`)));
  w.backends[notReferenced] = g.bump(w.backends[notReferenced]!, (c) => void (c.spec = { endpoints: [{ ip: '10.1.1.1', port: 1 }] }));
  const second = inc.build(input(w));
  assert.equal(second.changed, true);
  assert.deepEqual(inc.stats, { backendsTranslated: 1, routesTranslated: 0, edgesBuilt: 0 });
  assert.equal(second.snapshot.rules[0], first.snapshot.rules[0], 'rules kept their identity');
  // a new Backend named `missing` resolves the routes that referenced it
  w.backends.push(g.backend('missing'));
  const referencing = w.routes.filter((r) => JSON.stringify(r.spec).includes('"missing"')).length;
  inc.build(input(w));
  assert.equal(inc.stats.routesTranslated, referencing);
  assert.equal(inc.stats.backendsTranslated, 1);
});

test('a Backend edited back to what it was, or re-created with the same spec, publishes nothing', () => {
  const g = new WorldGen(11);
  const w = g.world(20, 5);
  const inc = new IncrementalTranslator();
  inc.build(input(w));
  const orig = w.backends[0]!;
  w.backends[0] = g.bump(orig, (c) => void (c.spec = { ...c.spec, endpoints: [...(c.spec?.endpoints ?? []), { ip: '10.2.2.2', port: 1 }] }));
  assert.equal(inc.build(input(w)).changed, true);
  w.backends[0] = g.bump(orig, () => undefined);
  assert.equal(inc.build(input(w)).changed, true, 'back to the original: a change from the previous build');
  w.backends[0] = { ...g.bump(orig, () => undefined), metadata: { ...orig.metadata, uid: 'another', resourceVersion: '99999' } };
  assert.equal(inc.build(input(w)).changed, false, 'recreated identically');
  assert.equal(inc.stats.backendsTranslated, 0);
});
