// dynamicProxy vs static Backend to the same upstream, same proxy, same run: after the first
// request a dynamic host is a cache hit, so the ratio should be ~1 (target ≥ 0.95×).
//   node dist/bench/dns/forward_vs_static.js [--seconds 5] [--rounds 2]
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Proxy } from '../../pkg/proxy/proxy';
import { DenyList } from '../../pkg/proxy/forward/denylist';
import { DnsCacheManager } from '../../pkg/dns/manager';
import { cacheResolver } from '../../pkg/app/dns_resolver';
import { createLogger } from '../../pkg/log/logger';
import type { BackendIR, RuleIR, Snapshot } from '../../pkg/proxy/ir';
import { freePort } from '../../test/harness/ports';
import { tempDir } from '../../test/harness/tmp';
import { emit } from '../lib/report';

const run = promisify(execFile);
const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const SECONDS = Number(arg('seconds', '5'));
const ROUNDS = Number(arg('rounds', '2'));

function rule(id: string, host: string, backend: string): RuleIR {
  return { id, route: id, routeCreated: '', ruleIndex: 0, hostnames: [host], listeners: ['default'], matches: [], filters: [], backendRefs: [{ backend, weight: 1 }], timeouts: {}, websocket: true };
}

async function wrk(url: string, host: string): Promise<{ rps: number; p50: string; p99: string }> {
  const { stdout } = await run('wrk', ['-t1', '-c50', `-d${SECONDS}s`, '--latency', '-H', `Host: ${host}`, url], { timeout: (SECONDS + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50: /^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? '?', p99: /^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '?' };
}

async function main(): Promise<void> {
  const upPort = await freePort();
  const upstream = spawn(process.execPath, ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${upPort},'127.0.0.1')`], { stdio: 'ignore' });
  const hosts = path.join(tempDir('sy-bench-dns-'), 'hosts');
  fs.writeFileSync(hosts, '127.0.0.1 upstream.bench\n');
  const dns = new DnsCacheManager({ servers: ['127.0.0.1:9'], hostsFile: hosts });
  const backends: Record<string, BackendIR> = {
    static: { name: 'static', protocol: '', defaultPort: 80, endpoints: [{ id: `127.0.0.1:${upPort}`, host: '127.0.0.1', isIP: true, port: upPort, weight: 1 }], loadBalancer: { algorithm: 'round-robin', slots: 10000 } },
    dynamic: {
      name: 'dynamic', protocol: '', defaultPort: 80, endpoints: [], loadBalancer: { algorithm: 'round-robin', slots: 10000 },
      dynamicProxy: { lookupFamily: 'v4_only', refreshRateMs: 60_000, minRefreshRateMs: 5_000, queryTimeoutMs: 1_000, hostTTLMs: 300_000, maxHosts: 1024 },
    },
  };
  dns.sync(backends);
  const proxy = new Proxy({ listen: { host: '127.0.0.1', port: 0 }, log: createLogger({ level: 'error', json: true }), resolver: cacheResolver(dns), deny: DenyList.parse('none') });
  await proxy.start();
  const snap: Snapshot = { generation: 1, listeners: [], rules: [rule('s', 'static.bench', 'static'), rule('d', `upstream.bench`, 'dynamic')], backends };
  await proxy.setSnapshot(snap);
  const url = `http://127.0.0.1:${proxy.defaultPort()}/`;
  const rows: string[] = [];
  const sum = { static: 0, dynamic: 0 };
  let queries = 0;
  try {
    await wrk(url, 'static.bench'); // warm-up both paths
    await wrk(url, `upstream.bench:${upPort}`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, host] of [['static', 'static.bench'], ['dynamic', `upstream.bench:${upPort}`]] as const) {
        const res = await wrk(url, host);
        sum[name] += res.rps;
        rows.push(`| ${r + 1} | ${name} | ${res.rps.toFixed(0)} | ${res.p50} | ${res.p99} |`);
      }
    }
    queries = dns.get('dynamic')!.stats().queries;
  } finally {
    await proxy.close();
    dns.close();
    upstream.kill();
  }
  console.log(`\nForward proxy (dynamicProxy) vs static Backend, same proxy and upstream; wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} alternated rounds\n`);
  console.log('| round | backend | req/s | p50 | p99 |\n| ---: | --- | ---: | ---: | ---: |\n' + rows.join('\n'));
  emit({ bench: 'dns', case: `dynamicProxy (forward proxy) vs static Backend, same proxy and upstream, wrk -c50, ${ROUNDS} alternated rounds`, metric: 'mean req/s', unit: 'req/s', value: sum.dynamic / ROUNDS, reference: 'static Backend', referenceValue: sum.static / ROUNDS, goal: { on: 'ratio', cmp: '>=', target: 0.95 } });
  console.log(`\ndynamic / static = ${(sum.dynamic / sum.static).toFixed(2)}× (target ≥ 0.95×); lookups for the whole run: ${queries} (hosts file: no network lookups)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
