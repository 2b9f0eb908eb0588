import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldPath } from './field';
import { validateHeaderFieldValue, validateNoControlChars, validateSwitchyardAnnotations } from './header_value';
import type { KObject } from './types';

const withAnn = (annotations: Record<string, string>) => ({ metadata: { name: 'x', annotations } }) as unknown as KObject;

test('CR, LF and NUL are refused with the field path; ordinary values pass', () => {
  const p = FieldPath.root('spec').child('v');
  for (const bad of ['t1\r\nX-Admin: true', 'a\nb', 'a\rb', 'nul\0']) {
    const errs = validateNoControlChars(bad, p);
    assert.equal(errs.length, 1, JSON.stringify(bad));
    assert.equal(errs[0].field, 'spec.v');
  }
  for (const ok of ['t1', 'a b\tc', 'ünïcode', '', undefined, 5]) assert.deepEqual(validateNoControlChars(ok, p), [], String(ok));
});

test('switchyard.dev annotations: raw and JSON-escaped control characters, header-map names', () => {
  const one = (a: Record<string, string>) => validateSwitchyardAnnotations(withAnn(a)).map((e) => e.field);
  assert.deepEqual(one({ 'switchyard.dev/edge-app': 'shop\r\nX: y' }), ['metadata.annotations[switchyard.dev/edge-app]']);
  assert.deepEqual(one({ 'switchyard.dev/response-headers': JSON.stringify({ 'x-a': 't1\r\nX-Admin: true' }) }), ['metadata.annotations[switchyard.dev/response-headers]']);
  assert.deepEqual(one({ 'switchyard.dev/response-headers': JSON.stringify({ 'bad name': 'v' }) }), ['metadata.annotations[switchyard.dev/response-headers]']);
  assert.deepEqual(one({ 'switchyard.dev/registry-options': JSON.stringify({ nested: [{ k: 'a\0' }] }) }), ['metadata.annotations[switchyard.dev/registry-options]']);
  // positive controls: the same annotations with ordinary values; other prefixes are not ours to police
  assert.deepEqual(one({ 'switchyard.dev/edge-app': 'shop', 'switchyard.dev/response-headers': JSON.stringify({ 'x-a': 'v 1' }), 'switchyard.dev/websocket': 'false' }), []);
  assert.deepEqual(one({ 'example.com/note': 'multi\nline' }), []);
  assert.deepEqual(validateSwitchyardAnnotations({ metadata: { name: 'x' } } as unknown as KObject), []);
});

test('header values the proxy writes: other control characters, DEL and characters above U+00FF are refused too', () => {
  const p = FieldPath.root('spec').child('v');
  for (const bad of ['a\u0001b', 'a\u007fb', 'a\u001fb', 'price \u20ac', 'a\r\nb']) assert.equal(validateHeaderFieldValue(bad, p).length, 1, JSON.stringify(bad));
  // positive controls: visible ASCII, spaces, tabs and latin-1 (obs-text) are valid field values
  for (const ok of ['t1', 'a b\tc', 'caf\u00e9', '', undefined]) assert.deepEqual(validateHeaderFieldValue(ok, p), [], String(ok));
  const one = (a: Record<string, string>) => validateSwitchyardAnnotations(withAnn(a)).length;
  assert.equal(one({ 'switchyard.dev/response-headers': JSON.stringify({ 'x-a': 'a\u0001b' }) }), 1);
  assert.equal(one({ 'switchyard.dev/response-headers': JSON.stringify({ 'x-a': 'caf\u00e9' }) }), 0);
});
