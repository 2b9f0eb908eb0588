// The proxy under test for bench/proxy/run.ts: switchyard's Proxy with one fixed snapshot (a
// catch-all route to one upstream), no apiserver, no controller. Run under `taskset -a -c 0`.
//   node dist/bench/proxy/switchyard_server.js --port P --upstream 127.0.0.1:U [--routes N]
// --routes N: instead, bench/lib/route_table.ts's table of N HTTPRoutes, every rule to the upstream.
import { Proxy } from '../../pkg/proxy/proxy';
import { createLogger } from '../../pkg/log/logger';
import { requiredArg } from '../lib/args';
import { oneRouteSnapshot } from '../lib/one_route_snapshot';
import { routeTable } from '../lib/route_table';
import { arg } from '../lib/args';

async function main(): Promise<void> {
  const port = Number(requiredArg('port'));
  const proxy = new Proxy({
    listen: { host: '127.0.0.1', port },
    log: createLogger({ silent: true }),
    resolver: { resolve: () => Promise.reject(new Error('no DNS in the benchmark')) },
  });
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
