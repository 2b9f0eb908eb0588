import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmix32, hashString } from './hash';

test('hashString is stable, unsigned 32-bit and spreads keys', () => {
  assert.equal(hashString('10.0.0.1'), hashString('10.0.0.1'));
  assert.equal(hashString(''), fmix32(0x811c9dc5));
  const buckets = new Array(16).fill(0);
  for (let i = 0; i < 16_000; i++) {
    const h = hashString(`10.0.${i >> 8}.${i & 255}`);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
    buckets[h % 16]++;
  }
  for (const b of buckets) assert.ok(b > 850 && b < 1150, String(buckets));
});
