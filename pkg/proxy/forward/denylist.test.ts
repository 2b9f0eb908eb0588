import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalBytes, DenyList } from './denylist';

test('the default list: loopback, unspecified, link-local, metadata, multicast, broadcast; private ranges pass', () => {
  const d = new DenyList(undefined, () => []);
  const denied = ['127.0.0.1', '127.9.8.7', '::1', '0.0.0.0', '0.1.2.3', '::', '169.254.169.254', 'fe80::1', 'fe80::1%eth0',
    '100.100.100.200', 'fd00:ec2::254', '224.0.0.1', '239.255.255.250', 'ff02::1', '255.255.255.255'];
  for (const a of denied) assert.equal(d.denies(a, 80), true, a);
  // positive control: private and public addresses are allowed
  for (const a of ['10.0.0.1', '172.16.0.1', '192.168.1.1', 'fc00::1', 'fd00:ec2::253', '8.8.8.8', '2001:db8::1', '100.100.100.201', 'example.com']) {
    assert.equal(d.denies(a, 80), false, a);
  }
});

test('other spellings of a denied address are the same address', () => {
  const d = new DenyList(undefined, () => []);
  for (const a of ['::ffff:127.0.0.1', '::FFFF:7f00:1', '0:0:0:0:0:ffff:7f00:1', '::127.0.0.1', '::ffff:0:127.0.0.1', '64:ff9b::7f00:1',
    '::ffff:169.254.169.254', '0000:0000:0000:0000:0000:0000:0000:0001', '0:0::0:1', '::ffff:0.0.0.0']) {
    assert.equal(d.denies(a, 443), true, a);
  }
  assert.equal(d.denies('::ffff:10.0.0.1', 443), false, 'a mapped private address stays allowed');
  assert.deepEqual(canonicalBytes('::ffff:7f00:1'), canonicalBytes('127.0.0.1'));
  assert.equal(canonicalBytes('nope'), null);
});

test('*.localhost is denied by name (before any lookup) exactly when loopback is', () => {
  const d = new DenyList(undefined, () => []);
  for (const n of ['localhost', 'foo.localhost', 'A.B.LOCALHOST', 'x.localhost.']) assert.equal(d.deniesName(n), true, n);
  for (const n of ['localhost.example.com', 'notlocalhost', 'example.com']) assert.equal(d.deniesName(n), false, n);
  assert.equal(DenyList.parse('none').deniesName('foo.localhost'), false);
  assert.equal(DenyList.parse('10.0.0.0/8').deniesName('foo.localhost'), false);
  assert.equal(DenyList.parse('127.0.0.0/8').deniesName('foo.localhost'), true);
});

test('none or an explicit list replaces the CIDR default', () => {
  const none = DenyList.parse('none', () => []);
  assert.equal(none.denies('127.0.0.1', 80), false);
  assert.equal(none.denies('169.254.169.254', 80), false);
  const explicit = DenyList.parse('10.0.0.0/8, 2001:db8::/32', () => []);
  assert.equal(explicit.denies('10.1.2.3', 80), true);
  assert.equal(explicit.denies('::ffff:10.1.2.3', 80), true);
  assert.equal(explicit.denies('2001:db8::5', 80), true);
  assert.equal(explicit.denies('127.0.0.1', 80), false);
  assert.equal(DenyList.parse('', () => []).denies('127.0.0.1', 80), true, 'empty means the default');
  for (const bad of ['nonsense/8', '10.0.0.0/33', '::/129', '10.0.0.0/x']) assert.throws(() => DenyList.parse(bad), bad);
});

test('what switchyard listens on is denied on that port, whatever an explicit CIDR list says', () => {
  const locals = ['127.0.0.1', '::1', '192.0.2.10', 'fe80::abcd'];
  const d = DenyList.parse('10.255.0.0/16', () => locals);
  d.setListening('api', [{ host: '127.0.0.1', port: 6443 }]);
  d.setListening('proxy', [{ host: '0.0.0.0', port: 8080 }, { host: '::', port: 8443 }]);
  assert.equal(d.denies('127.0.0.1', 6443), true, 'the API on loopback');
  assert.equal(d.denies('::ffff:127.0.0.1', 6443), true);
  assert.equal(d.denies('0.0.0.0', 6443), true, '0.0.0.0 dials this host');
  assert.equal(d.denies('127.0.0.1', 6444), false, 'another port of the same address is allowed (positive control)');
  assert.equal(d.denies('192.0.2.10', 6443), false, 'the API is bound to loopback only');
  // wildcard binds: every local address on that port
  for (const a of ['127.0.0.1', '127.0.0.2', '192.0.2.10', '::ffff:192.0.2.10', '::1']) assert.equal(d.denies(a, 8080), true, a);
  assert.equal(d.denies('192.0.2.10', 8443), true);
  assert.equal(d.denies('192.0.2.11', 8080), false, 'another host on the same port is allowed');
  // the set follows listeners opened and closed later (Gateway ports)
  assert.equal(d.denies('127.0.0.1', 9000), false);
  d.setListening('proxy', [{ host: '0.0.0.0', port: 8080 }, { host: '127.0.0.1', port: 9000 }]);
  assert.equal(d.denies('127.0.0.1', 9000), true, 'a Gateway port opened later');
  assert.equal(d.denies('192.0.2.10', 8443), false, 'a port closed since is no longer ours');
  assert.equal(d.denies('127.0.0.1', 6443), true, 'other sources are kept');
  assert.equal(d.listening().length, 3);
});

test('verdicts are remembered per address and port, and the memory is bounded', () => {
  const d = new DenyList(undefined, () => []);
  for (let round = 0; round < 3; round++) {
    assert.equal(d.denies('169.254.169.254', 80), true);
    assert.equal(d.denies('10.0.0.1', 80), false);
  }
  for (let i = 0; i < 5000; i++) assert.equal(d.denies(`169.254.${i >> 8}.${i & 255}`, 80), true);
  assert.equal(d.denies('10.1.2.3', 80), false);
});

test('none lifts the self rule too (DESIGN: it replaces the whole default; loops are then caught by Via)', () => {
  const d = DenyList.parse('none', () => ['127.0.0.1']);
  d.setListening('api', [{ host: '127.0.0.1', port: 6443 }]);
  assert.equal(d.denies('127.0.0.1', 6443), false);
  const dflt = DenyList.parse(undefined, () => ['127.0.0.1']);
  dflt.setListening('api', [{ host: '127.0.0.1', port: 6443 }]);
  assert.equal(dflt.denies('127.0.0.1', 6443), true, 'the default denies it (positive control)');
});

test('deniesControlPlane: the API and admin binds only, by value, loopback itself stays allowed', () => {
  const d = new DenyList(undefined, () => ['10.1.2.3']);
  d.setListening('api', [{ host: '127.0.0.1', port: 6443 }]);
  d.setListening('admin', [{ host: '0.0.0.0', port: 9090 }]);
  d.setListening('proxy', [{ host: '0.0.0.0', port: 8080 }]);
  assert.equal(d.deniesControlPlane('127.0.0.1', 6443), true);
  assert.equal(d.deniesControlPlane('::ffff:127.0.0.1', 6443), true);
  assert.equal(d.deniesControlPlane('0.0.0.0', 6443), true);
  assert.equal(d.deniesControlPlane('127.0.0.5', 9090), true); // wildcard admin: all of 127/8
  assert.equal(d.deniesControlPlane('10.1.2.3', 9090), true); // and every local address
  // a loopback upstream on another port, and the proxy's own listener, are routes' business
  assert.equal(d.deniesControlPlane('127.0.0.1', 6444), false);
  assert.equal(d.deniesControlPlane('127.0.0.1', 8080), false);
  assert.equal(d.deniesControlPlane('10.9.9.9', 6443), false);
  // `none` lifts it, as the self rule
  const none = DenyList.parse('none', () => []);
  none.setListening('api', [{ host: '127.0.0.1', port: 6443 }]);
  assert.equal(none.deniesControlPlane('127.0.0.1', 6443), false);
});
