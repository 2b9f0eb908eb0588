// Write load for the fault suite: N writers creating Backends through one or more apiservers, each
// retrying the same object until the server acknowledges it (201) or says it already exists (an
// earlier attempt applied after all). Only a 201 counts as acknowledged.
import type { Api } from '../scaleout/lib';
import { BACKENDS, backend, sleep } from '../scaleout/lib';

export interface Ack {
  name: string;
  rv: string;
  /** when the request that got the 201 was sent, and when the 201 arrived */
  issuedAt: number;
  ackedAt: number;
}

export interface LoadResult {
  acks: Ack[];
  /** failed attempts by reason (HTTP status or error message) */
  failures: Map<string, number>;
  /** retried writes that found their object already stored (applied, but never acknowledged) */
  appliedUnacked: number;
  /** every attempt: when it was sent and whether it was acknowledged */
  attempts: Array<{ at: number; ok: boolean }>;
}

export interface Load {
  stop(): Promise<LoadResult>;
  readonly acks: Ack[];
}

export function startWriteLoad(apis: Api[], writers: number, opts: { prefix: string; label: string; timeoutMs?: number }): Load {
  const acks: Ack[] = [];
  const failures = new Map<string, number>();
  let appliedUnacked = 0;
  let stopping = false;
  const attempts: Array<{ at: number; ok: boolean }> = [];
  const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
  const one = async (w: number) => {
    const api = apis[w % apis.length];
    for (let seq = 0; !stopping; seq++) {
      const name = `${opts.prefix}-w${String(w).padStart(2, '0')}-${String(seq).padStart(5, '0')}`;
      const body = backend(name, [{ ip: '10.9.0.1', port: 1000 + w }], { fault: opts.label });
      for (let attempt = 0; ; attempt++) {
        const issuedAt = Date.now();
        try {
          const r = await api.request('POST', BACKENDS, body, opts.timeoutMs ?? 8000);
          attempts.push({ at: issuedAt, ok: r.status === 201 || (r.status === 409 && attempt > 0) });
          if (r.status === 201) {
            acks.push({ name, rv: r.body.metadata.resourceVersion, issuedAt, ackedAt: Date.now() });
            break;
          }
          if (r.status === 409 && attempt > 0) {
            appliedUnacked++; // an earlier, failed attempt was applied
            break;
          }
          fail(`HTTP ${r.status} ${r.body?.reason ?? ''}`.trim());
        } catch (err) {
          attempts.push({ at: issuedAt, ok: false });
          fail((err as Error).message.replace(/[0-9]+/g, 'N').slice(0, 80));
        }
        if (stopping) return;
        await sleep(50);
      }
    }
  };
  const running = Array.from({ length: writers }, (_, w) => one(w));
  return {
    acks,
    async stop() {
      stopping = true;
      await Promise.all(running);
      return { acks, failures, appliedUnacked, attempts };
    },
  };
}

/** The longest stretch with no acknowledgement inside [from, to] (ms), and where it started. */
export function longestAckGap(acks: Ack[], from: number, to: number): { gap: number; at: number } {
  const times = acks.map((a) => a.ackedAt).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let prev = from;
  let best = { gap: 0, at: from };
  for (const t of [...times, to]) {
    if (t - prev > best.gap) best = { gap: t - prev, at: prev };
    prev = t;
  }
  return best;
}

/** One fresh create every `everyMs` (each its own object, never retried): when do writes work? */
export function startProbe(apis: Api[], opts: { prefix: string; label: string; everyMs: number; timeoutMs: number }): { stop(): Promise<Ack[]> } {
  const acks: Ack[] = [];
  const inflight = new Set<Promise<void>>();
  let seq = 0;
  const timer = setInterval(() => {
    const name = `${opts.prefix}-${String(seq).padStart(5, '0')}`;
    const api = apis[seq++ % apis.length];
    const issuedAt = Date.now();
    const p = api
      .request('POST', BACKENDS, backend(name, [{ ip: '10.9.0.2', port: 80 }], { fault: opts.label }), opts.timeoutMs)
      .then((r) => {
        if (r.status === 201) acks.push({ name, rv: r.body.metadata.resourceVersion, issuedAt, ackedAt: Date.now() });
      })
      .catch(() => undefined)
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }, opts.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inflight]);
      return acks;
    },
  };
}
