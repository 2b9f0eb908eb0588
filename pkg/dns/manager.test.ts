import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import type { BackendIR, DnsCacheIR } from '../proxy/ir';
import { DnsCache, registerDnsMetrics } from './cache';
import { DEFAULT_DNS_CACHE_IR, DnsCacheManager, dnsCacheConfigFor } from './manager';
import type { QueryOutcome, RecordType, ResolverPort } from './policy';

class StubResolver implements ResolverPort {
  closed = false;
  timeout = 0;
  asked: string[] = [];
  async query(host: string, type: RecordType): Promise<QueryOutcome> {
    this.asked.push(`${type} ${host}`);
    if (host.startsWith('nx')) return { kind: 'empty' };
    return type === 'A' ? { kind: 'ok', addresses: ['10.0.0.1'], ttlSec: 30 } : { kind: 'empty' };
  }
  close() {
    this.closed = true;
  }
  setQueryTimeout(ms: number) {
    this.timeout = ms;
  }
}

function backend(name: string, hosts: Array<string>, dynamicProxy?: DnsCacheIR): BackendIR {
  return {
    name,
    protocol: '',
    defaultPort: 80,
    endpoints: hosts.map((h) => ({ id: `${h}:80`, host: h, isIP: /^[\d.]+$/.test(h), port: 80, weight: 1 })),
    loadBalancer: { algorithm: 'round-robin', slots: 10000 },
    dynamicProxy,
  };
}

const DYN: DnsCacheIR = { ...DEFAULT_DNS_CACHE_IR, maxHosts: 10, lookupFamily: 'v4_only' };

function manager() {
  const resolvers = new Map<string, StubResolver[]>();
  const m = new DnsCacheManager({
    resolverFactory: (name) => {
      const r = new StubResolver();
      resolvers.set(name, [...(resolvers.get(name) ?? []), r]);
      return r;
    },
  });
  return { m, resolvers };
}

test('dnsCacheConfigFor: dynamicProxy → its config; FQDN endpoints → defaults; IP only → none', () => {
  assert.equal(dnsCacheConfigFor(backend('d', [], DYN)), DYN);
  assert.deepEqual(dnsCacheConfigFor(backend('f', ['api.example', '10.0.0.1'])), DEFAULT_DNS_CACHE_IR);
  assert.equal(dnsCacheConfigFor(backend('i', ['10.0.0.1'])), undefined);
  assert.deepEqual(DEFAULT_DNS_CACHE_IR, {
    lookupFamily: 'auto',
    refreshRateMs: 60_000,
    minRefreshRateMs: 5_000,
    queryTimeoutMs: 5_000,
    hostTTLMs: 300_000,
    maxHosts: 1024,
  });
});

test('one cache per Backend: created, kept, reconfigured in place, replaced on a family change, closed when gone', async () => {
  const { m, resolvers } = manager();
  m.sync({ dyn: backend('dyn', [], DYN), fqdn: backend('fqdn', ['api.example']), ip: backend('ip', ['10.0.0.9']) });
  assert.deepEqual(m.names().sort(), ['dyn', 'fqdn']);
  const dyn = m.get('dyn')!;
  assert.equal(dyn.name, 'dyn');
  assert.deepEqual(await dyn.lookup('x.example', 80), ['10.0.0.1']);

  // same config → same cache
  m.sync({ dyn: backend('dyn', [], { ...DYN }), fqdn: backend('fqdn', ['api.example']) });
  assert.equal(m.get('dyn'), dyn);
  assert.equal(m.get('ip'), undefined);

  // new numbers, same family → reconfigured in place, entries kept
  m.sync({ dyn: backend('dyn', [], { ...DYN, maxHosts: 1, queryTimeoutMs: 1234 }), fqdn: backend('fqdn', ['api.example']) });
  assert.equal(m.get('dyn'), dyn);
  assert.equal(dyn.config.maxHosts, 1);
  assert.equal(resolvers.get('dyn')![0].timeout, 1234);
  assert.deepEqual(dyn.lookup('x.example', 80), ['10.0.0.1']);
  await assert.rejects(Promise.resolve(dyn.lookup('y.example', 80)), { code: 'OVERFLOW' });

  // family changed → replaced; the old one is closed (with its resolver)
  m.sync({ dyn: backend('dyn', [], { ...DYN, lookupFamily: 'v6_only' }), fqdn: backend('fqdn', ['api.example']) });
  const dyn2 = m.get('dyn')!;
  assert.notEqual(dyn2, dyn);
  assert.ok(dyn.isClosed);
  assert.ok(resolvers.get('dyn')![0].closed);
  assert.equal(dyn2.config.lookupFamily, 'v6_only');
  await assert.rejects(Promise.resolve(dyn2.lookup('x.example', 80)), { code: 'RESOLUTION_FAILURE' });

  // the Backend goes away → closed
  const fq = m.get('fqdn')!;
  m.sync({ dyn: backend('dyn', [], { ...DYN, lookupFamily: 'v6_only' }) });
  assert.ok(fq.isClosed);
  assert.deepEqual(m.names(), ['dyn']);

  const snap = m.inspect();
  assert.deepEqual(Object.keys(snap), ['dyn']);
  assert.equal(snap.dyn.stats.hosts, 1);
  assert.equal(snap.dyn.hosts[0].state, 'failed');

  m.close();
  assert.ok(dyn2.isClosed);
  assert.throws(() => m.apply('x', DYN), /closed/);
});

test('registerDnsMetrics: counters and the hosts gauge per backend, read at scrape time', async () => {
  const { m } = manager();
  m.sync({ dyn: backend('dyn', [], DYN), other: backend('other', [], { ...DYN, maxHosts: 1 }) });
  const reg = new client.Registry();
  registerDnsMetrics(reg, m);
  registerDnsMetrics(reg, m); // idempotent per registry
  const dyn = m.get('dyn')!;
  await dyn.lookup('a.example', 80);
  await assert.rejects(Promise.resolve(dyn.lookup('nx.example', 80)), { code: 'RESOLUTION_FAILURE' });
  const other = m.get('other')!;
  other.lookup('10.0.0.1', 80);
  await assert.rejects(Promise.resolve(other.lookup('10.0.0.2', 80)), { code: 'OVERFLOW' });
  const text = await reg.metrics();
  const value = (metric: string, b: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${metric}{backend="${b}"}`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  assert.equal(value('switchyard_dns_cache_queries_total', 'dyn'), 2);
  assert.equal(value('switchyard_dns_cache_query_successes_total', 'dyn'), 1);
  assert.equal(value('switchyard_dns_cache_query_failures_total', 'dyn'), 1);
  assert.equal(value('switchyard_dns_cache_query_timeouts_total', 'dyn'), 0);
  assert.equal(value('switchyard_dns_cache_hosts', 'dyn'), 2);
  assert.equal(value('switchyard_dns_cache_host_overflows_total', 'other'), 1);
  assert.equal(value('switchyard_dns_cache_hosts', 'other'), 1);
  assert.equal(value('switchyard_dns_cache_host_evictions_total', 'other'), 0);
  assert.equal(value('switchyard_dns_cache_address_changes_total', 'other'), 0);
  assert.match(text, /# TYPE switchyard_dns_cache_queries_total counter/);
  assert.match(text, /# TYPE switchyard_dns_cache_hosts gauge/);
  // a removed backend disappears from the next scrape
  m.remove('other');
  const text2 = await reg.metrics();
  assert.ok(!text2.includes('backend="other"'));
  m.close();
});

test('registerDnsMetrics without a source reads every open DnsCache', async () => {
  const reg = new client.Registry();
  registerDnsMetrics(reg);
  const c = new DnsCache(DYN, { name: 'standalone', resolver: new StubResolver() });
  await c.lookup('a.example', 80);
  assert.match(await reg.metrics(), /switchyard_dns_cache_queries_total\{backend="standalone"\} 1/);
  c.close();
  assert.doesNotMatch(await reg.metrics(), /backend="standalone"/);
});
