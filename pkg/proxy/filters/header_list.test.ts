import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setHeader } from './header_list';

test('appends a missing header under its lower-case name', () => {
  assert.deepEqual(setHeader(['Host', 'a', 'Accept', '*/*'], 'x-request-id', 'id-1'), ['Host', 'a', 'Accept', '*/*', 'x-request-id', 'id-1']);
});

test('overwrites the first copy in place and drops the others, whatever their case', () => {
  assert.deepEqual(
    setHeader(['X-Request-ID', 'bad one', 'Host', 'a', 'x-request-id', 'second', 'X-REQUEST-ID', 'third'], 'x-request-id', 'id-2'),
    ['X-Request-ID', 'id-2', 'Host', 'a'],
  );
  assert.deepEqual(setHeader(['HOST', 'old', 'host', 'dup'], 'host', 'new.example'), ['HOST', 'new.example']);
});

test('leaves similar header names alone', () => {
  assert.deepEqual(setHeader(['x-request-idx', 'v', 'hosts', 'w'], 'x-request-id', 'id-3'), ['x-request-idx', 'v', 'hosts', 'w', 'x-request-id', 'id-3']);
});
