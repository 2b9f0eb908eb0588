// The proxy under test for bench/proxy/run.ts: switchyard's Proxy with one fixed snapshot (a
// catch-all route to one upstream), no apiserver, no controller. Run under `taskset -a -c 0`.
//   node dist/bench/proxy/switchyard_server.js --port P --upstream 127.0.0.1:U
import { Proxy } from '../../pkg/proxy/proxy';
import { createLogger } from '../../pkg/log/logger';
import type { Snapshot } from '../../pkg/proxy/ir';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
}

async function main(): Promise<void> {
  const port = Number(arg('port'));
  const [upHost, upPort] = arg('upstream').split(':');
  const proxy = new Proxy({
    listen: { host: '127.0.0.1', port },
    log: createLogger({ silent: true }),
    resolver: { resolve: () => Promise.reject(new Error('no DNS in the benchmark')) },
  });
  await proxy.start();
  const snapshot: Snapshot = {
    generation: 1,
    listeners: [],
    backends: {
      up: {
        name: 'up',
        protocol: '',
        defaultPort: 80,
        endpoints: [{ id: `${upHost}:${upPort}`, host: upHost, isIP: true, port: Number(upPort), weight: 1 }],
        loadBalancer: { algorithm: 'round-robin', slots: 10_000 },
      },
    },
    rules: [
      {
        id: 'route/bench/rule/0',
        route: 'bench',
        routeCreated: '2024-01-01T00:00:00Z',
        ruleIndex: 0,
        hostnames: [],
        listeners: ['default'],
        matches: [],
        filters: [],
        backendRefs: [{ backend: 'up', weight: 1 }],
        timeouts: {},
        websocket: true,
      },
    ],
  };
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
