// Helpers for the gateway.networking.k8s.io tests: loopback echo servers that answer as the
// conformance suite's echo server does (JSON with path, host, method, headers, namespace and a pod
// name per endpoint), upstream-style manifests (Services with EndpointSlices pointing at those
// servers), and kubectl reads of status.
import * as http from 'node:http';
import type * as net from 'node:net';
import type { Kubectl, Storage } from '../apiserver/lib';
import { startServe, type Serve } from '../apoxy/lib';
import { startEtcd } from '../harness/etcd';

export { get, startServe, waitFor, type Serve } from '../apoxy/lib';

/** `switchyard serve` on sqlite, or on a fresh etcd member stopped with it */
export async function startServeOn(storage: Storage, extraArgs: string[] = []): Promise<Serve> {
  if (storage === 'sqlite') return startServe(extraArgs);
  const etcd = await startEtcd();
  try {
    const s = await startServe(['--etcd-servers', etcd.clientURL, ...extraArgs]);
    const stop = s.stop;
    s.stop = async () => {
      await stop();
      await etcd.stop();
    };
    return s;
  } catch (err) {
    await etcd.stop();
    throw err;
  }
}

export const INFRA_NS = 'gateway-conformance-infra';
export const APP_NS = 'gateway-conformance-app-backend';
export const WEB_NS = 'gateway-conformance-web-backend';
export const CONTROLLER = 'gateway.apoxy.dev/gatewayclass-controller';
export const GROUP = 'gateway.networking.k8s.io';

/** The suite's infra namespace, our GatewayClass and one Gateway there with a single HTTP listener (YAML, ends with a newline). */
export function baseGateway(name: string, port: number): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${INFRA_NS}}
---
apiVersion: ${GROUP}/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: ${CONTROLLER}}
---
apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners: [{name: http, port: ${port}, protocol: HTTP}]
`;
}

export interface Echo {
  pod: string;
  namespace: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** The suite's echo answer: {path, host, method, proto, headers, namespace, pod}. */
export interface EchoReply {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  namespace: string;
  pod: string;
}

export async function startEcho(pod: string, namespace: string): Promise<Echo> {
  const echo: Echo = { pod, namespace, port: 0, hits: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    echo.hits++;
    req.resume();
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
      (headers[name] ??= []).push(req.rawHeaders[i + 1]!);
    }
    const body = JSON.stringify({ path: req.url ?? '', host: req.headers.host ?? '', method: req.method ?? '', proto: `HTTP/${req.httpVersion}`, headers, namespace, pod } satisfies EchoReply);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  echo.port = (server.address() as net.AddressInfo).port;
  echo.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return echo;
}

/** A Service (port 8080, targetPort 3000, unnamed) and its EndpointSlice: one endpoint per echo (all on one port each, so one slice per echo). */
export function serviceManifest(name: string, namespace: string, endpoints: Array<{ echo: Echo; ready?: boolean }>, portName?: string): string {
  const svc = `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app: ${name}
  ports:
  - ${portName ? `name: ${portName}\n    ` : ''}protocol: TCP
    port: 8080
    targetPort: 3000
`;
  const slices = endpoints.map(
    (e, i) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-${i}
  namespace: ${namespace}
  labels:
    kubernetes.io/service-name: ${name}
addressType: IPv4
ports:
- ${portName ? `name: ${portName}\n  ` : ''}port: ${e.echo.port}
  protocol: TCP
endpoints:
- addresses: ["127.0.0.1"]
  ${e.ready === undefined ? 'conditions: {}' : `conditions: {ready: ${e.ready}}`}
  targetRef: {kind: Pod, name: ${e.echo.pod}, namespace: ${namespace}}
`,
  );
  return [svc, ...slices].join('---\n');
}

/** `kubectl get -o json` of a namespaced object, parsed; undefined when not found. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJSON(k: Kubectl, resource: string, name: string, namespace?: string): Promise<any | undefined> {
  const r = await k(['get', resource, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])]);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${resource} ${name}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

export interface Cond {
  type: string;
  status: string;
  reason: string;
  observedGeneration?: number;
  message?: string;
}

export const cond = (conds: Cond[] | undefined, type: string): Cond | undefined => conds?.find((c) => c.type === type);
