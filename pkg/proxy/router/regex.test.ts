import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFullMatch, literalPrefix } from './regex';
import { compileRouter } from './compile';
import { mkMatch, mkRule, Req } from './testing';

test('a route regex is a full match of the value (Envoy safe_regex semantics)', () => {
  const m = compileFullMatch('/api/v[0-9]+');
  assert.equal(m.test('/api/v2'), true);
  assert.equal(m.test('/api/v2/extra'), false, 'no prefix match');
  assert.equal(m.test('/x/api/v2'), false, 'no search');
  assert.equal(compileFullMatch('a|b').test('ab'), false, 'alternation is anchored as a whole');
  assert.equal(compileFullMatch('^/v[0-9]+/.*$').test('/v1/x'), true, 'explicit anchors are harmless');
  assert.throws(() => compileFullMatch('(a)\\1'));
  assert.throws(() => compileFullMatch('(?=a)'));
});

test('(a+)+$ against 10 KB of a then b completes (linear time) and a positive control matches after it', () => {
  const router = compileRouter(
    [
      mkRule({ route: 'evil', ruleIndex: 0, hostnames: [], matches: [mkMatch({ regex: '/(a+)+$' })] }),
      mkRule({ route: 'hdr', ruleIndex: 0, hostnames: [], matches: [mkMatch({ prefix: '/h', headers: [['x', '(a+)+$', 'RegularExpression']] })] }),
    ],
    'default',
  );
  const long = 'a'.repeat(10_240) + 'b';
  assert.equal(router.match(new Req('x', `/${long}`)), null);
  assert.equal(router.match(new Req('x', '/h', 'GET', { x: long })), null);
  assert.equal(router.match(new Req('x', `/${'a'.repeat(10_240)}`))?.rule.route, 'evil');
  assert.equal(router.match(new Req('x', '/h', 'GET', { x: 'aaaa' }))?.rule.route, 'hdr');
});

test('literalPrefix: the literal every full match starts with, or less (never more)', () => {
  const table: Array<[string, string]> = [
    ['/api/v1/users/[0-9]+', '/api/v1/users/'],
    ['/users-7/[0-9]+(/orders)?', '/users-7/'],
    ['/api/v1/b?', '/api/v1/'],
    ['/api/v1/c+', '/api/v1/'],
    ['/a{2}', '/'],
    ['/v1\\.json', '/v1.json'],
    ['/a/b|/c/.*', ''],
    ['/api/(v1|v2)/x', '/api/'],
    ['(?i)/api/.*', ''],
    ['^/api/.*', ''],
    ['/a[|]b', '/a'],
    ['/a\\Q.*\\E', ''],
    ['[[:alpha:]]/x', ''],
    ['.*', ''],
  ];
  for (const [source, want] of table) {
    compileFullMatch(source);
    assert.equal(literalPrefix(source), want, source);
  }
});
