// The controller's event handling with fake informers, a fake status sink and an injected clock:
// a burst is one reconcile; status-only and heartbeat events rebuild nothing; the controller's own
// status writes coming back as events cause no further writes (no loop); a spec change re-translates
// one Backend and publishes one snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import { canonicalJSON } from '../util/canonical_json';
import { createLogger } from '../log/logger';
import type { Snapshot } from '../proxy/ir';
import { Controller } from './controller';
import type { Kind } from './changes';
import type { ResilientInformer } from './informer';
import type { StatusSink, StatusTarget } from './status_writer';
import { WorldGen } from './testing/world';
import { FakeClock } from './testing/fake_clock';

class FakeInformer implements ResilientInformer<KubernetesObject> {
  objects = new Map<string, KubernetesObject>();
  list = () => [...this.objects.values()];
  get = (n: string) => this.objects.get(n);
  synced = () => true;
  stop = () => undefined;
}

/** records the writes a real writer would make (status differs), and can apply them like the apiserver */
class FakeSink implements StatusSink {
  queued = new Map<string, { target: StatusTarget; status: unknown }>();
  writes = 0;
  ensured = 0;
  ensure(target: StatusTarget, current: unknown, desired: unknown) {
    this.ensured++;
    const ok = canonicalJSON(current ?? null) === canonicalJSON(desired ?? null);
    if (ok) this.queued.delete(`${target.plural}/${target.name}`);
    else this.queued.set(`${target.plural}/${target.name}`, { target, status: desired });
    return ok;
  }
  get pending() {
    return this.queued.size;
  }
  stop() {}
}

function setup() {
  const g = new WorldGen(5);
  const w = g.world(300, 10);
  const clock = new FakeClock();
  const snapshots: Snapshot[] = [];
  const c = new Controller({ kubeconfig: '', log: createLogger({ silent: true }), proxyHost: '127.0.0.1', onSnapshot: (s) => snapshots.push(s), now: () => 'T', debounce: { clock } });
  const informers = new Map<Kind, FakeInformer>();
  const lists: Record<Kind, KubernetesObject[]> = { backends: w.backends as never, httproutes: w.routes as never, grpcroutes: [], secrets: [], gateways: w.gateways as never, gatewayclasses: w.gatewayClasses as never };
  for (const [kind, objs] of Object.entries(lists) as Array<[Kind, KubernetesObject[]]>) {
    const inf = new FakeInformer();
    for (const o of objs) inf.objects.set(o.metadata!.name!, o);
    informers.set(kind, inf);
  }
  const sink = new FakeSink();
  c.attach(informers as never, sink);
  /** an update through the "apiserver": new resourceVersion, the informer event */
  const update = (kind: Kind, name: string, change: (o: KubernetesObject & { status?: unknown }) => void) => {
    const inf = informers.get(kind)!;
    const next = g.bump(inf.objects.get(name)! as KubernetesObject & { metadata: object }, change);
    inf.objects.set(name, next);
    c.onEvent(kind, 'update', next);
  };
  /** the sink's queued status writes land (each comes back as an update event) */
  const landWrites = () => {
    const q = [...sink.queued.values()];
    sink.queued.clear();
    for (const { target, status } of q) {
      sink.writes++;
      update(target.plural as Kind, target.name, (o) => void (o.status = structuredClone(status)));
    }
    return q.length;
  };
  // the informers' initial sync
  for (const [kind, inf] of informers) for (const o of inf.list()) c.onEvent(kind, 'add', o);
  c.schedule();
  return { c, clock, snapshots, sink, update, landWrites, w };
}

test('initial sync: one reconcile, one snapshot, every status written once; the writes coming back cause nothing', () => {
  const { c, clock, snapshots, sink, landWrites } = setup();
  assert.equal(snapshots.length, 0, 'nothing before the quiet period');
  clock.advance(50);
  assert.equal(c.reconciles, 1);
  assert.equal(snapshots.length, 1);
  assert.equal(sink.pending, 300 + 10 + 1 + 1);
  assert.equal(landWrites(), 312);
  clock.advance(1000);
  assert.equal(c.stats.full, 1, 'status events rebuild nothing');
  assert.equal(c.stats.statusOnly, 1, 'one coalesced status recheck');
  assert.equal(sink.pending, 0, 'own writes: already right, nothing more to write (no loop)');
  assert.equal(snapshots.length, 1);
});

test('a burst of heartbeats and foreign status writes: no snapshot rebuild; the foreign statuses are put right', () => {
  const { c, clock, snapshots, sink, update, landWrites } = setup();
  clock.advance(50);
  landWrites();
  clock.advance(1000);
  const full = c.stats.full;
  for (let i = 0; i < 1000; i++) update('backends', `b${i % 300}`, (o) => void ((o.metadata!.annotations ??= {})['switchyard.dev/edge-heartbeat'] = String(i)));
  for (let i = 0; i < 5; i++) update('backends', `b${i}`, (o) => void (o.status = { conditions: [] }));
  clock.advance(1000);
  assert.equal(c.stats.full, full, 'no full pass');
  assert.equal(snapshots.length, 1);
  assert.equal(sink.pending, 5, 'the 5 overwritten statuses are rewritten, nothing else');
  landWrites();
  clock.advance(1000);
  assert.equal(sink.pending, 0);
});

test('spec changes: a burst is one full pass that re-translates only the changed Backends', () => {
  const { c, clock, snapshots, update, landWrites } = setup();
  clock.advance(50);
  landWrites();
  clock.advance(1000);
  const reconciles = c.reconciles;
  for (let i = 0; i < 20; i++) {
    update('backends', `b${i}`, (o) => void ((o as Backend).spec = { endpoints: [{ ip: '10.7.7.7', port: 7000 + i }] }));
    clock.advance(5);
  }
  clock.advance(50);
  assert.equal(c.reconciles, reconciles + 1, 'one reconcile for the burst');
  assert.equal(snapshots.length, 2);
  assert.equal(snapshots[1]!.generation, 2);
  assert.equal(snapshots[1]!.backends['b3']!.endpoints[0]!.port, 7003);
  assert.equal(snapshots[1]!.backends['b200'], snapshots[0]!.backends['b200'], 'unchanged Backends keep their IR');
});

test('a steady stream of spec changes still reconciles every maxWait (200 ms)', () => {
  const { c, clock, update } = setup();
  clock.advance(50);
  const start = c.stats.full;
  for (let t = 0; t < 1000; t += 10) {
    update('backends', `b${t % 300}`, (o) => void ((o as Backend).spec = { endpoints: [{ ip: '10.7.7.8', port: 1 + t }] }));
    clock.advance(10);
  }
  assert.equal(c.stats.full - start, 5);
});

test('schedule() after every snapshot (the proxy listener callback) rechecks no Backend whose status is known right', () => {
  const { c, clock, snapshots, sink, landWrites } = setup();
  clock.advance(50);
  landWrites();
  clock.advance(1000);
  const ensured = sink.ensured;
  c.schedule();
  clock.advance(50);
  assert.equal(snapshots.length, 1, 'nothing changed: nothing published');
  assert.equal(sink.ensured - ensured, 10 + 1 + 1, 'routes, gateway and class only');
  assert.equal(sink.pending, 0);
});

test('schedule() before the informers are attached (a leader elected during start) publishes nothing and does not throw', () => {
  const clock = new FakeClock();
  const snapshots: Snapshot[] = [];
  const c = new Controller({ kubeconfig: '', log: createLogger({ silent: true }), proxyHost: '127.0.0.1', onSnapshot: (s) => snapshots.push(s), debounce: { clock } });
  c.schedule();
  clock.advance(1000);
  assert.equal(snapshots.length, 0);
  assert.equal(c.synced(), false);
});

test('one route changed among many: the full pass recomputes that route status only (and the Gateway and class), not every route', () => {
  const { c, clock, snapshots, sink, update, landWrites } = setup();
  clock.advance(50);
  landWrites();
  clock.advance(1000);
  const ensured = sink.ensured;
  const full = c.stats.full;
  update('httproutes', 'r3', (o) => void ((o as { spec: { hostnames: string[] } }).spec.hostnames = ['changed.example.com']));
  clock.advance(50);
  assert.equal(c.stats.full, full + 1, 'a full pass');
  assert.equal(snapshots.length, 2, 'the changed route is published');
  assert.ok(snapshots[1]!.rules.some((r) => r.route === 'r3' && r.hostnames.includes('changed.example.com')));
  assert.equal(sink.ensured - ensured, 1 + 1 + 1, 'r3, the Gateway and the class; the 9 unchanged routes are skipped');
  // a relist (schedule) still rechecks every route
  const before = sink.ensured;
  c.schedule();
  clock.advance(50);
  assert.equal(sink.ensured - before, 10 + 1 + 1);
});
