// The proxy under test for bench/edge/run.ts: switchyard's Proxy with one fixed snapshot (a
// catch-all route to one upstream), no apiserver. The plain port takes HTTP/1.1 and h2c; TLS port
// `--tls-many` has one HTTPS listener per certificate in --certs (hostname h<i>.bench.test, chosen
// by SNI), TLS port `--tls-one` one hostname-less listener with the first certificate only.
//   node dist/bench/edge/edge_server.js --port P --tls-many T1 --tls-one T2 --upstream 127.0.0.1:U --certs DIR --count N
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Proxy } from '../../pkg/proxy/proxy';
import { createLogger } from '../../pkg/log/logger';
import type { ListenerIR, Snapshot } from '../../pkg/proxy/ir';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
}

async function main(): Promise<void> {
  const [upHost, upPort] = arg('upstream').split(':');
  const dir = arg('certs');
  const count = Number(arg('count'));
  const cert = (i: number) => ({ id: `bench/c${i}@1`, cert: fs.readFileSync(path.join(dir, `c${i}.crt`), 'utf8'), key: fs.readFileSync(path.join(dir, `c${i}.key`), 'utf8') });
  const listeners: ListenerIR[] = [];
  for (let i = 0; i < count; i++) listeners.push({ id: `gateway/bench/h${i}`, host: '127.0.0.1', port: Number(arg('tls-many')), tls: true, hostname: `h${i}.bench.test`, certificate: cert(i) });
  listeners.push({ id: 'gateway/bench/one', host: '127.0.0.1', port: Number(arg('tls-one')), tls: true, certificate: cert(0) });
  const proxy = new Proxy({ listen: { host: '127.0.0.1', port: Number(arg('port')) }, log: createLogger({ silent: true }), resolver: { resolve: () => Promise.reject(new Error('no DNS in the benchmark')) } });
  await proxy.start();
  const snapshot: Snapshot = {
    generation: 1,
    listeners,
    backends: {
      up: { name: 'up', protocol: '', defaultPort: 80, endpoints: [{ id: `${upHost}:${upPort}`, host: upHost, isIP: true, port: Number(upPort), weight: 1 }], loadBalancer: { algorithm: 'round-robin', slots: 10_000 } },
    },
    rules: [
      {
        id: 'route/bench/rule/0',
        route: 'bench',
        routeCreated: '2024-01-01T00:00:00Z',
        ruleIndex: 0,
        hostnames: [],
        listeners: ['default', ...listeners.map((l) => l.id)],
        matches: [],
        filters: [],
        backendRefs: [{ backend: 'up', weight: 1 }],
        timeouts: {},
        websocket: true,
      },
    ],
  };
  await proxy.setSnapshot(snapshot);
  if (proxy.listeners.bindErrors.size) throw new Error(`bind errors: ${[...proxy.listeners.bindErrors.values()].join('; ')}`);
  console.log('READY');
  process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
