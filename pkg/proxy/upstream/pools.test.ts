import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamPools } from './pools';
import type { BackendIR } from '../ir';

test('one pool per (protocol, address, port, servername); a sweep closes pools unused since the last one', async () => {
  const pools = new UpstreamPools({ idleSweepMs: 3_600_000 });
  try {
    const a = pools.poolFor('', '127.0.0.1', 8080, undefined);
    assert.equal(pools.poolFor('', '127.0.0.1', 8080, undefined), a, 'found again');
    assert.equal(pools.get({ protocol: '', address: '127.0.0.1', port: 8080 }), a, 'get() and poolFor() share pools');
    const tls = pools.poolFor('tls', '127.0.0.1', 8080, 'a.example');
    const otherName = pools.poolFor('tls', '127.0.0.1', 8080, 'b.example');
    const otherPort = pools.poolFor('', '127.0.0.1', 8081, undefined);
    assert.equal(new Set([a, tls, otherName, otherPort]).size, 4);
    assert.equal(pools.size, 4);

    pools.sweep(); // everything was used since the start: kept, marks cleared
    assert.equal(pools.size, 4);
    pools.poolFor('tls', '127.0.0.1', 8080, 'a.example');
    pools.sweep(); // only the TLS a.example pool was used
    assert.equal(pools.size, 1);
    assert.equal(pools.poolFor('tls', '127.0.0.1', 8080, 'a.example'), tls);
    const again = pools.poolFor('', '127.0.0.1', 8080, undefined);
    assert.notEqual(again, a, 'a swept pool is made anew');
    assert.equal(pools.size, 2);
  } finally {
    await pools.close();
  }
});

test('tls/h2 pools are per Backend TLS profile: two Backends (or a changed spec.tls) never share verified connections', async () => {
  const pools = new UpstreamPools({ idleSweepMs: 3_600_000 });
  const ir = (name: string, tls?: BackendIR['tls']): BackendIR => ({ name, protocol: 'tls', defaultPort: 443, endpoints: [], loadBalancer: { algorithm: 'round-robin', slots: 1 }, ...(tls ? { tls } : {}) });
  try {
    const a = pools.poolFor('tls', '127.0.0.1', 8443, 'ok.test', ir('a'));
    assert.equal(pools.poolFor('tls', '127.0.0.1', 8443, 'ok.test', ir('a')), a, 'equal settings in a new IR object: the same pool');
    const b = pools.poolFor('tls', '127.0.0.1', 8443, 'ok.test', ir('b'));
    const skip = pools.poolFor('tls', '127.0.0.1', 8443, 'ok.test', ir('a', { insecureSkipVerify: true }));
    const bundle = pools.poolFor('tls', '127.0.0.1', 8443, 'ok.test', ir('a', { caBundle: 'x' }));
    assert.equal(new Set([a, b, skip, bundle]).size, 4);
    // plain protocols carry no TLS profile: Backends share their pools as before
    const p1 = pools.poolFor('', '127.0.0.1', 8080, undefined, { ...ir('a'), protocol: '' });
    assert.equal(pools.poolFor('', '127.0.0.1', 8080, undefined, { ...ir('b'), protocol: '' }), p1);
  } finally {
    await pools.close();
  }
});
