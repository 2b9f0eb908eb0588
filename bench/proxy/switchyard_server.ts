// The proxy under test for bench/proxy/run.ts, workers.ts and routes.ts: switchyard's Proxy with one
// fixed snapshot (a catch-all route to one upstream), no apiserver, no controller. Run under `taskset -a -c 0`.
//   node dist/bench/proxy/switchyard_server.js --port P --upstream 127.0.0.1:U [--workers N] [--routes N]
// --workers N > 1: the data plane in N worker processes (--proxy-workers), this process their main.
// --routes N: instead, bench/lib/route_table.ts's table of N HTTPRoutes, every rule to the upstream.
import { Proxy } from '../../pkg/proxy/proxy';
import { ProxyWorkers } from '../../pkg/proxy/workers/pool';
import { DEFAULT_DENY } from '../../pkg/proxy/forward/denylist';
import { createLogger } from '../../pkg/log/logger';
import { arg, requiredArg } from '../lib/args';
import { oneRouteSnapshot } from '../lib/one_route_snapshot';
import { routeTable } from '../lib/route_table';

async function main(): Promise<void> {
  const port = Number(requiredArg('port'));
  const workers = Number(arg('workers', '1'));
  const log = createLogger({ silent: true });
  const resolver = { resolve: () => Promise.reject(new Error('no DNS in the benchmark')) };
  const proxy =
    workers > 1
      ? new ProxyWorkers({
          workers,
          log,
          resolver,
          init: { listen: { host: '127.0.0.1', port }, trustedProxies: [], deny: { cidrs: DEFAULT_DENY, denySelf: true }, upstreamCA: [] },
        })
      : new Proxy({ listen: { host: '127.0.0.1', port }, log, resolver });
  await proxy.start();
  const one = oneRouteSnapshot(requiredArg('upstream'));
  const routes = Number(arg('routes', '0'));
  const snapshot = routes > 0 ? { ...one, rules: routeTable(routes, { backend: 'up' }).rules } : one;
  await proxy.setSnapshot(snapshot);
  console.log(`READY ${proxy.defaultPort()}`);
  const stop = () => void proxy.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
