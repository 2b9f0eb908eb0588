import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendIR } from '../ir';
import { createCA } from '../../certs/selfsigned';
import { isTLSVerificationError, tlsProfile, TLSVerdicts, upstreamFailureReason, UpstreamTLSError, upstreamTLSOptions, UpstreamTrust } from './tls';

const ir = (name: string, tls?: BackendIR['tls']): BackendIR => ({ name, protocol: 'tls', defaultPort: 443, endpoints: [], loadBalancer: { algorithm: 'round-robin', slots: 1 }, ...(tls ? { tls } : {}) });
const trust = new UpstreamTrust();

test('options: verify by default; the name checked is serverName, else the request name, else the IP; SNI never an IP', () => {
  const byName = upstreamTLSOptions(trust, undefined, 'ok.test', '127.0.0.1');
  assert.equal(byName.rejectUnauthorized, true);
  assert.equal(byName.servername, 'ok.test');
  assert.ok(byName.secureContext, 'a secure context with the trust store');
  const byIP = upstreamTLSOptions(trust, undefined, undefined, '127.0.0.1');
  assert.equal(byIP.servername, undefined);
  assert.equal(byIP.rejectUnauthorized, true);
  const named = upstreamTLSOptions(trust, { serverName: 'svc.internal' }, 'ok.test', '127.0.0.1');
  assert.equal(named.servername, 'svc.internal');
  const ipName = upstreamTLSOptions(trust, { serverName: '10.0.0.1' }, undefined, '127.0.0.1');
  assert.equal(ipName.servername, undefined, 'an IP serverName is checked, not sent as SNI');
  const off = upstreamTLSOptions(trust, { insecureSkipVerify: true }, 'ok.test', '127.0.0.1');
  assert.equal(off.rejectUnauthorized, false);
  assert.equal(off.servername, 'ok.test');
  assert.equal(off.secureContext, undefined);
});

test('checkServerIdentity checks the chosen name, not the socket host', () => {
  const o = upstreamTLSOptions(trust, undefined, 'ok.test', '127.0.0.1');
  const cert = { subject: { CN: 'attacker.invalid' }, subjectaltname: 'DNS:attacker.invalid' } as never;
  const err = o.checkServerIdentity!('127.0.0.1', cert);
  assert.ok(err instanceof Error);
  assert.equal((err as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.match(err.message, /ok\.test/);
  assert.equal(o.checkServerIdentity!('127.0.0.1', { subject: { CN: 'ok.test' }, subjectaltname: 'DNS:ok.test' } as never), undefined);
});

test('secure contexts are built once per caBundle', () => {
  const t = new UpstreamTrust();
  const ca = createCA('unit-ca', 1).cert;
  assert.equal(t.secureContext(undefined), t.secureContext(undefined));
  assert.equal(t.secureContext(ca), t.secureContext(ca));
  assert.notEqual(t.secureContext(ca), t.secureContext(undefined));
});

test('verification errors are told from other connect errors; the 502 reason says why', () => {
  const e = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  assert.equal(isTLSVerificationError(e), true);
  assert.equal(isTLSVerificationError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), false);
  assert.equal(isTLSVerificationError(null), false);
  assert.equal(upstreamFailureReason(new UpstreamTLSError(e, 'ok.test')), 'upstream TLS verification failed for ok.test (DEPTH_ZERO_SELF_SIGNED_CERT): self-signed certificate');
  assert.equal(upstreamFailureReason(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'upstream connect error or disconnect/reset before headers: ECONNREFUSED');
});

test('profiles: cached per IR object, distinct per Backend and per TLS settings', () => {
  const a = ir('a');
  assert.equal(tlsProfile(a), tlsProfile(a));
  assert.equal(tlsProfile(a).key, tlsProfile(ir('a')).key);
  const keys = new Set([ir('a'), ir('b'), ir('a', { caBundle: 'x' }), ir('a', { caBundle: 'y' }), ir('a', { serverName: 's' }), ir('a', { insecureSkipVerify: true })].map((b) => tlsProfile(b).key));
  assert.equal(keys.size, 6);
  assert.ok(!tlsProfile(ir('a', { caBundle: 'x'.repeat(10_000) })).key.includes('xxxx'), 'a bundle is hashed into the key');
});

test('verdicts: a change fires onChange once; a changed TLS profile or a removed Backend drops the verdict', () => {
  const v = new TLSVerdicts();
  const changed: string[] = [];
  v.onChange = (b) => changed.push(b);
  const a = ir('a');
  const key = tlsProfile(a).key;
  v.record('a', key, false, 'bad');
  v.record('a', key, false, 'bad');
  v.record('a', key, false, 'bad');
  assert.deepEqual(changed, ['a'], 'a burst of equal failures: one change');
  assert.deepEqual(v.get('a'), { ok: false, message: 'bad' });
  v.record('a', key, true, 'good');
  assert.deepEqual(changed, ['a', 'a']);
  v.prune({ a });
  assert.deepEqual(v.get('a'), { ok: true, message: 'good' }, 'same profile: kept');
  v.prune({ a: ir('a', { caBundle: 'new' }) });
  assert.equal(v.get('a'), undefined, 'spec.tls changed: the old verdict no longer applies');
  v.record('a', key, false, 'bad');
  v.prune({});
  assert.equal(v.get('a'), undefined);
  assert.equal(changed.length, 5);
});

test('BackendTLSPolicy: subjectAltNames are checked instead of the name (DNS by node rules, URI exactly); caBundleOnly gets its own context', () => {
  const o = upstreamTLSOptions(trust, { serverName: 'sni.test', subjectAltNames: [{ type: 'Hostname', value: 'svc.test' }, { type: 'URI', value: 'spiffe://td/ns/a' }] }, undefined, '127.0.0.1');
  assert.equal(o.servername, 'sni.test', 'the hostname is still the SNI');
  const check = (san: string) => o.checkServerIdentity!('127.0.0.1', { subject: { CN: 'x' }, subjectaltname: san } as never);
  assert.equal(check('DNS:svc.test'), undefined);
  assert.equal(check('DNS:other.test, URI:spiffe://td/ns/a'), undefined);
  const err = check('DNS:sni.test, URI:spiffe://td/ns/b');
  assert.equal((err as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.ok(isTLSVerificationError(err));
  const t = new UpstreamTrust();
  const ca = createCA('only-ca', 1).cert;
  assert.notEqual(t.secureContext(ca, true), t.secureContext(ca, false));
  assert.equal(t.secureContext(ca, true), t.secureContext(ca, true));
  assert.notEqual(tlsProfile(ir('b', { caBundle: ca })).key, tlsProfile(ir('b', { caBundle: ca, caBundleOnly: true })).key);
});
