// The CEL rules that compare a list's elements pairwise are skipped on a list past its CRD maxItems
// (the schema refuses it with "Too many"; kube would stop the rule on its cost budget). Before,
// 8,000 `{}` parentRefs held the apiserver's event loop ~11 s, and a 3 MB body of them for hours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../meta/v1/types';
import { validateGRPCRouteCEL } from './grpcroute_cel';
import { validateHTTPRouteCEL } from './httproute_cel';
import { validateBackendTLSPolicyCEL } from './backendtlspolicy_cel';
import { validateGatewayCEL } from './gateway_cel';

const obj = (spec: unknown) => ({ metadata: { name: 'x' }, spec }) as unknown as KObject;
const same = (n: number, v: Record<string, unknown>) => Array.from({ length: n }, () => ({ ...v }));

test('pairwise CEL rules apply up to maxItems and are skipped past it', () => {
  const ref = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' };
  // within maxItems the rule still holds
  assert.equal(validateGRPCRouteCEL(obj({ parentRefs: same(32, ref) })).length, 1);
  assert.equal(validateHTTPRouteCEL(obj({ parentRefs: same(32, ref) })).length, 1);
  assert.equal(validateBackendTLSPolicyCEL(obj({ targetRefs: same(16, ref), validation: { wellKnownCACertificates: 'System' } })).length, 1);
  assert.equal(validateGatewayCEL(obj({ listeners: same(64, { name: 'a', port: 80, protocol: 'HTTP' }) })).length, 2);
  assert.equal(validateGatewayCEL(obj({ addresses: same(16, { type: 'IPAddress', value: '10.0.0.1' }) })).length, 1);
  // past it: the schema's "Too many" is the answer, the rule is not run (a large n finishes at once)
  const n = 200_000;
  assert.deepEqual(validateGRPCRouteCEL(obj({ parentRefs: same(n, {}) })), []);
  assert.deepEqual(validateHTTPRouteCEL(obj({ parentRefs: same(n, {}) })), []);
  assert.deepEqual(validateBackendTLSPolicyCEL(obj({ targetRefs: same(n, {}), validation: { wellKnownCACertificates: 'System' } })), []);
  assert.deepEqual(validateGatewayCEL(obj({ listeners: same(n, {}), addresses: same(n, { type: 'IPAddress', value: 'x' }), tls: { frontend: { perPort: same(n, { port: 1 }) } } })), []);
});
