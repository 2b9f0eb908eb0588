import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldPath } from './field';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  labelValueErrors,
  pathSegmentNameErrors,
  qualifiedNameErrors,
  TOTAL_ANNOTATION_SIZE_LIMIT_B,
  validateAnnotations,
  validateLabels,
} from './name_validation';

test('isDNS1123Label', () => {
  for (const ok of ['a', 'abc', 'a-b', '0', '1-2', 'a'.repeat(63)]) assert.ok(isDNS1123Label(ok), ok);
  for (const bad of ['', '-a', 'a-', 'A', 'a.b', 'a_b', 'a'.repeat(64)]) assert.ok(!isDNS1123Label(bad), bad);
});

test('isDNS1123Subdomain', () => {
  for (const ok of ['a', 'example.com', 'a-b.c-d', 'user-service', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) {
    assert.ok(isDNS1123Subdomain(ok), ok);
  }
  const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.'); // 255
  for (const bad of ['', '.', 'a.', '.a', 'a..b', 'Example.com', 'dynamic_forward_proxy', 'a b', long]) {
    assert.ok(!isDNS1123Subdomain(bad), bad);
  }
});

test('pathSegmentNameErrors', () => {
  assert.deepEqual(pathSegmentNameErrors('ok_name'), []);
  assert.deepEqual(pathSegmentNameErrors('.'), ["may not be '.'"]);
  assert.deepEqual(pathSegmentNameErrors('..'), ["may not be '..'"]);
  assert.deepEqual(pathSegmentNameErrors('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
});

test('qualifiedNameErrors', () => {
  for (const ok of ['app', 'app.kubernetes.io/name', 'A_b.c-D', 'example.com/X']) assert.deepEqual(qualifiedNameErrors(ok), [], ok);
  for (const bad of ['', '/a', 'a/', 'a/b/c', '-a', 'Example.com/a', 'a'.repeat(64), `${'a'.repeat(254)}/b`]) {
    assert.ok(qualifiedNameErrors(bad).length > 0, bad);
  }
});

test('labelValueErrors', () => {
  for (const ok of ['', 'v1', 'a.b_c-d', 'x'.repeat(63)]) assert.deepEqual(labelValueErrors(ok), [], ok);
  for (const bad of ['-a', 'a b', 'x'.repeat(64), 'ü']) assert.ok(labelValueErrors(bad).length > 0, bad);
});

test('validateLabels collects every error with kube paths', () => {
  const p = FieldPath.root('metadata').child('labels');
  assert.deepEqual(validateLabels({ app: 'web', region: 'sa', country: 'BR' }, p), []);
  assert.deepEqual(validateLabels(undefined, p), []);
  const errs = validateLabels({ 'bad key!': 'ok', good: 'bad value!', n: 5 }, p);
  assert.deepEqual(
    errs.map((e) => [e.type, e.field]),
    [
      ['FieldValueInvalid', 'metadata.labels'],
      ['FieldValueInvalid', 'metadata.labels[good]'],
      ['FieldValueInvalid', 'metadata.labels[n]'],
    ],
  );
  assert.equal(validateLabels(['x'], p)[0].type, 'FieldValueInvalid');
});

test('validateAnnotations checks keys and the 256 KiB total', () => {
  const p = FieldPath.root('metadata').child('annotations');
  assert.deepEqual(validateAnnotations({ 'kubectl.kubernetes.io/last-applied-configuration': '{}', Foo: 'x' }, p), []);
  assert.equal(validateAnnotations({ 'a/b/c': 'x' }, p)[0].field, 'metadata.annotations');
  const atLimit = { k: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_B - 1) };
  assert.deepEqual(validateAnnotations(atLimit, p), []);
  const over = validateAnnotations({ k: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_B) }, p);
  assert.deepEqual(
    over.map((e) => [e.type, e.field]),
    [['FieldValueTooLong', 'metadata.annotations']],
  );
});
