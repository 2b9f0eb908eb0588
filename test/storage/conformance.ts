// The one storage conformance suite: Kubernetes storage semantics (k8s.io/apiserver's
// storage.Interface tests, reduced to what switchyard relies on) run against every Store. Each case
// works under its own key prefix, so all cases share one server; cases that need "old" revisions
// only use revisions they wrote themselves, so the compaction case cannot disturb the others.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver } from '../../pkg/storage/driver';
import type { ListResult, ObjectEvent, Store, WatchHandler } from '../../pkg/storage/interface';
import { StorageError, type StorageErrorCode } from '../../pkg/storage/errors';
import { encodeContinue } from '../../pkg/storage/continue';

export interface StoreUnderTest {
  store: Store;
  driver: Driver;
  /**
   * Restart the storage underneath (SQLite: close and reopen the file; etcd: kill -9 the member
   * and start it again on the same data dir). May return the same store (a driver that reconnects)
   * or a new one.
   */
  restart?: () => Promise<{ store: Store; driver: Driver }>;
  cleanup(): Promise<void>;
}

const CASE_TIMEOUT_MS = 60_000;
const WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// helpers

function backend(name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KObject {
  const metadata: KObject['metadata'] = { name, uid: randomUUID(), creationTimestamp: '2025-01-01T00:00:00Z' };
  if (labels) metadata.labels = labels;
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata,
    spec: { endpoints: [{ fqdn: `${name}.example.com` }], ...spec },
  };
}

function rv(obj: KObject): number {
  const v = obj.metadata.resourceVersion;
  assert.ok(typeof v === 'string' && /^[1-9][0-9]*$/.test(v), `resourceVersion must be the string of a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function spec(obj: KObject): Record<string, unknown> {
  return obj.spec as Record<string, unknown>;
}

async function expectCode<T>(p: Promise<T> | (() => Promise<T>), code: StorageErrorCode, what: string): Promise<StorageError> {
  try {
    const v = await (typeof p === 'function' ? p() : p);
    assert.fail(`${what}: expected StorageError ${code}, got success: ${JSON.stringify(v)?.slice(0, 300)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof StorageError, `${what}: expected StorageError ${code}, got ${(err as Error)?.stack ?? String(err)}`);
    assert.equal(err.code, code, `${what}: expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
}

/** Retry a write while the storage is coming back (Unavailable / Timeout), bounded. */
async function retrying<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const transient = err instanceof StorageError && (err.code === 'Unavailable' || err.code === 'Timeout');
      if (!transient || Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

/** Run `n` tasks with at most `width` in flight. */
async function pool<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

const pad = (i: number) => String(i).padStart(3, '0');

function describeEvents(events: ObjectEvent[]): string {
  return events.map((e) => `${e.type} ${e.object.metadata.name}@${e.revision}`).join(', ');
}

/** A WatchHandler that records everything and lets a test wait for a condition (bounded). */
class Collector implements WatchHandler {
  readonly events: ObjectEvent[] = [];
  readonly errors: Error[] = [];
  readonly progress: number[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  onEvent(ev: ObjectEvent): void {
    this.events.push(ev);
    this.poke();
  }
  onProgress(revision: number): void {
    this.progress.push(revision);
  }
  onError(err: Error): void {
    this.errors.push(err);
    this.poke();
  }

  until(check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; events so far: [${describeEvents(this.events)}]; errors: [${this.errors.map((e) => e.message).join('; ')}]`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  untilCount(n: number, timeoutMs = WAIT_MS): Promise<void> {
    return this.until(() => this.events.length >= n, `${n} events`, timeoutMs);
  }

  /** wait for an ADDED event of `name` */
  untilAdded(name: string, timeoutMs = WAIT_MS): Promise<void> {
    return this.until(() => this.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === name), `ADDED ${name}`, timeoutMs);
  }

  private poke(): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.check()) {
        w.resolve();
        return false;
      }
      return true;
    });
  }
}

/**
 * Write a marker object and wait for its ADDED: every event before it has then been delivered,
 * so the events recorded before the marker are exactly what the watch produced.
 */
async function drained(store: Store, prefix: string, coll: Collector, labels?: Record<string, string>): Promise<ObjectEvent[]> {
  const name = `zz-sentinel-${randomBytes(3).toString('hex')}`;
  await store.create(prefix + name, backend(name, {}, labels));
  await coll.untilAdded(name);
  const idx = coll.events.findIndex((e) => e.type === 'ADDED' && e.object.metadata.name === name);
  return coll.events.slice(0, idx);
}

async function listAll(store: Store, prefix: string, limit: number, extra: { predicate?: (o: KObject) => boolean } = {}): Promise<{ pages: ListResult[]; items: KObject[] }> {
  const pages: ListResult[] = [];
  let cont: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await store.list(prefix, { limit, continue: cont, ...extra });
    pages.push(page);
    cont = page.continue;
    if (!cont) break;
  }
  return { pages, items: pages.flatMap((p) => p.items) };
}

// ---------------------------------------------------------------------------------------------

export function runStoreConformance(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`storage conformance: ${name}`, { timeout: 10 * 60_000 }, () => {
    let sut: StoreUnderTest | undefined;
    let store: Store;
    let driver: Driver;
    const run = randomBytes(3).toString('hex');
    const prefixes = new Set<string>();
    /** a key prefix used by one case only */
    const prefixFor = (label: string): string => {
      const p = `/registry/core.apoxy.dev/backends-${label}-${run}/`;
      assert.ok(!prefixes.has(p), `prefix ${p} used twice`);
      prefixes.add(p);
      return p;
    };
    const tc = { timeout: CASE_TIMEOUT_MS };

    before(async () => {
      sut = await factory();
      store = sut.store;
      driver = sut.driver;
    });
    after(async () => {
      await sut?.cleanup();
    });

    // ----- create / get -----------------------------------------------------------------------

    it('create then get round-trips the object with a positive integer resourceVersion', tc, async () => {
      const P = prefixFor('roundtrip');
      const input = backend('a', { protocol: 'h2', endpoints: [{ ip: '10.0.0.1', port: 8080, weight: 3 }] }, { app: 'x' });
      const created = await store.create(P + 'a', input);
      const r = rv(created);
      assert.equal(created.metadata.uid, input.metadata.uid);
      assert.deepEqual(created.spec, input.spec);
      assert.deepEqual(created.metadata.labels, { app: 'x' });
      assert.equal(input.metadata.resourceVersion, undefined, 'create must not mutate its input');
      const got = await store.get(P + 'a');
      assert.deepEqual(got, created);
      assert.equal(rv(got), r);
      assert.ok((await store.currentRevision()) >= r, 'currentRevision is at least the create revision');
    });

    it('create of an existing key fails with AlreadyExists and leaves the stored object alone', tc, async () => {
      const P = prefixFor('exists');
      const first = await store.create(P + 'a', backend('a', { n: 1 }));
      await expectCode(store.create(P + 'a', backend('a', { n: 2 })), 'AlreadyExists', 'second create');
      const got = await store.get(P + 'a');
      assert.equal(got.metadata.uid, first.metadata.uid);
      assert.equal(spec(got).n, 1);
      assert.equal(got.metadata.resourceVersion, first.metadata.resourceVersion);
    });

    it('create with a resourceVersion set is rejected', tc, async () => {
      const P = prefixFor('createrv');
      const o = backend('a');
      o.metadata.resourceVersion = '5';
      await expectCode(store.create(P + 'a', o), 'InvalidObject', 'create with resourceVersion');
      await expectCode(store.get(P + 'a'), 'NotFound', 'get after rejected create');
    });

    it('get of a missing key fails with NotFound', tc, async () => {
      const P = prefixFor('missing');
      const err = await expectCode(store.get(P + 'nope'), 'NotFound', 'get missing');
      assert.equal(err.key, P + 'nope');
    });

    // ----- update ------------------------------------------------------------------------------

    it('guaranteedUpdate writes the new state and bumps the resourceVersion', tc, async () => {
      const P = prefixFor('update');
      const created = await store.create(P + 'a', backend('a', { replicas: 1 }));
      const r0 = rv(created);
      const res = await store.guaranteedUpdate(P + 'a', { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion }, (cur) => {
        assert.equal(cur.metadata.resourceVersion, String(r0), 'tryUpdate sees the current resourceVersion');
        return { ...cur, spec: { ...spec(cur), replicas: 2 } };
      });
      assert.equal(res.changed, true);
      const r1 = rv(res.object);
      assert.ok(r1 > r0, `update RV ${r1} must exceed create RV ${r0}`);
      assert.equal(spec(res.object).replicas, 2);
      const got = await store.get(P + 'a');
      assert.deepEqual(got, res.object);
      assert.equal(got.metadata.uid, created.metadata.uid);
    });

    it('guaranteedUpdate of a missing key fails with NotFound', tc, async () => {
      const P = prefixFor('updmissing');
      let called = false;
      await expectCode(
        store.guaranteedUpdate(P + 'a', undefined, (cur) => {
          called = true;
          return cur;
        }),
        'NotFound',
        'update missing',
      );
      assert.equal(called, false);
    });

    it('a stale resourceVersion precondition fails with Conflict and writes nothing', tc, async () => {
      const P = prefixFor('stale');
      const created = await store.create(P + 'a', backend('a', { v: 1 }));
      const upd = await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }));
      let called = false;
      await expectCode(
        store.guaranteedUpdate(P + 'a', { resourceVersion: created.metadata.resourceVersion }, (cur) => {
          called = true;
          return { ...cur, spec: { ...spec(cur), v: 3 } };
        }),
        'Conflict',
        'update with stale RV precondition',
      );
      assert.equal(called, false, 'tryUpdate must not run when the precondition fails');
      await expectCode(
        store.guaranteedUpdate(P + 'a', { uid: randomUUID() }, (cur) => cur),
        'Conflict',
        'update with wrong uid precondition',
      );
      const got = await store.get(P + 'a');
      assert.equal(spec(got).v, 2);
      assert.equal(got.metadata.resourceVersion, upd.object.metadata.resourceVersion);
    });

    it('a stale cached object never decides: failed checks on it are retried on the stored state', tc, async () => {
      const P = prefixFor('cached');
      const v1 = await store.create(P + 'a', backend('a', { v: 1 }));
      const v2 = (await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }))).object;
      // the caller's resourceVersion is the current one; the cached copy (v1) is behind
      const seen: number[] = [];
      const ok = await store.guaranteedUpdate(
        P + 'a',
        { resourceVersion: v2.metadata.resourceVersion },
        (cur) => {
          seen.push(spec(cur).v as number);
          if (spec(cur).v !== 2) throw new Error('tryUpdate saw a stale object');
          return { ...cur, spec: { ...spec(cur), v: 3 } };
        },
        v1,
      );
      assert.equal(spec(ok.object).v, 3);
      assert.deepEqual(seen, [2], 'the preconditions failed on the stale copy, so tryUpdate only ever saw the stored state');
      // a tryUpdate that rejects the stale copy is asked again with the stored one
      const seen2: number[] = [];
      const ok2 = await store.guaranteedUpdate(
        P + 'a',
        undefined,
        (cur) => {
          seen2.push(spec(cur).v as number);
          if (spec(cur).v !== 3) throw new Error('stale');
          return { ...cur, spec: { ...spec(cur), v: 4 } };
        },
        v2,
      );
      assert.equal(spec(ok2.object).v, 4);
      assert.deepEqual(seen2, [2, 3]);
      // a real failure on the stored state still fails
      await expectCode(store.guaranteedUpdate(P + 'a', { resourceVersion: v1.metadata.resourceVersion }, (cur) => cur, ok2.object), 'Conflict', 'stale precondition');
    });

    it('a no-op update (same bytes) reports changed=false and keeps resourceVersion and revision', tc, async () => {
      const P = prefixFor('noop');
      const created = await store.create(P + 'a', backend('a', { v: 1 }));
      const revBefore = await store.currentRevision();
      const res = await store.guaranteedUpdate(P + 'a', undefined, (cur) => structuredClone(cur));
      assert.equal(res.changed, false);
      assert.equal(res.object.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.deepEqual(res.object, created);
      // Setting a field to the value it already has is also a no-op.
      const res2 = await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 1 } }));
      assert.equal(res2.changed, false);
      assert.equal(res2.object.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.equal(await store.currentRevision(), revBefore, 'a no-op update must not consume a revision');
      assert.equal((await store.get(P + 'a')).metadata.resourceVersion, created.metadata.resourceVersion);
    });

    it('tryUpdate may reject a stale user resourceVersion with Conflict; nothing is written', tc, async () => {
      const P = prefixFor('tryconflict');
      const created = await store.create(P + 'a', backend('a', { v: 1 }));
      const userRV = created.metadata.resourceVersion!;
      await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }));
      const thrown = StorageError.conflict(P + 'a', 'the object has been modified; please apply your changes to the latest version and try again');
      let calls = 0;
      const err = await expectCode(
        store.guaranteedUpdate(P + 'a', undefined, (cur) => {
          calls++;
          if (cur.metadata.resourceVersion !== userRV) throw thrown;
          return { ...cur, spec: { ...spec(cur), v: 99 } };
        }),
        'Conflict',
        'tryUpdate conflict',
      );
      assert.equal(err, thrown, 'the error tryUpdate threw is the one the caller gets');
      assert.equal(calls, 1);
      assert.equal(spec(await store.get(P + 'a')).v, 2);
    });

    it('16 concurrent guaranteedUpdate increments on one key each apply exactly once', tc, async () => {
      const P = prefixFor('counter');
      const WRITERS = 16;
      await store.create(P + 'c', backend('c', { counter: 0 }));
      let tries = 0;
      const results = await Promise.all(
        Array.from({ length: WRITERS }, (_, w) =>
          store.guaranteedUpdate(P + 'c', undefined, async (cur) => {
            tries++;
            if (tries % 3 === 0) await sleep(1); // widen the race window now and then
            const n = spec(cur).counter as number;
            return { ...cur, spec: { ...spec(cur), counter: n + 1, lastWriter: w % 2 === 0 ? 'even' : 'odd' } };
          }),
        ),
      );
      const final = await store.get(P + 'c');
      assert.equal(spec(final).counter, WRITERS, `final counter after ${WRITERS} increments (tryUpdate ran ${tries} times)`);
      assert.ok(results.every((r) => r.changed), 'every increment wrote');
      const rvs = results.map((r) => rv(r.object));
      assert.equal(new Set(rvs).size, WRITERS, `each update must return its own resourceVersion, got ${rvs.join(',')}`);
      const counters = results.map((r) => spec(r.object).counter as number).sort((a, b) => a - b);
      assert.deepEqual(counters, Array.from({ length: WRITERS }, (_, i) => i + 1), 'each writer saw a distinct counter value');
      // The writer that produced counter N has the N-th smallest resourceVersion.
      const byCounter = [...results].sort((a, b) => (spec(a.object).counter as number) - (spec(b.object).counter as number));
      for (let i = 1; i < byCounter.length; i++) assert.ok(rv(byCounter[i].object) > rv(byCounter[i - 1].object));
      assert.equal(rv(final), Math.max(...rvs));
    });

    // ----- delete ------------------------------------------------------------------------------

    it('delete with a wrong uid or stale resourceVersion precondition fails with Conflict', tc, async () => {
      const P = prefixFor('delpre');
      const created = await store.create(P + 'a', backend('a'));
      await expectCode(store.delete(P + 'a', { uid: randomUUID() }), 'Conflict', 'delete with wrong uid');
      await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }));
      await expectCode(store.delete(P + 'a', { resourceVersion: created.metadata.resourceVersion }), 'Conflict', 'delete with stale RV');
      const validateErr = new Error('not allowed');
      await assert.rejects(
        store.delete(P + 'a', undefined, () => {
          throw validateErr;
        }),
        (e) => e === validateErr,
      );
      const still = await store.get(P + 'a');
      assert.equal(still.metadata.uid, created.metadata.uid, 'object survives failed deletes');
    });

    it('delete returns the deleted object; the key is then gone', tc, async () => {
      const P = prefixFor('delete');
      const created = await store.create(P + 'a', backend('a', { keep: 'me' }));
      const deleted = await store.delete(P + 'a', { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion });
      assert.equal(deleted.metadata.name, 'a');
      assert.equal(deleted.metadata.uid, created.metadata.uid);
      assert.deepEqual(deleted.spec, created.spec);
      assert.ok(rv(deleted) >= rv(created));
      assert.ok((await store.currentRevision()) > rv(created), 'a delete consumes a revision');
      await expectCode(store.get(P + 'a'), 'NotFound', 'get after delete');
      await expectCode(store.delete(P + 'a'), 'NotFound', 'second delete');
      // The key can be created again, as a new object.
      const again = await store.create(P + 'a', backend('a'));
      assert.ok(rv(again) > rv(deleted));
      assert.notEqual(again.metadata.uid, created.metadata.uid);
    });

    it('two concurrent deletes of one key: exactly one returns the object, the other is NotFound', tc, async () => {
      const P = prefixFor('delete-race');
      for (let i = 0; i < 8; i++) {
        const created = await store.create(`${P}k${i}`, backend(`k${i}`));
        // both read the live object before either deletes it (the same tick), as two DELETE requests do
        const results = await Promise.allSettled([store.delete(`${P}k${i}`), store.delete(`${P}k${i}`)]);
        const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<KObject>[];
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        assert.equal(ok.length, 1, `round ${i}: one delete wins, got ${JSON.stringify(results.map((r) => r.status))}`);
        assert.equal(ok[0].value.metadata.uid, created.metadata.uid);
        assert.equal(failed.length, 1);
        const e = failed[0].reason;
        assert.ok(e instanceof StorageError && e.code === 'NotFound', `round ${i}: the loser gets NotFound, got ${String(e)}`);
      }
      // positive control: a lone delete of a live key still succeeds
      const lone = await store.create(`${P}lone`, backend('lone'));
      assert.equal((await store.delete(`${P}lone`)).metadata.uid, lone.metadata.uid);
    });

    // ----- revisions and concurrency -------------------------------------------------------------

    it('resourceVersions strictly increase across keys and prefixes', tc, async () => {
      const P1 = prefixFor('mono1');
      const P2 = prefixFor('mono2');
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) {
        const p = i % 2 ? P1 : P2;
        seen.push(rv(await store.create(`${p}k${i}`, backend(`k${i}`))));
        if (i % 3 === 0) {
          seen.push(rv((await store.guaranteedUpdate(`${p}k${i}`, undefined, (cur) => ({ ...cur, spec: { ...spec(cur), i } }))).object));
        }
      }
      seen.push(rv(await store.delete(`${P1}k1`)));
      const del = await store.currentRevision();
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `revisions must increase: ${seen.join(' ')}`);
      assert.ok(del >= seen[seen.length - 1]);
      const next = rv(await store.create(`${P2}after`, backend('after')));
      assert.ok(next > del, 'a write after a delete gets a higher revision than the delete');
    });

    it('64 concurrent creates of distinct keys all succeed with distinct resourceVersions', tc, async () => {
      const P = prefixFor('par64');
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => store.create(`${P}o${pad(i)}`, backend(`o${pad(i)}`, { i }))));
      const rvs = results.map(rv);
      assert.equal(new Set(rvs).size, 64, 'distinct resourceVersions');
      const list = await store.list(P);
      assert.equal(list.items.length, 64);
      for (const item of list.items) {
        const i = spec(item).i as number;
        assert.equal(item.metadata.name, `o${pad(i)}`);
        assert.equal(item.metadata.resourceVersion, results[i].metadata.resourceVersion);
      }
      assert.ok(Number(list.resourceVersion) >= Math.max(...rvs));
    });

    it('64 concurrent creates of the same key: exactly one succeeds, 63 get AlreadyExists', tc, async () => {
      const P = prefixFor('same64');
      const objs = Array.from({ length: 64 }, (_, i) => backend('x', { writer: i }));
      const settled = await Promise.allSettled(objs.map((o) => store.create(P + 'x', o)));
      const ok = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ i, obj: s.value }] : []));
      const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
      assert.equal(ok.length, 1, `exactly one create wins, got ${ok.length}`);
      assert.equal(failed.length, 63);
      for (const e of failed) {
        assert.ok(e instanceof StorageError && e.code === 'AlreadyExists', `loser must get AlreadyExists, got ${String(e)}`);
      }
      const stored = await store.get(P + 'x');
      assert.equal(stored.metadata.uid, objs[ok[0].i].metadata.uid, 'the stored object is the winner');
      assert.equal(stored.metadata.resourceVersion, ok[0].obj.metadata.resourceVersion);
    });

    // ----- list --------------------------------------------------------------------------------

    it('list pages through 250 objects at one pinned revision while writes continue', tc, async () => {
      const P = prefixFor('paging');
      const N = 250;
      const LIMIT = 17;
      await pool(N, 16, (i) => store.create(`${P}obj-${pad(i)}`, backend(`obj-${pad(i)}`, { gen: 0 })));
      const expected = Array.from({ length: N }, (_, i) => `obj-${pad(i)}`);

      let writes = 0;
      let lateCreated = 0;
      const deletedNames = new Set<string>();
      const writer = async (step: number) => {
        // three writes per step: a late create that sorts among the listed keys, an update, a delete
        // (updated objects have even indexes, deleted ones odd, so an update never meets a deleted key)
        const k = (step * 37) % N;
        await store.create(`${P}obj-${pad(k)}-late-${step}`, backend(`obj-${pad(k)}-late-${step}`, { gen: 0 }));
        lateCreated++;
        await store.guaranteedUpdate(`${P}obj-${pad((step * 74) % N)}`, undefined, (cur) => ({ ...cur, spec: { ...spec(cur), gen: step + 1 } }));
        const victim = `obj-${pad((step * 106 + 1) % N)}`;
        if (!deletedNames.has(victim)) {
          deletedNames.add(victim);
          await store.delete(P + victim);
        }
        writes += 3;
      };

      const first = await store.list(P, { limit: LIMIT });
      const pinned = Number(first.resourceVersion);
      const pages: ListResult[] = [first];
      let cont = first.continue;
      let step = 0;
      while (cont) {
        const [page] = await Promise.all([store.list(P, { limit: LIMIT, continue: cont }), writer(step++)]);
        pages.push(page);
        cont = page.continue;
        assert.ok(pages.length <= Math.ceil(N / LIMIT) + 1, 'too many pages');
      }
      assert.ok(writes >= 30, `writes happened while paging (${writes})`);

      const names = pages.flatMap((p) => p.items.map((o) => o.metadata.name!));
      assert.equal(new Set(names).size, names.length, 'no duplicates across pages');
      assert.deepEqual(names, expected, 'exactly the objects at the pinned revision, in key order, no gaps');
      let seen = 0;
      for (const [i, page] of pages.entries()) {
        assert.equal(page.resourceVersion, String(pinned), `page ${i} is served at the pinned revision`);
        assert.ok(page.items.length <= LIMIT);
        seen += page.items.length;
        if (page.continue) {
          assert.equal(page.items.length, LIMIT, `non-final page ${i} is full`);
          assert.equal(page.remainingItemCount, N - seen, `remainingItemCount of page ${i}`);
        } else {
          assert.equal(page.remainingItemCount, undefined, 'the last page has no remainingItemCount');
        }
        for (const o of page.items) {
          assert.ok(rv(o) <= pinned, `item ${o.metadata.name} RV ${rv(o)} is at or before the pinned ${pinned}`);
          assert.equal(spec(o).gen, 0, `item ${o.metadata.name} shows its state at the pinned revision`);
        }
      }
      // The latest state does show the concurrent writes.
      const latest = await store.list(P);
      assert.equal(latest.items.length, N + lateCreated - deletedNames.size);
      assert.ok(Number(latest.resourceVersion) > pinned);
    });

    it('remainingItemCount counts what is left after each page', tc, async () => {
      const P = prefixFor('remaining');
      for (let i = 0; i < 10; i++) await store.create(`${P}o${i}`, backend(`o${i}`));
      const { pages, items } = await listAll(store, P, 3);
      assert.deepEqual(
        pages.map((p) => [p.items.length, p.remainingItemCount, !!p.continue]),
        [
          [3, 7, true],
          [3, 4, true],
          [3, 1, true],
          [1, undefined, false],
        ],
      );
      assert.deepEqual(items.map((o) => o.metadata.name), Array.from({ length: 10 }, (_, i) => `o${i}`));
      const exact = await store.list(P, { limit: 10 });
      assert.equal(exact.items.length, 10);
      assert.equal(exact.continue, undefined, 'a limit equal to the count needs no continue');
      assert.equal(exact.remainingItemCount, undefined);
      const all = await store.list(P);
      assert.equal(all.items.length, 10);
      assert.equal(all.continue, undefined);
    });

    it('list with a predicate and a limit fills pages with matching objects only', tc, async () => {
      const P = prefixFor('predicate');
      await pool(40, 8, (i) => store.create(`${P}o${pad(i)}`, backend(`o${pad(i)}`, { i }, { parity: i % 2 ? 'odd' : 'even' })));
      const even = (o: KObject) => o.metadata.labels?.parity === 'even';
      const { pages, items } = await listAll(store, P, 7, { predicate: even });
      assert.deepEqual(items.map((o) => o.metadata.name), Array.from({ length: 20 }, (_, i) => `o${pad(2 * i)}`));
      assert.equal(pages[0].items.length, 7);
      for (const p of pages) {
        assert.ok(p.items.length <= 7);
        assert.equal(p.remainingItemCount, undefined, 'no remainingItemCount with a predicate');
      }
      const pinned = pages[0].resourceVersion;
      for (const p of pages) assert.equal(p.resourceVersion, pinned);

      // Sparse matches: the store keeps reading past many non-matching keys to fill a page.
      const S = prefixFor('sparse');
      await pool(150, 16, (i) => store.create(`${S}o${pad(i)}`, backend(`o${pad(i)}`, { i }, { hit: i % 50 === 7 ? 'y' : 'n' })));
      const hit = (o: KObject) => o.metadata.labels?.hit === 'y';
      const p1 = await store.list(S, { limit: 2, predicate: hit });
      assert.deepEqual(p1.items.map((o) => o.metadata.name), ['o007', 'o057']);
      assert.ok(p1.continue, 'more keys remain after the second match');
      const p2 = await store.list(S, { limit: 2, predicate: hit, continue: p1.continue });
      assert.deepEqual(p2.items.map((o) => o.metadata.name), ['o107']);
      assert.equal(p2.continue, undefined);
      const none = await store.list(S, { predicate: () => false, limit: 5 });
      assert.deepEqual(none.items, []);
      assert.equal(none.continue, undefined);
    });

    it('list at an exact older resourceVersion shows the state at that revision', tc, async () => {
      const P = prefixFor('exact');
      const a1 = await store.create(P + 'a', backend('a', { v: 1 }));
      const b1 = await store.create(P + 'b', backend('b', { v: 1 }));
      const old = b1.metadata.resourceVersion!;
      await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }));
      await store.delete(P + 'b');
      await store.create(P + 'c', backend('c', { v: 1 }));

      const at = await store.list(P, { resourceVersion: old, resourceVersionMatch: 'Exact' });
      assert.equal(at.resourceVersion, old);
      assert.deepEqual(at.items.map((o) => [o.metadata.name, spec(o).v, o.metadata.resourceVersion]), [
        ['a', 1, a1.metadata.resourceVersion],
        ['b', 1, b1.metadata.resourceVersion],
      ]);
      // kube's legacy rule: resourceVersion + limit (no match) pages from exactly that revision.
      const p1 = await store.list(P, { resourceVersion: old, limit: 1 });
      assert.equal(p1.resourceVersion, old);
      assert.deepEqual(p1.items.map((o) => o.metadata.name), ['a']);
      const p2 = await store.list(P, { limit: 1, continue: p1.continue });
      assert.deepEqual(p2.items.map((o) => [o.metadata.name, spec(o).v]), [['b', 1]]);
      assert.equal(p2.continue, undefined);
      // NotOlderThan / plain resourceVersion: at least that fresh, i.e. the latest state here.
      const nt = await store.list(P, { resourceVersion: old, resourceVersionMatch: 'NotOlderThan' });
      assert.deepEqual(nt.items.map((o) => [o.metadata.name, spec(o).v]), [
        ['a', 2],
        ['c', 1],
      ]);
      assert.ok(Number(nt.resourceVersion) >= Number(old));
      const latest = await store.list(P);
      assert.deepEqual(latest.items.map((o) => o.metadata.name), ['a', 'c']);
    });

    it('a resourceVersion in the future fails with TooLargeResourceVersion', tc, async () => {
      const P = prefixFor('future');
      await store.create(P + 'a', backend('a'));
      const future = String((await store.currentRevision()) + 1000);
      await expectCode(store.list(P, { resourceVersion: future }), 'TooLargeResourceVersion', 'list at a future RV');
      await expectCode(store.list(P, { resourceVersion: future, resourceVersionMatch: 'Exact' }), 'TooLargeResourceVersion', 'exact list at a future RV');
      await expectCode(store.list(P, { resourceVersion: future, limit: 5 }), 'TooLargeResourceVersion', 'paged list at a future RV');
      await expectCode(store.list(P, { resourceVersion: 'abc' }), 'InvalidResourceVersion', 'list at a non-numeric RV');
    });

    it('a bad continue token fails with InvalidContinue', tc, async () => {
      const P = prefixFor('badcont');
      for (let i = 0; i < 3; i++) await store.create(`${P}o${i}`, backend(`o${i}`));
      const good = await store.list(P, { limit: 1 });
      assert.ok(good.continue);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const bad: [string, string][] = [
        ['not base64', 'not a token!!'],
        ['not JSON', Buffer.from('{nope').toString('base64url')],
        ['wrong version', b64({ v: 'meta.k8s.io/v0', rv: 5, start: 'o1' })],
        ['no revision', b64({ v: 'meta.k8s.io/v1', start: 'o1' })],
        ['empty start', b64({ v: 'meta.k8s.io/v1', rv: 5, start: '' })],
        ['path traversal', encodeContinue(5, '../../secrets/x')],
        ['absolute start', encodeContinue(5, '/registry/other')],
      ];
      for (const [why, token] of bad) await expectCode(store.list(P, { limit: 1, continue: token }), 'InvalidContinue', `continue token: ${why}`);
      await expectCode(
        store.list(P, { limit: 1, continue: good.continue, resourceVersion: good.resourceVersion }),
        'InvalidContinue',
        'continue together with a resourceVersion',
      );
      const next = await store.list(P, { limit: 1, continue: good.continue });
      assert.deepEqual(next.items.map((o) => o.metadata.name), ['o1'], 'the good token still works');
    });

    // ----- watch -------------------------------------------------------------------------------

    it('watch from an old revision replays ADDED/MODIFIED/DELETED in order, with prevObject', tc, async () => {
      const P = prefixFor('replay');
      const start = await store.currentRevision();
      const a1 = await store.create(P + 'a', backend('a', { v: 1 }));
      const a2 = (await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }))).object;
      const b1 = await store.create(P + 'b', backend('b', { v: 1 }));
      await store.delete(P + 'a');
      const delRev = await store.currentRevision();
      const b2 = (await store.guaranteedUpdate(P + 'b', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }))).object;
      // Writes elsewhere must not show up.
      await store.create(prefixFor('replay-other') + 'x', backend('x'));

      const coll = new Collector();
      const w = store.watch(P, { resourceVersion: String(start) }, coll);
      try {
        await coll.untilCount(5);
        const live = await store.create(P + 'c', backend('c'));
        const evs = await drained(store, P, coll);
        assert.deepEqual(coll.errors, []);
        assert.deepEqual(
          evs.map((e) => [e.type, e.object.metadata.name, e.revision]),
          [
            ['ADDED', 'a', rv(a1)],
            ['MODIFIED', 'a', rv(a2)],
            ['ADDED', 'b', rv(b1)],
            ['DELETED', 'a', delRev],
            ['MODIFIED', 'b', rv(b2)],
            ['ADDED', 'c', rv(live)],
          ],
          `events: ${describeEvents(evs)}`,
        );
        for (const e of evs) {
          if (e.type !== 'DELETED') assert.equal(e.object.metadata.resourceVersion, String(e.revision), `${e.type} ${e.object.metadata.name} object RV is the event revision`);
        }
        const [addA, modA, , delA, modB] = evs;
        assert.equal(addA.prevObject, undefined, 'ADDED has no prevObject');
        assert.deepEqual(addA.object, a1);
        assert.deepEqual(modA.object, a2);
        assert.deepEqual(modA.prevObject, a1, 'MODIFIED carries the previous state');
        assert.equal(delA.object.metadata.resourceVersion, String(delRev), 'DELETED object carries the delete revision');
        assert.deepEqual(delA.object.spec, a2.spec, 'DELETED object is the last state');
        assert.equal(delA.object.metadata.uid, a1.metadata.uid);
        assert.ok(delA.prevObject, 'DELETED carries prevObject');
        assert.deepEqual(delA.prevObject, a2, 'DELETED prevObject is the last stored state with its own RV');
        assert.deepEqual(modB.prevObject, b1);
        for (let i = 1; i < evs.length; i++) assert.ok(evs[i].revision > evs[i - 1].revision);
      } finally {
        w.stop();
      }
    });

    it('watch at resourceVersion "0" sends synthetic ADDED for existing objects, then live events', tc, async () => {
      const P = prefixFor('watch0');
      const existing: KObject[] = [];
      for (const n of ['b', 'a', 'c']) existing.push(await store.create(P + n, backend(n)));
      await store.delete(P + 'c');
      const coll = new Collector();
      const w = store.watch(P, { resourceVersion: '0' }, coll);
      try {
        await coll.untilCount(2);
        const d = await store.create(P + 'd', backend('d'));
        const a2 = (await store.guaranteedUpdate(P + 'a', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }))).object;
        const evs = await drained(store, P, coll);
        assert.deepEqual(coll.errors, []);
        assert.deepEqual(
          evs.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]),
          [
            ['ADDED', 'a', existing[1].metadata.resourceVersion],
            ['ADDED', 'b', existing[0].metadata.resourceVersion],
            ['ADDED', 'd', d.metadata.resourceVersion],
            ['MODIFIED', 'a', a2.metadata.resourceVersion],
          ],
          `events: ${describeEvents(evs)}`,
        );
        assert.deepEqual(evs[3].prevObject, existing[1]);
      } finally {
        w.stop();
      }
      // "" behaves the same way (state, then changes).
      const coll2 = new Collector();
      const w2 = store.watch(P, {}, coll2);
      try {
        await coll2.untilCount(4);
        assert.deepEqual(
          coll2.events.slice(0, 4).map((e) => [e.type, e.object.metadata.name]),
          [
            ['ADDED', 'a'],
            ['ADDED', 'b'],
            ['ADDED', 'd'],
            ['ADDED', coll.events[coll.events.length - 1].object.metadata.name],
          ],
        );
      } finally {
        w2.stop();
      }
    });

    it('a watch with a predicate turns entering/leaving the selection into ADDED/DELETED', tc, async () => {
      const P = prefixFor('watchpred');
      const yes = { sel: 'yes' };
      const no = { sel: 'no' };
      const a = await store.create(P + 'a', backend('a', { v: 1 }, yes));
      await store.create(P + 'b', backend('b', { v: 1 }, no));
      const from = await store.currentRevision();
      const coll = new Collector();
      const w = store.watch(P, { resourceVersion: String(from), predicate: (o) => o.metadata.labels?.sel === 'yes' }, coll);
      const relabel = (key: string, labels: Record<string, string>) =>
        store.guaranteedUpdate(P + key, undefined, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels } }));
      const bump = (key: string, v: number) => store.guaranteedUpdate(P + key, undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v } }));
      try {
        const aLeft = (await relabel('a', no)).object; // leaves → DELETED
        const bIn = (await relabel('b', yes)).object; // enters → ADDED
        const bMod = (await bump('b', 2)).object; // stays → MODIFIED
        await bump('a', 2); // outside, stays outside → nothing
        await store.delete(P + 'b'); // DELETED
        const bDel = await store.currentRevision();
        const evs = await drained(store, P, coll, yes);
        assert.deepEqual(coll.errors, []);
        assert.deepEqual(
          evs.map((e) => [e.type, e.object.metadata.name, e.revision]),
          [
            ['DELETED', 'a', rv(aLeft)],
            ['ADDED', 'b', rv(bIn)],
            ['MODIFIED', 'b', rv(bMod)],
            ['DELETED', 'b', bDel],
          ],
          `events: ${describeEvents(evs)}`,
        );
        const leave = evs[0];
        assert.equal(leave.object.metadata.resourceVersion, String(rv(aLeft)), 'leave-selection DELETED has the revision of the change');
        // kube (etcd3 watcher and cacher) sends the last state that matched, at the new revision.
        assert.deepEqual(leave.object.metadata.labels, yes, 'leave-selection DELETED carries the last matching state');
        assert.equal(leave.object.metadata.uid, a.metadata.uid);
        assert.equal(evs[1].prevObject, undefined, 'entering the selection is an ADDED without prevObject');
      } finally {
        w.stop();
      }
    });

    it('watches are independent: stopping one does not disturb another; no events after stop', tc, async () => {
      const P = prefixFor('watchstop');
      const from = String(await store.currentRevision());
      const c1 = new Collector();
      const c2 = new Collector();
      const w1 = store.watch(P, { resourceVersion: from }, c1);
      const w2 = store.watch(P, { resourceVersion: from }, c2);
      try {
        await store.create(P + 'a', backend('a'));
        await c1.untilCount(1);
        await c2.untilCount(1);
        w1.stop();
        await store.create(P + 'b', backend('b'));
        await drained(store, P, c2);
        await sleep(50);
        assert.deepEqual(c1.events.map((e) => e.object.metadata.name), ['a'], 'a stopped watch delivers nothing more');
        assert.deepEqual(c2.events.slice(0, 2).map((e) => e.object.metadata.name), ['a', 'b']);
      } finally {
        w1.stop();
        w2.stop();
      }
    });

    // ----- compaction --------------------------------------------------------------------------

    it('compaction: reads below it are Expired, at it still work; a watch from below it gets Expired', tc, async () => {
      const P = prefixFor('compact');
      const x1 = await store.create(P + 'x', backend('x', { v: 1 }));
      await store.create(P + 'y', backend('y', { v: 1 }));
      const page1 = await store.list(P, { limit: 1 });
      assert.ok(page1.continue);
      const x2 = (await store.guaranteedUpdate(P + 'x', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 2 } }))).object;
      const x3 = (await store.guaranteedUpdate(P + 'x', undefined, (cur) => ({ ...cur, spec: { ...spec(cur), v: 3 } }))).object;
      const C = rv(x2);

      await store.compact(C);
      assert.equal(await driver.compactedRevision(), C);

      await expectCode(store.list(P, { resourceVersion: String(rv(x1)), resourceVersionMatch: 'Exact' }), 'Expired', 'list below the compacted revision');
      const err = await expectCode(store.list(P, { limit: 1, continue: page1.continue }), 'Expired', 'continue token from before compaction');
      assert.match(err.message, /continue/);

      const atC = await store.list(P, { resourceVersion: String(C), resourceVersionMatch: 'Exact' });
      assert.equal(atC.resourceVersion, String(C));
      assert.deepEqual(atC.items.map((o) => [o.metadata.name, spec(o).v]), [
        ['x', 2],
        ['y', 1],
      ]);
      const latest = await store.list(P);
      assert.deepEqual(latest.items.map((o) => [o.metadata.name, spec(o).v]), [
        ['x', 3],
        ['y', 1],
      ]);

      const expired = new Collector();
      const w = store.watch(P, { resourceVersion: String(rv(x1)) }, expired);
      try {
        await expired.until(() => expired.errors.length > 0, 'onError');
        assert.equal(expired.events.length, 0, 'no events before the Expired error');
        const e = expired.errors[0];
        assert.ok(e instanceof StorageError && e.code === 'Expired', `watch from a compacted revision: expected Expired, got ${String(e)}`);
      } finally {
        w.stop();
      }

      // Watching from the compacted revision itself works: the change after it is delivered.
      const ok = new Collector();
      const w2 = store.watch(P, { resourceVersion: String(C) }, ok);
      try {
        const evs = await drained(store, P, ok);
        assert.deepEqual(ok.errors, []);
        assert.deepEqual(evs.map((e) => [e.type, e.object.metadata.name, e.revision]), [['MODIFIED', 'x', rv(x3)]]);
      } finally {
        w2.stop();
      }
      // Compacting again at or below the compacted revision is harmless.
      await store.compact(C);
      assert.equal(await driver.compactedRevision(), C);
    });

    // ----- restart -----------------------------------------------------------------------------

    it('a watch resumes across a storage restart without losing or repeating events', tc, async (t) => {
      if (!sut?.restart) {
        t.skip('this store has no restart');
        return;
      }
      const P = prefixFor('restart');
      const from = await store.currentRevision();
      const coll = new Collector();
      const oldStore = store;
      let w = store.watch(P, { resourceVersion: String(from) }, coll);
      const acked: { name: string; type: string; revision: number }[] = [];
      let writerErr: unknown;
      let stopWriter = false;
      let writer: Promise<void> = Promise.resolve();
      let lastAckAt = 0;
      try {
        for (let i = 0; i < 10; i++) {
          const o = await store.create(`${P}pre-${pad(i)}`, backend(`pre-${pad(i)}`, { i }));
          acked.push({ name: `pre-${pad(i)}`, type: 'ADDED', revision: rv(o) });
        }
        await coll.untilCount(10);

        // One writer keeps creating (sequentially, retrying while the store is away) through the
        // restart: a write in flight at the kill may or may not have applied; its retry must not
        // duplicate it, and whatever was acknowledged must be seen exactly once.
        writer = (async () => {
          for (let i = 0; !stopWriter && i < 500; i++) {
            const name = `mid-${pad(i)}`;
            // one object (one uid) for every retry: a create whose reply was lost at the kill is
            // recognised by its uid and bytes; a fresh uid per retry would read as AlreadyExists
            const obj = backend(name, { i });
            const o = await retrying(() => store.create(P + name, structuredClone(obj)));
            acked.push({ name, type: 'ADDED', revision: rv(o) });
            lastAckAt = Date.now();
            await sleep(5);
          }
        })().catch((err) => void (writerErr = err));
        await sleep(100);

        const restarted = await sut.restart();
        const backAt = Date.now();
        store = restarted.store;
        driver = restarted.driver;
        if (store !== oldStore) {
          // A new store instance: the old watch died with it. Resume from the last delivered
          // event, as a reflector would.
          w.stop();
          const last = coll.events[coll.events.length - 1].revision;
          w = store.watch(P, { resourceVersion: String(last) }, coll);
        }
        const ackedAtRestart = acked.length;
        // The writer must be writing again soon after the store is back.
        const deadline = Date.now() + 20_000;
        while (acked.length <= ackedAtRestart && Date.now() < deadline && !writerErr) await sleep(5);
        if (acked.length > ackedAtRestart) t.diagnostic(`first write acknowledged ${lastAckAt - backAt} ms after the store was back`);
        await sleep(300);
        stopWriter = true;
        await writer;
        assert.equal(writerErr, undefined, `writer failed: ${String(writerErr)}`);
        assert.ok(acked.length > ackedAtRestart, 'writes succeed after the restart');

        // More writes after the restart, of every kind.
        for (let i = 0; i < 5; i++) {
          const name = `post-${pad(i)}`;
          const obj = backend(name, { i });
          const o = await retrying(() => store.create(P + name, structuredClone(obj)));
          acked.push({ name, type: 'ADDED', revision: rv(o) });
        }
        const upd = await retrying(() => store.guaranteedUpdate(`${P}pre-000`, undefined, (cur) => ({ ...cur, spec: { ...spec(cur), i: -1 } })));
        acked.push({ name: 'pre-000', type: 'MODIFIED', revision: rv(upd.object) });
        await retrying(() => store.delete(`${P}pre-001`));
        acked.push({ name: 'pre-001', type: 'DELETED', revision: await store.currentRevision() });

        const evs = await drained(store, P, coll);
        assert.deepEqual(coll.errors, [], 'the watch must survive the restart without an error');
        assert.deepEqual(
          evs.map((e) => ({ name: e.object.metadata.name, type: e.type, revision: e.revision })),
          acked,
          `every acknowledged write exactly once, in order; got: ${describeEvents(evs)}`,
        );
        const listed = await store.list(P);
        const names = new Set(listed.items.map((o) => o.metadata.name));
        for (const a of acked) if (a.type === 'ADDED' && a.name !== 'pre-001') assert.ok(names.has(a.name), `${a.name} is stored`);
      } finally {
        stopWriter = true;
        await writer;
        w.stop();
      }
    });
  });
}
