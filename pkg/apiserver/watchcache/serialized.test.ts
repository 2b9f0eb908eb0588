import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../apis/meta/v1/types';
import { deepFreeze } from './freeze';
import { listJSON, objectJSON } from './serialized';

const obj = (name: string): KObject =>
  deepFreeze({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, labels: { 'a"b': 'é\u2028' }, resourceVersion: '7' }, spec: { endpoints: [{ ip: '10.0.0.1' }], x: null } } as KObject);

describe('serialized', () => {
  it('is exactly JSON.stringify of the list, in the storage version and in another', () => {
    const items = [obj('a'), obj('b'), obj('c')];
    for (const v of ['core.apoxy.dev/v1alpha2', 'core.apoxy.dev/v1alpha']) {
      const list = { apiVersion: v, kind: 'BackendList', metadata: { resourceVersion: '9' }, items: items.map((o) => (o.apiVersion === v ? o : { ...o, apiVersion: v })) };
      assert.equal(listJSON(v, 'BackendList', list.metadata, items, v), JSON.stringify(list));
    }
    assert.equal(listJSON('v', 'L', { resourceVersion: '1' }, [], 'v'), JSON.stringify({ apiVersion: 'v', kind: 'L', metadata: { resourceVersion: '1' }, items: [] }));
  });
  it('serializes an object once per version', () => {
    const o = obj('x');
    assert.equal(objectJSON(o, o.apiVersion!), objectJSON(o, o.apiVersion!));
    const s1 = objectJSON(o, 'core.apoxy.dev/v1alpha');
    assert.equal(JSON.parse(s1).apiVersion, 'core.apoxy.dev/v1alpha');
    assert.equal(objectJSON(o, 'core.apoxy.dev/v1alpha'), s1);
    assert.equal(o.apiVersion, 'core.apoxy.dev/v1alpha2', 'the object itself is untouched');
  });
});
