// Micro-benchmark of the balancers (not a test): picks per second with 10 endpoints.
//   node dist/pkg/proxy/balancer/bench.js [durationMs per case, default 1000]
// Each case warms up, then loops pick() (and, for "+ request", startRequest/finishRequest around it,
// as the data plane does) for the duration and prints the rate.
import type { LoadBalancerIR } from '../ir';
import { createBalancer, type PickContext } from './balancer';
import { createEndpointState, finishRequest, startRequest, type EndpointConfig } from './endpoint_state';
import { createWeightedPicker } from './weights';

const durationMs = Number(process.argv[2] ?? 1000);

const ips: string[] = [];
for (let i = 0; i < 1024; i++) ips.push(`10.1.${i >> 8}.${i & 255}`);

// One reusable context; the consistent-hash cases change its clientIP per pick.
const ctx: PickContext = {
  clientIP: ips[0]!,
  path: '/api/v1/items',
  header: () => undefined,
  cookie: () => undefined,
};

function endpoints(cfg: EndpointConfig) {
  const out = [];
  for (let i = 0; i < 10; i++) {
    out.push(
      createEndpointState(
        { id: `10.0.0.${i + 1}:8080`, host: `10.0.0.${i + 1}`, isIP: true, port: 8080, weight: 1 + (i % 3), region: i < 5 ? 'sa' : 'us' },
        cfg,
      ),
    );
  }
  return out;
}

function run(name: string, lb: LoadBalancerIR, cfg: EndpointConfig, withRequest: boolean): void {
  const states = endpoints(cfg);
  const b = createBalancer(lb, states, { now: Date.now, rand: Math.random });
  const hashed = lb.algorithm === 'consistent-hash';
  let sink = 0;
  const loop = (n: number) => {
    for (let i = 0; i < n; i++) {
      if (hashed) ctx.clientIP = ips[i & 1023]!;
      const s = b.pick(ctx);
      if (s === null) continue;
      if (withRequest) {
        startRequest(s);
        finishRequest(s, false, 0);
      }
      sink += s.active;
    }
  };
  loop(200_000); // warm-up
  let picks = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let t = start;
  while (t < end) {
    loop(50_000);
    picks += 50_000;
    t = process.hrtime.bigint();
  }
  const secs = Number(t - start) / 1e9;
  const rate = picks / secs;
  console.log(`${name.padEnd(44)} ${(rate / 1e6).toFixed(2).padStart(7)} M picks/s  ${(1e9 / rate).toFixed(0).padStart(4)} ns/pick${sink < 0 ? '!' : ''}`);
}

const plain: EndpointConfig = {};
const guarded: EndpointConfig = {
  circuitBreaker: { maxConnections: 150, softLimit: 100, consecutiveFailures: 5, failureWindowMs: 60_000, openMs: 30_000 },
  passiveHealthCheck: { consecutiveFailures: 5, ejectionMs: 30_000 },
};

console.log(`10 endpoints, weights 1..3, ${durationMs} ms per case, node ${process.version}`);
run('round-robin', { algorithm: 'round-robin', slots: 10_000 }, plain, false);
run('least-connections', { algorithm: 'least-connections', slots: 10_000 }, plain, false);
run('random', { algorithm: 'random', slots: 10_000 }, plain, false);
run('consistent-hash (ip, 1024 clients)', { algorithm: 'consistent-hash', hashOn: 'ip', slots: 10_000 }, plain, false);
run('loadAware (edgeProxy, preferRegion sa)', { algorithm: 'round-robin', loadAware: true, preferRegion: 'sa', slots: 10_000 }, guarded, false);
run('round-robin + breaker/limits + request', { algorithm: 'round-robin', slots: 10_000 }, guarded, true);
run('least-connections + breaker/limits + request', { algorithm: 'least-connections', slots: 10_000 }, guarded, true);
run('consistent-hash + breaker/limits + request', { algorithm: 'consistent-hash', hashOn: 'ip', slots: 10_000 }, guarded, true);

{
  const t0 = process.hrtime.bigint();
  const states = endpoints(plain);
  createBalancer({ algorithm: 'consistent-hash', hashOn: 'ip', slots: 10_000 }, states, { now: Date.now, rand: Math.random });
  console.log(`consistent-hash table build (10 endpoints, 10000 slots): ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2)} ms`);
}
{
  const p = createWeightedPicker([{ weight: 90 }, { weight: 10 }, { weight: 0 }], Math.random);
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += p.pick()!;
  const t0 = process.hrtime.bigint();
  const n = 5_000_000;
  for (let i = 0; i < n; i++) sink += p.pick()!;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${'backendRef weighted picker (3 refs)'.padEnd(44)} ${(n / secs / 1e6).toFixed(2).padStart(7)} M picks/s${sink < 0 ? '!' : ''}`);
}
