// Change detection: exactly the parts translate reads make an event a 'translate' change; status,
// heartbeats, other labels and resyncs do not — and whatever is not 'translate' leaves the snapshot
// unchanged (checked against translate itself over random edits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';
import { canonicalJSON } from '../util/canonical_json';
import { ChangeTracker, translateKey } from './changes';
import { translate } from './translate';
import { WorldGen } from './testing/world';

const backend = (rv: string, more: Partial<Backend['metadata']> = {}, spec: Backend['spec'] = { endpoints: [{ ip: '10.0.0.1', port: 80 }] }): Backend => ({
  metadata: { name: 'b', uid: 'u1', resourceVersion: rv, generation: 1, ...more },
  spec,
});

test('backend events: only spec and the labels/annotations translate reads are translate changes', () => {
  const t = new ChangeTracker('backends');
  assert.equal(t.observe('add', backend('1')), 'translate');
  assert.equal(t.observe('update', backend('1')), 'ignore', 'same resourceVersion: a resync');
  assert.equal(t.observe('update', { ...backend('2'), status: { conditions: [] } }), 'status');
  assert.equal(t.observe('update', backend('3', { annotations: { 'switchyard.dev/edge-heartbeat': 'now' } })), 'status', 'heartbeat annotation');
  assert.equal(t.observe('update', backend('4', { labels: { team: 'x' }, managedFields: [] })), 'status', 'a label translate does not read');
  assert.equal(t.observe('update', backend('5', { generation: 2 })), 'status', 'generation: the status says observedGeneration');
  assert.equal(t.observe('update', backend('6', { labels: { region: 'eu' } })), 'translate');
  assert.equal(t.observe('update', backend('7', { labels: { region: 'eu', app: 'a' } })), 'translate');
  assert.equal(t.observe('update', backend('8', { labels: { region: 'eu', app: 'a', 'switchyard.dev/facade': 'edgeproxy' } })), 'translate');
  assert.equal(t.observe('update', backend('9', { labels: { region: 'eu', app: 'a', 'switchyard.dev/facade': 'edgeproxy' }, annotations: { 'switchyard.dev/edge-expired': 'x' } })), 'translate');
  assert.equal(t.observe('update', backend('10', { labels: { region: 'eu', app: 'a', 'switchyard.dev/facade': 'edgeproxy' }, annotations: { 'switchyard.dev/edge-expired': 'x' } }, { endpoints: [{ ip: '10.0.0.2', port: 80 }] })), 'translate');
  assert.equal(t.observe('delete', backend('10')), 'translate');
  assert.equal(t.size, 0);
});

test('breaker annotations are read by translate; the key ignores key order', () => {
  const a = backend('1', { annotations: { 'switchyard.dev/circuit-breaker-failure-window': '60s' } });
  assert.notEqual(translateKey('backends', a), translateKey('backends', backend('1')));
  const x = backend('1', {}, { endpoints: [{ ip: '10.0.0.1', port: 80 }], loadBalancer: { algorithm: 'random', slots: 5 } });
  const y = backend('1', {}, { loadBalancer: { slots: 5, algorithm: 'random' }, endpoints: [{ port: 80, ip: '10.0.0.1' }] });
  assert.equal(translateKey('backends', x), translateKey('backends', y));
});

test('route events: spec, creationTimestamp and the behaviour annotations are translate changes', () => {
  const route = (rv: string, ann?: Record<string, string>, created = 'T1'): HTTPRoute => ({
    metadata: { name: 'r', resourceVersion: rv, creationTimestamp: created, ...(ann ? { annotations: ann } : {}) },
    spec: { rules: [{ backendRefs: [{ name: 'b' }] }] },
  });
  const t = new ChangeTracker('httproutes');
  t.observe('add', route('1'));
  assert.equal(t.observe('update', route('2', { 'kubectl.kubernetes.io/last-applied-configuration': '{}' })), 'status');
  for (const [i, k] of ['switchyard.dev/websocket', 'switchyard.dev/response-headers', 'switchyard.dev/retry-idempotent-only', 'switchyard.dev/balance', 'switchyard.dev/edge-app'].entries()) {
    assert.equal(t.observe('update', route(String(10 + 2 * i), { [k]: 'v' })), 'translate', k);
    assert.equal(t.observe('update', route(String(11 + 2 * i))), 'translate', `${k} removed`);
  }
  assert.equal(t.observe('update', route('30', undefined, 'T2')), 'translate', 'creationTimestamp orders rules');
});

test('whatever is not a translate change leaves the snapshot byte-for-byte the same', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const g = new WorldGen(seed);
    const w = g.world(40, 10);
    const trackers = { backends: new ChangeTracker('backends'), httproutes: new ChangeTracker('httproutes'), gateways: new ChangeTracker('gateways'), gatewayclasses: new ChangeTracker('gatewayclasses') };
    const observeAll = () => {
      let translateChange = false;
      const seen = new Map<string, Set<string>>();
      for (const [kind, list] of [['backends', w.backends], ['httproutes', w.routes], ['gateways', w.gateways], ['gatewayclasses', w.gatewayClasses]] as const) {
        const names = new Set<string>();
        for (const o of list) {
          names.add(o.metadata.name!);
          if (trackers[kind].observe('update', o) === 'translate') translateChange = true;
        }
        seen.set(kind, names);
      }
      return translateChange;
    };
    const snap = () => canonicalJSON(translate({ ...w, proxyHost: '127.0.0.1', now: 'T', preferRegion: 'eu' }).snapshot);
    observeAll();
    let before = snap();
    for (let i = 0; i < 60; i++) {
      const op = g.mutate(w);
      const sizes = [w.backends.length, w.routes.length];
      const changed = observeAll() || op === 'delete' || op === 'route-delete';
      const after = snap();
      if (!changed) assert.equal(after, before, `seed ${seed} step ${i}: ${op} was classified as not changing the snapshot`);
      before = after;
      void sizes;
    }
  }
});
