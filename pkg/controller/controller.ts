// The controller: client-node informers on Backends, HTTPRoutes, Gateways and GatewayClasses;
// every change schedules one level-based reconcile (coalesced within a tick) that translates the
// caches into a snapshot, hands it to the proxy only when it differs, and writes statuses that
// changed. It talks to the apiserver over HTTP like any client, so it runs against a real cluster.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';
import type { Gateway } from '../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../apis/gateway/v1/gatewayclass_types';
import type { Logger } from '../log/logger';
import type { Snapshot } from '../proxy/ir';
import { canonicalJSON } from '../storage/codec';
import { loadClientNode, type ClientNode } from '../util/esm';
import { startInformer, type ResilientInformer } from './informer';
import { StatusWriter, type StatusTarget } from './status_writer';
import { translate } from './translate';

export interface ControllerOptions {
  /** kubeconfig file path, or an already loaded KubeConfig */
  kubeconfig: string | InstanceType<ClientNode['KubeConfig']>;
  log: Logger;
  proxyHost: string;
  onSnapshot(s: Snapshot): void;
  /** only the leader writes status */
  writeStatus?: () => boolean;
  bindErrors?: () => Map<string, string>;
  resolved?: (backend: string) => { ok: boolean; message: string } | undefined;
  now?: () => string;
  /** edgeProxy: the proxy's region (EDGEPROXY_REGION); edge-balanced routes prefer its endpoints */
  preferRegion?: string;
}

const KINDS = {
  backends: { group: 'core.apoxy.dev', version: 'v1alpha2', plural: 'backends' },
  httproutes: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'httproutes' },
  gateways: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'gateways' },
  gatewayclasses: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'gatewayclasses' },
} as const;

export class Controller {
  private informers = new Map<keyof typeof KINDS, ResilientInformer<KubernetesObject>>();
  private statusWriter?: StatusWriter;
  private scheduled = false;
  private generation = 0;
  private lastContent = '';
  reconciles = 0;

  constructor(private readonly opts: ControllerOptions) {}

  async start(): Promise<void> {
    const k8s = await loadClientNode();
    let kc: InstanceType<ClientNode['KubeConfig']>;
    if (typeof this.opts.kubeconfig === 'string') {
      kc = new k8s.KubeConfig();
      kc.loadFromFile(this.opts.kubeconfig);
    } else kc = this.opts.kubeconfig;
    this.statusWriter = new StatusWriter(k8s, kc, (t, err) => this.opts.log.debug('status write failed; retrying', { target: t.name, error: String((err as Error).message ?? err) }));
    for (const [kind, spec] of Object.entries(KINDS) as Array<[keyof typeof KINDS, (typeof KINDS)[keyof typeof KINDS]]>) {
      this.informers.set(
        kind,
        startInformer(k8s, kc, spec, {
          onChange: () => this.schedule(),
          onError: (err, retryIn) => this.opts.log.debug('informer restarting', { kind, retryInMs: retryIn, error: String((err as Error)?.message ?? err) }),
        }),
      );
    }
  }

  /** all informers have listed once: the snapshot reflects the store */
  synced(): boolean {
    return [...this.informers.values()].every((i) => i.synced());
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
    this.statusWriter?.stop();
  }

  /** Reconcile soon (one pass for every change in this tick). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.reconcile();
    });
  }

  private list<T>(kind: keyof typeof KINDS): T[] {
    return (this.informers.get(kind)?.list() ?? []) as unknown as T[];
  }

  reconcile(): void {
    if (!this.synced()) return; // never publish a snapshot built from a partial view
    this.reconciles++;
    const backends = this.list<Backend>('backends');
    const routes = this.list<HTTPRoute>('httproutes');
    const gateways = this.list<Gateway>('gateways');
    const gatewayClasses = this.list<GatewayClass>('gatewayclasses');
    const out = translate({
      backends,
      routes,
      gateways,
      gatewayClasses,
      proxyHost: this.opts.proxyHost,
      now: (this.opts.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')))(),
      bindErrors: this.opts.bindErrors?.(),
      resolved: this.opts.resolved,
      preferRegion: this.opts.preferRegion,
    });
    const content = canonicalJSON(out.snapshot);
    if (content !== this.lastContent) {
      this.lastContent = content;
      this.generation++;
      this.opts.onSnapshot(Object.freeze({ generation: this.generation, ...out.snapshot }));
    }
    if (this.opts.writeStatus && !this.opts.writeStatus()) return;
    const w = this.statusWriter!;
    const target = (kind: keyof typeof KINDS, name: string): StatusTarget => ({ ...KINDS[kind], name });
    for (const b of backends) w.ensure(target('backends', b.metadata.name!), b.status, out.statuses.backends.get(b.metadata.name!));
    for (const r of routes) w.ensure(target('httproutes', r.metadata.name!), r.status, out.statuses.routes.get(r.metadata.name!));
    for (const g of gateways) w.ensure(target('gateways', g.metadata.name!), g.status, out.statuses.gateways.get(g.metadata.name!));
    for (const c of gatewayClasses) {
      const s = out.statuses.gatewayClasses.get(c.metadata.name!);
      if (s) w.ensure(target('gatewayclasses', c.metadata.name!), c.status, s);
    }
  }
}
