// switchyard: one binary, subcommands `serve` (apiserver + controller + proxy) and `apiserver`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { ensureServingPair } from '../pkg/certs/bootstrap';
import { parseFlags, splitHostPort, usage, type FlagSpec } from '../pkg/config/flags';
import { createLogger } from '../pkg/log/logger';
import { openStore } from '../pkg/app/storage';
import { startApiServer } from '../pkg/app/apiserver';
import { startFacades } from '../pkg/facades';
import { defaultContext } from '../pkg/registry/generic/context';
import { startProxy, type RunningProxy } from '../pkg/app/proxy';
import { parseDnsServers } from '../pkg/dns/resolver';
import client from 'prom-client';
import { DEFAULT_DENY, DenyList } from '../pkg/proxy/forward/denylist';
import type { ConsoleSource } from '../pkg/console';
import { edgeProxyFacadeState } from '../pkg/console/facades';
import { mustParseDuration } from '../apis/meta/v1/duration';
import { parsePEMCertificates } from '../apis/core/v1alpha2/pem';
import { TrustedPeers } from '../pkg/proxy/front';
import { viaNameFor } from '../pkg/proxy/via_name';
import { preforkProxyWorkers, ProxyWorkers } from '../pkg/proxy/workers/pool';

const COMMON: FlagSpec[] = [
  { name: 'data-dir', help: 'holds state.db, certificates, tokens and the admin kubeconfig', default: './.switchyard' },
  { name: 'api-listen', help: 'apiserver HOST:PORT (HTTPS)', default: '127.0.0.1:6443' },
  { name: 'etcd-servers', help: 'comma-separated etcd URLs; switches storage from SQLite to etcd' },
  { name: 'etcd-prefix', help: 'key prefix in etcd', default: '/registry' },
  { name: 'tls-cert', help: 'apiserver serving certificate (PEM); default: generated in the data dir' },
  { name: 'tls-key', help: 'apiserver serving key (PEM)' },
  { name: 'token-auth-file', help: 'static tokens CSV (token,user,uid,"groups"); default: DATA_DIR/tokens.csv' },
  { name: 'insecure-http', help: 'serve plain HTTP with no authentication (tests only)', boolean: true },
  { name: 'log-level', help: 'error|warn|info|debug', default: 'info' },
  { name: 'compact-interval', help: 'storage compaction interval, coordinated across replicas (compact_rev_key); 0 disables', default: '5m' },
  ...leaderElectTimings(),
  { name: 'shutdown-drain-timeout', help: 'on SIGTERM, how long in-flight requests may finish', default: '10s' },
  { name: 'request-timeout', help: 'an API client must send a whole request (headers and body) within this, else 408 and the connection closes; watch responses are not limited', default: '1m' },
];

/** kube-controller-manager's flag names; the elected apiserver replica does once-per-cluster chores */
function leaderElectTimings(): FlagSpec[] {
  return [
    { name: 'leader-elect-lease-duration', help: 'how long a leader lease stays valid without renewal', default: '15s' },
    { name: 'leader-elect-renew-deadline', help: 'how long a leader keeps acting without a successful renewal', default: '10s' },
    { name: 'leader-elect-retry-period', help: 'how often candidates try to acquire or renew', default: '2s' },
    { name: 'leader-elect-identity', help: 'this candidate\'s holderIdentity (default: hostname_uuid)' },
  ];
}

/** the data plane's flags, the same for `serve` and `proxy` */
const PROXY_COMMON: FlagSpec[] = [
  { name: 'proxy-listen', help: 'proxy HOST:PORT', default: '0.0.0.0:8080' },
  { name: 'dns-server', help: 'resolver HOST:PORT the DNS cache asks; default: the system resolver' },
  { name: 'forward-proxy-deny', help: 'CIDRs forward-proxy (dynamicProxy) requests may not reach (and *.localhost with loopback), or "none"; replaces the default list. What switchyard itself listens on is refused too, unless "none"', default: DEFAULT_DENY.join(',') },
  { name: 'dns-max-pending', help: 'first DNS lookups (a new host that requests wait on) in flight at once in the process; above it 503 DNS cache overflow', default: '1024' },
  { name: 'proxy-headers-timeout', help: 'a proxy client must send its request headers within this (slowloris)', default: '30s' },
  { name: 'proxy-access-log', help: 'log one JSON line per proxied request (request id, route, backend, upstream, status, duration)', boolean: true },
  { name: 'proxy-tls-listen', help: 'also serve the proxy\'s routes over HTTPS on HOST:PORT' },
  { name: 'proxy-tls-cert', help: 'certificate (PEM) for --proxy-tls-listen and HTTPS Gateway listeners; default: DATA_DIR/proxy.crt, generated and signed by DATA_DIR/ca.crt' },
  { name: 'proxy-tls-key', help: 'key (PEM) for --proxy-tls-cert' },
  { name: 'upstream-ca-file', help: 'PEM CA certificates tls/h2 upstreams are verified against, besides the system trust store' },
  { name: 'trusted-proxies', help: 'CIDRs of peers whose X-Forwarded-*, Forwarded and X-Request-Id are kept; from others they are overwritten (X-Forwarded-For appended)', default: 'none' },
  { name: 'proxy-via-name', help: 'this proxy\'s Via pseudonym (a request already carrying it is a loop: 508); default: a random id kept in DATA_DIR/proxy-via-name' },
  { name: 'tunnel-idle-timeout', help: 'close CONNECT and WebSocket tunnels with no bytes either way for this long; 0 disables', default: '1h' },
  { name: 'upstream-response-timeout', help: 'an upstream must send its response headers within this, or the client gets 504 (a route\'s timeouts win); 0 disables', default: '60s' },
  { name: 'upstream-body-timeout', help: 'an upstream response body idle this long is aborted on both sides (a route\'s timeouts.request wins); 0 disables', default: '60s' },
  { name: 'proxy-workers', help: 'data plane processes sharing the listening sockets (the controller, DNS caches, rate limits and health checks stay in the main one); 1: the proxy runs in the main process. Default: the number of CPUs' },
  { name: 'client-body-timeout', help: 'a client request body idle this long gets 408 and both connections are closed; 0 disables', default: '60s' },
];

const SERVE: FlagSpec[] = [
  ...COMMON,
  ...PROXY_COMMON,
  { name: 'registry-listen', help: 'enables the route registry facade on HOST:PORT (its documents use port 81)' },
  { name: 'upstreams-listen', help: 'enables the upstreams/targets admin API on HOST:PORT' },
];

const PROXY: FlagSpec[] = [
  { name: 'kubeconfig', help: 'the apiserver to follow (ours, or a cluster with crds/ installed)', default: './.switchyard/kubeconfig' },
  { name: 'data-dir', help: 'holds the generated proxy certificate (proxy.crt/proxy.key) and its CA', default: './.switchyard' },
  ...PROXY_COMMON,
  { name: 'log-level', help: 'error|warn|info|debug', default: 'info' },
  { name: 'metrics-listen', help: 'serve /metrics, /healthz and /readyz on HOST:PORT' },
  { name: 'leader-elect', help: 'elect one replica to write status (a coordination.k8s.io/v1 Lease through the apiserver)', boolean: true, default: 'true' },
  { name: 'leader-elect-resource-namespace', help: 'namespace of the leader Lease', default: 'switchyard-system' },
  { name: 'leader-elect-resource-name', help: 'name of the leader Lease', default: 'switchyard-controller' },
  ...leaderElectTimings(),
  { name: 'shutdown-drain-timeout', help: 'on SIGTERM, how long in-flight proxied requests may finish', default: '10s' },
];

export const COMMANDS: Record<string, { help: string; flags: FlagSpec[] }> = {
  serve: { help: 'apiserver, controller and proxy in one process', flags: SERVE },
  apiserver: { help: 'the apiserver alone (run several on one etcd cluster)', flags: COMMON },
  proxy: { help: 'controller and proxy against any apiserver', flags: PROXY },
};

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help' || !COMMANDS[cmd]) {
    const list = Object.entries(COMMANDS).map(([n, c]) => `  ${n}\t${c.help}`).join('\n');
    console.log(`usage: switchyard COMMAND [flags]\n\ncommands:\n${list}\n\nswitchyard COMMAND --help lists its flags`);
    if (cmd && cmd !== '--help' && cmd !== 'help') process.exitCode = 2;
    return;
  }
  if (rest.includes('--help')) {
    console.log(`usage: switchyard ${cmd} [flags]\n\n${usage(COMMANDS[cmd].flags)}`);
    return;
  }
  const flags = parseFlags(rest, COMMANDS[cmd].flags);
  // proxy workers load their code while the apiserver starts (pkg/proxy/workers)
  const proxyWorkers = flags['proxy-workers'] === undefined ? os.availableParallelism() : Number(flags['proxy-workers']);
  if ((cmd === 'serve' || cmd === 'proxy') && Number.isInteger(proxyWorkers) && proxyWorkers > 1 && proxyWorkers < 1_000) preforkProxyWorkers(proxyWorkers);
  const log = createLogger({ level: String(flags['log-level']) });
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const dnsServers = flags['dns-server'] ? parseDnsServers(String(flags['dns-server'])) : undefined;
  const duration = (name: string) => mustParseDuration(String(flags[name]));
  const positiveInt = (name: string): number => {
    const v = String(flags[name]).trim();
    if (!/^[1-9][0-9]{0,8}$/.test(v)) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const timings = {
    identity: (flags['leader-elect-identity'] as string | undefined) || undefined,
    leaseDurationMs: duration('leader-elect-lease-duration'),
    renewDeadlineMs: duration('leader-elect-renew-deadline'),
    retryPeriodMs: duration('leader-elect-retry-period'),
  };
  // the forward proxy's deny-list: told every address this process listens on as each part binds
  const deny = COMMANDS[cmd].flags.some((f) => f.name === 'forward-proxy-deny') ? DenyList.parse(flags['forward-proxy-deny'] as string | undefined) : undefined;
  /** what `serve` and `proxy` pass alike to startProxy */
  const dataPlane = () => {
    const listen = splitHostPort(String(flags['proxy-listen']));
    const tlsListen = flags['proxy-tls-listen'] ? splitHostPort(String(flags['proxy-tls-listen'])) : undefined;
    // read or generated the first time a TLS listener opens: a proxy without one never writes files
    const certificate = () =>
      proxyCertificate(
        path.resolve(String(flags['data-dir'])),
        flags['proxy-tls-cert'] as string | undefined,
        flags['proxy-tls-key'] as string | undefined,
        [listen.host, ...(tlsListen ? [tlsListen.host] : [])],
      );
    if (!!flags['proxy-tls-cert'] !== !!flags['proxy-tls-key']) throw new Error('--proxy-tls-cert and --proxy-tls-key go together');
    return {
      listen,
      config: {
        listenHost: listen.host,
        listenPort: listen.port,
        log,
        dnsServers,
        dnsMaxPending: positiveInt('dns-max-pending'),
        proxyWorkers: flags['proxy-workers'] === undefined ? os.availableParallelism() : positiveInt('proxy-workers'),
        metricsRegistry: registry,
        deny,
        preferRegion: process.env.EDGEPROXY_REGION || 'sa',
        headersTimeoutMs: duration('proxy-headers-timeout'),
        shutdownDrainMs: duration('shutdown-drain-timeout'),
        accessLog: !!flags['proxy-access-log'],
        tls: { certificate, listen: tlsListen },
        upstreamCA: upstreamCA(flags['upstream-ca-file'] as string | undefined),
        trustedProxies: TrustedPeers.parse(flags['trusted-proxies'] as string | undefined),
        viaName: viaNameFor(path.resolve(String(flags['data-dir'])), (flags['proxy-via-name'] as string | undefined) || undefined),
        tunnelIdleMs: duration('tunnel-idle-timeout'),
        timeouts: {
          upstreamResponseMs: duration('upstream-response-timeout'),
          upstreamBodyMs: duration('upstream-body-timeout'),
          clientBodyMs: duration('client-body-timeout'),
        },
      },
    };
  };
  if (cmd === 'proxy') {
    const { listen, config } = dataPlane();
    const metricsListen = flags['metrics-listen'] ? splitHostPort(String(flags['metrics-listen'])) : undefined;
    const p = await startProxy({
      ...config,
      kubeconfig: path.resolve(String(flags.kubeconfig)),
      metricsListen,
      leaderElection: flags['leader-elect']
        ? { ...timings, namespace: String(flags['leader-elect-resource-namespace']), name: String(flags['leader-elect-resource-name']) }
        : undefined,
    });
    if (p.admin) deny?.setListening('admin', [{ host: metricsListen!.host, port: p.admin.port }]);
    log.info('switchyard is ready', { command: cmd, proxy: `${listen.host}:${p.port}`, proxyTLS: p.proxy.tlsPort(), metrics: p.admin ? `${metricsListen!.host}:${p.admin.port}` : undefined, identity: p.election?.elector.identity });
    onSignals(log, async () => p.close());
    return;
  }
  const dataDir = path.resolve(String(flags['data-dir']));
  const api = splitHostPort(String(flags['api-listen']));
  const etcdServers = flags['etcd-servers'] ? String(flags['etcd-servers']).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const store = openStore({ dataDir, etcdServers });
  // the web console's live figures: filled in once the proxy runs (`serve`); empty for `apiserver`
  const consoleSource: ConsoleSource = {};
  const running = await startApiServer({
    dataDir,
    listenHost: api.host,
    listenPort: api.port,
    store,
    log,
    etcdPrefix: String(flags['etcd-prefix']),
    tlsCert: flags['tls-cert'] as string | undefined,
    tlsKey: flags['tls-key'] as string | undefined,
    tokenAuthFile: flags['token-auth-file'] as string | undefined,
    insecureHttp: !!flags['insecure-http'],
    metricsRegistry: registry,
    console: { source: consoleSource },
    compactIntervalMs: duration('compact-interval'),
    shutdownDrainMs: duration('shutdown-drain-timeout'),
    requestTimeoutMs: duration('request-timeout'),
    // several replicas can share etcd: elect one for once-per-cluster chores; SQLite has one process
    leaderElection: etcdServers ? timings : undefined,
  });
  deny?.setListening('api', [{ host: api.host, port: running.port }]);
  log.info('apiserver listening', { url: running.url, storage: etcdServers ? 'etcd' : 'sqlite', dataDir });
  log.info('admin kubeconfig written', { kubeconfig: running.kubeconfigPath });
  // the registration facades (edgeProxy: EDGEPROXY_API_ENABLED; registry/upstreams: their flags)
  const facades = await startFacades({
    registry: defaultContext(store),
    resources: running.resources,
    log,
    env: process.env,
    registryListen: (flags['registry-listen'] as string | undefined) || undefined,
    upstreamsListen: (flags['upstreams-listen'] as string | undefined) || undefined,
    multiReplica: !!etcdServers,
    isLeader: running.isLeader,
    metricsRegistry: registry,
  });
  deny?.setListening('facades', facades.listening);
  const liveness = facades.liveness;
  if (liveness) consoleSource.facades = () => edgeProxyFacadeState(liveness);
  let proxy: RunningProxy | undefined;
  if (cmd === 'serve') {
    const { listen, config } = dataPlane();
    proxy = await startProxy({
      ...config,
      kubeconfig: running.kubeconfigPath,
      // `serve` replicas on etcd elect their status writer through the store (same Lease as `proxy`)
      leaderElection: etcdServers ? { ...timings, store: { store, prefix: String(flags['etcd-prefix']) } } : undefined,
    });
    consoleSource.proxy = proxy.proxy;
    const workers = proxy.proxy;
    if (workers instanceof ProxyWorkers) consoleSource.refresh = () => workers.flush({ endpoints: true });
    consoleSource.dns = proxy.dns;
    const tlsPort = proxy.proxy.tlsPort();
    log.info('proxy listening', { address: `${listen.host}:${proxy.port}`, tls: tlsPort === undefined ? undefined : `${config.tls.listen!.host}:${tlsPort}` });
  }
  log.info('switchyard is ready', { command: cmd, api: running.url, kubeconfig: running.kubeconfigPath, proxyPort: proxy?.port });
  onSignals(log, async () => {
    await facades.close();
    await proxy?.close();
    await running.close();
    await store.close();
  });
}

/** --upstream-ca-file's certificates; a file that is not PEM certificates stops the start */
function upstreamCA(file: string | undefined): string[] | undefined {
  if (!file) return undefined;
  const r = parsePEMCertificates(fs.readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(`--upstream-ca-file ${file}: ${r.error}`);
  return r.certificates;
}

/** the files given, or DATA_DIR/proxy.{crt,key} signed by the data dir's CA (made on first start) */
function proxyCertificate(dataDir: string, certFile: string | undefined, keyFile: string | undefined, hosts: string[]): { cert: string; key: string } {
  if (certFile && keyFile) return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
  return ensureServingPair(dataDir, 'proxy', hosts, 'switchyard-proxy');
}

function onSignals(log: ReturnType<typeof createLogger>, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await close().catch((err: Error) => log.error('shutdown failed', { error: err.message }));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
