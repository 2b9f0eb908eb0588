// Forward-proxy mode end to end: a dynamicProxy Backend behind the real Proxy and the real DNS
// caches (names from a hosts file the test writes; no DNS server answers, so unknown names fail),
// driven by curl as users do: `curl -x` with absolute URIs, `curl -p` (CONNECT), and the Host header.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DnsCacheManager } from '../../pkg/dns/manager';
import { cacheResolver } from '../../pkg/app/dns_resolver';
import type { BackendIR } from '../../pkg/proxy/ir';
import { tempDir } from '../harness/tmp';
import { DenyList } from '../../pkg/proxy/forward/denylist';
import { Upstream, rule, startTestProxy, type TestProxy } from './lib';

const run = promisify(execFile);

async function curl(args: string[]): Promise<{ code: number; status: number; body: string }> {
  try {
    const { stdout } = await run('curl', ['-s', '--max-time', '5', '-w', '\n%{http_code}', ...args]);
    const i = stdout.lastIndexOf('\n');
    return { code: 0, status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    const i = e.stdout.lastIndexOf('\n');
    return { code: e.code, status: Number(e.stdout.slice(i + 1)) || 0, body: e.stdout.slice(0, i) };
  }
}

function dynamic(name: string, maxHosts: number): BackendIR {
  return {
    name,
    protocol: '',
    defaultPort: 80,
    endpoints: [],
    loadBalancer: { algorithm: 'round-robin', slots: 10000 },
    dynamicProxy: { lookupFamily: 'v4_only', refreshRateMs: 60_000, minRefreshRateMs: 5_000, queryTimeoutMs: 500, hostTTLMs: 300_000, maxHosts },
  };
}

describe('forward proxy (dynamicProxy Backends)', () => {
  let up: Upstream;
  let tp: TestProxy;
  let dns: DnsCacheManager;
  let proxyURL: string;

  before(async () => {
    up = await Upstream.start('origin');
    const hosts = path.join(tempDir('sy-fwd-'), 'hosts');
    fs.writeFileSync(hosts, '127.0.0.1 origin.test a.small.test b.small.test\n169.254.169.254 metadata.test\n');
    // no DNS server listens on the discard port: every name outside the hosts file fails
    dns = new DnsCacheManager({ servers: ['127.0.0.1:9'], hostsFile: hosts });
    const backends = [dynamic('dynamic_forward_proxy', 16), dynamic('small', 1)];
    dns.sync(Object.fromEntries(backends.map((b) => [b.name, b])));
    tp = await startTestProxy(
      [
        rule('small', { hostnames: ['*.small.test'], backendRefs: [{ backend: 'small', weight: 1 }] }),
        rule('fwd', { backendRefs: [{ backend: 'dynamic_forward_proxy', weight: 1 }] }),
      ],
      backends,
      // upstreams here live on loopback: an explicit list that keeps the metadata ranges denied
      { resolver: cacheResolver(dns), deny: DenyList.parse('169.254.0.0/16,fe80::/10,fd00:ec2::254/128,100.100.100.200/32') },
    );
    proxyURL = `http://127.0.0.1:${tp.port}`;
  });

  after(async () => {
    await tp?.close();
    dns?.close();
    await up?.close();
  });

  it('curl -x: an absolute URI names the upstream; its path and Host reach it', async () => {
    const r = await curl(['-x', proxyURL, `http://origin.test:${up.port}/abs?q=1`]);
    assert.equal(r.status, 200, r.body);
    const seen = up.seen[up.seen.length - 1];
    assert.equal(seen.url, '/abs?q=1');
    assert.equal(seen.headers.host, `origin.test:${up.port}`);
  });

  it('origin-form requests take the upstream from the Host header', async () => {
    const r = await curl(['-H', `Host: 127.0.0.1:${up.port}`, `${proxyURL}/by-host`]);
    assert.equal(r.status, 200, r.body);
    assert.equal(up.seen[up.seen.length - 1].url, '/by-host');
  });

  it('curl -p: CONNECT tunnels TCP to the named host', async () => {
    const hits = up.hits;
    const r = await curl(['-p', '-x', proxyURL, `http://origin.test:${up.port}/tunnel`]);
    assert.equal(r.status, 200, r.body);
    assert.equal(up.hits, hits + 1);
    assert.equal(up.seen[up.seen.length - 1].url, '/tunnel');
  });

  it('the deny-list refuses cloud metadata addresses, by name or literal, and for CONNECT', async () => {
    const byName = await curl(['-x', proxyURL, 'http://metadata.test/latest/meta-data']);
    assert.equal(byName.status, 403);
    assert.match(byName.body, /denied/);
    const literal = await curl(['-x', proxyURL, 'http://169.254.169.254/latest/meta-data']);
    assert.equal(literal.status, 403);
    const tunnel = await curl(['-p', '-x', proxyURL, 'http://169.254.169.254/']);
    assert.notEqual(tunnel.code, 0, 'curl reports the refused CONNECT');
  });

  it('a host that never resolves answers 503 "DNS resolution failure"', async () => {
    const r = await curl(['-x', proxyURL, 'http://nowhere.invalid/']);
    assert.equal(r.status, 503);
    assert.match(r.body, /DNS resolution failure/);
  });

  it('a new host when the cache is full answers 503 "DNS cache overflow"', async () => {
    const first = await curl(['-x', proxyURL, `http://a.small.test:${up.port}/one`]);
    assert.equal(first.status, 200, first.body);
    const again = await curl(['-x', proxyURL, `http://a.small.test:${up.port}/again`]);
    assert.equal(again.status, 200, 'a cached host never overflows');
    const second = await curl(['-x', proxyURL, `http://b.small.test:${up.port}/two`]);
    assert.equal(second.status, 503);
    assert.match(second.body, /DNS cache overflow/);
    assert.equal(dns.get('small')!.stats().overflows, 1);
  });
});
