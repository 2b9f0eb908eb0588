import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absoluteAuthority, appendVia, distrustForwarded, replaceHost, TrustedPeers, validViaName, viaHasToken } from './front';

test('TrustedPeers: CIDRs of both families, IPv4-mapped peers, none by default; bad input refused', () => {
  const t = TrustedPeers.parse('10.0.0.0/8, 2001:db8::/32,192.0.2.7');
  assert.equal(t.trusts('10.1.2.3'), true);
  assert.equal(t.trusts('::ffff:10.1.2.3'), true);
  assert.equal(t.trusts('192.0.2.7'), true);
  assert.equal(t.trusts('192.0.2.8'), false);
  assert.equal(t.trusts('2001:db8::1'), true);
  assert.equal(t.trusts('11.0.0.1'), false);
  assert.equal(t.trusts(''), false);
  assert.equal(TrustedPeers.parse('none').trusts('127.0.0.1'), false);
  assert.equal(TrustedPeers.parse(undefined).trusts('127.0.0.1'), false);
  assert.throws(() => TrustedPeers.parse('10.0.0.0/33'), /prefix/);
  assert.throws(() => TrustedPeers.parse('example.com'), /not an address/);
});

test('distrustForwarded: X-Forwarded-Proto/-Host dropped, Forwarded replaced by this hop; null when none is there', () => {
  assert.equal(distrustForwarded(['Host', 'a', 'X-Forwarded-For', '1.2.3.4'], '127.0.0.1', 'http', 'a'), null);
  const out = distrustForwarded(['Host', 'a', 'x-forwarded-proto', 'https', 'X-Forwarded-Host', 'evil', 'Forwarded', 'for=1.2.3.4', 'X-Other', 'k'], '::ffff:10.0.0.9', 'http', 'a:81');
  assert.deepEqual(out, ['Host', 'a', 'X-Other', 'k', 'Forwarded', 'for=10.0.0.9;proto=http;host="a:81"']);
  assert.deepEqual(distrustForwarded(['Forwarded', 'for=x'], '2001:db8::1', 'https', undefined), ['Forwarded', 'for="[2001:db8::1]";proto=https']);
});

test('Via: own token found as a received-by only; appended to the last Via or added', () => {
  assert.equal(viaHasToken('1.1 edge-a, 1.0 edge-b (squid)', 'edge-b'), true);
  assert.equal(viaHasToken(['1.1 x', 'HTTP/1.1 me'], 'me'), true);
  assert.equal(viaHasToken('1.1 edge-bb', 'edge-b'), false);
  assert.equal(viaHasToken('1.1 x (edge-b)', 'edge-b'), false);
  assert.equal(viaHasToken(undefined, 'me'), false);
  const raw = ['Host', 'a', 'Via', '1.0 p'];
  appendVia(raw, 'me');
  assert.deepEqual(raw, ['Host', 'a', 'Via', '1.0 p, 1.1 me']);
  const none = ['Host', 'a'];
  appendVia(none, 'me');
  assert.deepEqual(none, ['Host', 'a', 'Via', '1.1 me']);
  assert.equal(validViaName('switchyard-abc'), true);
  assert.equal(validViaName('a b'), false);
  assert.equal(validViaName('a,b'), false);
});

test('absolute-form: the authority (userinfo dropped) replaces every Host field', () => {
  assert.equal(absoluteAuthority('http://u:p@a.example:81/x?y'), 'a.example:81');
  assert.equal(absoluteAuthority('HTTPS://a.example'), 'a.example');
  assert.equal(absoluteAuthority('/x'), null);
  assert.equal(absoluteAuthority('http:///x'), null);
  assert.deepEqual(replaceHost(['Host', 'other', 'X', '1', 'host', 'again'], 'a.example'), ['Host', 'a.example', 'X', '1']);
  assert.deepEqual(replaceHost(['X', '1'], 'a.example'), ['Host', 'a.example', 'X', '1']);
});

test('distrustForwarded drops underscore spellings of the proxy-owned headers (CGI reads them as the real ones)', () => {
  const raw = ['Host', 'a', 'X_Forwarded_For', '6.6.6.6', 'x_forwarded_proto', 'https', 'X-Request_Id', 'evil', 'X_Custom', 'kept'];
  assert.deepEqual(distrustForwarded(raw, '10.0.0.9', 'http', 'a'), ['Host', 'a', 'X_Custom', 'kept']);
  // positive control: other underscore names alone are nobody's business here
  assert.equal(distrustForwarded(['Host', 'a', 'X_Custom', 'kept', 'my_header', 'v'], '10.0.0.9', 'http', 'a'), null);
});
