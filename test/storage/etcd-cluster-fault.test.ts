// Leader loss on a 3-member etcd cluster: 16 writers create objects through ObjectStore over an
// EtcdDriver that knows all three endpoints; the leader is SIGKILLed mid-run and the writers keep
// going. Every acknowledged write must be stored (with its acknowledged revision), and writes must
// succeed again within 5 s of the kill. Everything is bounded; the whole test stays under 60 s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { KObject } from '../../apis/meta/v1/types';
import { ObjectStore } from '../../pkg/storage/store';
import { EtcdDriver } from '../../pkg/storage/etcd/driver';
import { StorageError } from '../../pkg/storage/errors';
import { startEtcdCluster, type EtcdCluster } from '../harness/etcd';

const WRITERS = 16;
const BEFORE_KILL_MS = 1500;
const AFTER_KILL_MS = 8000;
const RECOVERY_BUDGET_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ack {
  key: string;
  rv: number;
  issuedAt: number;
  ackedAt: number;
}

function backend(name: string, w: number, seq: number): KObject {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name, uid: randomUUID() },
    spec: { endpoints: [{ ip: '10.1.0.1', port: 2000 + w }], seq },
  };
}

describe('etcd cluster: leader SIGKILL under write load', () => {
  it('loses no acknowledged write and recovers within 5 s', { timeout: 60_000 }, async (t) => {
    let cluster: EtcdCluster | undefined;
    let driver: EtcdDriver | undefined;
    let check: EtcdDriver | undefined;
    let stop = false;
    let killedAt = 0;
    const t0 = Date.now();
    const phase = (what: string) => t.diagnostic(`[+${Date.now() - t0} ms] ${what}`);
    try {
      cluster = await startEtcdCluster(3);
      phase('cluster healthy');
      driver = new EtcdDriver({ endpoints: cluster.endpoints, callTimeoutMs: 2000 });
      const store = new ObjectStore(driver);
      const prefix = `/registry/core.apoxy.dev/backends-fault-${randomBytes(3).toString('hex')}/`;
      const acks: Ack[] = [];
      const errors = new Map<string, number>();
      const samples = new Map<string, string>();

      const writer = async (w: number) => {
        for (let seq = 0; !stop; seq++) {
          const name = `w${String(w).padStart(2, '0')}-${String(seq).padStart(5, '0')}`;
          const obj = backend(name, w, seq);
          // Retry the same object until acknowledged: a create that timed out may have applied,
          // and its retry (same bytes) must then report success, not AlreadyExists.
          while (!stop) {
            const issuedAt = Date.now();
            try {
              const created = await store.create(prefix + name, obj);
              acks.push({ key: prefix + name, rv: Number(created.metadata.resourceVersion), issuedAt, ackedAt: Date.now() });
              break;
            } catch (err) {
              const code = err instanceof StorageError ? err.code : `non-storage error: ${String(err)}`;
              errors.set(code, (errors.get(code) ?? 0) + 1);
              const msg = (err as Error)?.message ?? String(err);
              const shape = `${code}: ${msg.replace(/[0-9a-f]{8,}|\d+/g, '#').slice(0, 160)}`;
              if (!samples.has(shape)) samples.set(shape, `+${Date.now() - (killedAt || Date.now())} ms`);
              if (!(err instanceof StorageError) || (err.code !== 'Unavailable' && err.code !== 'Timeout')) throw err;
              await sleep(50);
            }
          }
        }
      };
      const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      let writersFailed: unknown;
      writers.catch((e) => (writersFailed = e));

      await sleep(BEFORE_KILL_MS);
      const leader = await cluster.leader(5000);
      const acksBeforeKill = acks.length;
      killedAt = Date.now();
      await leader.kill('SIGKILL');
      t.diagnostic(`killed leader ${leader.name} after ${acksBeforeKill} acknowledged creates`);
      const newLeader = await cluster.leader(10_000);
      t.diagnostic(`new leader ${newLeader.name} reported ${Date.now() - killedAt} ms after the kill`);

      const endAt = killedAt + AFTER_KILL_MS;
      while (Date.now() < endAt && writersFailed === undefined) await sleep(50);
      stop = true;
      const stopAsked = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        writers.then(() => true, () => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
      ]);
      clearTimeout(timer);
      assert.ok(finished, 'writers stop within 10 s (every call has a deadline)');
      t.diagnostic(`writers stopped ${Date.now() - stopAsked} ms after being asked`);
      assert.equal(writersFailed, undefined, `a writer failed with a non-retryable error: ${String(writersFailed)}`);

      // Recovery: the first write issued after the kill that was acknowledged, and the longest
      // stretch without any acknowledgement around the kill.
      const afterKill = acks.filter((a) => a.issuedAt >= killedAt).sort((a, b) => a.ackedAt - b.ackedAt);
      assert.ok(afterKill.length > 0, 'writes issued after the kill succeed');
      const firstAfter = afterKill[0].ackedAt - killedAt;
      const times = acks.map((a) => a.ackedAt).filter((x) => x >= killedAt - 1000).sort((a, b) => a - b);
      let longestGap = 0;
      let prev = Math.min(killedAt, times[0] ?? killedAt);
      for (const x of times) {
        if (x >= killedAt) longestGap = Math.max(longestGap, x - Math.max(prev, killedAt));
        prev = x;
      }
      const errs = [...errors.entries()].map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
      t.diagnostic(
        `acks: ${acksBeforeKill} before kill, ${acks.length - acksBeforeKill} after; first write issued after the kill acked at +${firstAfter} ms; ` +
          `longest stretch without an ack after the kill: ${longestGap} ms; retried errors: ${errs}`,
      );
      for (const [shape, first] of samples) t.diagnostic(`error first seen at ${first} after the kill: ${shape}`);
      console.log(`etcd leader-kill recovery: first post-kill write acked at +${firstAfter} ms; longest ack gap ${longestGap} ms`);
      assert.ok(firstAfter <= RECOVERY_BUDGET_MS, `writes succeed again within ${RECOVERY_BUDGET_MS} ms of the kill (took ${firstAfter} ms)`);
      assert.ok(longestGap <= RECOVERY_BUDGET_MS, `no stretch without acknowledged writes longer than ${RECOVERY_BUDGET_MS} ms (was ${longestGap} ms)`);
      assert.ok(acks.some((a) => a.ackedAt >= killedAt + RECOVERY_BUDGET_MS), 'writes keep succeeding afterwards');

      // Durability: read back through a fresh client of the surviving members.
      const survivors = cluster.members.filter((m) => m !== leader).map((m) => m.clientURL);
      check = new EtcdDriver({ endpoints: survivors, callTimeoutMs: 5000 });
      const list = await new ObjectStore(check).list(prefix);
      phase(`read back ${list.items.length} objects`);
      const stored = new Map(list.items.map((o) => [prefix + o.metadata.name, Number(o.metadata.resourceVersion)]));
      const missing = acks.filter((a) => !stored.has(a.key));
      assert.deepEqual(missing.slice(0, 10).map((a) => a.key), [], `${missing.length} acknowledged creates are missing`);
      const moved = acks.filter((a) => stored.get(a.key) !== a.rv);
      assert.deepEqual(moved.slice(0, 10), [], 'each acknowledged create is stored at the revision it was acknowledged with');
      assert.equal(new Set(acks.map((a) => a.rv)).size, acks.length, 'acknowledged revisions are distinct');
      // Stored but never acknowledged: only the writes in flight when the writers stopped.
      assert.ok(list.items.length - acks.length <= WRITERS, `${list.items.length - acks.length} unacknowledged objects (at most one per writer)`);
    } finally {
      stop = true;
      await check?.close().catch(() => undefined);
      await driver?.close().catch(() => undefined);
      await cluster?.stop();
      phase('cluster stopped');
    }
  });
});
