import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCA, createServingCert } from '../certs/selfsigned';
import { defaultCertificate, SecureContextCache, SniTable } from './sni';
import type { ListenerIR } from './ir';

const ca = createCA('sni-unit');
const kp = createServingCert(ca, ['x.test'], 'x.test');
const l = (id: string, hostname: string | undefined, cid: string): ListenerIR => ({ id, host: '127.0.0.1', port: 1, tls: true, ...(hostname ? { hostname } : {}), certificate: { id: cid, cert: kp.cert, key: kp.key } });

describe('SniTable', () => {
  it('exact before wildcard; a wildcard covers one label; unknown names get the default', () => {
    const cache = new SecureContextCache();
    const t = new SniTable(cache);
    t.update([l('w', '*.example.com', 'w@1'), l('a', 'a.example.com', 'a@1'), l('d', undefined, 'd@1')]);
    const a = t.lookup('A.example.com');
    const w = t.lookup('b.example.com');
    assert.ok(a && w && a !== w);
    assert.equal(t.lookup('x.b.example.com'), undefined);
    assert.equal(t.lookup('example.com'), undefined);
    assert.equal(t.lookup(undefined), undefined);
    assert.equal(defaultCertificate([l('a', 'a.example.com', 'a@1'), l('d', undefined, 'd@1')])?.id, 'd@1');
  });
  it('builds one context per certificate id and drops unused ones', () => {
    const cache = new SecureContextCache();
    const t = new SniTable(cache);
    t.update([l('a', 'a.test', 'a@1')]);
    const first = t.lookup('a.test');
    t.update([l('a', 'a.test', 'a@1')]);
    assert.equal(t.lookup('a.test'), first, 'same version: same context');
    t.update([l('a', 'a.test', 'a@2')]);
    assert.notEqual(t.lookup('a.test'), first, 'a new version: a new context');
    cache.retain(new Set(['a@2']));
    assert.equal(cache.size, 1);
  });
});
