// A proxy worker process (--proxy-workers N, node:cluster): one Proxy serving every listener of
// the snapshot the main process ships, on listening sockets the main binds and shares
// (SCHED_NONE: the kernel hands each connection to one of the workers accepting on it). What must
// be whole-process (rate limit buckets, DNS caches, active health checks, stats) is asked of or
// reported to the main (docs/proxy-workers.md).
import * as v8 from 'node:v8';
import { createLogger } from '../../log/logger';
import { Proxy } from '../proxy';
import { DEFAULT_LISTENER_ID, DEFAULT_TLS_LISTENER_ID, type Snapshot } from '../ir';
import { DenyList } from '../forward/denylist';
import { TrustedPeers } from '../front';
import { UpstreamTrust } from '../upstream/tls';
import type { RateLimitResult } from '../resilience/rate_limit';
import type { TlsMaterial } from '../listeners';
import { RemoteResolver } from './remote_resolver';
import { ObservationBuffer } from './observations';
import { applyDelta, type SnapshotDelta } from './snapshot_delta';
import type { EndpointReport, FromWorker, ListenerReport, ToWorker, WorkerInit } from './messages';

function send(m: FromWorker): void {
  if (process.connected) process.send!(m);
}

let nextId = 1;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function ask<T>(m: { t: 'take' | 'dns' } & Record<string, unknown>): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ ...m, id } as FromWorker);
  });
}

let proxy: Proxy | undefined;
let tlsMaterial: TlsMaterial | undefined;
const health = new Map<string, boolean>();
let queue: Promise<void> = Promise.resolve();
let closing = false;
const obs = new ObservationBuffer((batch) => send({ t: 'obs', batch }));

function report(p: Proxy): ListenerReport {
  const ports: Array<[string, number]> = [];
  for (const [port, ids] of p.listeners.idsByPort()) for (const id of ids) ports.push([id, port]);
  const tlsPorts = [...new Set(ports.map(([, port]) => port))].filter((port) => p.listeners.isTLS(port));
  return { generation: p.snapshot.generation, ports, tlsPorts, bindErrors: [...p.listeners.bindErrors], bound: p.listeners.boundAddresses() };
}

const PHASE: Record<string, number> = { closed: 0, open: 1, 'half-open': 2 };

/** this worker's traffic state per endpoint (the main sums them for the console) */
function endpointReports(p: Proxy): EndpointReport[] {
  const out: EndpointReport[] = [];
  for (const [name, rt] of p.dataPlane.backends) {
    for (const s of rt.states) {
      const b = s.breaker;
      out.push([name, s.ep.id, s.active, s.ejectedUntil, s.ejections, b ? PHASE[b.state]! : -1, b ? b.retryAt : 0, b ? b.opens : 0]);
    }
  }
  return out;
}

/** the main's health verdicts, applied to this worker's endpoint states (again after each swap) */
function applyHealth(p: Proxy): void {
  for (const [name, rt] of p.dataPlane.backends) {
    for (const s of rt.states) {
      const v = health.get(`${name}\n${s.ep.id}`);
      if (v !== undefined) s.healthy = v;
    }
  }
}

/** the last snapshot received (whole or patched) and its sequence number: the base of the next delta */
let current: { seq: number; snapshot: Snapshot } | undefined;
let resyncing = false;

function serve(s: Snapshot): void {
  queue = queue.then(async () => {
    if (!proxy || closing) return;
    await proxy.setSnapshot(s);
    applyHealth(proxy);
    send({ t: 'applied', report: report(proxy) });
  });
}

function build(init: WorkerInit): void {
  const log = createLogger({ level: init.logLevel }).child({ worker: init.index });
  const deny = new DenyList(init.deny.cidrs, undefined, init.deny.denySelf);
  const p = new Proxy({
    listen: init.listen,
    log,
    resolver: new RemoteResolver({
      ask: (backend, host, port) => ask<string[]>({ t: 'dns', backend, host, port }),
      used: (keys) => send({ t: 'used', keys }),
      now: Date.now,
    }),
    deny,
    headersTimeoutMs: init.headersTimeoutMs,
    accessLog: init.accessLog,
    tls: {
      certificate: () => {
        if (!tlsMaterial) throw new Error('the main process sent no certificate');
        return tlsMaterial;
      },
      listen: init.tlsListen,
    },
    upstreamTrust: new UpstreamTrust(init.upstreamCA),
    trustedProxies: new TrustedPeers(init.trustedProxies),
    viaName: init.viaName,
    tunnelIdleMs: init.tunnelIdleMs,
    timeouts: init.timeouts,
    worker: {
      takeToken: (rule, key) => ask<RateLimitResult>({ t: 'take', rule, key }),
      observe: (route, backend, status, ms, at) => obs.add(route, backend, status, ms, at),
    },
  });
  p.pools.verdicts.onChange = (backend) => {
    const v = p.pools.verdicts.get(backend);
    if (v) send({ t: 'verdict', backend, ok: v.ok, message: v.message });
  };
  proxy = p;
  send({ t: 'booted' });
}

async function listen(p: Proxy): Promise<void> {
  try {
    await p.start();
    send({ t: 'started', report: report(p) });
  } catch (err) {
    const e = p.listeners.bindErrors.get(DEFAULT_LISTENER_ID) ?? p.listeners.bindErrors.get(DEFAULT_TLS_LISTENER_ID);
    send({ t: 'started', error: e ?? (err as Error).message });
  }
}

process.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'init':
      build(m.init);
      return;
    case 'start':
      queue = queue.then(() => listen(proxy!));
      return;
    case 'snapshot':
      current = { seq: m.seq, snapshot: v8.deserialize(m.data) as Snapshot };
      resyncing = false;
      serve(current.snapshot);
      return;
    case 'delta': {
      // while a full snapshot is on its way, deltas are dropped: it covers them
      if (resyncing) return;
      const next = applyDelta(current?.snapshot, current?.seq ?? -1, v8.deserialize(m.data) as SnapshotDelta);
      if (!next) {
        resyncing = true;
        send({ t: 'resync', seq: current?.seq ?? -1 });
        return;
      }
      current = { seq: m.seq, snapshot: next };
      serve(next);
      return;
    }
    case 'tls':
      tlsMaterial = m.material;
      return;
    case 'health':
      for (const [backend, endpoint, healthy] of m.verdicts) health.set(`${backend}\n${endpoint}`, healthy);
      if (proxy) applyHealth(proxy);
      return;
    case 'listening':
      queue = queue.then(() => {
        if (proxy) for (const [source, addrs] of m.sources) proxy.deny.setListening(source, addrs);
      });
      return;
    case 'reply': {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.value);
      return;
    }
    case 'flush':
      obs.flush();
      send({ t: 'flushed', id: m.id, endpoints: m.endpoints && proxy ? endpointReports(proxy) : undefined });
      return;
    case 'close':
      if (closing) return;
      closing = true;
      void queue.then(async () => {
        await proxy?.close();
        obs.flush();
        // the main process ends this one once it heard `closed` (or it exits itself on disconnect)
        if (process.connected) process.send!({ t: 'closed' } satisfies FromWorker, () => process.exit(0));
        else process.exit(0);
      });
      return;
  }
});

// only now can the main's messages be received (it holds them until this)
send({ t: 'hello' });
