// What the main process and its proxy workers (--proxy-workers N) say to each other over the
// cluster IPC channel (v8 'advanced' serialization: Buffers and typed arrays pass as they are).
import type { ListenerIR } from '../ir';
import type { UpstreamTimeouts } from '../upstream/timeouts';
import type { BoundAddress } from '../forward/denylist';
import type { TlsMaterial } from '../listeners';

/** Everything a worker needs to build its Proxy: plain data (classes are rebuilt from it). */
export interface WorkerInit {
  index: number;
  logLevel: string;
  listen: { host: string; port: number };
  tlsListen?: { host: string; port: number };
  headersTimeoutMs?: number;
  accessLog?: boolean;
  viaName?: string;
  tunnelIdleMs?: number;
  timeouts?: Partial<UpstreamTimeouts>;
  trustedProxies: string[];
  deny: { cidrs: string[]; denySelf: boolean };
  upstreamCA: string[];
}

/** The listeners a worker has after applying a snapshot (the main reports Gateway status from it). */
export interface ListenerReport {
  generation: number;
  /** listener id → bound port */
  ports: Array<[string, number]>;
  tlsPorts: number[];
  bindErrors: Array<[string, string]>;
  bound: BoundAddress[];
}

export type ToWorker =
  | { t: 'init'; init: WorkerInit }
  /** open the listeners (after `booted`: the main held the default ports until every worker could bind) */
  | { t: 'start' }
  /** the whole snapshot (v8.serialize), number `seq` of those the main shipped: a new or restarted worker, or one that asked (`resync`) */
  | { t: 'snapshot'; generation: number; seq: number; data: Buffer }
  /** the change from snapshot `base` to `seq` (a v8-serialized SnapshotDelta, snapshot_delta.ts), serialized once for every worker */
  | { t: 'delta'; generation: number; seq: number; base: number; data: Buffer }
  /** the proxy certificate, loaded by the main the first time a TLS listener needs it */
  | { t: 'tls'; material: TlsMaterial }
  /** active health check verdicts (the main probes) */
  | { t: 'health'; verdicts: Array<[string, string, boolean]> }
  /** what other parts of the process listen on (the forward proxy refuses them) */
  | { t: 'listening'; sources: Array<[string, BoundAddress[]]> }
  | { t: 'reply'; id: number; value?: unknown; error?: string }
  /** send the stats batched so far, then `flushed` (with the endpoint states when asked: the console) */
  | { t: 'flush'; id: number; endpoints?: boolean }
  /** stop accepting, let in-flight requests finish, exit */
  | { t: 'close' };

/** finished requests, column-wise */
export interface ObservationBatch {
  routes: string[];
  backends: string[];
  status: number[];
  ms: number[];
  at: number[];
}

/** one endpoint's traffic state in one worker: backend, endpoint id, in flight, ejected until, ejections, breaker (0 closed, 1 open, 2 half-open, -1 none), its retry time, its opens */
export type EndpointReport = [string, string, number, number, number, number, number, number];

export type FromWorker =
  /** listening for messages: a message sent to a process before it has a 'message' listener is lost */
  | { t: 'hello' }
  /** loaded and built, ready to listen */
  | { t: 'booted' }
  | { t: 'applied'; report: ListenerReport }
  /** a delta did not follow the snapshot this worker has: send the whole current one */
  | { t: 'resync'; seq: number }
  | { t: 'started'; report?: ListenerReport; error?: string }
  | { t: 'obs'; batch: ObservationBatch }
  | { t: 'flushed'; id: number; endpoints?: EndpointReport[] }
  | { t: 'take'; id: number; rule: string; key: string }
  | { t: 'dns'; id: number; backend: string; host: string; port: number }
  | { t: 'used'; keys: Array<[string, string, number]> }
  | { t: 'verdict'; backend: string; ok: boolean; message: string }
  | { t: 'closed' };

export type { ListenerIR };
