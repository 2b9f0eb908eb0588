// DnsCache end to end: real timers, real c-ares, a real DNS server (dnsmasq) on loopback that the
// test controls. Every wait is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DnsCache, DnsCacheError } from '../../pkg/dns/cache';
import type { DnsCacheIR } from '../../pkg/proxy/ir';
import { freePort } from '../harness/ports';
import { tempDir } from '../harness/tmp';
import { Dnsmasq } from './dnsmasq';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function emptyHosts(): string {
  const f = path.join(tempDir('switchyard-hosts-'), 'hosts');
  fs.writeFileSync(f, '');
  return f;
}

function config(over: Partial<DnsCacheIR>): DnsCacheIR {
  return {
    lookupFamily: 'v4_only',
    refreshRateMs: 60_000,
    minRefreshRateMs: 1_000,
    queryTimeoutMs: 2_000,
    hostTTLMs: 300_000,
    maxHosts: 1024,
    ...over,
  };
}

async function settle(r: Promise<string[]> | string[]): Promise<string[] | DnsCacheError> {
  try {
    return await r;
  } catch (err) {
    assert.ok(err instanceof DnsCacheError, `not a DnsCacheError: ${String(err)}`);
    return err;
  }
}

/** Poll `fn` every `everyMs` until it returns true; false after `withinMs`. */
async function until(fn: () => boolean, withinMs: number, everyMs = 20): Promise<boolean> {
  const end = Date.now() + withinMs;
  for (;;) {
    if (fn()) return true;
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}

test('a changed record is picked up after its TTL (2 s) and not earlier; hits are synchronous', { timeout: 20_000 }, async () => {
  const d = await Dnsmasq.start({ ttlSec: 2, records: { 'svc.test': ['10.0.0.1'] } });
  const cache = new DnsCache(config({ minRefreshRateMs: 1_000, refreshRateMs: 60_000 }), {
    name: 'ttl',
    servers: [d.server],
    hostsFile: emptyHosts(),
  });
  try {
    const first = cache.lookup('svc.test', 80);
    assert.ok(!Array.isArray(first), 'the first request waits for the lookup');
    assert.deepEqual(await first, ['10.0.0.1']);
    const answeredAt = Date.now();
    const hitNow = cache.lookup('svc.test', 80);
    assert.ok(Array.isArray(hitNow), 'a hit is returned synchronously');
    assert.deepEqual(hitNow, ['10.0.0.1']);
    await d.setRecords({ 'svc.test': ['10.0.0.2'] });

    let changedAt = 0;
    const seen = await until(() => {
      const r = cache.lookup('svc.test', 80);
      assert.ok(Array.isArray(r), 'still a synchronous hit while refreshing');
      cache.markUsed('svc.test', 80);
      if (r[0] === '10.0.0.2') {
        changedAt = Date.now();
        return true;
      }
      // not earlier than the TTL: the server has not been asked again yet
      if (Date.now() - answeredAt < 1_900) assert.equal(d.queriesFor('svc.test'), 1, d.logTail());
      return false;
    }, 6_000);
    assert.ok(seen, `the new address was not picked up: ${JSON.stringify(cache.inspect())}`);
    const after = changedAt - answeredAt;
    assert.ok(after >= 1_950, `picked up ${after} ms after the answer: before the 2 s TTL`);
    assert.ok(after < 3_500, `picked up ${after} ms after the answer: too late`);
    assert.equal(d.queriesFor('svc.test'), 2);
    const st = cache.stats();
    assert.equal(st.queries, 2);
    assert.equal(st.successes, 2);
    assert.equal(st.addressChanges, 1);
    assert.equal(st.hosts, 1);
  } finally {
    cache.close();
    await d.kill();
  }
});

test('a TTL (1 s) below dnsMinRefreshRate (2 s) is refreshed at dnsMinRefreshRate', { timeout: 20_000 }, async () => {
  const d = await Dnsmasq.start({ ttlSec: 1, records: { 'min.test': ['10.0.1.1'] } });
  const cache = new DnsCache(config({ minRefreshRateMs: 2_000 }), { name: 'min', servers: [d.server], hostsFile: emptyHosts() });
  try {
    assert.deepEqual(await cache.lookup('min.test', 80), ['10.0.1.1']);
    const answeredAt = Date.now();
    cache.markUsed('min.test', 80);
    await sleep(1_500);
    assert.equal(d.queriesFor('min.test'), 1, 'not refreshed at the 1 s TTL');
    assert.ok(await until(() => d.queriesFor('min.test') === 2, 3_000), d.logTail());
    const at = Date.now() - answeredAt;
    assert.ok(at >= 1_950 && at < 3_500, `refreshed ${at} ms after the answer`);
  } finally {
    cache.close();
    await d.kill();
  }
});

test('a server that stops answering: first lookups fail fast with TIMEOUT, resolved hosts keep their address', { timeout: 20_000 }, async () => {
  const d = await Dnsmasq.start({ ttlSec: 1, records: { 'up.test': ['10.0.2.1'], 'late.test': ['10.0.2.2'] } });
  const cache = new DnsCache(
    config({ queryTimeoutMs: 400, minRefreshRateMs: 1_000, refreshRateMs: 1_000, hostTTLMs: 60_000 }),
    { name: 'down', servers: [d.server], hostsFile: emptyHosts() },
  );
  try {
    assert.deepEqual(await cache.lookup('up.test', 80), ['10.0.2.1']);
    cache.markUsed('up.test', 80);
    d.pause();

    const t0 = Date.now();
    const err = await settle(cache.lookup('late.test', 80));
    const took = Date.now() - t0;
    assert.ok(err instanceof DnsCacheError);
    assert.equal(err.code, 'TIMEOUT');
    assert.equal(err.message, 'DNS resolution failure');
    assert.ok(took >= 350 && took < 1_500, `failed after ${took} ms`);

    // again: fails at once, no new query (the failed entry is cached)
    const queries = cache.stats().queries;
    const t1 = Date.now();
    const again = await settle(cache.lookup('late.test', 80));
    assert.ok(again instanceof DnsCacheError && again.code === 'TIMEOUT');
    assert.ok(Date.now() - t1 < 50);
    assert.equal(cache.stats().queries, queries);

    // up.test's refresh (at its 1 s TTL) times out too; its address sticks
    assert.ok(
      await until(() => (cache.inspect().hosts.find((h) => h.host === 'up.test')?.failures ?? 0) >= 1, 4_000),
      JSON.stringify(cache.inspect()),
    );
    const up = cache.lookup('up.test', 80);
    assert.ok(Array.isArray(up));
    assert.deepEqual(up, ['10.0.2.1']);
    assert.equal(cache.inspect().hosts.find((h) => h.host === 'up.test')?.state, 'stale');
    assert.ok(cache.stats().timeouts >= 2);
    assert.equal(cache.stats().timeouts, cache.stats().failures);

    // the server comes back: the background retry (at dnsRefreshRate) resolves late.test
    d.resume();
    assert.ok(
      await until(() => {
        cache.markUsed('up.test', 80);
        return cache.resolve('late.test', 80).status === 'hit';
      }, 5_000),
      JSON.stringify(cache.inspect()),
    );
    assert.deepEqual(cache.lookup('late.test', 80), ['10.0.2.2']);
  } finally {
    d.resume();
    cache.close();
    await d.kill();
  }
});

test('auto family against a real server: AAAA first, A when AAAA is NODATA; NXDOMAIN is a resolution failure', { timeout: 20_000 }, async () => {
  const d = await Dnsmasq.start({ ttlSec: 30, records: { 'dual.test': ['10.0.3.1', 'fd00::31'], 'v4.test': ['10.0.3.2'] } });
  const cache = new DnsCache(config({ lookupFamily: 'auto' }), { name: 'auto', servers: [d.server], hostsFile: emptyHosts() });
  const all = new DnsCache(config({ lookupFamily: 'all' }), { name: 'all', servers: [d.server], hostsFile: emptyHosts() });
  try {
    assert.deepEqual(await cache.lookup('dual.test', 80), ['fd00::31']);
    assert.equal(d.queriesFor('dual.test', 'A'), 0);
    assert.deepEqual(await cache.lookup('v4.test', 80), ['10.0.3.2']);
    assert.equal(d.queriesFor('v4.test', 'AAAA'), 1);
    assert.equal(d.queriesFor('v4.test', 'A'), 1);
    const nx = await settle(cache.lookup('nope.test', 80));
    assert.ok(nx instanceof DnsCacheError && nx.code === 'RESOLUTION_FAILURE', String(nx));
    assert.deepEqual(await all.lookup('dual.test', 443), ['10.0.3.1', 'fd00::31']);
    assert.equal(cache.stats().queries, 3);
  } finally {
    cache.close();
    all.close();
    await d.kill();
  }
});

test('localhost through /etc/hosts works without any DNS server; IP literals need none either', { timeout: 20_000 }, async () => {
  const dead = `127.0.0.1:${await freePort()}`;
  const cache = new DnsCache(config({ lookupFamily: 'v4_only', queryTimeoutMs: 1_000 }), { name: 'local', servers: [dead] });
  try {
    const t0 = Date.now();
    const addrs = await cache.lookup('localhost', 8080);
    assert.ok(addrs.includes('127.0.0.1'), JSON.stringify(addrs));
    assert.ok(Date.now() - t0 < 500);
    assert.equal(cache.lookup('LocalHost.', 8080), cache.lookup('localhost', 8080), 'same entry, same array');
    assert.deepEqual(cache.lookup('192.0.2.7', 80), ['192.0.2.7']);
    assert.deepEqual(cache.lookup('[::1]', 80), ['::1']);
    const [h] = cache.inspect().hosts.filter((x) => x.host === 'localhost');
    assert.equal(h.ttlLeftMs, null);
    assert.equal(h.state, 'resolved');
    assert.equal(cache.stats().queries, 1);
  } finally {
    cache.close();
  }
});

test('maxHosts overflow and close()', { timeout: 20_000 }, async () => {
  const dead = `127.0.0.1:${await freePort()}`;
  const cache = new DnsCache(config({ maxHosts: 2 }), { name: 'small', servers: [dead], hostsFile: emptyHosts() });
  assert.deepEqual(cache.lookup('10.0.0.1', 80), ['10.0.0.1']);
  assert.deepEqual(cache.lookup('10.0.0.1', 81), ['10.0.0.1']);
  const over = await settle(cache.lookup('10.0.0.2', 80));
  assert.ok(over instanceof DnsCacheError);
  assert.equal(over.code, 'OVERFLOW');
  assert.equal(over.message, 'DNS cache overflow');
  assert.equal(cache.stats().overflows, 1);
  cache.close();
  const closed = await settle(cache.lookup('10.0.0.1', 80));
  assert.ok(closed instanceof DnsCacheError && closed.code === 'RESOLUTION_FAILURE');
});
