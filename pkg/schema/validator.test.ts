import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCRDs } from './crd_loader';
import { compileSchema, mergeFieldErrors, SchemaValidators, toAjvSchema } from './validator';
import type { JSONSchemaProps } from './types';

const validators = new SchemaValidators(loadCRDs());
const backend = (spec: unknown, extra: Record<string, unknown> = {}) =>
  validators.validate('core.apoxy.dev', 'v1alpha2', 'backends', {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name: 'b' },
    spec,
    ...extra,
  });
const route = (spec: unknown) =>
  validators.validate('gateway.apoxy.dev', 'v1', 'httproutes', { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec });
const summary = (errs: ReturnType<typeof backend>) => errs.map((e) => [e.type, e.field]);

test('valid objects pass, on both Backend versions', () => {
  for (const spec of [
    { endpoints: [{ fqdn: 'example-service.example-cluster.tun.apoxy.net' }] },
    { endpoints: [{ fqdn: 'next-debug-apoxy.vercel.app' }], protocol: 'tls' },
    { endpoints: [{ ip: '127.0.0.1', port: 8080, weight: 10 }] },
    { endpoints: [] },
    { dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'v4_only', maxHosts: 2048 } } },
    {},
  ]) {
    assert.deepEqual(backend(spec), [], JSON.stringify(spec));
    assert.deepEqual(
      validators.validate('core.apoxy.dev', 'v1alpha', 'backends', { apiVersion: 'core.apoxy.dev/v1alpha', kind: 'Backend', metadata: {}, spec }),
      [],
    );
  }
  assert.deepEqual(
    backend({}, { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Resolved', message: '', lastTransitionTime: '2024-01-02T03:04:05Z' }], observedGeneration: 1 } }),
    [],
  );
});

test('errors map to kube reasons and paths', () => {
  const errs = backend({ endpoints: [{ fqdn: 'a.com', port: 'http' }, { ip: '1.2.3.4', port: 70000, weight: -1 }], protocol: 'http3' });
  assert.deepEqual(summary(errs), [
    ['FieldValueTypeInvalid', 'spec.endpoints[0].port'],
    ['FieldValueInvalid', 'spec.endpoints[1].port'],
    ['FieldValueInvalid', 'spec.endpoints[1].weight'],
    ['FieldValueNotSupported', 'spec.protocol'],
  ]);
  assert.equal(errs[0].detail, 'must be of type integer');
  assert.equal(errs[0].value, 'string');
  assert.equal(errs[1].detail, 'must be less than or equal to 65535');
  assert.equal(errs[2].detail, 'must be greater than or equal to 0');
  assert.equal(errs[3].value, 'http3');
  assert.equal(errs[3].detail, 'supported values: "", "tls", "h2", "h2c"');
});

test('required, pattern, maxLength, maxItems, enum of integers', () => {
  assert.deepEqual(
    summary(backend({}, { status: { conditions: [{ type: 'Ready', status: 'Maybe' }] } })),
    [
      ['FieldValueRequired', 'status.conditions[0].lastTransitionTime'],
      ['FieldValueRequired', 'status.conditions[0].message'],
      ['FieldValueRequired', 'status.conditions[0].reason'],
      ['FieldValueNotSupported', 'status.conditions[0].status'],
    ],
  );
  const pat = backend({ endpoints: [{ fqdn: 'Upper.Case' }] });
  assert.deepEqual(summary(pat), [['FieldValueInvalid', 'spec.endpoints[0].fqdn']]);
  assert.match(pat[0].detail, /^should match '/);
  const long = backend({ endpoints: [{ fqdn: 'a'.repeat(255) }] });
  assert.deepEqual(
    long.map((e) => e.detail),
    ['must be no more than 254 characters'],
  );
  const many = route({ hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.com`) });
  assert.deepEqual(summary(many), [['FieldValueTooMany', 'spec.hostnames']]);
  assert.equal(many[0].value, 17);
  const code = route({ rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 304 } }] }] });
  assert.deepEqual(summary(code), [['FieldValueNotSupported', 'spec.rules[0].filters[0].requestRedirect.statusCode']]);
  assert.match(code[0].detail, /"301", "302", "303", "307", "308"/);
  assert.deepEqual(summary(route({ parentRefs: [{ port: 1 }] })), [['FieldValueRequired', 'spec.parentRefs[0].name']]);
  assert.deepEqual(summary(route({ rules: [{ timeouts: { request: '1.5s' } }] })), [['FieldValueInvalid', 'spec.rules[0].timeouts.request']]);
});

test('Gateway, GatewayClass and Proxy schemas', () => {
  const v = (group: string, version: string, plural: string, spec: unknown) =>
    summary(validators.validate(group, version, plural, { metadata: {}, spec }));
  assert.deepEqual(v('gateway.apoxy.dev', 'v1', 'gatewayclasses', { controllerName: 'gateway.apoxy.dev/gatewayclass-controller' }), []);
  assert.deepEqual(v('gateway.apoxy.dev', 'v1', 'gatewayclasses', {}), [['FieldValueRequired', 'spec.controllerName']]);
  assert.deepEqual(
    v('gateway.apoxy.dev', 'v1', 'gateways', { gatewayClassName: 'apoxy', infrastructure: { parametersRef: { kind: 'Proxy', name: 'example' } }, listeners: [{ protocol: 'HTTP', port: 10000, name: 'example' }] }),
    [],
  );
  assert.deepEqual(v('gateway.apoxy.dev', 'v1', 'gateways', { gatewayClassName: 'apoxy', listeners: [{ protocol: 'QUIC', port: 0, name: 'x' }] }), [
    ['FieldValueInvalid', 'spec.listeners[0].port'],
    ['FieldValueNotSupported', 'spec.listeners[0].protocol'],
  ]);
  assert.deepEqual(v('core.apoxy.dev', 'v1alpha2', 'proxies', { provider: 'unmanaged', monitoring: { tracing: { enabled: true } } }), []);
  assert.deepEqual(v('core.apoxy.dev', 'v1alpha2', 'proxies', { provider: 'aws' }), [['FieldValueNotSupported', 'spec.provider']]);
  assert.deepEqual(
    summary(validators.validate('gateway.apoxy.dev', 'v1', 'httproutes', { metadata: {} })),
    [['FieldValueRequired', 'spec']],
  );
});

test('never throws on arbitrary JSON', () => {
  const junk: unknown[] = [
    null,
    undefined,
    5,
    'x',
    [],
    [1, 2],
    { spec: null },
    { spec: [] },
    { spec: { endpoints: {} } },
    { spec: { endpoints: [null, 1, 'x', [], { fqdn: null, ip: 5, port: 1e400 }] } },
    { spec: { endpoints: [{ port: Number.MAX_SAFE_INTEGER * 1000 }] } },
    { spec: { dynamicProxy: { dnsCacheConfig: { maxHosts: 1.5 } } } },
    { metadata: 'x', status: 5 },
    { spec: { protocol: { nested: true } } },
  ];
  for (const obj of junk) {
    let errs: unknown;
    assert.doesNotThrow(() => (errs = validators.validate('core.apoxy.dev', 'v1alpha2', 'backends', obj)), JSON.stringify(obj));
    assert.ok(Array.isArray(errs));
  }
  assert.deepEqual(summary(validators.validate('core.apoxy.dev', 'v1alpha2', 'backends', null)), [['FieldValueTypeInvalid', '']]);
  assert.deepEqual(
    summary(validators.validate('core.apoxy.dev', 'v1alpha2', 'backends', { spec: { endpoints: [{ port: 1.5 }] } })),
    [['FieldValueTypeInvalid', 'spec.endpoints[0].port']],
  );
  assert.deepEqual(summary(validators.validate('nope', 'v1', 'things', {})), [['InternalError', '']]);
});

test('kube extensions are translated for ajv', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      maybe: { type: 'string', nullable: true, enum: ['a'] },
      pct: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: true },
      d: { type: 'string', format: 'duration' },
      odd: { type: 'string', format: 'no-such-format' },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const t = toAjvSchema(s) as { properties: Record<string, Record<string, unknown>> };
  assert.deepEqual(t.properties.port.type, ['integer', 'string']);
  assert.deepEqual(t.properties.maybe.type, ['string', 'null']);
  assert.equal(t.properties.odd.format, undefined);
  const v = compileSchema(s);
  assert.deepEqual(v({ port: 80, maybe: null, pct: 50, d: '1m30s', odd: 'x', free: { a: [1] } }), []);
  assert.deepEqual(v({ port: 'http' }), []);
  assert.deepEqual(
    v({ port: true, maybe: 'b', pct: 0, d: 'P1D' }).map((e) => [e.type, e.field, e.detail]),
    [
      ['FieldValueTypeInvalid', 'port', 'must be of type integer or string'],
      ['FieldValueNotSupported', 'maybe', 'supported values: "a", "null"'],
      ['FieldValueInvalid', 'pct', 'must be greater than 0'],
      ['FieldValueInvalid', 'd', 'must be of format duration'],
    ],
  );
  // an anyOf without an outer type reports the anyOf failure once
  const any = compileSchema({ type: 'object', properties: { v: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^a' }] } } });
  assert.deepEqual(any({ v: 'a' }), []);
  assert.deepEqual(
    any({ v: true }).map((e) => [e.type, e.field]),
    [['FieldValueInvalid', 'v']],
  );
  assert.deepEqual(
    any({ v: 'b' }).map((e) => [e.type, e.field]),
    [['FieldValueInvalid', 'v']],
  );
});

test('mergeFieldErrors keeps one cause per faulted field', () => {
  const schemaErrs = backend({ endpoints: [{ ip: '1.2.3.4', port: 0 }], protocol: 'x' });
  const semantic = [
    { type: 'FieldValueInvalid' as const, field: 'spec.endpoints[0].port', value: 0, detail: 'must be between 1 and 65535, inclusive' },
    { type: 'FieldValueInvalid' as const, field: 'spec.endpoints[0].ip', value: 'x', detail: 'must be a valid IPv4 or IPv6 address' },
    { type: 'FieldValueNotSupported' as const, field: 'spec.protocol', value: 'x', detail: 'supported values: "", "tls", "h2", "h2c"' },
  ];
  assert.deepEqual(
    mergeFieldErrors(schemaErrs, semantic).map((e) => [e.field, e.detail]),
    [
      ['spec.endpoints[0].port', 'must be greater than or equal to 1'],
      ['spec.protocol', 'supported values: "", "tls", "h2", "h2c"'],
      ['spec.endpoints[0].ip', 'must be a valid IPv4 or IPv6 address'],
    ],
  );
});
