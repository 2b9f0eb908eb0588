import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../../schema/types';
import { strategicMerge, StrategicMergeError } from './strategic_merge';

// a Service-like schema: spec.ports merged by port, spec.tags a merged set, spec.list atomic
const SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'port' },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
        list: { type: 'array', items: { type: 'string' } },
        strategy: { type: 'object', 'x-kubernetes-patch-strategy': 'retainKeys', properties: { type: { type: 'string' }, rollingUpdate: { type: 'object' } } },
      },
    },
    data: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as unknown as JSONSchemaProps;

const orig = () => ({
  metadata: { name: 'x', finalizers: ['a'], ownerReferences: [{ uid: 'u1', name: 'one', kind: 'K', apiVersion: 'v1' }], labels: { l: '1' } },
  spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }], tags: ['t1'], list: ['a', 'b'], strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
  data: { a: '1', b: '2' },
});

describe('strategicMerge', () => {
  it('maps merge like a JSON merge patch: null deletes, nested maps merge', () => {
    const out = strategicMerge(orig(), { data: { a: null, c: '3' }, metadata: { labels: { m: '2' } } }, SCHEMA);
    assert.deepEqual(out.data, { b: '2', c: '3' });
    assert.deepEqual((out.metadata as { labels: unknown }).labels, { l: '1', m: '2' });
  });

  it('lists without a strategy are replaced; merge lists of objects merge by key; scalar merge lists are unions', () => {
    const out = strategicMerge(orig(), { spec: { list: ['c'], ports: [{ port: 443, name: 'tls' }, { port: 8080 }], tags: ['t1', 't2'] } }, SCHEMA) as { spec: Record<string, unknown> };
    assert.deepEqual(out.spec.list, ['c']);
    assert.deepEqual(out.spec.ports, [{ port: 80, name: 'http' }, { port: 443, name: 'tls' }, { port: 8080 }]);
    assert.deepEqual(out.spec.tags, ['t1', 't2']);
  });

  it('metadata.finalizers merge and ownerReferences merge by uid, for every kind', () => {
    const out = strategicMerge(orig(), { metadata: { finalizers: ['b'], ownerReferences: [{ uid: 'u2', name: 'two', kind: 'K', apiVersion: 'v1' }, { uid: 'u1', name: 'renamed' }] } }) as { metadata: Record<string, unknown> };
    assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
    assert.deepEqual(out.metadata.ownerReferences, [{ uid: 'u1', name: 'renamed', kind: 'K', apiVersion: 'v1' }, { uid: 'u2', name: 'two', kind: 'K', apiVersion: 'v1' }]);
  });

  it('$patch: replace on a map and in a list; $patch: delete on a map and a list element', () => {
    const a = strategicMerge(orig(), { data: { $patch: 'replace', z: '9' } }, SCHEMA);
    assert.deepEqual(a.data, { z: '9' });
    const b = strategicMerge(orig(), { spec: { ports: [{ $patch: 'replace' }, { port: 1 }] } }, SCHEMA) as { spec: Record<string, unknown> };
    assert.deepEqual(b.spec.ports, [{ port: 1 }]);
    const c = strategicMerge(orig(), { data: { $patch: 'delete' } }, SCHEMA);
    assert.equal(Object.hasOwn(c, 'data'), false);
    const d = strategicMerge(orig(), { spec: { ports: [{ $patch: 'delete', port: 80 }] } }, SCHEMA) as { spec: Record<string, unknown> };
    assert.deepEqual(d.spec.ports, [{ port: 443, name: 'https' }]);
  });

  it('$retainKeys drops the keys it does not list; $deleteFromPrimitiveList removes values; $setElementOrder is accepted', () => {
    const a = strategicMerge(orig(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, SCHEMA) as { spec: Record<string, unknown> };
    assert.deepEqual(a.spec.strategy, { type: 'Recreate' });
    const b = strategicMerge(orig(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }) as { metadata: Record<string, unknown> };
    assert.deepEqual(b.metadata.finalizers, []);
    const c = strategicMerge(orig(), { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }], ports: [{ port: 80, name: 'h' }] } }, SCHEMA) as { spec: Record<string, unknown> };
    assert.deepEqual(c.spec.ports, [{ port: 80, name: 'h' }, { port: 443, name: 'https' }]);
    assert.equal(Object.keys(c.spec).some((k) => k.startsWith('$')), false);
  });

  it('a field absent from the original takes the patch without its directives', () => {
    const out = strategicMerge({}, { data: { $patch: 'replace', a: '1' }, spec: { ports: [{ port: 1 }] } }, SCHEMA);
    assert.deepEqual(out, { data: { a: '1' }, spec: { ports: [{ port: 1 }] } });
  });

  it('refuses malformed patches', () => {
    assert.throws(() => strategicMerge(orig(), { data: { $patch: 'explode' } }, SCHEMA), StrategicMergeError);
    assert.throws(() => strategicMerge(orig(), { spec: { ports: [{ name: 'no-key' }] } }, SCHEMA), /does not contain declared merge key: port/);
    assert.throws(() => strategicMerge(orig(), { $patch: 'delete' }, SCHEMA), StrategicMergeError);
    assert.throws(() => strategicMerge(orig(), [] as unknown, SCHEMA), StrategicMergeError);
    assert.throws(() => strategicMerge(orig(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, SCHEMA), /must list every field/);
  });

  it('never mutates its inputs, and __proto__ is an ordinary key', () => {
    const o = orig();
    const before = JSON.stringify(o);
    const patch = JSON.parse('{"data":{"__proto__":{"polluted":"yes"}},"metadata":{"labels":{"n":"1"}}}');
    const out = strategicMerge(o, patch, SCHEMA) as { data: Record<string, unknown> };
    assert.equal(JSON.stringify(o), before);
    assert.equal(Object.hasOwn(out.data, '__proto__'), true);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((out.data as Record<string, unknown>).polluted, undefined);
  });
});
