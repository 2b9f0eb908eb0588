// The suite's manifests adapted to a cluster without pods or load balancers:
//   - a Deployment becomes `replicas` echo pods, each a loopback server on its own address
//     127.0.1.N, all on one shared port (as pods share targetPort 3000), so a Service's
//     EndpointSlice looks as kube's controller writes it: one slice, one port, one address per pod;
//   - a Service gets that EndpointSlice (its selector matched against the Deployments' pod labels);
//   - a Gateway listener port (80, 443, 8080 ...) becomes a free loopback port per Gateway, so each
//     Gateway has its own "address" as it would behind its own load balancer;
//   - {GATEWAY_CLASS_NAME} becomes our GatewayClass.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort } from '../harness/ports';
import { REPO_ROOT } from '../harness/switchyard';
import { startEchoPod, type EchoPod } from './echo';

export const MANIFEST_DIR = path.join(REPO_ROOT, 'test', 'conformance', 'manifests');
export const GATEWAY_CLASS = 'switchyard-conformance';
export const CONTROLLER_NAME = 'gateway.apoxy.dev/gatewayclass-controller';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

interface Deployment {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  pods: EchoPod[];
  ips: string[];
}

export class World {
  readonly deployments = new Map<string, Deployment>();
  private readonly ports = new Map<string, number>();
  private nextIp = 1;
  echoPort = 0;

  async init(): Promise<void> {
    this.echoPort = await freePort();
  }

  /** the loopback port standing for a Gateway's listener port */
  async gatewayPort(ns: string, name: string, declared: number): Promise<number> {
    const key = `${ns}/${name}:${declared}`;
    let p = this.ports.get(key);
    if (p === undefined) {
      p = await freePort();
      this.ports.set(key, p);
    }
    return p;
  }

  knownGatewayPort(ns: string, name: string, declared: number): number | undefined {
    return this.ports.get(`${ns}/${name}:${declared}`);
  }

  /** the pods of a Deployment with their loopback addresses */
  pods(namespace: string, deployment: string): Array<{ pod: EchoPod; ip: string }> {
    const d = this.deployments.get(`${namespace}/${deployment}`);
    return d ? d.pods.map((pod, i) => ({ pod, ip: d.ips[i]! })) : [];
  }

  private async startDeployment(d: Obj): Promise<void> {
    const namespace = d.metadata.namespace ?? 'default';
    const name = d.metadata.name;
    const key = `${namespace}/${name}`;
    if (this.deployments.has(key)) return;
    const labels = d.spec?.template?.metadata?.labels ?? {};
    const replicas = Math.min(Number(d.spec?.replicas ?? 1), 4);
    const pods: EchoPod[] = [];
    const ips: string[] = [];
    for (let i = 0; i < replicas; i++) {
      const ip = `127.0.1.${this.nextIp++}`;
      const pod = `${name}-${(0x5f3a1 + this.nextIp * 7919).toString(16)}-${'abcdefghij'[i]}x${i}`;
      pods.push(await startEchoPod(pod, namespace, name, ip, this.echoPort));
      ips.push(ip);
    }
    this.deployments.set(key, { name, namespace, labels, pods, ips });
  }

  private sliceFor(svc: Obj): Obj | undefined {
    const namespace = svc.metadata.namespace ?? 'default';
    const selector: Record<string, string> | undefined = svc.spec?.selector;
    if (!selector || svc.spec?.type === 'ExternalName') return undefined;
    const matches = [...this.deployments.values()].filter((d) => d.namespace === namespace && Object.entries(selector).every(([k, v]) => d.labels[k] === v));
    const endpoints = matches.flatMap((d) => d.pods.map((p, i) => ({ addresses: [d.ips[i]], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: p.pod, namespace } })));
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${svc.metadata.name}-conformance`, namespace, labels: { 'kubernetes.io/service-name': svc.metadata.name } },
      addressType: 'IPv4',
      ports: (svc.spec?.ports ?? []).map((p: Obj) => ({ ...(p.name ? { name: p.name } : {}), port: this.echoPort, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })),
      endpoints,
    };
  }

  /** reads an upstream manifest and returns what we apply (YAML), starting the pods it implies */
  async adapt(file: string, rewrite: (o: Obj) => Obj[] = (o) => [o]): Promise<string> {
    const text = fs.readFileSync(path.join(MANIFEST_DIR, file), 'utf8').replaceAll('{GATEWAY_CLASS_NAME}', GATEWAY_CLASS).replaceAll('{GATEWAY_CONTROLLER_NAME}', CONTROLLER_NAME);
    const docs: Obj[] = parseAllDocuments(text)
      .map((d) => d.toJS())
      .filter((o) => o && typeof o === 'object');
    for (const o of docs) if (o.kind === 'Deployment') await this.startDeployment(o);
    const out: Obj[] = [];
    for (const o of docs) {
      if (o.kind === 'Deployment') continue;
      if (o.kind === 'EndpointSlice') for (const p of o.ports ?? []) if (p.port === 3000) p.port = this.echoPort; // the echo containers' port
      if (o.kind === 'Gateway' && o.apiVersion?.startsWith('gateway.networking.k8s.io/')) {
        const ns = o.metadata.namespace ?? 'default';
        for (const l of o.spec?.listeners ?? []) l.port = await this.gatewayPort(ns, o.metadata.name, l.port);
      }
      if (o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') {
        // a parentRef's port names the Gateway listener's declared port: ours is elsewhere
        for (const p of o.spec?.parentRefs ?? []) if (p.port !== undefined && (p.kind ?? 'Gateway') === 'Gateway') p.port = await this.gatewayPort(p.namespace ?? o.metadata.namespace ?? 'default', p.name, p.port);
      }
      out.push(...rewrite(o));
      if (o.kind === 'Service') {
        const slice = this.sliceFor(o);
        if (slice) out.push(...rewrite(slice));
      }
    }
    return out.map((o) => stringify(o)).join('---\n');
  }

  async close(): Promise<void> {
    for (const d of this.deployments.values()) for (const p of d.pods) await p.close();
  }
}
