import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalElement,
  compareElements,
  FieldSet,
  fieldPath,
  fieldSetFromObject,
  fromFieldsV1,
  keyElement,
  pathToString,
  removeAtPath,
  sameValueAtPath,
  toFieldsV1,
  valueAtPath,
  valueElement,
} from './fieldset';
import { listTypeAtFromMap, listTypeAtFromSchema } from './listtypes';

const conditionsMap = listTypeAtFromMap({ 'status.conditions': { type: 'map', keys: ['type'] }, 'spec.hostnames': { type: 'set' } });

const backend = {
  apiVersion: 'core.apoxy.dev/v1alpha2',
  kind: 'Backend',
  metadata: { name: 'b1', labels: { app: 'web' }, annotations: {} },
  spec: {
    endpoints: [{ fqdn: 'a.example.com', port: 8080 }, { ip: '10.0.0.1' }],
    protocol: 'h2',
    dynamicProxy: { dnsCacheConfig: { dnsRefreshRate: '60s' } },
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Ok', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
      { type: 'Accepted', status: 'True', reason: 'Ok', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ],
    observedGeneration: 1,
  },
};

test('fieldSetFromObject + toFieldsV1 encode a Backend exactly like kube', () => {
  const set = fieldSetFromObject(backend, conditionsMap);
  const got = JSON.stringify(toFieldsV1(set));
  const want =
    '{"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:annotations":{},"f:labels":{"f:app":{}},"f:name":{}},' +
    '"f:spec":{"f:dynamicProxy":{"f:dnsCacheConfig":{"f:dnsRefreshRate":{}}},"f:endpoints":{},"f:protocol":{}},' +
    '"f:status":{"f:conditions":{' +
    '"k:{\\"type\\":\\"Accepted\\"}":{".":{},"f:lastTransitionTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}},' +
    '"k:{\\"type\\":\\"Ready\\"}":{".":{},"f:lastTransitionTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}}},' +
    '"f:observedGeneration":{}}}';
  assert.equal(got, want);
});

test('FieldsV1 round-trips kube-written managedFields byte for byte', () => {
  const samples = [
    // kubectl create of a Backend (an Update entry: created maps are owned, hence ".")
    '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:endpoints":{},"f:protocol":{}}}',
    // a status controller
    '{"f:status":{".":{},"f:conditions":{".":{},"k:{\\"type\\":\\"Ready\\"}":{".":{},"f:lastTransitionTime":{},"f:message":{},"f:observedGeneration":{},"f:reason":{},"f:status":{},"f:type":{}}},"f:observedGeneration":{}}}',
    // multi-key map list, set list, index elements, ordering of element kinds
    '{"f:spec":{"f:hostnames":{"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:name":{}},"k:{\\"port\\":443,\\"protocol\\":\\"TCP\\"}":{}},"f:x":{"i:2":{},"i:10":{}}}}',
    '{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}',
    '{}',
  ];
  for (const s of samples) {
    const set = fromFieldsV1(JSON.parse(s));
    assert.equal(JSON.stringify(toFieldsV1(set)), s);
  }
});

test('fromFieldsV1 canonicalises and sorts keys', () => {
  const set = fromFieldsV1({ 'f:z': {}, 'f:a': { 'k:{"protocol":"TCP","port":80}': {} }, 'f:b': { '.': {} } });
  assert.equal(JSON.stringify(toFieldsV1(set)), '{"f:a":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{}},"f:b":{},"f:z":{}}');
  assert.equal(canonicalElement('k:{"b":1,"a":"<x>"}'), 'k:{"a":"\\u003cx\\u003e","b":1}');
});

test('fromFieldsV1 rejects what is not FieldsV1', () => {
  for (const bad of [[], 'x', null, { 'x:y': {} }, { 'f:a': 3 }, { 'k:notjson': {} }, { 'k:[1]': {} }, { 'i:-1': {} }]) {
    assert.throws(() => fromFieldsV1(bad), Error, JSON.stringify(bad));
  }
});

test('element order follows PathElement.Compare', () => {
  const els = ['i:1', 'v:"b"', 'k:{"type":"B"}', 'f:b', 'v:1', 'k:{"type":"A"}', 'f:a', 'i:0', 'v:true'];
  assert.deepEqual([...els].sort(compareElements), ['f:a', 'f:b', 'k:{"type":"A"}', 'k:{"type":"B"}', 'v:1', 'v:"b"', 'v:true', 'i:0', 'i:1']);
});

test('set algebra', () => {
  const s = (...paths: string[][]) => FieldSet.fromPaths(paths.map((p) => fieldPath(...p)));
  const a = s(['spec', 'a'], ['spec', 'b'], ['metadata', 'labels', 'x']);
  const b = s(['spec', 'b'], ['spec', 'c']);
  const enc = (x: FieldSet) => JSON.stringify(toFieldsV1(x));
  const cases: Array<[string, FieldSet, string]> = [
    ['union', a.union(b), '{"f:metadata":{"f:labels":{"f:x":{}}},"f:spec":{"f:a":{},"f:b":{},"f:c":{}}}'],
    ['difference', a.difference(b), '{"f:metadata":{"f:labels":{"f:x":{}}},"f:spec":{"f:a":{}}}'],
    ['intersection', a.intersection(b), '{"f:spec":{"f:b":{}}}'],
    ['empty intersection', s(['x']).intersection(s(['y'])), '{}'],
    ['node vs child are different members', s(['spec']).difference(s(['spec', 'a'])), '{"f:spec":{}}'],
    ['owned node with children', s(['spec'], ['spec', 'a']), '{"f:spec":{".":{},"f:a":{}}}'],
  ];
  for (const [name, got, want] of cases) assert.equal(enc(got), want, name);
  assert.equal(a.difference(a).isEmpty(), true);
  assert.equal(new FieldSet().isEmpty(), true);
  assert.equal(a.size, 3);
  assert.ok(a.has(fieldPath('spec', 'a')));
  assert.ok(!a.has(fieldPath('spec')));
  assert.ok(a.hasAtOrBelow(fieldPath('spec')));
  assert.ok(a.equals(fromFieldsV1(toFieldsV1(a))));
  assert.ok(!a.equals(b));
  const r = a.clone().remove(fieldPath('metadata', 'labels', 'x'));
  assert.equal(enc(r), '{"f:spec":{"f:a":{},"f:b":{}}}');
  assert.equal(enc(a), '{"f:metadata":{"f:labels":{"f:x":{}}},"f:spec":{"f:a":{},"f:b":{}}}', 'clone is deep');
});

test('paths, leaves and their kube text', () => {
  const set = fromFieldsV1(
    JSON.parse(
      '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:status":{"f:conditions":{"k:{\\"type\\":\\"Ready\\"}":{".":{},"f:status":{}}}},"f:spec":{"f:hosts":{"v:\\"a\\"":{}},"f:l":{"i:0":{}},"f:p":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{}}}}',
    ),
  );
  assert.deepEqual([...set.paths()].map(pathToString), [
    '.metadata.labels',
    '.metadata.labels.app',
    '.spec.hosts[="a"]',
    '.spec.l[0]',
    '.spec.p[port=80,protocol="TCP"]',
    '.status.conditions[type="Ready"]',
    '.status.conditions[type="Ready"].status',
  ]);
  assert.deepEqual([...set.leaves()].map(pathToString), [
    '.metadata.labels.app',
    '.spec.hosts[="a"]',
    '.spec.l[0]',
    '.spec.p[port=80,protocol="TCP"]',
    '.status.conditions[type="Ready"].status',
  ]);
  assert.equal(pathToString(fieldPath('metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration')), '.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration');
});

test('lists: associative, set, and atomic fallbacks', () => {
  const lt = listTypeAtFromMap({ 'spec.l': { type: 'map', keys: ['name'] }, 'spec.s': { type: 'set' } });
  const enc = (o: unknown) => JSON.stringify(toFieldsV1(fieldSetFromObject(o, lt)));
  const cases: Array<[unknown, string]> = [
    [{ spec: { l: [{ name: 'a', v: 1 }] } }, '{"f:spec":{"f:l":{"k:{\\"name\\":\\"a\\"}":{".":{},"f:name":{},"f:v":{}}}}}'],
    [{ spec: { l: [{ v: 1 }] } }, '{"f:spec":{"f:l":{}}}'], // key missing: atomic
    [{ spec: { l: [{ name: 'a' }, { name: 'a' }] } }, '{"f:spec":{"f:l":{}}}'], // duplicate: atomic
    [{ spec: { l: [] } }, '{}'], // an empty associative list sets nothing (SMD ToFieldSet)
    [{ spec: { s: ['x', 'y', 'x'] } }, '{"f:spec":{"f:s":{}}}'],
    [{ spec: { s: ['y', 'x'] } }, '{"f:spec":{"f:s":{"v:\\"x\\"":{},"v:\\"y\\"":{}}}}'],
    [{ spec: { other: [1, 2] } }, '{"f:spec":{"f:other":{}}}'],
    [{ spec: {}, x: null }, '{"f:spec":{},"f:x":{}}'],
  ];
  for (const [o, want] of cases) assert.equal(enc(o), want, JSON.stringify(o));
});

test('listTypeAtFromSchema reads x-kubernetes-list-type', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          rules: {
            type: 'array',
            items: {
              type: 'object',
              properties: { matches: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } },
            },
          },
          byName: { type: 'object', additionalProperties: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'] } },
        },
      },
      status: {
        type: 'object',
        properties: { conditions: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] } },
      },
    },
  };
  const lt = listTypeAtFromSchema(schema);
  assert.deepEqual(lt(['status', 'conditions']), { type: 'map', keys: ['type'] });
  assert.deepEqual(lt(['spec', 'rules', '[]', 'matches']), { type: 'set' });
  assert.deepEqual(lt(['spec', 'byName', 'anything']), { type: 'map', keys: ['k'] });
  assert.equal(lt(['spec', 'rules']), undefined);
  assert.equal(lt(['nope', 'x']), undefined);
  const fromMap = listTypeAtFromMap({ 'spec.rules[].matches': { type: 'set' } });
  assert.deepEqual(fromMap(['spec', 'rules', '[]', 'matches']), { type: 'set' });
});

test('valueAtPath, sameValueAtPath, removeAtPath', () => {
  const ready = keyElement({ type: 'Ready' });
  const a = { spec: { x: 1, s: ['a', 'b'] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  const b = { spec: { x: 2, s: ['a'] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.deepEqual(valueAtPath(a, fieldPath('spec', 'x')), { found: true, value: 1 });
  assert.deepEqual(valueAtPath(a, ['f:status', 'f:conditions', ready, 'f:status']), { found: true, value: 'True' });
  assert.deepEqual(valueAtPath(a, fieldPath('spec', 'y')), { found: false });
  assert.deepEqual(valueAtPath(a, ['f:spec', 'f:s', valueElement('b')]), { found: true, value: 'b' });
  assert.deepEqual(valueAtPath(a, ['f:spec', 'f:s', 'i:1']), { found: true, value: 'b' });
  assert.equal(sameValueAtPath(a, b, fieldPath('spec', 'x')), false);
  assert.equal(sameValueAtPath(a, b, ['f:status', 'f:conditions', ready]), true);
  assert.equal(sameValueAtPath(a, b, fieldPath('spec', 'nope')), true);
  const c = structuredClone(a);
  assert.equal(removeAtPath(c, ['f:spec', 'f:s', valueElement('a')]), true);
  assert.deepEqual(c.spec.s, ['b']);
  assert.equal(removeAtPath(c, ['f:status', 'f:conditions', ready]), true);
  assert.deepEqual(c.status.conditions, []);
  assert.equal(removeAtPath(c, fieldPath('spec', 'x')), true);
  assert.equal(removeAtPath(c, fieldPath('spec', 'x')), false);
  assert.deepEqual(c.spec, { s: ['b'] });
});
