// The event ring: bounded by count and by bytes, oldest evicted first, the newest always kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring } from './ring';

const contents = <T>(r: Ring<T>) => Array.from({ length: r.size }, (_, i) => r.at(i));

test('count bound: the oldest goes first', () => {
  const r = new Ring<number>(3);
  for (const v of [1, 2, 3]) assert.deepEqual(r.push(v), []);
  assert.deepEqual(r.push(4), [1]);
  assert.deepEqual(contents(r), [2, 3, 4]);
});

test('byte bound: pushing past it evicts as many old elements as needed', () => {
  const r = new Ring<string>(100, 10);
  r.push('a', 4);
  r.push('b', 4);
  assert.equal(r.bytes, 8);
  assert.deepEqual(r.push('c', 5), ['a'], 'a out: 4+5 = 9 fits');
  assert.deepEqual(r.push('d', 8), ['b', 'c']);
  assert.deepEqual(contents(r), ['d']);
  assert.equal(r.bytes, 8);
  // the newest element stays even when it alone is over the bound
  assert.deepEqual(r.push('huge', 50), ['d']);
  assert.deepEqual(contents(r), ['huge']);
  assert.equal(r.bytes, 50);
  // positive control: small pushes under the bound evict nothing but the over-sized one
  assert.deepEqual(r.push('e', 1), ['huge']);
  assert.deepEqual(r.push('f', 1), []);
  assert.deepEqual(contents(r), ['e', 'f']);
});

test('count and bytes together; clear resets both', () => {
  const r = new Ring<number>(2, 100);
  r.push(1, 10);
  r.push(2, 10);
  assert.deepEqual(r.push(3, 10), [1]);
  assert.equal(r.bytes, 20);
  r.clear();
  assert.equal(r.size, 0);
  assert.equal(r.bytes, 0);
  assert.deepEqual(r.push(9, 1), []);
  assert.deepEqual(contents(r), [9]);
});
