// SystemResolver (c-ares + /etc/hosts + localhost) against a real DNS server (dnsmasq) on loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostsFile, SystemResolver, parseDnsServers } from '../../pkg/dns/resolver';
import { freePort } from '../harness/ports';
import { tempDir } from '../harness/tmp';

/** dnsmasq rotates the order of a name's addresses between answers: compare them as a set */
function sortedAddresses<T extends { kind: string; addresses?: string[] }>(o: T): T {
  return o.addresses ? { ...o, addresses: [...o.addresses].sort() } : o;
}

/** Polls `cond` every 5 ms until it holds or `ms` pass (the caller asserts afterwards). */
async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}
import { Dnsmasq } from './dnsmasq';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Dnsmasq | undefined;
async function dns(): Promise<Dnsmasq> {
  server ??= await Dnsmasq.start({
    ttlSec: 7,
    records: { 'a.test': ['10.0.0.1', '10.0.0.2'], 'six.test': ['fd00::6'], 'dual.test': ['10.0.0.3', 'fd00::3'] },
  });
  return server;
}
after(async () => {
  await server?.kill();
});

function emptyHosts(): string {
  const f = path.join(tempDir('switchyard-hosts-'), 'hosts');
  fs.writeFileSync(f, '');
  return f;
}

test('A and AAAA with TTLs, NODATA and NXDOMAIN as empty', { timeout: 20_000 }, async () => {
  const d = await dns();
  const r = new SystemResolver({ servers: [d.server], hostsFile: emptyHosts(), queryTimeoutMs: 2000 });
  try {
    assert.deepEqual(sortedAddresses(await r.query('a.test', 'A', 2000)), { kind: 'ok', addresses: ['10.0.0.1', '10.0.0.2'], ttlSec: 7 });
    assert.deepEqual(await r.query('six.test', 'AAAA', 2000), { kind: 'ok', addresses: ['fd00::6'], ttlSec: 7 });
    assert.deepEqual(await r.query('dual.test', 'AAAA', 2000), { kind: 'ok', addresses: ['fd00::3'], ttlSec: 7 });
    assert.deepEqual(await r.query('six.test', 'A', 2000), { kind: 'empty' }, 'NODATA');
    assert.deepEqual(await r.query('nope.test', 'A', 2000), { kind: 'empty' }, 'NXDOMAIN');
    assert.equal(r.inFlight, 0);
  } finally {
    r.close();
  }
});

test('a server that stops answering: the query times out on our timer, fast', { timeout: 20_000 }, async () => {
  const d = await dns();
  const r = new SystemResolver({ servers: [d.server], hostsFile: emptyHosts(), queryTimeoutMs: 400 });
  d.pause();
  try {
    const t0 = Date.now();
    assert.deepEqual(await r.query('a.test', 'A', 400), { kind: 'timeout' });
    const took = Date.now() - t0;
    assert.ok(took >= 350 && took < 1500, `timed out after ${took} ms`);
    // a shorter budget (what is left of dnsQueryTimeout) is honoured too
    const t1 = Date.now();
    assert.deepEqual(await r.query('a.test', 'A', 150), { kind: 'timeout' });
    assert.ok(Date.now() - t1 < 1000);
  } finally {
    d.resume();
    r.close();
  }
});

test("queries share a channel: one query's timeout does not cancel another query", { timeout: 20_000 }, async () => {
  const d = await dns();
  const r = new SystemResolver({ servers: [d.server], hostsFile: emptyHosts(), queryTimeoutMs: 5000 });
  d.pause();
  try {
    const short = r.query('a.test', 'A', 300);
    const long = r.query('dual.test', 'A', 5000);
    // both start after an async hosts-file check: wait (bounded) until both are out
    await until(() => r.inFlight === 2, 250);
    assert.equal(r.inFlight, 2);
    assert.deepEqual(await short, { kind: 'timeout' });
    await sleep(200);
    d.resume(); // dnsmasq now answers the queued questions
    assert.deepEqual(await long, { kind: 'ok', addresses: ['10.0.0.3'], ttlSec: 7 });
    // and the shared channel works again
    assert.equal((await r.query('a.test', 'A', 2000)).kind, 'ok');
  } finally {
    d.resume();
    r.close();
  }
});

test('close() settles queries in flight', { timeout: 20_000 }, async () => {
  const d = await dns();
  const r = new SystemResolver({ servers: [d.server], hostsFile: emptyHosts() });
  d.pause();
  try {
    const q = r.query('a.test', 'A', 5000);
    await until(() => r.inFlight === 1, 2000);
    const t0 = Date.now();
    r.close();
    assert.equal((await q).kind, 'error');
    assert.ok(Date.now() - t0 < 500);
    assert.equal((await r.query('a.test', 'A', 5000)).kind, 'error');
  } finally {
    d.resume();
  }
});

test('localhost works without any DNS server (real /etc/hosts, and built in)', { timeout: 20_000 }, async () => {
  const dead = `127.0.0.1:${await freePort()}`; // nothing listens there
  const r = new SystemResolver({ servers: [dead], queryTimeoutMs: 1000 });
  try {
    const a = await r.query('localhost', 'A', 1000);
    assert.equal(a.kind, 'ok');
    assert.ok(a.kind === 'ok' && a.addresses.includes('127.0.0.1'));
    assert.equal(a.kind === 'ok' && a.ttlSec, null, 'no TTL: refreshed at dnsRefreshRate');
  } finally {
    r.close();
  }
  const builtIn = new SystemResolver({ servers: [dead], hostsFile: null });
  try {
    assert.deepEqual(await builtIn.query('localhost', 'A', 1000), { kind: 'ok', addresses: ['127.0.0.1'], ttlSec: null });
    assert.deepEqual(await builtIn.query('localhost', 'AAAA', 1000), { kind: 'ok', addresses: ['::1'], ttlSec: null });
    assert.deepEqual(await builtIn.query('api.localhost', 'A', 1000), { kind: 'ok', addresses: ['127.0.0.1'], ttlSec: null });
    // anything else goes to the (dead) server
    const other = await builtIn.query('a.test', 'A', 3000);
    assert.ok(other.kind === 'error' || other.kind === 'timeout', JSON.stringify(other));
  } finally {
    builtIn.close();
  }
});

test('a hosts file is honoured before DNS, with no TTL, and reloaded when it changes', { timeout: 20_000 }, async () => {
  const d = await dns();
  const f = emptyHosts();
  fs.writeFileSync(f, '# comment\n10.9.9.9  a.test  alias.test # trailing\nfd00::99 six-only.test\n');
  const r = new SystemResolver({ servers: [d.server], hostsFile: f });
  try {
    const before = d.queriesFor('a.test');
    assert.deepEqual(await r.query('a.test', 'A', 2000), { kind: 'ok', addresses: ['10.9.9.9'], ttlSec: null });
    assert.deepEqual(await r.query('alias.test', 'A', 2000), { kind: 'ok', addresses: ['10.9.9.9'], ttlSec: null });
    assert.deepEqual(await r.query('a.test', 'AAAA', 2000), { kind: 'empty' }, 'listed for v4 only: no DNS question');
    assert.deepEqual(await r.query('six-only.test', 'AAAA', 2000), { kind: 'ok', addresses: ['fd00::99'], ttlSec: null });
    assert.equal(d.queriesFor('a.test'), before, 'the DNS server was not asked');
    // change it (a new mtime / size): picked up on the next query
    fs.writeFileSync(f, '10.8.8.8 a.test\n');
    const later = Date.now() + 2000;
    fs.utimesSync(f, new Date(later), new Date(later));
    assert.deepEqual(await r.query('a.test', 'A', 2000), { kind: 'ok', addresses: ['10.8.8.8'], ttlSec: null });
    // alias.test is gone from the file → DNS (NXDOMAIN in .test)
    assert.deepEqual(await r.query('alias.test', 'A', 2000), { kind: 'empty' });
    fs.rmSync(f);
    assert.deepEqual(sortedAddresses(await r.query('a.test', 'A', 2000)), { kind: 'ok', addresses: ['10.0.0.1', '10.0.0.2'], ttlSec: 7 });
  } finally {
    r.close();
  }
});

test('HostsFile.parse', () => {
  const m = HostsFile.parse('127.0.0.1 localhost\n::1 localhost ip6-localhost\nfe80::1%eth0 LINK.Local.\nbogus x\n\n#x 1.2.3.4\n10.0.0.1 a a\n');
  assert.deepEqual(m.get('localhost'), { v4: ['127.0.0.1'], v6: ['::1'] });
  assert.deepEqual(m.get('ip6-localhost'), { v4: [], v6: ['::1'] });
  assert.deepEqual(m.get('link.local'), { v4: [], v6: ['fe80::1'] });
  assert.deepEqual(m.get('a'), { v4: ['10.0.0.1'], v6: [] });
  assert.equal(m.get('x'), undefined);
});

test('parseDnsServers (--dns-server)', () => {
  assert.deepEqual(parseDnsServers('127.0.0.1:5353'), ['127.0.0.1:5353']);
  assert.deepEqual(parseDnsServers('127.0.0.1:5353, [::1]:53,10.0.0.2'), ['127.0.0.1:5353', '[::1]:53', '10.0.0.2']);
  assert.throws(() => parseDnsServers(''), /no server/);
  assert.throws(() => parseDnsServers('not an address'), /--dns-server/);
});

test('bounded channels: 40 concurrent lookups share at most 4 c-ares channels, and all are answered', { timeout: 20_000 }, async () => {
  const d = await dns();
  const r = new SystemResolver({ servers: [d.server], hostsFile: emptyHosts(), queryTimeoutMs: 5000 });
  d.pause();
  try {
    const qs = Array.from({ length: 40 }, (_, i) => r.query(i % 2 ? 'a.test' : `n${i}.test`, 'A', 5000));
    await until(() => r.inFlight === 40, 2000);
    assert.equal(r.inFlight, 40);
    assert.ok(r.channelsCreated <= 4, `${r.channelsCreated} channels for 40 queries`);
    d.resume();
    const out = await Promise.all(qs);
    assert.equal(out.filter((o) => o.kind === 'ok').length, 20, 'every a.test query answered');
    assert.equal(out.filter((o) => o.kind === 'empty').length, 20, 'every unknown name answered NXDOMAIN');
    assert.ok(r.channelsCreated <= 4);
  } finally {
    d.resume();
    r.close();
  }
});

test('a late answer after fast ones on the same channel still arrives within dnsQueryTimeout (c-ares does not time out first)', { timeout: 20_000 }, async () => {
  const d = await dns();
  const r = new SystemResolver({ servers: [d.server], hostsFile: emptyHosts(), queryTimeoutMs: 4000, maxChannels: 1 });
  try {
    // fast answers teach c-ares a short per-try timeout for this server
    for (let i = 0; i < 5; i++) assert.equal((await r.query('a.test', 'A', 4000)).kind, 'ok');
    d.pause();
    const late = r.query('dual.test', 'A', 4000);
    await sleep(2000); // past what c-ares would allow a reused channel with tries: 1
    d.resume();
    assert.deepEqual(await late, { kind: 'ok', addresses: ['10.0.0.3'], ttlSec: 7 });
    // positive control: a fast answer on the same channel afterwards
    assert.equal((await r.query('a.test', 'A', 4000)).kind, 'ok');
  } finally {
    d.resume();
    r.close();
  }
});
