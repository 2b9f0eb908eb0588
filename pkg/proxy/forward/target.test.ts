import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardTarget, splitAuthority } from './target';
import { DenyList } from './denylist';

test('absolute-form URIs name the target; the path goes upstream', () => {
  assert.deepEqual(forwardTarget('http://Example.com:8080/a?b=1', 'ignored', 80), { host: 'example.com', port: 8080, path: '/a?b=1' });
  assert.deepEqual(forwardTarget('http://example.com', undefined, 80), { host: 'example.com', port: 80, path: '/' });
  assert.deepEqual(forwardTarget('https://example.com?x', undefined, 80), { host: 'example.com', port: 443, path: '/?x' });
  assert.deepEqual(forwardTarget('http://user:pw@[::1]:81/p', undefined, 80), { host: '::1', port: 81, path: '/p' });
});

test('origin-form takes the Host header, with the Backend default port', () => {
  assert.deepEqual(forwardTarget('/x', 'api.test', 443), { host: 'api.test', port: 443, path: '/x' });
  assert.deepEqual(forwardTarget('/x', 'api.test:9000', 443), { host: 'api.test', port: 9000, path: '/x' });
  assert.equal(forwardTarget('/x', undefined, 80), null);
});

test('malformed authorities are refused', () => {
  for (const bad of ['', 'a:b', 'a:0', 'a:65536', '::1', '[zz]:80', 'a b', 'host:80:90', '[::1]x']) {
    assert.equal(splitAuthority(bad, 80), null, bad);
  }
  assert.deepEqual(splitAuthority('host.', 80), { host: 'host', port: 80 });
});

test('the default deny-list covers cloud metadata addresses, mapped or not', () => {
  const d = new DenyList();
  for (const a of ['169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', 'fd00:ec2::254', '100.100.100.200']) assert.equal(d.denies(a), true, a);
  for (const a of ['10.0.0.1', '192.168.1.1', 'not-an-ip']) assert.equal(d.denies(a), false, a);
  assert.equal(DenyList.parse('none').denies('169.254.169.254'), false);
  assert.equal(DenyList.parse('127.0.0.0/8').denies('127.0.0.2'), true);
  assert.throws(() => DenyList.parse('nonsense/8'));
});

test('remembered answers are the same answers: repeated Host headers, default ports, verdicts', () => {
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(forwardTarget('/a', 'api.test', 80), { host: 'api.test', port: 80, path: '/a' });
    assert.deepEqual(forwardTarget('/b', 'api.test', 443), { host: 'api.test', port: 443, path: '/b' }, 'the default port is part of the key');
    assert.equal(forwardTarget('/c', 'a b', 80), null, 'a refusal is remembered as a refusal');
    assert.equal(forwardTarget('/c', '443\napi.test', 80), null);
  }
  // the returned target is the caller's to keep: no shared object leaks between requests
  const t1 = forwardTarget('/x', 'shared.test', 80)!;
  t1.host = 'mutated';
  assert.equal(forwardTarget('/y', 'shared.test', 80)!.host, 'shared.test');
  const d = new DenyList();
  for (let round = 0; round < 3; round++) {
    assert.equal(d.denies('169.254.169.254'), true);
    assert.equal(d.denies('10.0.0.1'), false);
  }
  // more distinct addresses than the verdict cache holds: still right
  for (let i = 0; i < 5000; i++) assert.equal(d.denies(`169.254.${i >> 8}.${i & 255}`), true);
  assert.equal(d.denies('10.1.2.3'), false);
});
