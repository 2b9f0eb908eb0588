// The Cacher over a scripted store: list + watch from one revision, events applied to the keyed
// state (the state's previous object becomes the event's prevObject), freshness waits answered by
// events or by confirmed progress notifications, a lost store watch (relist, storage meanwhile).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../apis/meta/v1/types';
import type { ListOptions, ListResult, ObjectEvent, Store, StoreWatch, WatchHandler, WatchOptions } from '../../storage/interface';
import { Cacher, type CacheWatcher } from './cacher';
import type { CachedEvent } from './event';

const P = '/registry/x/things/';
const obj = (name: string, rv: number, extra: Record<string, unknown> = {}): KObject =>
  ({ apiVersion: 'x/v1', kind: 'Thing', metadata: { name, resourceVersion: String(rv) }, ...extra }) as KObject;

class ScriptedStore {
  items: KObject[] = [];
  revision = 0;
  lists = 0;
  progressRequests = 0;
  /** whether the watch can promise a progress notification now */
  canTellProgress = true;
  handler?: WatchHandler;
  watchFrom?: string;

  asStore(): Store {
    return {
      list: async (prefix: string, _opts?: ListOptions): Promise<ListResult> => {
        assert.equal(prefix, P);
        this.lists++;
        return { items: this.items.map((o) => structuredClone(o)), resourceVersion: String(this.revision) };
      },
      watch: (_prefix: string, opts: WatchOptions, handler: WatchHandler): StoreWatch => {
        this.handler = handler;
        this.watchFrom = opts.resourceVersion;
        return { stop: () => undefined, requestProgress: () => (this.canTellProgress ? (this.progressRequests++, true) : false) };
      },
      currentRevision: async () => this.revision,
    } as unknown as Store;
  }

  emit(ev: ObjectEvent): void {
    this.revision = Math.max(this.revision, ev.revision);
    this.handler!.onEvent(ev);
  }
}

const flush = () => new Promise((r) => setImmediate(r));

describe('Cacher', () => {
  it('starts from a list and watches from its revision; events keep the state; prevObject is the cached one', async () => {
    const s = new ScriptedStore();
    s.items = [obj('b', 4), obj('a', 3)];
    s.revision = 10;
    const c = new Cacher(s.asStore(), P);
    await c.start();
    assert.equal(s.watchFrom, '10');
    assert.equal(c.latestRevision, 10);
    const a0 = c.objectFor(P + 'a')!;
    assert.ok(Object.isFrozen(a0));
    const seen: CachedEvent[] = [];
    const w: CacheWatcher = { deliver: (ev) => (seen.push(ev), true), progress: () => undefined, terminate: () => undefined };
    assert.ok(c.watch(10, w));
    s.emit({ type: 'MODIFIED', object: obj('a', 11, { spec: 1 }), prevObject: obj('a', 3), revision: 11 });
    s.emit({ type: 'ADDED', object: obj('c', 12), revision: 12 });
    s.emit({ type: 'DELETED', object: obj('b', 13), prevObject: obj('b', 4), revision: 13 });
    assert.equal(seen[0].prevObject, a0, 'the previous state is shared, not a second decoded copy');
    assert.equal(seen[0].object, c.objectFor(P + 'a'), 'the event object is the state object');
    const l = await c.list({ kind: 'any' });
    assert.deepEqual(l!.items.map((o) => o.metadata.name), ['a', 'c']);
    assert.equal(l!.revision, 13);
    c.stop();
  });

  it('a consistent list waits for events up to the store revision', async () => {
    const s = new ScriptedStore();
    s.revision = 5;
    const c = new Cacher(s.asStore(), P);
    await c.start();
    s.revision = 7; // written, event not yet delivered
    const p = c.list({ kind: 'consistent' });
    await flush();
    s.emit({ type: 'ADDED', object: obj('x', 7), revision: 7 });
    const l = await p;
    assert.deepEqual(l!.items.map((o) => o.metadata.name), ['x']);
    assert.equal(l!.revision, 7);
    c.stop();
  });

  it('a quiet resource: progress is requested and trusted once confirmed by a later notification', async () => {
    const s = new ScriptedStore();
    s.revision = 5;
    const c = new Cacher(s.asStore(), P, { progressRequestEveryMs: 60_000 });
    await c.start();
    s.revision = 9; // writes elsewhere
    const p = c.list({ kind: 'consistent' });
    await flush();
    assert.equal(s.progressRequests, 1, 'asked at once');
    s.handler!.onProgress!(9);
    assert.equal(s.progressRequests, 2, 'the first answer is not trusted alone: asked again at once');
    assert.equal(c.latestRevision, 5);
    s.handler!.onProgress!(9);
    const l = await p;
    assert.equal(l?.revision, 9);
    c.stop();
  });

  it('a store that cannot tell progress now: a consistent list goes to storage at once', async () => {
    const s = new ScriptedStore();
    s.revision = 5;
    s.canTellProgress = false;
    const c = new Cacher(s.asStore(), P);
    await c.start();
    assert.ok(await c.list({ kind: 'consistent' }), 'already at the store revision: served');
    s.revision = 6;
    assert.equal(await c.list({ kind: 'consistent' }), undefined);
    s.canTellProgress = true;
    const p = c.list({ kind: 'consistent' });
    await flush();
    s.emit({ type: 'ADDED', object: obj('y', 6), revision: 6 });
    assert.equal((await p)?.revision, 6);
    c.stop();
  });

  it('gives up (storage answers) when the cache cannot get fresh in time, and when stopped', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const s = new ScriptedStore();
    s.revision = 5;
    const c = new Cacher(s.asStore(), P, { freshnessTimeoutMs: 3000 });
    await c.start();
    s.revision = 8;
    const p = c.list({ kind: 'consistent' });
    await flush();
    t.mock.timers.tick(3000);
    assert.equal(await p, undefined);
    const q = c.list({ kind: 'atLeast', revision: 8 });
    await flush();
    c.stop();
    assert.equal(await q, undefined);
  });

  it('a lost store watch: lists go to storage until the cache has relisted', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const s = new ScriptedStore();
    s.items = [obj('a', 2)];
    s.revision = 2;
    const c = new Cacher(s.asStore(), P, { restartDelayMs: 250 });
    await c.start();
    let terminated = 0;
    c.watch(2, { deliver: () => true, progress: () => undefined, terminate: () => void terminated++ });
    s.handler!.onError(new Error('compacted'));
    assert.equal(terminated, 1, 'watchers are told to re-watch');
    assert.equal(c.isSynced, false);
    assert.equal(await c.list({ kind: 'any' }), undefined);
    assert.equal(c.objectFor(P + 'a'), undefined, 'updates read storage meanwhile');
    s.items = [obj('a', 2), obj('b', 30)];
    s.revision = 30;
    t.mock.timers.tick(250);
    await flush();
    assert.equal(s.lists, 2);
    assert.equal(s.watchFrom, '30');
    const l = await c.list({ kind: 'any' });
    assert.deepEqual(l!.items.map((o) => o.metadata.name), ['a', 'b']);
    c.stop();
  });

  it('while it relists, no watcher registers (the events between its revision and the relist are in no window); waitReady waits for it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const s = new ScriptedStore();
    s.revision = 2;
    const c = new Cacher(s.asStore(), P, { restartDelayMs: 250 });
    await c.start();
    const w: CacheWatcher = { deliver: () => true, progress: () => undefined, terminate: () => undefined };
    assert.equal(c.watch(2, w), true, 'positive control: a synced cache takes the watcher');
    c.unwatch(w);
    s.handler!.onError(new Error('watch broken'));
    assert.equal(c.watch(2, w), false, 'not synced: the caller reads store history');
    assert.equal(c.watcherCount, 0);
    let ready: boolean | undefined;
    void c.waitReady(10_000).then((ok) => (ready = ok));
    const timedOut = c.waitReady(100);
    t.mock.timers.tick(100);
    assert.equal(await timedOut, false, 'a bounded wait gives up');
    s.items = [obj('z', 40)];
    s.revision = 40; // written meanwhile: 3..40 are in no window
    t.mock.timers.tick(150);
    await flush();
    assert.equal(ready, true, 'woken by the relist');
    assert.equal(c.watch(2, w), false, 'a revision before the relist is too old for the window');
    assert.equal(c.watch(40, w), true);
    c.stop();
  });

  it('waitUntilFresh waits for a future revision (with progress requests) and gives up after its timeout', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const s = new ScriptedStore();
    s.revision = 5;
    const c = new Cacher(s.asStore(), P, { progressRequestEveryMs: 60_000 });
    await c.start();
    assert.equal(await c.waitUntilFresh(5, 3000), true, 'already there');
    const p = c.waitUntilFresh(100, 3000);
    await flush();
    assert.ok(s.progressRequests >= 1, 'the store is asked how far it is');
    s.emit({ type: 'ADDED', object: obj('a', 6), revision: 6 });
    t.mock.timers.tick(3000);
    assert.equal(await p, false, 'revision 100 never came');
    const q = c.waitUntilFresh(7, 3000);
    await flush();
    s.emit({ type: 'ADDED', object: obj('b', 7), revision: 7 });
    assert.equal(await q, true);
    assert.deepEqual(c.snapshot()!.items.map((o) => o.metadata.name), ['a', 'b']);
    assert.equal(c.snapshot()!.revision, 7);
    c.stop();
  });

  it('the event window is bounded by bytes: big events push old ones out and move the too-old line', async () => {
    const s = new ScriptedStore();
    s.revision = 1;
    const c = new Cacher(s.asStore(), P, { maxBytes: 100_000 });
    await c.start();
    const big = 'x'.repeat(20_000);
    for (let i = 2; i <= 6; i++) s.emit({ type: 'MODIFIED', object: obj('a', i, { spec: { big } }), revision: i });
    assert.ok(c.windowBytes <= 100_000, `window ${c.windowBytes} bytes`);
    const w: CacheWatcher = { deliver: () => true, progress: () => undefined, terminate: () => undefined };
    assert.equal(c.watch(1, w), false, 'the first events were pushed out: revision 1 is too old for the window');
    assert.equal(c.watch(5, w), true, 'positive control: a recent revision is still served from memory');
    c.stop();
  });
});
