// translateRoute's filters: RequestMirror, CORS and backendRefs[].filters into the IR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HTTPRoute } from '../../../apis/gateway/v1/httproute_types';
import { translateRoute } from './routes';

const route = (rules: unknown[]): HTTPRoute => ({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules } }) as unknown as HTTPRoute;
const exists = (n: string) => n !== 'gone';
const one = (rules: unknown[]) => translateRoute(route(rules), exists, () => ['default']);

test('RequestMirror: each filter a mirror; percent and fraction become numerator/denominator; a missing Backend is reported and not mirrored', () => {
  const m = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'RequestMirror', requestMirror: { backendRef: { name }, ...extra } });
  const t = one([{ filters: [m('a'), m('b', { percent: 20 }), m('c', { fraction: { numerator: 1, denominator: 3 } }), m('d', { fraction: { numerator: 5 } }), m('e', { percent: 100 }), m('gone')], backendRefs: [{ name: 'main' }] }]);
  assert.deepEqual(t.rules[0].filters, [
    { type: 'RequestMirror', backend: 'a' },
    { type: 'RequestMirror', backend: 'b', fraction: { numerator: 20, denominator: 100 } },
    { type: 'RequestMirror', backend: 'c', fraction: { numerator: 1, denominator: 3 } },
    { type: 'RequestMirror', backend: 'd', fraction: { numerator: 5, denominator: 100 } },
    { type: 'RequestMirror', backend: 'e' },
  ]);
  assert.deepEqual(t.problems.map((p) => p.reason), ['BackendNotFound']);
  assert.equal(t.rules[0].invalid, undefined);
  const kind = one([{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { group: 'example.com', kind: 'Thing', name: 'x' } } }], backendRefs: [{ name: 'main' }] }]);
  assert.deepEqual(kind.rules[0].filters, []);
  assert.deepEqual(kind.problems.map((p) => p.reason), ['InvalidKind']);
});

test('CORS: lists kept, maxAge defaults to 5, credentials only when true', () => {
  const t = one([{ filters: [{ type: 'CORS', cors: { allowOrigins: ['*'], allowMethods: ['GET'] } }], backendRefs: [{ name: 'main' }] }]);
  assert.deepEqual(t.rules[0].filters, [{ type: 'CORS', cors: { allowOrigins: ['*'], allowMethods: ['GET'], allowHeaders: [], exposeHeaders: [], maxAge: 5, allowCredentials: false } }]);
});

test('backendRefs[].filters: header modifiers ride on the ref; another type refuses that ref (500 for its share)', () => {
  const t = one([
    {
      backendRefs: [
        { name: 'a', filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Backend', value: 'a' }] } }, { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'X-From', value: 'a' }] } }] },
        { name: 'b', filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'a' } } }] },
      ],
    },
  ]);
  assert.deepEqual(t.rules[0].backendRefs, [
    {
      backend: 'a',
      weight: 1,
      filters: [
        { type: 'RequestHeaderModifier', mod: { set: [{ name: 'Backend', value: 'a' }], add: [], remove: [] } },
        { type: 'ResponseHeaderModifier', mod: { set: [], add: [{ name: 'X-From', value: 'a' }], remove: [] } },
      ],
    },
    { backend: '', weight: 1 },
  ]);
  assert.deepEqual(t.problems.map((p) => p.reason), ['UnsupportedValue']);
});
