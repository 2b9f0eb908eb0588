// What one applied object costs the controller and the proxy at scale, in process (no apiserver, no
// sockets): the real Controller (fake informers and status sink, as its unit tests) on a world of N
// Backends each with its HTTPRoute, publishing to the proxy's compileDataPlane. Then M more pairs
// arrive one by one, as at a steady apply rate: for each, the informer events (route, then
// Backend), one reconcile (translate + statuses), the proxy's snapshot swap, and the controller's
// own status writes coming back as events (one status-only pass). CPU time per step (not wall
// time: the machine is shared), p50/p99/max. Not a test.
//   node dist/bench/controller/pipeline.js [--objects 10000] [--changes 200]
//   node dist/bench/controller/pipeline.js --callgrind [--objects 10000]: instructions per applied
//     pair (controller + snapshot swap), (Ir(B changes) − Ir(A changes)) / (B − A) under callgrind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Controller } from '../../pkg/controller/controller';
import type { Kind } from '../../pkg/controller/changes';
import type { ResilientInformer } from '../../pkg/controller/informer';
import type { StatusSink, StatusTarget } from '../../pkg/controller/status_writer';
import { createLogger } from '../../pkg/log/logger';
import { compileDataPlane, type DataPlane } from '../../pkg/proxy/dataplane';
import type { Snapshot } from '../../pkg/proxy/ir';
import { arg } from '../lib/args';

const OBJECTS = Number(arg('objects', '10000'));
const CHANGES = Number(arg('changes', '200'));

class FakeInformer implements ResilientInformer<KubernetesObject> {
  objects = new Map<string, KubernetesObject>();
  list = () => [...this.objects.values()];
  get = (n: string) => this.objects.get(n);
  synced = () => true;
  stop = () => undefined;
}

/** queues what a real writer would write (it compares like StatusWriter: canonical JSON) */
class Sink implements StatusSink {
  queued = new Map<string, { target: StatusTarget; status: unknown }>();
  writes = 0;
  ensure(target: StatusTarget, current: unknown, desired: unknown) {
    const ok = JSON.stringify(current ?? null) === JSON.stringify(desired ?? null);
    if (ok) this.queued.delete(`${target.plural}/${target.name}`);
    else this.queued.set(`${target.plural}/${target.name}`, { target, status: desired });
    return ok;
  }
  get pending() {
    return this.queued.size;
  }
  stop() {}
}

let rv = 1;
const meta = (name: string) => ({ name, uid: `uid-${name}`, resourceVersion: String(++rv), generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' });

function route(i: number): KubernetesObject {
  return {
    apiVersion: 'gateway.apoxy.dev/v1',
    kind: 'HTTPRoute',
    metadata: meta(`o-${i}`),
    spec: {
      hostnames: [`o-${i}.bench`],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: `b-${i}` }] },
        { matches: [{ path: { type: 'Exact', value: '/healthz' } }, { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-canary', value: 'true' }] }], backendRefs: [{ name: `b-${i}` }] },
      ],
    },
  } as unknown as KubernetesObject;
}

function backend(i: number): KubernetesObject {
  return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { ...meta(`b-${i}`), labels: { app: `app${i % 100}` } }, spec: { endpoints: [{ ip: '127.0.0.1', port: 9 }] } } as unknown as KubernetesObject;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function pct(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

interface World {
  c: Controller;
  informers: Map<Kind, FakeInformer>;
  sink: Sink;
  /** the proxy side: compileDataPlane of every published snapshot */
  swapMs: number[];
  add(kind: Kind, o: KubernetesObject): void;
  /** the queued status writes land and come back as events */
  landWrites(): number;
}

function setup(n: number): World {
  const informers = new Map<Kind, FakeInformer>();
  for (const k of ['backends', 'httproutes', 'grpcroutes', 'gateways', 'gatewayclasses', 'secrets'] as Kind[]) informers.set(k, new FakeInformer());
  const sink = new Sink();
  const deps = { now: Date.now, rand: Math.random };
  const ports = new Map([[8080, new Set(['default'])]]);
  let dp: DataPlane | undefined;
  const swapMs: number[] = [];
  const c = new Controller({
    kubeconfig: '',
    log: createLogger({ silent: true }),
    proxyHost: '127.0.0.1',
    now: () => '2024-01-01T00:00:00Z',
    // never fires on its own: the bench calls reconcile()
    debounce: { clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined } },
    onSnapshot: (s: Snapshot) => {
      const t0 = cpuMs();
      dp = compileDataPlane(s, ports, dp, deps);
      swapMs.push(cpuMs() - t0);
    },
  });
  c.attach(informers as never, sink);
  const add = (kind: Kind, o: KubernetesObject) => {
    informers.get(kind)!.objects.set(o.metadata!.name!, o);
    c.onEvent(kind, 'add', o);
  };
  const landWrites = () => {
    const q = [...sink.queued.values()];
    sink.queued.clear();
    for (const { target, status } of q) {
      const inf = informers.get(target.plural as Kind)!;
      const o = inf.objects.get(target.name)!;
      const next = { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) }, status } as unknown as KubernetesObject;
      inf.objects.set(target.name, next);
      c.onEvent(target.plural as Kind, 'update', next);
    }
    return q.length;
  };
  for (let i = 0; i < n; i++) {
    add('httproutes', route(i));
    add('backends', backend(i));
  }
  return { c, informers, sink, swapMs, add, landWrites };
}

function run(n: number, changes: number): { initialMs: number; reconcileMs: number[]; statusPassMs: number[]; swapMs: number[] } {
  const w = setup(n);
  let t0 = cpuMs();
  w.c.reconcile();
  const initialMs = cpuMs() - t0;
  w.landWrites();
  w.c.reconcile();
  w.swapMs.length = 0;
  const reconcileMs: number[] = [];
  const statusPassMs: number[] = [];
  for (let k = 0; k < changes; k++) {
    const i = n + k;
    t0 = cpuMs();
    w.add('httproutes', route(i));
    w.add('backends', backend(i));
    w.c.reconcile();
    reconcileMs.push(cpuMs() - t0);
    t0 = cpuMs();
    w.landWrites();
    w.c.reconcile();
    statusPassMs.push(cpuMs() - t0);
  }
  return { initialMs, reconcileMs, statusPassMs, swapMs: w.swapMs };
}

function report(): void {
  console.log(`controller + proxy per applied pair, in process, ${OBJECTS} Backends + ${OBJECTS} HTTPRoutes loaded, ${CHANGES} pairs added one by one (CPU ms; node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)})`);
  const r = run(OBJECTS, CHANGES);
  // the reconcile includes the swap (onSnapshot runs inside it): show both and the controller alone
  const ctl = r.reconcileMs.map((x, i) => x - (r.swapMs[i] ?? 0));
  const row = (name: string, xs: number[]) => console.log(`| ${name} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`);
  console.log(`\ninitial full pass (${OBJECTS} pairs, swap included): ${r.initialMs.toFixed(0)} ms\n`);
  console.log('| step (per applied pair) | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|');
  row('controller pass (translate + statuses), without the swap', ctl);
  row('proxy snapshot swap (compileDataPlane)', r.swapMs);
  row('both (apply → routed, CPU)', r.reconcileMs);
  row('status-only pass (own writes coming back)', r.statusPassMs);
}

/** for callgrind: the world, then exactly `changes` pairs */
function child(): void {
  const r = run(OBJECTS, CHANGES);
  process.stdout.write(`swaps ${r.swapMs.length}\n`);
}

function callgrind(): void {
  const A = Number(arg('a', '20'));
  const B = Number(arg('b', '60'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-cg-'));
  const ir = (changes: number) => {
    const out = path.join(dir, `cg-${changes}.out`);
    const r = spawnSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', __filename, '--child', '--objects', String(OBJECTS), '--changes', String(changes)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const m = /Collected : (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`callgrind failed (${r.status}):\n${r.stderr.slice(-2000)}`);
    return Number(m[1]);
  };
  const per = (ir(B) - ir(A)) / (B - A);
  console.log(`callgrind: ${(per / 1e6).toFixed(2)} M instructions per applied pair (controller pass + swap + status-only pass), ${OBJECTS} pairs loaded; (Ir(${B}) − Ir(${A})) / ${B - A}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--child')) child();
else if (process.argv.includes('--callgrind')) callgrind();
else report();
