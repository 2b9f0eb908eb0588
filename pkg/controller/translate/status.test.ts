import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../../apis/core/v1alpha2/backend_types';
import { backendStatus, routeStatus } from './status';
import type { HTTPRoute } from '../../../apis/gateway/v1/httproute_types';
import type { GatewayIndex } from './gateways';
import { translateBackend } from './backends';

const NOW = '2026-01-01T00:00:00Z';
const b = (spec: Backend['spec']): Backend => ({ metadata: { name: 'b', generation: 2 }, spec });
const tlsCond = (x: Backend, v?: { ok: boolean; message: string }) => backendStatus(x, NOW, undefined, v).conditions!.find((c) => c.type === 'TLSVerified');

test('TLSVerified: only for tls/h2 Backends; Unknown until the proxy connects; the verdict afterwards; False when switched off', () => {
  assert.equal(tlsCond(b({ endpoints: [{ ip: '10.0.0.1' }] })), undefined, 'plain HTTP: no condition');
  assert.equal(tlsCond(b({ endpoints: [{ ip: '10.0.0.1' }], protocol: 'h2c' })), undefined);
  const pending = tlsCond(b({ endpoints: [{ fqdn: 'ok.test' }], protocol: 'tls' }))!;
  assert.equal(pending.status, 'Unknown');
  assert.equal(pending.observedGeneration, 2);
  const failed = tlsCond(b({ endpoints: [{ fqdn: 'ok.test' }], protocol: 'h2' }), { ok: false, message: 'upstream TLS verification failed for ok.test (X): y' })!;
  assert.deepEqual([failed.status, failed.reason, failed.message], ['False', 'VerificationFailed', 'upstream TLS verification failed for ok.test (X): y']);
  const ok = tlsCond(b({ endpoints: [{ fqdn: 'ok.test' }], protocol: 'tls' }), { ok: true, message: 'verified' })!;
  assert.deepEqual([ok.status, ok.reason], ['True', 'Verified']);
  const off = tlsCond(b({ endpoints: [{ fqdn: 'ok.test' }], protocol: 'tls', tls: { insecureSkipVerify: true } }), { ok: true, message: 'verified' })!;
  assert.deepEqual([off.status, off.reason], ['False', 'InsecureSkipVerify']);
});

test('translate: spec.tls reaches the IR only with a setting in it', () => {
  assert.equal(translateBackend(b({ endpoints: [{ ip: '10.0.0.1' }], protocol: 'tls' })).tls, undefined);
  assert.equal(translateBackend(b({ endpoints: [{ ip: '10.0.0.1' }], protocol: 'tls', tls: {} })).tls, undefined);
  assert.deepEqual(translateBackend(b({ endpoints: [{ ip: '10.0.0.1' }], protocol: 'tls', tls: { serverName: 'ok.test', caBundle: 'PEM', insecureSkipVerify: false } })).tls, { serverName: 'ok.test', caBundle: 'PEM' });
  assert.deepEqual(translateBackend(b({ endpoints: [{ ip: '10.0.0.1' }], protocol: 'tls', tls: { insecureSkipVerify: true } })).tls, { insecureSkipVerify: true });
});

test('route status: parentRef carries group and kind even when the spec leaves them out', () => {
  const r = { metadata: { name: 'r', generation: 1 }, spec: { parentRefs: [{ name: 'edge', port: 8080 }, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'x' }] } } as unknown as HTTPRoute;
  const gw = { listeners: [], listenersFor: () => ['l'], accepted: () => true } as unknown as GatewayIndex;
  const st = routeStatus(r, [], gw, NOW);
  assert.deepEqual(st.parents.map((p) => p.parentRef), [{ group: 'gateway.apoxy.dev', kind: 'Gateway', name: 'edge', port: 8080 }, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'x' }]);
});
