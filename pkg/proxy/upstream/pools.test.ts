import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamPools } from './pools';

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
