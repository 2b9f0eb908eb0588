// Unit tests for compareKeys: the cache lists in the stores' order (UTF-8 bytes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys } from './keyorder';

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareKeys', () => {
  it('orders like UTF-8 bytes, including astral characters against U+E000–U+FFFF', () => {
    const keys = ['b', 'a', 'a-1', 'a.1', 'a_1', 'A', 'aa', 'a', 'é', 'ｚ', '😀', 'x😀', 'x\uffff', 'x\ue000', 'x', '', 'bk-10', 'bk-9', 'bk-100'];
    const mine = [...keys].sort(compareKeys);
    const ref = [...keys].sort(byBytes);
    assert.deepEqual(mine, ref);
    assert.notDeepEqual([...keys].sort(), ref, 'the default sort differs (the point of compareKeys)');
  });
  it('is zero only for equal strings', () => {
    assert.equal(compareKeys('abc', 'abc'), 0);
    assert.ok(compareKeys('ab', 'abc') < 0);
    assert.ok(compareKeys('abd', 'abc') > 0);
  });
});
