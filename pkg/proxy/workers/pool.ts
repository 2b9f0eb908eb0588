// The data plane in N worker processes (--proxy-workers N > 1), as seen from the main process:
// node:cluster with SCHED_NONE, so the main binds each listening socket once and every worker
// accepts on its own copy of it (the kernel spreads the connections). The main keeps what Envoy's
// main thread keeps: the snapshot (serialized once per change and posted to each worker, which
// compiles its own DataPlane), the rate limit buckets, the DNS caches (through `resolver`), the
// active health checks, and the whole process's stats and metrics (workers send their finished
// requests in batches). A worker that dies is forked again and brought up to date.
// docs/proxy-workers.md says what is shared and what is per worker.
import cluster, { type Worker } from 'node:cluster';
import * as net from 'node:net';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import client from 'prom-client';
import type { Logger } from '../../log/logger';
import { compileDataPlane, type DataPlane } from '../dataplane';
import { DEFAULT_LISTENER_ID, DEFAULT_TLS_LISTENER_ID, emptySnapshot, type RuleIR, type Snapshot } from '../ir';
import type { HostResolver } from '../resolve';
import { ProxyMetrics } from '../metrics';
import { ProxyStats } from '../stats/ring';
import { ActiveHealthChecker } from '../health/active';
import { UpstreamPools } from '../upstream/pools';
import { TLSVerdicts, tlsProfile, type UpstreamTrust } from '../upstream/tls';
import type { DenyList } from '../forward/denylist';
import type { TlsMaterial, TlsSource } from '../listeners';
import type { BackendRuntime } from '../runtime';
import type { EndpointState } from '../balancer/endpoint_state';
import type { CircuitBreaker } from '../resilience/circuit_breaker';
import { computeDelta, indexRules, type Shipped } from './snapshot_delta';
import type { EndpointReport, FromWorker, ListenerReport, ObservationBatch, ToWorker, WorkerInit } from './messages';

export interface ProxyWorkersOptions {
  workers: number;
  log: Logger;
  /** the DNS caches (the main's); workers ask through IPC */
  resolver: HostResolver;
  metricsRegistry?: client.Registry;
  /** what workers need to build their Proxy (minus index and log level) */
  init: Omit<WorkerInit, 'index' | 'logLevel'>;
  /** the proxy certificate; loaded the first time a TLS listener needs it */
  tls?: TlsSource;
  /** verifies tls/h2 upstreams for the main's health probes */
  upstreamTrust?: UpstreamTrust;
  /** the process's deny-list: told what the proxy binds, and copied to the workers */
  deny?: DenyList;
  onListenersChanged?: () => void;
  /** a closing worker gets this long before it is killed (default 10 s) */
  drainMs?: number;
  now?: () => number;
}

interface Slot {
  index: number;
  worker: Worker;
  /** messages held until the worker says hello (before that they would be lost) */
  held: ToWorker[] | null;
  report?: ListenerReport;
  applied: number;
  waiters: Array<{ generation: number; done: () => void }>;
  booted: Promise<void>;
  started: Promise<void>;
  exited: Promise<void>;
}

/** cluster settings, once: SCHED_NONE (the kernel, not a round-robin in the main, hands out connections) */
function setupCluster(): void {
  if (cluster.settings.exec?.endsWith('worker_main.js')) return;
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: path.join(__dirname, 'worker_main.js'), serialization: 'advanced' });
}

const preforked: Array<{ worker: Worker; helloed: boolean }> = [];

/**
 * Forks `n` proxy workers now, to be adopted by ProxyWorkers.start(): loading a worker's code
 * (~0.4 s of CPU each) then overlaps the apiserver's start instead of following it.
 */
export function preforkProxyWorkers(n: number): void {
  setupCluster();
  for (let i = 0; i < n; i++) {
    const p = { worker: cluster.fork(), helloed: false };
    const onHello = (m: FromWorker) => {
      if (m.t !== 'hello') return;
      p.helloed = true;
      p.worker.off('message', onHello);
    };
    p.worker.on('message', onHello);
    p.worker.on('error', () => undefined);
    preforked.push(p);
  }
}

/** Binds these addresses exclusively (port 0: nothing to hold); a port that is taken fails as a worker's bind would. */
async function holdPorts(addrs: Array<{ host: string; port: number }>): Promise<net.Server[]> {
  const held: net.Server[] = [];
  for (const a of addrs) {
    if (a.port === 0) continue;
    const srv = net.createServer((sock) => sock.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host: a.host, port: a.port, exclusive: true }, () => resolve());
      });
    } catch (err) {
      await Promise.all(held.map((h) => new Promise((r) => h.close(r))));
      throw new Error(`cannot listen on ${a.host}:${a.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    held.push(srv);
  }
  return held;
}

/** the per-worker figures of the process (metrics labelled by worker) */
class WorkerMetrics {
  readonly requests: client.Counter<'worker'>;
  readonly restarts: client.Counter;
  readonly workers: client.Gauge;
  constructor(registry: client.Registry) {
    this.requests = new client.Counter({ name: 'proxy_worker_requests_total', help: 'Requests finished, by proxy worker.', labelNames: ['worker'], registers: [registry] });
    this.restarts = new client.Counter({ name: 'proxy_worker_restarts_total', help: 'Proxy workers forked again after they exited.', registers: [registry] });
    this.workers = new client.Gauge({ name: 'proxy_workers', help: 'Proxy worker processes (--proxy-workers).', registers: [registry] });
  }
}

export class ProxyWorkers {
  readonly stats = new ProxyStats();
  readonly metrics: ProxyMetrics;
  /** upstream TLS verdicts reported by the workers (Backend status) */
  readonly pools: { verdicts: TLSVerdicts };
  /** the merged listener state of the workers (Gateway status) */
  readonly listeners = { bindErrors: new Map<string, string>() };
  readonly health: ActiveHealthChecker;
  private readonly probePools: UpstreamPools;
  private readonly workerMetrics: WorkerMetrics;
  private readonly slots = new Map<number, Slot>();
  private dp: DataPlane;
  /** the last snapshot shipped; its full serialization is made when a worker needs it (new, restarted, resync) */
  private shipped: (Shipped & { full?: Buffer }) | undefined;
  private shippedSeq = 0;
  private tlsMaterial: TlsMaterial | undefined;
  private readonly healthVerdicts = new Map<string, [string, string, boolean]>();
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private ports = new Map<string, number>();
  private tlsPorts = new Set<number>();
  private signature = '';
  private nextFlush = 1;
  private flushing: Promise<void> | undefined;
  private readonly flushWaiters = new Map<number, Set<number>>();
  private readonly flushDone = new Map<number, () => void>();
  private readonly deps: { now: () => number; rand: () => number };
  private readonly routeOf = new Map<string, RuleIR>();
  /** the latest endpoint states per worker, and the data plane view built from them */
  private readonly endpointReports = new Map<number, EndpointReport[]>();
  private endpointView: { base: DataPlane; dp: DataPlane } | undefined;

  constructor(private readonly opts: ProxyWorkersOptions) {
    const registry = opts.metricsRegistry ?? new client.Registry();
    this.metrics = new ProxyMetrics(registry, () => this.flush());
    this.workerMetrics = new WorkerMetrics(registry);
    this.deps = { now: opts.now ?? Date.now, rand: Math.random };
    this.dp = compileDataPlane(emptySnapshot(), new Map(), undefined, this.deps);
    this.pools = { verdicts: new TLSVerdicts() };
    this.probePools = new UpstreamPools({ trust: opts.upstreamTrust });
    this.health = new ActiveHealthChecker({
      pools: this.probePools,
      resolver: opts.resolver,
      now: this.deps.now,
      onVerdict: (backend, endpoint, healthy) => {
        opts.log.info('endpoint health changed', { backend, endpoint, healthy });
        const v: [string, string, boolean] = [backend, endpoint, healthy];
        this.healthVerdicts.set(`${backend}\n${endpoint}`, v);
        this.broadcast({ t: 'health', verdicts: [v] });
      },
    });
    if (opts.deny) opts.deny.onListening = (source) => source !== 'proxy' && this.broadcast(this.listeningMessage());
  }

  now(): number {
    return this.deps.now();
  }

  get snapshot(): Snapshot {
    return this.dp.snapshot;
  }

  /** the main's compiled data plane, its endpoint states merged with the workers' (flush({endpoints})) */
  get dataPlane(): DataPlane {
    if (this.endpointView && this.endpointView.base === this.dp) return this.endpointView.dp;
    return this.dp;
  }

  get workerCount(): number {
    return this.opts.workers;
  }

  /** Forks the workers; resolves once each serves the default listener(s). */
  async start(): Promise<void> {
    if (!cluster.isPrimary) throw new Error('proxy workers are forked by the main process');
    // the kernel, not a round-robin in the main, hands out connections (the main never touches them)
    setupCluster();
    this.workerMetrics.workers.set(this.opts.workers);
    this.ensureTls(this.dp.snapshot);
    // the default ports are held from now until every worker can bind them: a worker takes a
    // moment to boot, and an ephemeral port picked by the caller could meanwhile become the local
    // port of some outgoing connection
    const held = await holdPorts([this.opts.init.listen, ...(this.opts.init.tlsListen ? [this.opts.init.tlsListen] : [])]);
    const slots: Slot[] = [];
    for (let i = 1; i <= this.opts.workers; i++) slots.push(this.fork(i, false));
    const booted = await Promise.allSettled(slots.map((s) => s.booted));
    await Promise.all(held.map((h) => new Promise((r) => h.close(r))));
    if (booted.every((b) => b.status === 'fulfilled')) for (const s of slots) this.post(s, { t: 'start' });
    const results = await Promise.allSettled(slots.map((s) => s.started));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      await this.kill();
      throw failed.reason as Error;
    }
    this.merge();
  }

  defaultPort(): number | undefined {
    return this.ports.get(DEFAULT_LISTENER_ID);
  }

  tlsPort(): number | undefined {
    return this.ports.get(DEFAULT_TLS_LISTENER_ID);
  }

  schemeFor(port: number): 'http' | 'https' {
    return this.tlsPorts.has(port) ? 'https' : 'http';
  }

  /** Ships a snapshot to every worker (serialized once); resolves when each has applied it. */
  setSnapshot(s: Snapshot): Promise<void> {
    this.queue = this.queue
      .then(async () => {
        this.ensureTls(s);
        this.dp = compileDataPlane(s, new Map(), this.dp, this.deps);
        this.health.sync(this.dp.backends);
        this.pools.verdicts.prune(s.backends);
        this.metrics.generation.set(s.generation);
        const msg = this.ship(s);
        await Promise.all([...this.slots.values()].map((slot) => {
          this.post(slot, msg);
          return this.appliedBy(slot, s.generation);
        }));
        this.merge();
        this.opts.log.debug('snapshot shipped to the proxy workers', { generation: s.generation, workers: this.slots.size, kind: msg.t, bytes: msg.t === 'delta' || msg.t === 'snapshot' ? msg.data.length : 0 });
      })
      .catch((err: Error) => void this.opts.log.error('snapshot swap failed', { error: err.message }));
    return this.queue;
  }

  /** Every worker sends what it has batched (stats, metrics): before a scrape or a console report. */
  flush(opts: { endpoints?: boolean } = {}): Promise<void> {
    if (opts.endpoints) return this.flushOnce(true).then(() => this.buildEndpointView());
    return this.flushOnce(false);
  }

  private flushOnce(endpoints: boolean): Promise<void> {
    if (this.flushing && !endpoints) return this.flushing;
    const id = this.nextFlush++;
    const pending = new Set([...this.slots.values()].filter((s) => s.worker.isConnected()).map((s) => s.index));
    if (pending.size === 0) return Promise.resolve();
    this.flushWaiters.set(id, pending);
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000); // a stuck worker costs the scrape one second, not forever
      this.flushDone.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    }).finally(() => {
      this.flushWaiters.delete(id);
      this.flushDone.delete(id);
      if (!endpoints) this.flushing = undefined;
    });
    if (!endpoints) this.flushing = done;
    for (const i of pending) this.post(this.slots.get(i)!, { t: 'flush', id, endpoints });
    return done;
  }

  /** Graceful: every worker stops accepting and finishes its in-flight requests (bounded by drainMs). */
  async close(): Promise<void> {
    this.stopping = true;
    this.health.stop();
    const slots = [...this.slots.values()];
    for (const s of slots) this.post(s, { t: 'close' });
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.all(slots.map((s) => s.exited)).then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), this.opts.drainMs ?? 10_000))),
    ]);
    clearTimeout(timer);
    if (!drained) await this.kill();
    await this.probePools.close();
  }

  private async kill(): Promise<void> {
    this.stopping = true;
    const slots = [...this.slots.values()];
    for (const s of slots) if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
    await Promise.all(slots.map((s) => s.exited));
  }

  private fork(index: number, startAtOnce = true): Slot {
    // a worker forked early (preforkProxyWorkers) has loaded its code meanwhile
    let early = preforked.shift();
    while (early && (early.worker.isDead() || !early.worker.isConnected())) early = preforked.shift();
    const worker = early?.worker ?? cluster.fork();
    let started!: () => void;
    let failed!: (e: Error) => void;
    let booted!: () => void;
    const slot: Slot = {
      index,
      worker,
      held: early?.helloed ? null : [],
      applied: 0,
      waiters: [],
      booted: new Promise<void>((res) => (booted = res)),
      started: new Promise<void>((res, rej) => {
        started = res;
        failed = rej;
      }),
      exited: new Promise<void>((res) => worker.once('exit', () => res())),
    };
    slot.started.catch(() => undefined);
    this.slots.set(index, slot);
    const bornAt = Date.now();
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'hello') {
        const held = slot.held ?? [];
        slot.held = null;
        for (const h of held) this.post(slot, h);
        return;
      }
      if (m.t === 'booted') {
        if (startAtOnce) this.post(slot, { t: 'start' });
        return booted();
      }
      if (m.t === 'started') {
        if (m.error !== undefined) return failed(new Error(m.error));
        slot.report = m.report;
        started();
        return;
      }
      this.onMessage(slot, m);
    });
    worker.on('error', () => undefined); // an IPC write to a dying worker
    worker.once('exit', (code, signal) => {
      failed(new Error(`proxy worker ${index} exited before it served (code ${code}, signal ${signal})`));
      booted();
      for (const w of slot.waiters) w.done();
      slot.waiters = [];
      for (const [id, pending] of this.flushWaiters) if (pending.delete(index) && pending.size === 0) this.flushDone.get(id)?.();
      if (this.slots.get(index) !== slot || this.stopping) return;
      this.opts.log.error('proxy worker exited; starting it again', { worker: index, pid: worker.process.pid, code, signal });
      this.workerMetrics.restarts.inc();
      // a worker that dies at once (a crash loop) is forked again at most every second
      const delay = Date.now() - bornAt < 1_000 ? 1_000 : 0;
      setTimeout(() => {
        if (this.stopping) return;
        const next = this.fork(index);
        next.started.then(
          () => this.opts.log.info('proxy worker started again', { worker: index, pid: next.worker.process.pid }),
          (err: Error) => this.opts.log.error('proxy worker failed to start again', { worker: index, error: err.message }),
        );
      }, delay).unref();
    });
    // brought up to date: init, certificate, the current snapshot, health verdicts, other listeners
    this.post(slot, { t: 'init', init: { ...this.opts.init, index, logLevel: String(this.opts.log.level ?? 'info') } });
    if (this.tlsMaterial) this.post(slot, { t: 'tls', material: this.tlsMaterial });
    if (this.shipped) this.post(slot, this.fullMessage());
    if (this.healthVerdicts.size > 0) this.post(slot, { t: 'health', verdicts: [...this.healthVerdicts.values()] });
    if (this.opts.deny) this.post(slot, this.listeningMessage());
    return slot;
  }

  /** remembers `s` as shipped; the message for every worker: a delta from the last one, or the whole snapshot */
  private ship(s: Snapshot): ToWorker {
    const seq = ++this.shippedSeq;
    const prev = this.shipped;
    const rules = indexRules(s.rules);
    const delta = prev && rules ? computeDelta(prev, s, seq, rules) : undefined;
    this.shipped = { seq, snapshot: s, rules };
    if (!delta) return this.fullMessage();
    return { t: 'delta', generation: s.generation, seq, base: delta.base, data: v8.serialize(delta) };
  }

  /** the whole last snapshot shipped (serialized once, when first needed) */
  private fullMessage(): ToWorker {
    const sh = this.shipped!;
    sh.full ??= v8.serialize(sh.snapshot);
    return { t: 'snapshot', generation: sh.snapshot.generation, seq: sh.seq, data: sh.full };
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    switch (m.t) {
      case 'resync':
        // it missed a snapshot: the whole current one (every delta posted after it follows it)
        if (this.shipped) this.post(slot, this.fullMessage());
        return;
      case 'applied':
        slot.report = m.report;
        slot.applied = Math.max(slot.applied, m.report.generation);
        slot.waiters = slot.waiters.filter((w) => (w.generation <= slot.applied ? (w.done(), false) : true));
        if (!this.stopping) this.merge();
        return;
      case 'obs':
        return this.record(slot, m.batch);
      case 'flushed': {
        if (m.endpoints) this.endpointReports.set(slot.index, m.endpoints);
        const pending = this.flushWaiters.get(m.id);
        if (pending && pending.delete(slot.index) && pending.size === 0) this.flushDone.get(m.id)?.();
        return;
      }
      case 'take': {
        // the rule's bucket in the main's data plane (kept across swaps as in a single process);
        // a rule the main no longer has is not limited any more
        const limiter = this.dp.rules.get(m.rule)?.limiter;
        const value = limiter ? { ...limiter.take(m.key, this.deps.now()) } : { allowed: true, retryAfterSeconds: 0 };
        return this.post(slot, { t: 'reply', id: m.id, value });
      }
      case 'dns': {
        let r: string[] | Promise<string[]>;
        try {
          r = this.opts.resolver.resolve(m.backend, m.host, m.port);
        } catch (err) {
          r = Promise.reject(err);
        }
        void Promise.resolve(r).then(
          (value) => this.post(slot, { t: 'reply', id: m.id, value }),
          (err: Error & { code?: string }) => this.post(slot, { t: 'reply', id: m.id, error: err.code ?? 'RESOLUTION_FAILURE' }),
        );
        return;
      }
      case 'used':
        for (const [backend, host, port] of m.keys) this.opts.resolver.used?.(backend, host, port);
        return;
      case 'verdict': {
        const ir = this.dp.snapshot.backends[m.backend];
        if (ir) this.pools.verdicts.record(m.backend, tlsProfile(ir).key, m.ok, m.message);
        return;
      }
      case 'closed':
        // the worker exits by itself once this is sent
        return;
    }
  }

  /** the console's endpoint rows: health from the main's probes, traffic state summed over the workers */
  private buildEndpointView(): void {
    const merged = new Map<string, { active: number; ejectedUntil: number; ejections: number; phase: number; retryAt: number; opens: number }>();
    for (const [index, reports] of this.endpointReports) {
      if (!this.slots.has(index)) continue;
      for (const [backend, id, active, ejectedUntil, ejections, phase, retryAt, opens] of reports) {
        const k = `${backend}\n${id}`;
        const m = merged.get(k);
        if (!m) merged.set(k, { active, ejectedUntil, ejections, phase, retryAt, opens });
        else {
          m.active += active;
          m.ejectedUntil = Math.max(m.ejectedUntil, ejectedUntil);
          m.ejections += ejections;
          // open wins over half-open over closed: the console shows the worst
          if (phase === 1 || (phase === 2 && m.phase !== 1)) m.phase = phase;
          m.retryAt = Math.max(m.retryAt, retryAt);
          m.opens += opens;
        }
      }
    }
    const names = ['closed', 'open', 'half-open'] as const;
    const backends = new Map<string, BackendRuntime>();
    for (const [name, rt] of this.dp.backends) {
      const states = rt.states.map((s) => {
        const m = merged.get(`${name}\n${s.ep.id}`);
        if (!m) return s;
        const breaker = m.phase < 0 || !s.breaker ? s.breaker : ({ state: names[m.phase], retryAt: m.retryAt, opens: m.opens } as unknown as CircuitBreaker);
        return Object.assign(Object.create(Object.getPrototypeOf(s) as object) as EndpointState, s, { active: m.active, ejectedUntil: m.ejectedUntil, ejections: m.ejections, breaker });
      });
      backends.set(name, { ...rt, states });
    }
    this.endpointView = { base: this.dp, dp: { ...this.dp, backends } };
  }

  private record(slot: Slot, b: ObservationBatch): void {
    const n = b.routes.length;
    this.workerMetrics.requests.inc({ worker: String(slot.index) }, n);
    for (let i = 0; i < n; i++) {
      const route = b.routes[i]!;
      let rule = this.routeOf.get(route);
      if (rule === undefined && route !== '') {
        if (this.routeOf.size > 10_000) this.routeOf.clear();
        this.routeOf.set(route, (rule = { route } as RuleIR));
      }
      this.metrics.observe(rule ?? null, b.backends[i]!, b.status[i]!, b.ms[i]!);
      this.stats.observe(route, b.backends[i]!, b.status[i]!, b.ms[i]!, b.at[i]!);
    }
  }

  private appliedBy(slot: Slot, generation: number): Promise<void> {
    if (slot.applied >= generation || slot.worker.isDead()) return Promise.resolve();
    return new Promise((done) => slot.waiters.push({ generation, done }));
  }

  private post(slot: Slot, m: ToWorker): void {
    if (slot.held !== null) slot.held.push(m);
    else if (slot.worker.isConnected()) slot.worker.send(m);
  }

  private broadcast(m: ToWorker): void {
    for (const s of this.slots.values()) this.post(s, m);
  }

  private listeningMessage(): ToWorker {
    return { t: 'listening', sources: this.opts.deny!.listeningBySource().filter(([source]) => source !== 'proxy') };
  }

  /** the proxy certificate, loaded once any listener terminates TLS, goes to every worker */
  private ensureTls(s: Snapshot): void {
    if (this.tlsMaterial || !this.opts.tls) return;
    if (!this.opts.init.tlsListen && !s.listeners.some((l) => l.tls)) return;
    try {
      this.tlsMaterial = typeof this.opts.tls === 'function' ? this.opts.tls() : this.opts.tls;
    } catch (err) {
      // the workers report the TLS listeners as unbindable (no certificate), as a single process would
      this.opts.log.error('the proxy certificate could not be loaded', { error: (err as Error).message });
      return;
    }
    this.broadcast({ t: 'tls', material: this.tlsMaterial });
  }

  /** one view of the workers' listeners: bind errors of any worker, ports as they report them */
  private merge(): void {
    const errors = new Map<string, string>();
    const ports = new Map<string, number>();
    const tlsPorts = new Set<number>();
    const bound = new Map<string, { host: string; port: number }>();
    const gen = Math.max(0, ...[...this.slots.values()].map((s) => s.report?.generation ?? 0));
    for (const s of this.slots.values()) {
      const r = s.report;
      if (!r || r.generation < gen) continue;
      for (const [id, e] of r.bindErrors) if (!errors.has(id)) errors.set(id, e);
      for (const [id, p] of r.ports) ports.set(id, p);
      for (const p of r.tlsPorts) tlsPorts.add(p);
      for (const a of r.bound) bound.set(`${a.host}:${a.port}`, a);
    }
    this.listeners.bindErrors.clear();
    for (const [id, e] of errors) this.listeners.bindErrors.set(id, e);
    this.ports = ports;
    this.tlsPorts = tlsPorts;
    const sig = JSON.stringify([[...ports].sort(), [...errors].sort()]);
    if (sig === this.signature) return;
    this.signature = sig;
    this.opts.deny?.setListening('proxy', [...bound.values()]);
    this.opts.onListenersChanged?.();
  }
}
