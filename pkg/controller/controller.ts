// The controller: client-node informers on Backends, HTTPRoutes, GRPCRoutes, Gateways, GatewayClasses
// and TLS Secrets (HTTPS listeners' certificates).
// Each event is classified (changes.ts): one that cannot change the translation (status-only,
// heartbeat annotations, a resync) only rechecks that object's own status; the others mark the
// snapshot dirty. Dirty work is coalesced (debounce.ts: a burst → one reconcile, quiet 50 ms,
// at most 200 ms after the first event) into one level-based reconcile that rebuilds the snapshot
// incrementally (translate/incremental.ts), hands it to the proxy only when it differs, and
// writes the statuses that changed (batched). It talks to the apiserver over HTTP like any
// client, so it runs against a real cluster.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../apis/gateway/v1/httproute_types';
import type { GRPCRoute } from '../../apis/gateway/v1/grpcroute_types';
import type { Gateway } from '../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../apis/gateway/v1/gatewayclass_types';
import type { Secret } from '../../apis/core/v1/types';
import type { Logger } from '../log/logger';
import type { Snapshot } from '../proxy/ir';
import { loadClientNode, type ClientNode } from '../util/esm';
import { startInformer, type ResilientInformer } from './informer';
import { StatusWriter, type StatusSink, type StatusTarget } from './status_writer';
import { desiredStatus, IncrementalTranslator, type StatusContext } from './translate';
import type { BuildOutput } from './translate/incremental';
import { ChangeTracker, type Change, type EventType, type Kind } from './changes';
import { Debouncer, type Clock } from './debounce';
import { GatewayAPISource } from './gatewayapi';

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
  /** the proxy's last upstream TLS verification outcome per Backend (TLSVerified); see backendStatusDue */
  tlsVerdict?: (backend: string) => { ok: boolean; message: string } | undefined;
  now?: () => string;
  /** edgeProxy: the proxy's region (EDGEPROXY_REGION); edge-balanced routes prefer its endpoints */
  preferRegion?: string;
  /** coalescing: quiet period after the last event, and the longest a reconcile waits (default 50 / 200 ms) */
  debounce?: { quietMs?: number; maxWaitMs?: number; clock?: Clock };
}

const KINDS = {
  backends: { group: 'core.apoxy.dev', version: 'v1alpha2', plural: 'backends' },
  httproutes: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'httproutes' },
  grpcroutes: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'grpcroutes' },
  gateways: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'gateways' },
  gatewayclasses: { group: 'gateway.apoxy.dev', version: 'v1', plural: 'gatewayclasses' },
  // HTTPS listeners' certificateRefs: TLS Secrets only (a field selector keeps the cache small)
  secrets: { group: '', version: 'v1', plural: 'secrets', fieldSelector: 'type=kubernetes.io/tls' },
} as const;

/**
 * Kinds not waited for: GRPCRoute (older CRDs), and Secrets (a token that may not read them still
 * routes; listeners naming a Secret report InvalidCertificateRef until they list).
 */
const OPTIONAL_KINDS: ReadonlySet<Kind> = new Set(['grpcroutes', 'secrets']);

export interface ReconcileStats {
  /** full passes (snapshot rebuilt) and status-only passes */
  full: number;
  statusOnly: number;
  /** snapshots handed to the proxy */
  published: number;
  /** duration of the last full pass and the longest one, ms */
  lastFullMs: number;
  maxFullMs: number;
  /** status-only and ignored informer events (they caused no snapshot rebuild) */
  eventsStatusOnly: number;
  eventsIgnored: number;
  eventsTranslate: number;
}

export class Controller {
  private informers = new Map<Kind, ResilientInformer<KubernetesObject>>();
  private trackers = new Map<Kind, ChangeTracker>();
  private statusWriter?: StatusSink;
  private readonly debouncer: Debouncer;
  private readonly translator = new IncrementalTranslator();
  /** gateway.networking.k8s.io, Services, EndpointSlices: lowered into the same snapshot */
  readonly gatewayAPI = new GatewayAPISource();
  private generation = 0;
  /** a full pass is due: snapshot rebuild plus every route/gateway/class status */
  private dirtySnapshot = false;
  /** every object's status is due (first sync, new leader, listener bind change) */
  private dirtyAllStatuses = false;
  /** objects whose own status must be rechecked */
  private readonly dirtyStatus = new Map<Kind, Set<string>>();
  private last?: BuildOutput;
  /** Backends whose status was found right, at this resourceVersion */
  private readonly backendStatusOK = new Map<string, string>();
  /**
   * HTTPRoutes whose status was found right, at this resourceVersion, with these problems (the
   * translation's array: the same object while the route's translation is kept) and this
   * routeStatusKey (Gateways, classes, Secrets): a full pass skips them, so one new route among
   * 10,000 costs one status, not 10,000.
   */
  private readonly routeStatusOK = new Map<string, { rv: string; problems: unknown; key: string }>();
  reconciles = 0;
  readonly stats: ReconcileStats = { full: 0, statusOnly: 0, published: 0, lastFullMs: 0, maxFullMs: 0, eventsStatusOnly: 0, eventsIgnored: 0, eventsTranslate: 0 };

  constructor(private readonly opts: ControllerOptions) {
    const d = opts.debounce ?? {};
    this.debouncer = new Debouncer(() => this.reconcile(), { quietMs: d.quietMs ?? 50, maxWaitMs: d.maxWaitMs ?? 200, clock: d.clock });
    for (const kind of Object.keys(KINDS) as Kind[]) {
      this.trackers.set(kind, new ChangeTracker(kind));
      this.dirtyStatus.set(kind, new Set());
    }
  }

  async start(): Promise<void> {
    const k8s = await loadClientNode();
    let kc: InstanceType<ClientNode['KubeConfig']>;
    if (typeof this.opts.kubeconfig === 'string') {
      kc = new k8s.KubeConfig();
      kc.loadFromFile(this.opts.kubeconfig);
    } else kc = this.opts.kubeconfig;
    const writer = new StatusWriter(k8s, kc, (t, err) => this.opts.log.debug('status write failed; retrying', { target: t.name, error: String((err as Error).message ?? err) }));
    const informers = new Map<Kind, ResilientInformer<KubernetesObject>>();
    for (const [kind, spec] of Object.entries(KINDS) as Array<[Kind, (typeof KINDS)[Kind]]>) {
      informers.set(
        kind,
        startInformer(k8s, kc, spec, {
          onChange: () => this.schedule(),
          onEvent: (type, obj) => this.onEvent(kind, type, obj),
          onError: (err, retryIn) => this.opts.log.debug('informer restarting', { kind, retryInMs: retryIn, error: String((err as Error)?.message ?? err) }),
        }),
      );
    }
    this.gatewayAPI.start(k8s, kc, () => this.schedule(), (kind, err, retryIn) => this.opts.log.debug('informer restarting', { kind, retryInMs: retryIn, error: String((err as Error)?.message ?? err) }));
    this.attach(informers, writer);
  }

  /** Use these informers (which call onEvent/schedule) and this status sink; start() does, tests do. */
  attach(informers: Map<Kind, ResilientInformer<KubernetesObject>>, writer: StatusSink): void {
    this.informers = informers;
    this.statusWriter = writer;
  }

  /**
   * all informers have listed once: the snapshot reflects the store. An optional kind (GRPCRoute,
   * which a cluster with older CRDs installed does not serve) is not waited for: its routes join
   * the snapshot when it lists.
   */
  synced(): boolean {
    return this.informers.size > 0 && [...this.informers].every(([k, i]) => OPTIONAL_KINDS.has(k) || i.synced());
  }

  stop(): void {
    this.debouncer.stop();
    for (const i of this.informers.values()) i.stop();
    this.gatewayAPI.stop();
    this.statusWriter?.stop();
  }

  /** statuses queued and not yet written */
  get pendingStatusWrites(): number {
    return this.statusWriter?.pending ?? 0;
  }

  get statusWrites(): number {
    return this.statusWriter?.writes ?? 0;
  }

  /** Reconcile everything soon (coalesced with every other change in the next 50 ms). */
  schedule(): void {
    this.dirtySnapshot = true;
    this.dirtyAllStatuses = true;
    this.debouncer.trigger();
  }

  /** One informer event: classify it and mark only the work it can cause. */
  onEvent(kind: Kind, type: EventType, obj: KubernetesObject): Change {
    const change = this.trackers.get(kind)!.observe(type, obj);
    const name = obj.metadata?.name ?? '';
    const statusSet = this.dirtyStatus.get(kind)!;
    if (change === 'ignore') {
      this.stats.eventsIgnored++;
      return change;
    }
    if (type === 'delete') {
      statusSet.delete(name);
      if (kind === 'backends') this.backendStatusOK.delete(name);
      if (kind === 'httproutes') this.routeStatusOK.delete(name);
    }
    else statusSet.add(name);
    if (change === 'translate') {
      this.stats.eventsTranslate++;
      this.dirtySnapshot = true;
    } else this.stats.eventsStatusOnly++;
    this.debouncer.trigger();
    return change;
  }

  /**
   * Something outside the Backend changed its status (the proxy's TLS verdict): recheck that
   * Backend's status on the next (coalesced) reconcile.
   */
  backendStatusDue(name: string): void {
    this.backendStatusOK.delete(name);
    this.dirtyStatus.get('backends')!.add(name);
    this.debouncer.trigger();
  }

  private list<T>(kind: Kind): T[] {
    return (this.informers.get(kind)?.list() ?? []) as unknown as T[];
  }

  reconcile(): void {
    if (!this.synced()) return; // never publish a snapshot built from a partial view (the last sync schedules)
    this.reconciles++;
    const full = this.dirtySnapshot || this.dirtyAllStatuses || !this.last;
    const allStatuses = this.dirtyAllStatuses;
    this.dirtySnapshot = false;
    this.dirtyAllStatuses = false;
    if (full) {
      const t0 = performance.now();
      const up = this.gatewayAPI.lower();
      const built = this.translator.build({
        backends: [...this.list<Backend>('backends'), ...up.backends],
        routes: [...this.list<HTTPRoute>('httproutes'), ...up.routes],
        grpcRoutes: this.list<GRPCRoute>('grpcroutes'),
        gateways: [...this.list<Gateway>('gateways'), ...up.gateways],
        gatewayClasses: [...this.list<GatewayClass>('gatewayclasses'), ...up.gatewayClasses],
        secrets: this.list<Secret>('secrets'),
        proxyHost: this.opts.proxyHost,
        preferRegion: this.opts.preferRegion,
      });
      this.last = built;
      if (built.changed) {
        this.generation++;
        this.stats.published++;
        this.opts.onSnapshot(Object.freeze({ generation: this.generation, ...built.snapshot }));
      }
      const ms = performance.now() - t0;
      this.stats.full++;
      this.stats.lastFullMs = ms;
      this.stats.maxFullMs = Math.max(this.stats.maxFullMs, ms);
      const t = this.translator.stats;
      this.opts.log.debug('controller reconciled', { ms: Math.round(ms * 100) / 100, published: built.changed, generation: this.generation, backendsTranslated: t.backendsTranslated, routesTranslated: t.routesTranslated, edgesBuilt: t.edgesBuilt });
    } else this.stats.statusOnly++;
    const dirty = new Map([...this.dirtyStatus].map(([k, s]) => [k, [...s]]));
    for (const s of this.dirtyStatus.values()) s.clear();
    if (!this.statusWriter || (this.opts.writeStatus && !this.opts.writeStatus())) return; // a new leader schedules a full pass
    this.writeStatuses(full, allStatuses || !!this.opts.resolved, allStatuses, dirty);
  }

  /**
   * Backends' statuses depend on the Backend alone: only the ones that changed are recomputed
   * (all of them after a sync, a leader change or a listener change — skipping those already
   * found right at their current resourceVersion). An HTTPRoute's depends on it, its translation's
   * problems and the Gateways: a full pass recomputes those whose inputs changed (all after a sync,
   * a leader change or a listener change). Gateways and the rest: all on a full pass (they are
   * few), the changed ones otherwise.
   */
  private writeStatuses(full: boolean, allBackends: boolean, allRoutes: boolean, dirty: Map<Kind, string[]>): void {
    const w = this.statusWriter!;
    const c: StatusContext = {
      built: this.last!,
      now: (this.opts.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')))(),
      bindErrors: this.opts.bindErrors?.(),
      resolved: this.opts.resolved,
      tlsVerdict: this.opts.tlsVerdict,
    };
    const target = (kind: Kind, name: string): StatusTarget => ({ ...KINDS[kind], name });
    const objects = <T,>(kind: Kind, all: boolean): T[] => {
      if (all) return this.list<T>(kind);
      const inf = this.informers.get(kind)!;
      const out: T[] = [];
      for (const n of dirty.get(kind) ?? []) {
        const o = inf.get(n);
        if (o) out.push(o as unknown as T);
      }
      return out;
    };
    for (const b of objects<Backend>('backends', allBackends)) {
      const name = b.metadata.name!;
      const rv = b.metadata.resourceVersion;
      // right at this resourceVersion already: a Backend's status depends on the Backend alone
      if (!this.opts.resolved && rv !== undefined && this.backendStatusOK.get(name) === rv) continue;
      if (w.ensure(target('backends', name), b.status, desiredStatus.backend(b, c))) this.backendStatusOK.set(name, rv!);
      else this.backendStatusOK.delete(name);
    }
    const statusKey = c.built.routeStatusKey;
    for (const r of objects<HTTPRoute>('httproutes', full)) {
      const name = r.metadata.name!;
      const rv = r.metadata.resourceVersion;
      const problems = c.built.problems.get(name);
      const ok = this.routeStatusOK.get(name);
      if (!allRoutes && rv !== undefined && ok !== undefined && ok.rv === rv && ok.problems === problems && ok.key === statusKey) continue;
      if (w.ensure(target('httproutes', name), r.status, desiredStatus.route(r, c)) && rv !== undefined) this.routeStatusOK.set(name, { rv, problems, key: statusKey });
      else this.routeStatusOK.delete(name);
    }
    for (const r of objects<GRPCRoute>('grpcroutes', full)) w.ensure(target('grpcroutes', r.metadata.name!), r.status, desiredStatus.grpcRoute(r, c));
    for (const g of objects<Gateway>('gateways', full)) w.ensure(target('gateways', g.metadata.name!), g.status, desiredStatus.gateway(g, c));
    for (const gc of objects<GatewayClass>('gatewayclasses', full)) {
      const s = desiredStatus.gatewayClass(gc, c);
      if (s) w.ensure(target('gatewayclasses', gc.metadata.name!), gc.status, s);
    }
    if (full) this.gatewayAPI.writeStatuses(w, c.built, this.opts.proxyHost, c.bindErrors ?? new Map(), c.now);
  }
}
