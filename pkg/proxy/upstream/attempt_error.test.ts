import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { classifyAttemptError, withoutHeader } from './attempt_error';

const coded = (code: string) => Object.assign(new Error(code), { code });

test('what undici refuses as an invalid request is the client\'s fault, sent or not', () => {
  assert.equal(classifyAttemptError(new errors.InvalidArgumentError('duplicate host header'), false), 'client');
  assert.equal(classifyAttemptError(new errors.NotSupportedError('expect header not supported'), false), 'client');
  assert.equal(classifyAttemptError(new errors.RequestContentLengthMismatchError(), true), 'client');
});

test('nothing sent: a connect failure (refused, unreachable, connect timeout); positive control: sent is not', () => {
  assert.equal(classifyAttemptError(coded('ECONNREFUSED'), false), 'connect');
  assert.equal(classifyAttemptError(coded('EHOSTUNREACH'), false), 'connect');
  assert.equal(classifyAttemptError(new errors.ConnectTimeoutError(), false), 'connect');
  assert.equal(classifyAttemptError(coded('ECONNRESET'), true), 'reset');
  assert.equal(classifyAttemptError(new errors.SocketError('other side closed'), true), 'reset');
});

test('timeouts after the request went out', () => {
  assert.equal(classifyAttemptError(new errors.HeadersTimeoutError(), true), 'timeout');
  assert.equal(classifyAttemptError(new errors.BodyTimeoutError(), true), 'timeout');
});

test('withoutHeader drops every copy in any case and keeps the rest in order', () => {
  const h = ['Host', 'a', 'Expect', '100-continue', 'x', '1', 'expect', 'y'];
  assert.deepEqual(withoutHeader(h, 'expect'), ['Host', 'a', 'x', '1']);
  assert.deepEqual(h.length, 8, 'the input is not changed');
  const none = ['Host', 'a'];
  assert.equal(withoutHeader(none, 'expect'), none, 'absent: the same list');
});
