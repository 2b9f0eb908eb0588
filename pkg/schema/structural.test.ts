import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCRD, loadCRDs, versionSchema } from './crd_loader';
import { applyDefaults, pruneUnknownFields } from './structural';
import type { JSONSchemaProps } from './types';

const crds = loadCRDs();
const schemaOf = (group: string, plural: string, version: string): JSONSchemaProps =>
  versionSchema(findCRD(crds, group, plural)!, version)!;
const backendSchema = schemaOf('core.apoxy.dev', 'backends', 'v1alpha2');
const routeSchema = schemaOf('gateway.apoxy.dev', 'httproutes', 'v1');
const proxySchema = schemaOf('core.apoxy.dev', 'proxies', 'v1alpha2');

test('pruneUnknownFields removes undeclared fields and reports kube paths', () => {
  const obj = {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name: 'b', labels: { a: 'b' }, somethingOdd: 1 },
    spec: {
      endpoints: [{ fqdn: 'a.com' }, { ip: '1.2.3.4', bar: 1 }],
      foo: true,
      dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'auto', extra: 'x' } },
    },
    status: { conditions: [], phase: 'Ready' },
    topLevel: 1,
  };
  const removed = pruneUnknownFields(obj, backendSchema);
  assert.deepEqual(removed, ['spec.endpoints[1].bar', 'spec.foo', 'spec.dynamicProxy.dnsCacheConfig.extra', 'status.phase', 'topLevel']);
  assert.deepEqual(obj.spec, {
    endpoints: [{ fqdn: 'a.com' }, { ip: '1.2.3.4' }],
    dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'auto' } },
  });
  // metadata is never pruned, apiVersion/kind kept
  assert.equal((obj.metadata as Record<string, unknown>).somethingOdd, 1);
  assert.equal(obj.apiVersion, 'core.apoxy.dev/v1alpha2');
  assert.ok(!('topLevel' in obj));
});

test('pruneUnknownFields keeps what x-kubernetes-preserve-unknown-fields covers', () => {
  const obj = {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Proxy',
    metadata: { name: 'example' },
    spec: { provider: 'unmanaged', monitoring: { tracing: { enabled: true } } },
    status: { replicas: [{ name: 'r' }] },
  };
  assert.deepEqual(pruneUnknownFields(obj, proxySchema), []);
  assert.deepEqual(obj.spec.monitoring, { tracing: { enabled: true } });
  // within a preserved object, declared properties are still pruned inside
  const s: JSONSchemaProps = {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
  };
  const o = { spec: 1, known: { a: 'x', b: 'y' }, free: { any: 'thing' } };
  assert.deepEqual(pruneUnknownFields(o, s), ['known.b']);
  assert.deepEqual(o, { spec: 1, known: { a: 'x' }, free: { any: 'thing' } });
});

test('pruneUnknownFields walks additionalProperties maps and embedded resources', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
        },
      },
    },
  };
  const o = {
    spec: {
      labels: { x: { v: '1', w: '2' } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', odd: 1 }, spec: { c: 1 }, other: 1 },
    },
  };
  assert.deepEqual(pruneUnknownFields(o, s), ['spec.labels.x.w', 'spec.template.spec.c', 'spec.template.other']);
  assert.deepEqual(o.spec.template, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', odd: 1 }, spec: {} });
});

test('pruneUnknownFields tolerates any JSON', () => {
  for (const junk of [null, 5, 'x', [], [1, { a: 1 }], { spec: null }, { spec: [1] }, { spec: { endpoints: 'x' } }, { spec: { endpoints: [null, 5] } }]) {
    assert.doesNotThrow(() => pruneUnknownFields(structuredClone(junk), backendSchema), JSON.stringify(junk));
  }
  assert.deepEqual(pruneUnknownFields({ spec: 'not an object' }, backendSchema), []);
});

test('applyDefaults fills the DNS cache defaults inside dynamicProxy.dnsCacheConfig', () => {
  const obj = { metadata: { name: 'dynamic_forward_proxy' }, spec: { dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'v4_only' } } } };
  applyDefaults(obj, backendSchema);
  assert.deepEqual(obj.spec.dynamicProxy.dnsCacheConfig, {
    dnsLookupFamily: 'v4_only',
    dnsRefreshRate: '60s',
    dnsMinRefreshRate: '5s',
    dnsQueryTimeout: '5s',
    hostTTL: '5m',
    maxHosts: 1024,
  });
  // no dnsCacheConfig: nothing is invented (the runtime default applies), protocol stays absent
  const bare = { metadata: {}, spec: { endpoints: [{ fqdn: 'a.com' }] } };
  applyDefaults(bare, backendSchema);
  assert.deepEqual(bare.spec, { endpoints: [{ fqdn: 'a.com' }] });
});

// HTTPRoute's CRD carries no defaults inside lists (so re-applying Apoxy's files is "unchanged");
// this schema keeps the same shapes to exercise defaulting within arrays and nested objects.
const listSchema = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        parentRefs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' }, kind: { type: 'string', default: 'Gateway' } } } },
        rules: {
          type: 'array',
          default: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
          items: {
            type: 'object',
            properties: {
              matches: {
                type: 'array',
                default: [{ path: { type: 'PathPrefix', value: '/' } }],
                items: {
                  type: 'object',
                  properties: {
                    path: { type: 'object', default: { type: 'PathPrefix', value: '/' }, properties: { type: { type: 'string', default: 'PathPrefix' }, value: { type: 'string', default: '/' } } },
                    headers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' }, type: { type: 'string', default: 'Exact' } } } },
                  },
                },
              },
              backendRefs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer', default: 1 } } } },
            },
          },
        },
      },
    },
  },
} as JSONSchemaProps;

test('applyDefaults applies defaults within arrays and nested defaults', () => {
  const obj = {
    metadata: {},
    spec: {
      parentRefs: [{ name: 'example', port: 10000 }],
      rules: [{ backendRefs: [{ name: 'b' }] }, { matches: [{ headers: [{ name: 'x', value: 'y' }] }, { path: { type: 'Exact' } }] }],
    },
  };
  applyDefaults(obj, listSchema);
  assert.deepEqual(obj.spec.parentRefs, [{ name: 'example', port: 10000, kind: 'Gateway' }]);
  const [r0, r1] = obj.spec.rules as Array<Record<string, unknown>>;
  assert.deepEqual(r0.matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
  assert.deepEqual(r0.backendRefs, [{ name: 'b', weight: 1 }]);
  assert.deepEqual(r1.matches, [
    { path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x', value: 'y', type: 'Exact' }] },
    { path: { type: 'Exact', value: '/' } },
  ]);
  const empty = { metadata: {}, spec: {} as Record<string, unknown> };
  applyDefaults(empty, listSchema);
  assert.deepEqual(empty.spec.rules, [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
});

test('the HTTPRoute CRD defaults nothing, so an applied file is stored as written', () => {
  const route = { metadata: {}, spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 'b' }] }] } };
  const before = JSON.stringify(route);
  applyDefaults(route, routeSchema);
  assert.equal(JSON.stringify(route), before);
});

test('applyDefaults: defaults are copies, nulls are defaulted or dropped, metadata untouched', () => {
  const a = { metadata: {}, spec: {} as Record<string, unknown> };
  const b = { metadata: {}, spec: {} as Record<string, unknown> };
  applyDefaults(a, listSchema);
  applyDefaults(b, listSchema);
  (a.spec.rules as unknown[]).push('mutated');
  assert.equal((b.spec.rules as unknown[]).length, 1);
  assert.equal(JSON.stringify(listSchema).includes('mutated'), false);

  const n = { metadata: { labels: null }, spec: { protocol: null, dynamicProxy: { dnsCacheConfig: { hostTTL: null } } } };
  applyDefaults(n, backendSchema);
  assert.deepEqual(n.spec, { dynamicProxy: { dnsCacheConfig: {
    hostTTL: '5m', dnsLookupFamily: 'auto', dnsRefreshRate: '60s', dnsMinRefreshRate: '5s', dnsQueryTimeout: '5s', maxHosts: 1024,
  } } });
  assert.equal(n.metadata.labels, null);

  const nullable: JSONSchemaProps = { type: 'object', properties: { x: { type: 'string', nullable: true, default: 'd' } } };
  const keep = { x: null };
  assert.deepEqual(applyDefaults(keep, nullable), { x: null });
});

test('applyDefaults tolerates any JSON', () => {
  for (const junk of [null, 5, 'x', [], { spec: null }, { spec: [1] }, { spec: { rules: 'x' } }, { spec: { rules: [null, 5, []] } }]) {
    assert.doesNotThrow(() => applyDefaults(structuredClone(junk), routeSchema), JSON.stringify(junk));
  }
});

describe('prototype-named keys', () => {
  it('are unknown fields: pruned, reported, never matched to an inherited member', () => {
    const obj = JSON.parse('{"spec":{"toString":1,"constructor":{"a":1},"__proto__":{"x":1},"valueOf":2,"hasOwnProperty":3,"known":"k"},"toString":1}');
    const pruned = pruneUnknownFields(obj, { type: 'object', properties: { spec: { type: 'object', properties: { known: { type: 'string' } } } } });
    assert.deepEqual(pruned.sort(), ['spec.__proto__', 'spec.constructor', 'spec.hasOwnProperty', 'spec.toString', 'spec.valueOf', 'toString']);
    assert.deepEqual(obj, { spec: { known: 'k' } });
  });

  it('defaults fill own properties only, never skipping one an object inherits', () => {
    const obj = applyDefaults({ spec: {} } as Record<string, unknown>, { type: 'object', properties: { spec: { type: 'object', properties: { toString: { type: 'string', default: 'd' } } } } });
    assert.equal(Object.hasOwn(obj.spec as object, 'toString'), true);
  });
});
