import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../meta/v1/types';
import { validateGRPCRouteCEL } from './grpcroute_cel';
import { validateBackendTLSPolicyCEL } from './backendtlspolicy_cel';

const obj = (kind: string, spec: unknown) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name: 'x', namespace: 'n' }, spec }) as unknown as KObject;
const grpc = (spec: unknown) => validateGRPCRouteCEL(obj('GRPCRoute', spec)).map((e) => `${e.field}: ${e.detail}`);
const btls = (spec: unknown) => validateBackendTLSPolicyCEL(obj('BackendTLSPolicy', spec)).map((e) => `${e.field}: ${e.detail}`);
const svc = (extra: Record<string, unknown> = {}) => ({ group: '', kind: 'Service', name: 's', port: 50051, ...extra });

test('GRPCRoute: valid routes pass (positive controls)', () => {
  for (const spec of [
    { parentRefs: [{ name: 'g' }], rules: [{ matches: [{ method: { type: 'Exact', service: 'grpc.health.v1.Health', method: 'Check' } }], backendRefs: [svc()] }] },
    { rules: [{ matches: [{ method: { type: 'RegularExpression', service: 'foo\\..*' } }] }] },
    { rules: [{ matches: [{ method: { service: '.pkg.Svc' } }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } }] }] },
  ]) assert.deepEqual(grpc(spec), [], JSON.stringify(spec));
});

test('GRPCRoute: the CRD rules with their messages', () => {
  assert.deepEqual(grpc({ rules: [{ matches: [{ method: { type: 'Exact' } }] }] }), ["spec.rules[0].matches[0].method: One or both of 'service' or 'method' must be specified"]);
  assert.deepEqual(grpc({ rules: [{ matches: [{ method: { service: 'bad-name', method: 'm/x' } }] }] }), [
    'spec.rules[0].matches[0].method: service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)',
    'spec.rules[0].matches[0].method: method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)',
  ]);
  // a regular expression is not checked against the character sets
  assert.deepEqual(grpc({ rules: [{ matches: [{ method: { type: 'RegularExpression', service: 'a-b' } }] }] }), []);
  assert.deepEqual(grpc({ rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 's' }] }] }), ['spec.rules[0].backendRefs[0]: Must have port for Service reference']);
  const mod = { type: 'ResponseHeaderModifier', responseHeaderModifier: {} };
  assert.deepEqual(grpc({ rules: [{ filters: [mod, mod] }] }), ['spec.rules[0].filters: ResponseHeaderModifier filter cannot be repeated']);
  assert.deepEqual(grpc({ rules: [{ backendRefs: [svc({ filters: [{ type: 'RequestMirror' }] })] }] }), ['spec.rules[0].backendRefs[0].filters[0]: filter.requestMirror must be specified for RequestMirror filter.type']);
  assert.deepEqual(grpc({ parentRefs: [{ name: 'g' }, { name: 'g' }] }), ['spec.parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent']);
  const many = Array.from({ length: 3 }, () => ({ matches: Array.from({ length: 64 }, () => ({})) }));
  assert.deepEqual(grpc({ rules: many }), ['spec.rules: While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128']);
});

test('BackendTLSPolicy: valid policies pass; the CRD rules with their messages', () => {
  const target = { group: '', kind: 'Service', name: 's' };
  assert.deepEqual(btls({ targetRefs: [target], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'a.example' } }), []);
  assert.deepEqual(btls({ targetRefs: [target], validation: { wellKnownCACertificates: 'System', hostname: 'a.example', subjectAltNames: [{ type: 'Hostname', hostname: 'b.example' }, { type: 'URI', uri: 'spiffe://x/y' }] } }), []);
  assert.deepEqual(btls({ targetRefs: [target], validation: { hostname: 'a.example' } }), ['spec.validation: must specify either CACertificateRefs or WellKnownCACertificates']);
  assert.deepEqual(btls({ targetRefs: [target], validation: { hostname: 'a', wellKnownCACertificates: 'System', caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] } }), [
    'spec.validation: must not contain both CACertificateRefs and WellKnownCACertificates',
  ]);
  assert.deepEqual(btls({ targetRefs: [target], validation: { hostname: 'a', wellKnownCACertificates: 'System', subjectAltNames: [{ type: 'Hostname', uri: 'spiffe://x' }, { type: 'URI', hostname: 'h' }] } }), [
    'spec.validation.subjectAltNames[0]: SubjectAltName element must contain Hostname, if Type is set to Hostname',
    'spec.validation.subjectAltNames[0]: SubjectAltName element must not contain URI, if Type is not set to URI',
    'spec.validation.subjectAltNames[1]: SubjectAltName element must not contain Hostname, if Type is not set to Hostname',
    'spec.validation.subjectAltNames[1]: SubjectAltName element must contain URI, if Type is set to URI',
  ]);
  const v = { wellKnownCACertificates: 'System', hostname: 'a' };
  assert.deepEqual(btls({ targetRefs: [target, { ...target, sectionName: 'https' }], validation: v }), ['spec.targetRefs: sectionName must be specified when targetRefs includes 2 or more references to the same target']);
  assert.deepEqual(btls({ targetRefs: [{ ...target, sectionName: 'a' }, { ...target, sectionName: 'a' }], validation: v }), ['spec.targetRefs: sectionName must be unique when targetRefs includes 2 or more references to the same target']);
  assert.deepEqual(btls({ targetRefs: [{ ...target, sectionName: 'a' }, { ...target, sectionName: 'b' }], validation: v }), []);
});
