// What the proxy counts is what the client got: a proxy-made 502/503/500 is counted as such (the
// console's error rate reads these), and a client that leaves is a 499.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { Upstream, rule, slow, startTestProxy, type TestProxy } from './lib';

async function codes(tp: TestProxy): Promise<Record<string, number>> {
  const m = await tp.proxy.metrics.requests.get();
  const out: Record<string, number> = {};
  for (const v of m.values) out[String(v.labels.code)] = (out[String(v.labels.code)] ?? 0) + v.value;
  return out;
}

describe('proxy request metrics', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it('counts proxy-made answers with the status the client received', async () => {
    const dead = { name: 'dead', protocol: '' as const, defaultPort: 80, endpoints: [{ id: '127.0.0.1:9', host: '127.0.0.1', isIP: true, port: 9, weight: 1 }], loadBalancer: { algorithm: 'round-robin' as const, slots: 10000 } };
    const none = { ...dead, name: 'none', endpoints: [] };
    const tp = await startTestProxy(
      [
        rule('refused', { hostnames: ['refused.test'], backendRefs: [{ backend: 'dead', weight: 1 }] }),
        rule('empty', { hostnames: ['empty.test'], backendRefs: [{ backend: 'none', weight: 1 }] }),
        rule('missing', { hostnames: ['missing.test'], backendRefs: [{ backend: 'nope', weight: 1 }] }),
      ],
      [dead, none],
    );
    closers.push(() => tp.close());
    for (const host of ['refused.test', 'empty.test', 'missing.test']) {
      const r = await request(`${tp.base}/`, { headers: { host } });
      await r.body.text();
    }
    assert.deepEqual(await codes(tp), { '502': 1, '503': 1, '500': 1 });
  });

  it('a client that goes away before the answer is counted as 499', async () => {
    const up = await Upstream.start('slow', 'http', { handler: slow(2_000) });
    const tp = await startTestProxy([rule('slow', { backendRefs: [{ backend: 'b', weight: 1 }] })], [
      { name: 'b', protocol: '', defaultPort: 80, endpoints: [{ id: `127.0.0.1:${up.port}`, host: '127.0.0.1', isIP: true, port: up.port, weight: 1 }], loadBalancer: { algorithm: 'round-robin', slots: 10000 } },
    ]);
    closers.push(async () => {
      await tp.close();
      await up.close();
    });
    const ac = new AbortController();
    const pending = fetch(`${tp.base}/`, { signal: ac.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await pending;
    const deadline = Date.now() + 3_000;
    while (!(await codes(tp))['499'] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await codes(tp), { '499': 1 });
  });
});
