// The proxy under test for bench/edge/run.ts: switchyard's Proxy with one fixed snapshot (a
// catch-all route to one upstream), no apiserver. The plain port takes HTTP/1.1 and h2c; TLS port
// `--tls-many` has one HTTPS listener per certificate in --certs (hostname h<i>.bench.test, chosen
// by SNI), TLS port `--tls-one` one hostname-less listener with the first certificate only.
//   node dist/bench/edge/edge_server.js --port P --tls-many T1 --tls-one T2 --upstream 127.0.0.1:U --certs DIR --count N
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Proxy } from '../../pkg/proxy/proxy';
import { createLogger } from '../../pkg/log/logger';
import type { ListenerIR } from '../../pkg/proxy/ir';
import { requiredArg } from '../lib/args';
import { oneRouteSnapshot } from '../lib/one_route_snapshot';

async function main(): Promise<void> {
  const dir = requiredArg('certs');
  const count = Number(requiredArg('count'));
  const cert = (i: number) => ({ id: `bench/c${i}@1`, cert: fs.readFileSync(path.join(dir, `c${i}.crt`), 'utf8'), key: fs.readFileSync(path.join(dir, `c${i}.key`), 'utf8') });
  const listeners: ListenerIR[] = [];
  for (let i = 0; i < count; i++) listeners.push({ id: `gateway/bench/h${i}`, host: '127.0.0.1', port: Number(requiredArg('tls-many')), tls: true, hostname: `h${i}.bench.test`, certificate: cert(i) });
  listeners.push({ id: 'gateway/bench/one', host: '127.0.0.1', port: Number(requiredArg('tls-one')), tls: true, certificate: cert(0) });
  const proxy = new Proxy({ listen: { host: '127.0.0.1', port: Number(requiredArg('port')) }, log: createLogger({ silent: true }), resolver: { resolve: () => Promise.reject(new Error('no DNS in the benchmark')) } });
  await proxy.start();
  const snapshot = oneRouteSnapshot(requiredArg('upstream'), listeners);
  await proxy.setSnapshot(snapshot);
  if (proxy.listeners.bindErrors.size) throw new Error(`bind errors: ${[...proxy.listeners.bindErrors.values()].join('; ')}`);
  console.log('READY');
  process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
