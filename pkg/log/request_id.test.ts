import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedRequestId, requestIdFor } from './request_id';

test('a plausible caller id is kept as is', () => {
  for (const id of ['abc', '2b1f7c3e-0d0e-4a53-9b3e-6a9c1d7f0a11', 'trace:span.1_2+3/4=', 'x'.repeat(128)]) {
    assert.equal(acceptedRequestId(id), id);
    assert.equal(requestIdFor(id, () => 'generated'), id);
  }
});

test('missing, repeated, oversized or unsafe ids are replaced by a generated one', () => {
  for (const bad of [undefined, '', 'x'.repeat(129), 'a b', 'a,b', 'quote"', 'new\nline', 'é', ['a', 'b']]) {
    assert.equal(acceptedRequestId(bad as string | string[] | undefined), undefined, JSON.stringify(bad));
    assert.equal(requestIdFor(bad as string | string[] | undefined, () => 'generated'), 'generated');
  }
});

test('generated ids are UUIDs and differ', () => {
  const a = requestIdFor(undefined);
  const b = requestIdFor(undefined);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
});
