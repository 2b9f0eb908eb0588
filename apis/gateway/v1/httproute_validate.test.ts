import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HTTPRoute, HTTPRouteSpec } from './httproute_types';
import { validateHTTPRoute, validateHTTPRouteUpdate } from './httproute_validate';

const route = (spec: unknown): HTTPRoute => ({
  apiVersion: 'gateway.apoxy.dev/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r' },
  spec: spec as HTTPRouteSpec,
});
const summary = (spec: unknown) => validateHTTPRoute(route(spec)).map((e) => [e.type, e.field]);
const rule = (r: unknown) => ({ rules: [r] });
const filter = (f: unknown) => rule({ filters: [f], backendRefs: [{ name: 'b' }] });

test('valid HTTPRoutes', () => {
  const good: Array<[string, unknown]> = [
    [
      "Apoxy's edge function example",
      {
        parentRefs: [{ name: 'example', port: 10000, kind: 'Gateway' }],
        hostnames: ['*'],
        rules: [
          {
            filters: [{ type: 'ExtensionRef', extensionRef: { kind: 'EdgeFunction', group: 'extensions.apoxy.dev', name: 'websocket' } }],
            backendRefs: [{ kind: 'Backend', name: 'dynamic_forward_proxy', port: 80 }],
          },
        ],
      },
    ],
    [
      "Apoxy's URLRewrite + PathPrefix example",
      {
        parentRefs: [{ kind: 'Gateway', name: 'example-gw', port: 10000 }],
        hostnames: ['*'],
        rules: [
          {
            backendRefs: [{ kind: 'Backend', name: 'debug-backend', port: 443 }],
            filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'next-debug-apoxy.vercel.app' } }],
          },
          { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ kind: 'Backend', name: 'docker-host', port: 3001 }] },
        ],
      },
    ],
    ['no spec fields', {}],
    ['wildcard hostnames', { hostnames: ['*.example.com', 'example.com', 'a.b.example.io'] }],
    [
      'every match kind',
      rule({
        matches: [
          { path: { type: 'Exact', value: '/two' } },
          { path: { type: 'RegularExpression', value: '^/v[0-9]+/.*$' }, method: 'GET' },
          {
            headers: [
              { name: 'X-Version', value: 'v2' },
              { type: 'RegularExpression', name: 'x-user', value: '^a.*' },
            ],
            queryParams: [
              { name: 'q', value: '1' },
              { name: 'Q', value: '2' },
            ],
          },
        ],
        backendRefs: [{ name: 'a', weight: 0 }, { name: 'b', weight: 1000000, port: 8080 }],
      }),
    ],
    [
      'header modifiers',
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }], add: [{ name: 'X-B', value: '2' }], remove: ['X-C'] },
      }),
    ],
    [
      'redirect with prefix replacement',
      rule({
        matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
        filters: [
          {
            type: 'RequestRedirect',
            requestRedirect: { scheme: 'https', hostname: 'new.example.com', port: 443, statusCode: 301, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } },
          },
        ],
      }),
    ],
    ['prefix rewrite with default matches', rule({ filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '' } } }] })],
    [
      'timeouts, retry, rateLimit',
      rule({
        timeouts: { request: '10s', backendRequest: '2s' },
        retry: { attempts: 2, backoff: '100ms', codes: [502, 503] },
        rateLimit: { requestsPerMinute: 60, perClientIP: true },
      }),
    ],
    ['request timeout 0s disables the bound', rule({ timeouts: { request: '0s', backendRequest: '1h' } })],
    ['retry codes alone', rule({ retry: { codes: [503] } })],
    ['mirror', filter({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 }, percent: 10 } })],
  ];
  for (const [name, spec] of good) assert.deepEqual(validateHTTPRoute(route(spec)), [], name);
});

test('rejections carry kube field paths', () => {
  const bad: Array<[string, unknown, Array<[string, string]>]> = [
    [
      'invalid regular expression',
      rule({ matches: [{ path: { type: 'RegularExpression', value: '/foo(' } }] }),
      [['FieldValueInvalid', 'spec.rules[0].matches[0].path.value']],
    ],
    [
      'invalid header regex',
      rule({ matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: '[' }] }] }),
      [['FieldValueInvalid', 'spec.rules[0].matches[0].headers[0].value']],
    ],
    ['relative path', rule({ matches: [{ path: { type: 'PathPrefix', value: 'foo' } }] }), [['FieldValueInvalid', 'spec.rules[0].matches[0].path.value']]],
    ['path without type', rule({ matches: [{ path: { value: 'foo' } }] }), [['FieldValueInvalid', 'spec.rules[0].matches[0].path.value']]],
    ['unnormalized path', rule({ matches: [{ path: { type: 'Exact', value: '/a//b' } }] }), [['FieldValueInvalid', 'spec.rules[0].matches[0].path.value']]],
    ['path type', rule({ matches: [{ path: { type: 'Prefix', value: '/' } }] }), [['FieldValueNotSupported', 'spec.rules[0].matches[0].path.type']]],
    ['method', rule({ matches: [{ method: 'get' }] }), [['FieldValueNotSupported', 'spec.rules[0].matches[0].method']]],
    [
      'header name and duplicate',
      rule({ matches: [{ headers: [{ name: 'bad name', value: 'x' }, { name: 'X-A', value: 'x' }, { name: 'x-a', value: 'y' }] }] }),
      [
        ['FieldValueInvalid', 'spec.rules[0].matches[0].headers[0].name'],
        ['FieldValueDuplicate', 'spec.rules[0].matches[0].headers[2].name'],
      ],
    ],
    ['missing header value', rule({ matches: [{ headers: [{ name: 'x' }] }] }), [['FieldValueRequired', 'spec.rules[0].matches[0].headers[0].value']]],
    ['hostname IP', { hostnames: ['1.2.3.4'] }, [['FieldValueInvalid', 'spec.hostnames[0]']]],
    ['hostname inner wildcard', { hostnames: ['ok.com', 'a.*.com'] }, [['FieldValueInvalid', 'spec.hostnames[1]']]],
    ['hostname uppercase', { hostnames: ['Example.com'] }, [['FieldValueInvalid', 'spec.hostnames[0]']]],
    ['parentRef port', { parentRefs: [{ name: 'gw', port: 0 }] }, [['FieldValueInvalid', 'spec.parentRefs[0].port']]],
    ['parentRef name', { parentRefs: [{ kind: 'Gateway' }] }, [['FieldValueRequired', 'spec.parentRefs[0].name']]],
    ['backendRef port', rule({ backendRefs: [{ name: 'b', port: 70000 }] }), [['FieldValueInvalid', 'spec.rules[0].backendRefs[0].port']]],
    ['backendRef weight', rule({ backendRefs: [{ name: 'b', weight: -1 }] }), [['FieldValueInvalid', 'spec.rules[0].backendRefs[0].weight']]],
    ['backendRef name', rule({ backendRefs: [{ port: 80 }] }), [['FieldValueRequired', 'spec.rules[0].backendRefs[0].name']]],
    ['filter without member', filter({ type: 'URLRewrite' }), [['FieldValueRequired', 'spec.rules[0].filters[0].urlRewrite']]],
    [
      'filter with the wrong member',
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: {}, urlRewrite: {} }),
      [['FieldValueForbidden', 'spec.rules[0].filters[0].urlRewrite']],
    ],
    ['unknown filter type', filter({ type: 'CORS' }), [['FieldValueNotSupported', 'spec.rules[0].filters[0].type']]],
    [
      'redirect status code',
      filter({ type: 'RequestRedirect', requestRedirect: { statusCode: 304 } }),
      [['FieldValueNotSupported', 'spec.rules[0].filters[0].requestRedirect.statusCode']],
    ],
    [
      'redirect scheme and hostname',
      filter({ type: 'RequestRedirect', requestRedirect: { scheme: 'ftp', hostname: '*.x.com' } }),
      [
        ['FieldValueNotSupported', 'spec.rules[0].filters[0].requestRedirect.scheme'],
        ['FieldValueInvalid', 'spec.rules[0].filters[0].requestRedirect.hostname'],
      ],
    ],
    [
      'path modifier member mismatch',
      filter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replacePrefixMatch: '/x' } } }),
      [
        ['FieldValueForbidden', 'spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch'],
        ['FieldValueRequired', 'spec.rules[0].filters[0].urlRewrite.path.replaceFullPath'],
      ],
    ],
    [
      'ReplacePrefixMatch with an Exact match',
      rule({
        matches: [{ path: { type: 'Exact', value: '/a' } }],
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } }],
      }),
      [['FieldValueInvalid', 'spec.rules[0].filters[0].urlRewrite.path.type']],
    ],
    [
      'redirect and rewrite together',
      rule({
        filters: [
          { type: 'RequestRedirect', requestRedirect: {} },
          { type: 'URLRewrite', urlRewrite: {} },
        ],
      }),
      [['FieldValueForbidden', 'spec.rules[0].filters[1]']],
    ],
    [
      'same modifier twice',
      rule({
        filters: [
          { type: 'ResponseHeaderModifier', responseHeaderModifier: {} },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: {} },
        ],
      }),
      [['FieldValueInvalid', 'spec.rules[0].filters[1].type']],
    ],
    [
      'header modifier problems',
      filter({
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: { set: [{ name: 'X', value: '1' }, { name: 'x', value: '2' }], add: [{ name: 'a:b', value: '1' }], remove: ['ok', ''] },
      }),
      [
        ['FieldValueDuplicate', 'spec.rules[0].filters[0].responseHeaderModifier.set[1].name'],
        ['FieldValueInvalid', 'spec.rules[0].filters[0].responseHeaderModifier.add[0].name'],
        ['FieldValueRequired', 'spec.rules[0].filters[0].responseHeaderModifier.remove[1]'],
      ],
    ],
    [
      'extensionRef without kind',
      filter({ type: 'ExtensionRef', extensionRef: { group: '', name: 'x' } }),
      [['FieldValueRequired', 'spec.rules[0].filters[0].extensionRef.kind']],
    ],
    [
      'backendRef filter',
      rule({ backendRefs: [{ name: 'b', filters: [{ type: 'RequestHeaderModifier' }] }] }),
      [['FieldValueRequired', 'spec.rules[0].backendRefs[0].filters[0].requestHeaderModifier']],
    ],
    ['timeout syntax', rule({ timeouts: { request: '1.5s' } }), [['FieldValueInvalid', 'spec.rules[0].timeouts.request']]],
    [
      'backendRequest above request',
      rule({ timeouts: { request: '1s', backendRequest: '2s' } }),
      [['FieldValueInvalid', 'spec.rules[0].timeouts.backendRequest']],
    ],
    [
      'retry values',
      rule({ retry: { attempts: -1, backoff: '1us', codes: [200, 503] } }),
      [
        ['FieldValueInvalid', 'spec.rules[0].retry.attempts'],
        ['FieldValueInvalid', 'spec.rules[0].retry.backoff'],
        ['FieldValueInvalid', 'spec.rules[0].retry.codes[0]'],
      ],
    ],
    [
      'rateLimit',
      rule({ rateLimit: { perClientIP: 'yes' } }),
      [
        ['FieldValueRequired', 'spec.rules[0].rateLimit.requestsPerMinute'],
        ['FieldValueTypeInvalid', 'spec.rules[0].rateLimit.perClientIP'],
      ],
    ],
    ['duplicate rule names', { rules: [{ name: 'a' }, { name: 'a' }] }, [['FieldValueDuplicate', 'spec.rules[1].name']]],
    ['too many rules', { rules: Array.from({ length: 17 }, () => ({})) }, [['FieldValueTooMany', 'spec.rules']]],
    [
      'too many matches in total',
      { rules: Array.from({ length: 3 }, () => ({ matches: Array.from({ length: 50 }, () => ({})) })) },
      [['FieldValueInvalid', 'spec.rules']],
    ],
  ];
  for (const [name, spec, want] of bad) assert.deepEqual(summary(spec), want, name);
});

test('validateHTTPRoute never throws on garbage', () => {
  const junk = [null, 5, 'x', [], { rules: 'x' }, { rules: [null, 1, { matches: [null, { path: 5, headers: 'x' }] }] }, { hostnames: [1, null] }, rule({ filters: [null, { type: 5 }] })];
  for (const spec of junk) assert.doesNotThrow(() => validateHTTPRoute(route(spec)), JSON.stringify(spec));
});

test('validateHTTPRouteUpdate validates the new object', () => {
  const good = route({ hostnames: ['a.com'] });
  const bad = route({ hostnames: ['A.com'] });
  assert.equal(validateHTTPRouteUpdate(bad, good).length, 1);
  assert.equal(validateHTTPRouteUpdate(good, bad).length, 0);
});

test('CR, LF and NUL in header filter values, rewrite paths and header match values are refused with the field path', () => {
  const mod = (type: string, member: string, list: string, value: string) =>
    summary(filter({ type, [member]: { [list]: [{ name: 'X-Tenant', value }] } }));
  assert.deepEqual(mod('RequestHeaderModifier', 'requestHeaderModifier', 'set', 't1\r\nX-Admin: true'), [['FieldValueInvalid', 'spec.rules[0].filters[0].requestHeaderModifier.set[0].value']]);
  assert.deepEqual(mod('RequestHeaderModifier', 'requestHeaderModifier', 'add', 'a\0b'), [['FieldValueInvalid', 'spec.rules[0].filters[0].requestHeaderModifier.add[0].value']]);
  assert.deepEqual(mod('ResponseHeaderModifier', 'responseHeaderModifier', 'set', 'a\nb'), [['FieldValueInvalid', 'spec.rules[0].filters[0].responseHeaderModifier.set[0].value']]);
  // positive control: the same filter with an ordinary value
  assert.deepEqual(mod('RequestHeaderModifier', 'requestHeaderModifier', 'set', 't1'), []);
  assert.deepEqual(summary(filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-A\r\nB', value: 'v' }] } })).map((e) => e[1]), ['spec.rules[0].filters[0].requestHeaderModifier.set[0].name']);
  assert.deepEqual(summary(filter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/a\r\nX: y' } } })), [['FieldValueInvalid', 'spec.rules[0].filters[0].urlRewrite.path.replaceFullPath']]);
  assert.deepEqual(summary(filter({ type: 'RequestRedirect', requestRedirect: { hostname: 'a.example\r\nX: y' } })).map((e) => e[1]), ['spec.rules[0].filters[0].requestRedirect.hostname']);
  assert.deepEqual(summary(rule({ matches: [{ headers: [{ name: 'x', value: 'a\nb' }] }] })), [['FieldValueInvalid', 'spec.rules[0].matches[0].headers[0].value']]);
  assert.deepEqual(summary(filter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/a' }, hostname: 'a.example' } })), []);
});

test('switchyard.dev annotations are checked on HTTPRoutes', () => {
  const r = { ...route(rule({ backendRefs: [{ name: 'b' }] })), metadata: { name: 'r', annotations: { 'switchyard.dev/response-headers': '{"x-a":"1\\r\\nX-Admin: true"}' } } };
  assert.deepEqual(validateHTTPRoute(r).map((e) => e.field), ['metadata.annotations[switchyard.dev/response-headers]']);
  r.metadata.annotations['switchyard.dev/response-headers'] = '{"x-a":"1"}';
  assert.deepEqual(validateHTTPRoute(r), []);
});

test('route regular expressions are RE2: backreferences, lookaround and other non-RE2 syntax are refused; (a+)+$ is valid', () => {
  const pathRe = (value: string) => summary(rule({ matches: [{ path: { type: 'RegularExpression', value } }] }));
  for (const bad of ['/(a)\\1', '/(?=a)b', '/(?!a)b', '/(?<=a)b', '/(?<!a)b', '/a{1001}', '/\\k<n>']) {
    assert.deepEqual(pathRe(bad), [['FieldValueInvalid', 'spec.rules[0].matches[0].path.value']], bad);
  }
  const headerRe = summary(rule({ matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: '(a)\\1' }] }] }));
  assert.deepEqual(headerRe, [['FieldValueInvalid', 'spec.rules[0].matches[0].headers[0].value']]);
  const queryRe = summary(rule({ matches: [{ queryParams: [{ type: 'RegularExpression', name: 'q', value: '(?=x)' }] }] }));
  assert.deepEqual(queryRe, [['FieldValueInvalid', 'spec.rules[0].matches[0].queryParams[0].value']]);
  // positive controls: RE2 syntax, catastrophic-for-backtracking patterns included
  for (const good of ['/(a+)+$', '^/v[0-9]+/.*$', '/(?i)ABC', '/(?P<id>\\d+)', '/[[:alpha:]]+', '/\\p{L}+']) assert.deepEqual(pathRe(good), [], good);
});

test('sessionPersistence: the experimental channel shape and its CEL rules (upstream messages)', () => {
  const sp = (v: unknown) => validateHTTPRoute(route(rule({ backendRefs: [{ name: 'b' }], sessionPersistence: v }))).map((e) => [e.field, e.detail]);
  assert.deepEqual(sp({ cookie: { name: 'sid', lifetimeType: 'Permanent' }, absoluteTimeout: '1h' }), []);
  assert.deepEqual(sp({ type: 'Header', header: { name: 'x-session' } }), []);
  assert.deepEqual(sp({ type: 'Cookie', cookie: {} }), []);
  assert.deepEqual(sp({ cookie: { lifetimeType: 'Permanent' } }), [['spec.rules[0].sessionPersistence', 'AbsoluteTimeout must be specified when cookie lifetimeType is Permanent']]);
  assert.deepEqual(sp({ type: 'Header', cookie: {}, header: { name: 'x' } }), [['spec.rules[0].sessionPersistence', 'cookie must be nil if type is not Cookie']]);
  assert.deepEqual(sp({ type: 'Header' }), [['spec.rules[0].sessionPersistence', 'header must be specified for Header type']]);
  assert.deepEqual(sp({}), [['spec.rules[0].sessionPersistence', 'cookie must be specified for Cookie type']]);
  assert.deepEqual(sp({ cookie: {}, header: { name: 'x' } }), [['spec.rules[0].sessionPersistence', 'header must be nil if type is not Header']]);
  assert.deepEqual(sp({ cookie: { name: 'a b' } }).map((e) => e[0]), ['spec.rules[0].sessionPersistence.cookie.name']);
  assert.deepEqual(sp({ type: 'Sticky', cookie: {} }).map((e) => e[0]), ['spec.rules[0].sessionPersistence.type', 'spec.rules[0].sessionPersistence']);
  assert.deepEqual(sp({ cookie: {}, absoluteTimeout: 'soon' }).map((e) => e[0]), ['spec.rules[0].sessionPersistence.absoluteTimeout']);
});
