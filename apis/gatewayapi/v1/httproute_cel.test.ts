import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../meta/v1/types';
import { validateHTTPRouteCEL } from './httproute_cel';

const route = (spec: unknown) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'n' }, spec }) as unknown as KObject;
const messages = (spec: unknown) => validateHTTPRouteCEL(route(spec)).map((e) => `${e.field}: ${e.detail}`);
const svc = (extra: Record<string, unknown> = {}) => ({ group: '', kind: 'Service', name: 's', port: 80, weight: 1, ...extra });
const prefix = (value: string) => ({ path: { type: 'PathPrefix', value } });

test('valid routes pass (positive controls)', () => {
  const good: unknown[] = [
    { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }], rules: [{ matches: [prefix('/')], backendRefs: [svc()] }] },
    { parentRefs: [{ name: 'g', sectionName: 'a' }, { name: 'g', sectionName: 'b' }] },
    { rules: [{ matches: [prefix('/api')], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [svc()] }] },
    { rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }] },
    { rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/a//b' } }], timeouts: { request: '10s', backendRequest: '5s' } }] },
    { rules: [{ timeouts: { request: '0s', backendRequest: '5s' } }] },
    { rules: [{ filters: [{ type: 'CORS', cors: { allowOrigins: ['*'], allowMethods: ['GET', 'POST'] } }] }] },
  ];
  for (const spec of good) assert.deepEqual(messages(spec), [], JSON.stringify(spec));
});

test('path match rules, with the CRD messages', () => {
  const cases: Array<[string, string]> = [
    ['a', "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"],
    ['/a//b', "must not contain '//' when type one of ['Exact', 'PathPrefix']"],
    ['/a/./b', "must not contain '/./' when type one of ['Exact', 'PathPrefix']"],
    ['/a/../b', "must not contain '/../' when type one of ['Exact', 'PathPrefix']"],
    ['/a%2fb', "must not contain '%2f' when type one of ['Exact', 'PathPrefix']"],
    ['/a%2Fb', "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"],
    ['/a#b', "must not contain '#' when type one of ['Exact', 'PathPrefix']"],
    ['/a/..', "must not end with '/..' when type one of ['Exact', 'PathPrefix']"],
    ['/a/.', "must not end with '/.' when type one of ['Exact', 'PathPrefix']"],
    ['/a b', "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']"],
  ];
  for (const [value, msg] of cases) {
    assert.ok(messages({ rules: [{ matches: [prefix(value)] }] }).includes(`spec.rules[0].matches[0].path: ${msg}`), value);
  }
});

test('filter combinations: redirect with backendRefs, redirect and rewrite, repeats, type/member mismatches', () => {
  const redirect = { type: 'RequestRedirect', requestRedirect: { statusCode: 301 } };
  const rewrite = { type: 'URLRewrite', urlRewrite: { hostname: 'x' } };
  assert.deepEqual(messages({ rules: [{ filters: [redirect], backendRefs: [svc()] }] }), ['spec.rules[0]: RequestRedirect filter must not be used together with backendRefs']);
  assert.deepEqual(messages({ rules: [{ filters: [redirect, rewrite] }] }), ['spec.rules[0].filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both']);
  assert.deepEqual(messages({ rules: [{ filters: [rewrite, rewrite] }] }), ['spec.rules[0].filters: URLRewrite filter cannot be repeated']);
  assert.deepEqual(messages({ rules: [{ filters: [{ type: 'RequestHeaderModifier' }] }] }), ['spec.rules[0].filters[0]: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type']);
  assert.deepEqual(messages({ rules: [{ filters: [{ type: 'URLRewrite', urlRewrite: {}, requestMirror: { backendRef: { name: 'x' } } }] }] }), [
    'spec.rules[0].filters[0]: filter.requestMirror must be nil if the filter.type is not RequestMirror',
  ]);
  // the same rules within backendRefs
  assert.deepEqual(messages({ rules: [{ backendRefs: [svc({ filters: [redirect, rewrite] })] }] }), ['spec.rules[0].backendRefs[0].filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both']);
});

test('replacePrefixMatch needs exactly one PathPrefix match; path modifier members follow type', () => {
  const rw = (path: unknown) => ({ type: 'URLRewrite', urlRewrite: { path } });
  const rd = (path: unknown) => ({ type: 'RequestRedirect', requestRedirect: { path } });
  assert.deepEqual(messages({ rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], filters: [rw({ type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' })] }] }), [
    'spec.rules[0]: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
  ]);
  assert.deepEqual(messages({ rules: [{ matches: [prefix('/a'), prefix('/b')], filters: [rd({ type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' })] }] }), [
    'spec.rules[0]: When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
  ]);
  assert.deepEqual(messages({ rules: [{ matches: [prefix('/a')], filters: [rw({ type: 'ReplaceFullPath', replacePrefixMatch: '/b' })] }] }), [
    "spec.rules[0].filters[0].urlRewrite.path: replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
    "spec.rules[0].filters[0].urlRewrite.path: type must be 'ReplacePrefixMatch' when replacePrefixMatch is set",
  ]);
});

test('parentRefs to the same parent need unique sectionNames; Service refs need a port; timeouts ordered; CORS wildcards; mirror fractions', () => {
  assert.deepEqual(messages({ parentRefs: [{ name: 'g' }, { name: 'g', sectionName: 'a' }] }), ['spec.parentRefs: sectionName must be specified when parentRefs includes 2 or more references to the same parent']);
  assert.deepEqual(messages({ parentRefs: [{ name: 'g', sectionName: 'a' }, { name: 'g', sectionName: 'a' }] }), ['spec.parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent']);
  assert.deepEqual(messages({ rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 's' }] }] }), ['spec.rules[0].backendRefs[0]: Must have port for Service reference']);
  assert.deepEqual(messages({ rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] }), ['spec.rules[0].timeouts: backendRequest timeout cannot be longer than request timeout']);
  assert.deepEqual(messages({ rules: [{ filters: [{ type: 'CORS', cors: { allowOrigins: ['*', 'https://a.example'] } }] }] }), ["spec.rules[0].filters[0].cors.allowOrigins: AllowOrigins cannot contain '*' alongside other origins"]);
  assert.deepEqual(messages({ rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 's' }, percent: 5, fraction: { numerator: 3, denominator: 2 } } }] }] }), [
    'spec.rules[0].filters[0].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter',
    'spec.rules[0].filters[0].requestMirror.fraction: numerator must be less than or equal to denominator',
  ]);
  const many = Array.from({ length: 3 }, () => ({ matches: Array.from({ length: 64 }, () => prefix('/')) }));
  assert.ok(messages({ rules: many }).includes('spec.rules: While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128'));
});
