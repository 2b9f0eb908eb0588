import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCA, createServingCert } from '../../certs/selfsigned';
import { resolveListenerCertificate, secretIndex } from './certificates';
import type { Secret } from '../../../apis/core/v1/types';
import type { Listener } from '../../../apis/gateway/v1/gateway_types';

const ca = createCA('cert-unit');
const a = createServingCert(ca, ['a.test'], 'a.test');
const b = createServingCert(ca, ['b.test'], 'b.test');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, crt: string, key: string, ns = 'default', rv = '1'): Secret => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns, resourceVersion: rv }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(crt), 'tls.key': b64(key) },
});
const listener = (ref: Record<string, unknown> | null): Listener => ({ name: 'l', port: 443, protocol: 'HTTPS', ...(ref ? { tls: { certificateRefs: [ref] } } : {}) });

describe('resolveListenerCertificate', () => {
  const idx = secretIndex([secret('ok', a.cert, a.key), secret('mismatch', a.cert, b.key), secret('garbage', 'nope', 'nope'), secret('other-ns', a.cert, a.key, 'team')]);
  it('resolves a valid Secret (namespace defaults to default) with a versioned id', () => {
    const r = resolveListenerCertificate(listener({ kind: 'Secret', name: 'ok' }), idx);
    assert.ok(r && 'certificate' in r);
    assert.equal(r.certificate.id, 'default/ok@1');
    const n = resolveListenerCertificate(listener({ name: 'other-ns', namespace: 'team' }), idx);
    assert.ok(n && 'certificate' in n);
  });
  it('no certificateRefs: null (the proxy certificate serves)', () => {
    assert.equal(resolveListenerCertificate(listener(null), idx), null);
  });
  it('missing, wrong kind, bad PEM and a key of another certificate are errors without the data', () => {
    for (const [ref, re] of [
      [{ name: 'absent' }, /not found/],
      [{ kind: 'ConfigMap', name: 'ok' }, /only core Secrets/],
      [{ name: 'garbage' }, /not a PEM/],
      [{ name: 'mismatch' }, /unusable certificate or key/],
      [{ name: 'other-ns' }, /not found/],
    ] as const) {
      const r = resolveListenerCertificate(listener(ref), idx);
      assert.ok(r && 'error' in r, JSON.stringify(ref));
      assert.match(r.error, re);
      assert.ok(!r.error.includes('BEGIN') && !r.error.includes(b64(b.key).slice(0, 20)));
    }
  });
});
