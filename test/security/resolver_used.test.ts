// The DNS cache's `used` mark (it keeps a host alive in the cache) is set only once the name
// resolved: a name that never resolves must not be kept alive by the requests that fail on it.
// Through the real data plane (Proxy) with a counting resolver; positive control: a name that
// resolves is marked.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Upstream, backend, defaultAgent, rule, send, startTestProxy } from '../proxy/lib';
import type { HostResolver } from '../../pkg/proxy/resolve';

after(() => defaultAgent.close());

test('resolver.used is marked after a successful lookup only (sync hit and async answer); never for a failed one', async () => {
  const up = await Upstream.start('U');
  const used: string[] = [];
  const resolver: HostResolver = {
    resolve(_backend, host) {
      if (host === 'hit.test') return ['127.0.0.1'];
      if (host === 'later.test') return new Promise((r) => setTimeout(() => r(['127.0.0.1']), 10));
      return new Promise((_r, reject) => setTimeout(() => reject(new Error(`DNS resolution failure: ${host}`)), 10));
    },
    used(_backend, host) {
      used.push(host);
    },
  };
  const be = (name: string, host: string) => backend(name, [{ host, port: up.port }]);
  const p = await startTestProxy(
    [rule('hit', { hostnames: ['hit.test'], to: ['hit'] }), rule('later', { hostnames: ['later.test'], to: ['later'] }), rule('bad', { hostnames: ['bad.test'], to: ['bad'] })],
    [be('hit', 'hit.test'), be('later', 'later.test'), be('bad', 'bad.test')],
    { resolver },
  );
  try {
    const bad = await send(p.base, '/', { host: 'bad.test' });
    assert.equal(bad.status, 503, bad.text);
    assert.deepEqual(used, [], 'a name that failed to resolve is not marked used');
    assert.equal((await send(p.base, '/', { host: 'hit.test' })).status, 200);
    assert.equal((await send(p.base, '/', { host: 'later.test' })).status, 200);
    assert.deepEqual(used, ['hit.test', 'later.test']);
  } finally {
    await p.close();
    await up.close();
  }
});
