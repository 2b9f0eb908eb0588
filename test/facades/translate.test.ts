// The translate additions the facades rely on, pure: an edge-balanced route becomes one synthetic
// load-aware pool (members by app label and by backendRef, per-endpoint limits and regions, the
// proxy's region preferred, expired members dropped); registry breaker annotations reach the IR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';
import { translate } from '../../pkg/controller/translate';
import { createBalancer } from '../../pkg/proxy/balancer/balancer';
import { reconcileEndpointStates, startRequest } from '../../pkg/proxy/balancer/endpoint_state';

const NOW = '2025-01-01T00:00:00Z';

function edgeBackend(name: string, app: string, region: string, ip: string, soft: number, hard: number, extra: Record<string, string> = {}): Backend {
  return {
    metadata: { name, labels: { 'switchyard.dev/facade': 'edgeproxy', app, region }, annotations: extra },
    spec: { endpoints: [{ ip, port: 8080, weight: 2 }], circuitBreaker: { softLimit: soft, maxConnections: hard } },
  };
}

const edgeRoute = (app: string, refs: string[] = []): HTTPRoute => ({
  metadata: { name: `edgeproxy-${app}`, annotations: { 'switchyard.dev/balance': 'edge', 'switchyard.dev/edge-app': app } },
  spec: { hostnames: [app], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], ...(refs.length ? { backendRefs: refs.map((name) => ({ name })) } : {}) }] },
});

test('an edge route is one load-aware pool of its app, own region preferred, limits per endpoint', () => {
  const out = translate({
    backends: [
      edgeBackend('b-eu', 'myapp', 'eu', '10.0.0.2', 10, 15),
      edgeBackend('a-sa', 'myapp', 'sa', '10.0.0.1', 1, 1),
      edgeBackend('other', 'otherapp', 'sa', '10.0.0.9', 5, 5),
      edgeBackend('gone', 'myapp', 'sa', '10.0.0.3', 5, 5, { 'switchyard.dev/edge-expired': NOW }),
    ],
    routes: [edgeRoute('myapp')],
    gateways: [],
    gatewayClasses: [],
    proxyHost: '127.0.0.1',
    now: NOW,
    preferRegion: 'sa',
  });
  const rule = out.snapshot.rules[0]!;
  assert.equal(rule.invalid, undefined, 'a selector-only rule is served');
  assert.deepEqual(rule.backendRefs, [{ backend: 'edge/edgeproxy-myapp', weight: 1 }]);
  const pool = out.snapshot.backends['edge/edgeproxy-myapp']!;
  assert.deepEqual(pool.loadBalancer, { algorithm: 'least-connections', slots: 10000, loadAware: true, preferRegion: 'sa' });
  assert.deepEqual(
    pool.endpoints.map((e) => [e.host, e.region, e.weight, e.softLimit, e.maxConnections]),
    [
      ['10.0.0.1', 'sa', 2, 1, 1],
      ['10.0.0.2', 'eu', 2, 10, 15],
    ],
    'sorted by member name; expired and other apps left out',
  );
  // the balancer: sa first; sa at its hard limit → eu; nothing under a hard limit → none
  const states = reconcileEndpointStates(undefined, pool);
  const lb = createBalancer(pool.loadBalancer, states, { now: () => 0, rand: Math.random });
  const ctx = { clientIP: '1.1.1.1', header: () => undefined, cookie: () => undefined, path: '/' };
  assert.equal(lb.pick(ctx)!.ep.host, '10.0.0.1');
  startRequest(states[0]!);
  assert.equal(lb.pick(ctx)!.ep.host, '10.0.0.2');
  for (let i = 0; i < 15; i++) startRequest(states[1]!);
  assert.equal(lb.pick(ctx), null);
  const status = out.statuses.routes.get('edgeproxy-myapp') as { parents: Array<{ conditions: Array<{ type: string; status: string }> }> };
  assert.ok(status.parents[0]!.conditions.every((c) => c.status === 'True'));
});

test('an edge route with explicit backendRefs pools those Backends; a missing one is reported', () => {
  const plain: Backend = { metadata: { name: 'hand-made', labels: { region: 'us' } }, spec: { endpoints: [{ fqdn: 'svc.internal', port: 9000 }] } };
  const out = translate({
    backends: [plain],
    routes: [{ ...edgeRoute('x', ['hand-made', 'missing']), metadata: { name: 'r', annotations: { 'switchyard.dev/balance': 'edge' } } }],
    gateways: [],
    gatewayClasses: [],
    proxyHost: '127.0.0.1',
    now: NOW,
  });
  const pool = out.snapshot.backends['edge/r']!;
  assert.deepEqual(pool.endpoints.map((e) => e.id), ['svc.internal:9000']);
  assert.equal(pool.loadBalancer.preferRegion, undefined);
  const status = out.statuses.routes.get('r') as { parents: Array<{ conditions: Array<{ type: string; status: string; reason: string }> }> };
  const rr = status.parents[0]!.conditions.find((c) => c.type === 'ResolvedRefs')!;
  assert.equal(rr.status, 'False');
  assert.equal(rr.reason, 'BackendNotFound');
});

test('registry breaker annotations: failure window and successes to close', () => {
  const out = translate({
    backends: [
      {
        metadata: {
          name: 'reg',
          annotations: { 'switchyard.dev/circuit-breaker-failure-window': '60s', 'switchyard.dev/circuit-breaker-close-after-successes': '2' },
        },
        spec: { endpoints: [{ fqdn: 'api-v2', port: 9000 }], circuitBreaker: { consecutiveFailures: 5, openDuration: '30s' } },
      },
    ],
    routes: [],
    gateways: [],
    gatewayClasses: [],
    proxyHost: '127.0.0.1',
    now: NOW,
  });
  assert.deepEqual(out.snapshot.backends.reg!.circuitBreaker, { consecutiveFailures: 5, openMs: 30_000, closeAfterSuccesses: 2, failureWindowMs: 60_000 });
});
