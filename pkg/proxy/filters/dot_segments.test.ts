import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasDotSegment, removeDotSegments } from './dot_segments';

test('dot-segments are resolved, plain or percent-encoded, never above the root', () => {
  const table: Array<[string, string]> = [
    ['/public/../admin', '/admin'],
    ['/public/%2e%2e/admin', '/admin'],
    ['/public/%2E%2e/admin/', '/admin/'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/..', '/'],
    ['/.', '/'],
    ['/a/.%2e/b', '/b'],
  ];
  for (const [input, want] of table) assert.equal(removeDotSegments(input), want, input);
});

test('paths without dot-segments are returned as they are (dots inside names, //, %2F kept)', () => {
  for (const p of ['/', '/a.b/c..d/.e/f.', '/v1.2/x', '//double//slash', '/a%2Fb', '/..a/b..', '/a/...']) {
    assert.equal(hasDotSegment(p), false, p);
    assert.equal(removeDotSegments(p), p, p);
  }
});
