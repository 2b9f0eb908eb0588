// Not a test: memory per cached host and the cost of a hit, at 100,000 hosts.
//   npx tsc -p tsconfig.json && node dist/pkg/dns/bench.js [hosts]
// Heap measured after full GCs (v8 --expose-gc is switched on at run time), with a stub resolver
// answering at once (so only the cache's own structures are counted: entry object, host string,
// frozen address array + its strings, cached hit object, Map slot, scheduling-heap slot).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { DnsCacheIR } from './config';
import { DnsCache } from './cache';
import type { QueryOutcome, RecordType, ResolverPort } from './policy';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

class InstantResolver implements ResolverPort {
  constructor(private readonly perHost: number) {}
  query(host: string, type: RecordType): Promise<QueryOutcome> {
    if (type !== 'A') return Promise.resolve({ kind: 'empty' });
    const n = Number(host.slice(1, host.indexOf('.')));
    const addrs: string[] = [];
    for (let k = 0; k < this.perHost; k++) addrs.push(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n + k) & 255}`);
    return Promise.resolve({ kind: 'ok', addresses: addrs, ttlSec: 300 });
  }
}

async function run(hosts: number, perHost: number): Promise<void> {
  const cfg: DnsCacheIR = {
    lookupFamily: 'v4_only',
    refreshRateMs: 60_000,
    minRefreshRateMs: 5_000,
    queryTimeoutMs: 5_000,
    hostTTLMs: 300_000,
    maxHosts: hosts + 1,
  };
  const names: string[] = [];
  for (let i = 0; i < hosts; i++) names.push(`h${i}.svc-${i % 97}.example.com`);
  const before = heap();
  const cache = new DnsCache(cfg, { name: 'bench', resolver: new InstantResolver(perHost) });
  const BATCH = 5_000;
  for (let i = 0; i < hosts; i += BATCH) {
    const ps: Array<Promise<string[]> | string[]> = [];
    // a fresh copy of the name, as a request would bring: the cache keeps it, so it is counted
    for (let j = i; j < Math.min(hosts, i + BATCH); j++) ps.push(cache.lookup(Buffer.from(names[j]).toString('latin1'), 443));
    await Promise.all(ps);
  }
  const after = heap();
  const st = cache.stats();
  if (st.hosts !== hosts || st.successes !== hosts) throw new Error(`expected ${hosts} resolved hosts: ${JSON.stringify(st)}`);

  // hit cost: lookup + markUsed, as the proxy does per request
  const N = 2_000_000;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const h = names[(i * 7919) % hosts];
    const r = cache.lookup(h, 443) as string[];
    sink += r.length;
  }
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) cache.markUsed(names[(i * 7919) % hosts], 443);
  const t2 = process.hrtime.bigint();
  if (sink !== N * perHost) throw new Error('bad sink');

  const bytes = (after - before) / hosts;
  console.log(
    JSON.stringify({
      hosts,
      addressesPerHost: perHost,
      heapBytes: after - before,
      bytesPerHost: Math.round(bytes),
      hitNs: Number(t1 - t0) / N,
      markUsedNs: Number(t2 - t1) / N,
    }),
  );
  cache.close();
  names.length = 0;
}

async function main(): Promise<void> {
  const hosts = Number(process.argv[2] ?? 100_000);
  await run(hosts, 1);
  await run(hosts, 4);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
