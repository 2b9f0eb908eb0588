import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../apis/meta/v1/types';
import { KeyedState } from './state';

const obj = (name: string, rv: number, labels?: Record<string, string>): KObject =>
  ({ apiVersion: 'v1', kind: 'X', metadata: { name, resourceVersion: String(rv), labels } }) as KObject;
const names = (os: KObject[]) => os.map((o) => o.metadata.name);

describe('KeyedState', () => {
  it('starts from a list and follows ADDED / MODIFIED / DELETED, listing in key order', () => {
    const s = new KeyedState();
    s.replace([obj('b', 2), obj('a', 1)]);
    assert.deepEqual(names(s.list()), ['a', 'b']);
    assert.equal(s.apply('ADDED', obj('c', 3)), undefined);
    const prevA = s.get('a');
    assert.equal(s.apply('MODIFIED', obj('a', 4)), prevA);
    assert.equal(s.get('a')!.metadata.resourceVersion, '4');
    assert.deepEqual(names(s.list()), ['a', 'b', 'c']);
    s.apply('DELETED', obj('b', 5));
    assert.deepEqual(names(s.list()), ['a', 'c']);
    assert.equal(s.size, 2);
    assert.equal(s.apply('DELETED', obj('zz', 6)), undefined, 'deleting an unknown key is a no-op');
    assert.deepEqual(names(s.list()), ['a', 'c']);
  });
  it('returns the stored objects themselves (no copies) and filters with the predicate', () => {
    const s = new KeyedState();
    const x = obj('x', 1, { app: 'web' });
    s.replace([x, obj('y', 2, { app: 'db' })]);
    const web = s.list((o) => o.metadata.labels?.app === 'web');
    assert.equal(web.length, 1);
    assert.equal(web[0], x);
  });
  it('keeps key order through many creates and deletes (UTF-8 byte order)', () => {
    const s = new KeyedState();
    const want: string[] = [];
    for (let i = 0; i < 200; i++) {
      const n = `bk-${(i * 7919) % 200}`;
      s.apply('ADDED', obj(n, i + 1));
      want.push(n);
      if (i % 3 === 0) s.list(); // order cached, then invalidated by the next create
    }
    for (let i = 0; i < 200; i += 5) s.apply('DELETED', obj(`bk-${i}`, 1000 + i));
    const expected = want.filter((n) => Number(n.slice(3)) % 5 !== 0).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(names(s.list()), expected);
  });
  it('clear() empties it', () => {
    const s = new KeyedState();
    s.replace([obj('a', 1)]);
    s.clear();
    assert.equal(s.size, 0);
    assert.deepEqual(s.list(), []);
  });
});
