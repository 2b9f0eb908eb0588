import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from './freeze';

describe('deepFreeze', () => {
  it('freezes nested objects and arrays; writes throw in strict mode', () => {
    const o = deepFreeze({ metadata: { labels: { a: '1' } }, spec: { endpoints: [{ ip: '10.0.0.1' }] } });
    assert.throws(() => {
      (o.metadata.labels as Record<string, string>).a = '2';
    }, TypeError);
    assert.throws(() => {
      (o.spec.endpoints as unknown[]).push({});
    }, TypeError);
    assert.throws(() => {
      o.spec.endpoints[0].ip = 'x';
    }, TypeError);
    assert.equal(o.metadata.labels.a, '1');
  });
  it('leaves primitives and null alone; copies are writable', () => {
    assert.equal(deepFreeze(3), 3);
    assert.equal(deepFreeze(null), null);
    const o = deepFreeze({ a: { b: 1 } });
    const c = structuredClone(o);
    c.a.b = 2;
    assert.equal(c.a.b, 2);
    const s = { ...o, extra: true };
    assert.equal(s.extra, true);
  });
});
