import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GRPCRoute, GRPCRouteSpec } from './grpcroute_types';
import { validateGRPCRoute, validateGRPCRouteUpdate } from './grpcroute_validate';

const route = (spec: unknown): GRPCRoute => ({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GRPCRoute', metadata: { name: 'g' }, spec: spec as GRPCRouteSpec });
const errs = (spec: unknown) => validateGRPCRoute(route(spec));
const summary = (spec: unknown) => errs(spec).map((e) => [e.type, e.field]);
const match = (method: unknown, headers?: unknown) => ({ rules: [{ matches: [{ method, ...(headers ? { headers } : {}) }], backendRefs: [{ name: 'b' }] }] });

test('valid GRPCRoutes', () => {
  const good: Array<[string, unknown]> = [
    ['service and method', match({ service: 'helloworld.Greeter', method: 'SayHello' })],
    ['service only', match({ service: 'helloworld.Greeter' })],
    ['method only', match({ method: 'SayHello' })],
    ['fully-qualified service with a leading dot', match({ type: 'Exact', service: '.grpc.health.v1.Health', method: 'Check' })],
    ['regular expressions', match({ type: 'RegularExpression', service: 'helloworld\\..*', method: 'Say.*' })],
    ['headers', match({ service: 's' }, [{ name: 'x-tenant', value: 'a' }, { type: 'RegularExpression', name: 'x-v', value: 'v[0-9]+' }])],
    ['no matches', { hostnames: ['grpc.example.com', '*.example.com'], parentRefs: [{ name: 'gw', sectionName: 'grpc' }], rules: [{ backendRefs: [{ name: 'b', port: 50051, weight: 2 }] }] }],
    ['header filters', { rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }] } }, { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x-b'] } }], backendRefs: [{ name: 'b' }] }] }],
    ['empty spec', {}],
  ];
  for (const [what, spec] of good) assert.deepEqual(summary(spec), [], what);
});

test("upstream's CEL rules with upstream's messages", () => {
  const neither = errs(match({ type: 'Exact' }));
  assert.equal(neither.length, 1);
  assert.equal(neither[0]!.field, 'spec.rules[0].matches[0].method');
  assert.equal(neither[0]!.detail, "One or both of 'service' or 'method' must be specified");
  const svc = errs(match({ service: 'hello/world', method: 'Say' }));
  assert.deepEqual(svc.map((e) => [e.field, e.detail]), [['spec.rules[0].matches[0].method.service', 'service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)']]);
  const m = errs(match({ service: 's', method: 'Say-Hello' }));
  assert.deepEqual(m.map((e) => [e.field, e.detail]), [['spec.rules[0].matches[0].method.method', 'method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)']]);
  // the character rules are for Exact only; a RegularExpression must compile instead
  assert.deepEqual(summary(match({ type: 'RegularExpression', service: 'a/b' })), []);
  assert.deepEqual(summary(match({ type: 'RegularExpression', service: '(' })), [['FieldValueInvalid', 'spec.rules[0].matches[0].method.service']]);
  assert.deepEqual(summary(match({ type: 'Prefix', service: 's' })), [['FieldValueNotSupported', 'spec.rules[0].matches[0].method.type']]);
});

test('matches, filters, refs and hostnames', () => {
  assert.deepEqual(summary({ rules: [{ matches: Array.from({ length: 9 }, () => ({ method: { service: 's' } })) }] }), [['FieldValueTooMany', 'spec.rules[0].matches']]);
  assert.deepEqual(summary(match({ service: 's' }, [{ name: 'x', value: 'a' }, { name: 'X', value: 'b' }])), [['FieldValueDuplicate', 'spec.rules[0].matches[0].headers[1].name']]);
  assert.deepEqual(summary({ rules: [{ filters: [{ type: 'URLRewrite', urlRewrite: {} }] }] }), [['FieldValueNotSupported', 'spec.rules[0].filters[0].type']], 'HTTP-only filter types are refused');
  assert.deepEqual(summary({ rules: [{ backendRefs: [{ name: 'b', filters: [{ type: 'RequestRedirect', requestRedirect: {} }] }] }] }), [['FieldValueNotSupported', 'spec.rules[0].backendRefs[0].filters[0].type']]);
  assert.deepEqual(summary({ rules: [{ filters: [{ type: 'RequestHeaderModifier' }] }] }), [['FieldValueRequired', 'spec.rules[0].filters[0].requestHeaderModifier']]);
  assert.equal(summary({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: {} }, { type: 'RequestHeaderModifier', requestHeaderModifier: {} }] }] }).length, 1, 'a repeated header modifier');
  assert.deepEqual(summary({ rules: [{ name: 'a' }, { name: 'a' }] }), [['FieldValueDuplicate', 'spec.rules[1].name']]);
  assert.deepEqual(summary({ hostnames: ['10.0.0.1'] }), [['FieldValueInvalid', 'spec.hostnames[0]']]);
  assert.deepEqual(summary({ rules: [{ backendRefs: [{ name: 'b', weight: -1 }] }] }), [['FieldValueInvalid', 'spec.rules[0].backendRefs[0].weight']]);
  assert.deepEqual(validateGRPCRouteUpdate(route(match({ type: 'Exact' })), route({})).length, 1, 'updates validate the new object');
});
