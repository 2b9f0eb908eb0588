// Two `switchyard apiserver` replicas on one 3-member etcd cluster behave as one server, and two
// `switchyard proxy` replicas elect exactly one status writer:
// - a write through replica A is seen by a watch on replica B;
// - optimistic concurrency holds across replicas (stale resourceVersion through B → 409);
// - compaction is coordinated (compact_rev_key swap): one compaction per interval in total, not
//   one per replica, and it really compacts (an old resourceVersion answers 410);
// - the apiserver replicas hold one `switchyard-apiserver` lease between them;
// - proxy P1 (→ A) and P2 (→ B): exactly one holds the Lease and writes status; SIGKILL it and the
//   other takes over within leaseDuration + a bound, then writes status itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcdCluster, type EtcdCluster } from '../harness/etcd';
import {
  BACKENDS,
  LEASES,
  TEST_LEASE,
  backend,
  metric,
  resilientWatch,
  sleep,
  startApiReplicas,
  startProxyReplica,
  waitFor,
  type ProxyReplica,
  type Replicas,
} from './lib';

const COMPACT_INTERVAL_MS = 1000;
const APISERVER_LEASE = 'switchyard-system/switchyard-apiserver';

describe('scale-out: 2 apiservers + 2 proxies on a 3-member etcd cluster', { timeout: 120_000 }, () => {
  let etcd: EtcdCluster | undefined;
  let rs: Replicas | undefined;
  const proxies: ProxyReplica[] = [];
  const t0 = Date.now();

  before(async () => {
    etcd = await startEtcdCluster(3);
    rs = await startApiReplicas(etcd.endpoints, 2, {
      extraArgs: [
        '--leader-elect-lease-duration', TEST_LEASE.duration,
        '--leader-elect-renew-deadline', TEST_LEASE.renew,
        '--leader-elect-retry-period', TEST_LEASE.retry,
      ],
      // the compaction interval through its env var (SWITCHYARD_COMPACT_INTERVAL = --compact-interval)
      env: { SWITCHYARD_COMPACT_INTERVAL: `${COMPACT_INTERVAL_MS}ms` },
    });
  });

  after(async () => {
    for (const p of proxies) await p.stop('SIGKILL').catch(() => undefined);
    await rs?.close();
    await etcd?.stop();
  });

  it('a write through A is seen by a watch on B', async (t) => {
    const [a, b] = rs!.replicas;
    const w = await resilientWatch(b.api, BACKENDS);
    try {
      const started = Date.now();
      const res = await a.api.request('POST', BACKENDS, backend('cross-replica-1'));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const rv = res.body.metadata.resourceVersion as string;
      await waitFor('the watch on B to see the object created through A', () => w.objects.get('cross-replica-1') === rv, 10_000, 10);
      t.diagnostic(`write through A → event on B's watch: ${Date.now() - started} ms`);
      // and a delete through B reaches a watch on A
      const wa = await resilientWatch(a.api, BACKENDS);
      try {
        assert.ok(wa.objects.has('cross-replica-1'));
        assert.equal((await b.api.request('DELETE', `${BACKENDS}/cross-replica-1`)).status, 200);
        await waitFor('the watch on A to see the delete made through B', () => !wa.objects.has('cross-replica-1'), 10_000, 10);
      } finally {
        wa.stop();
      }
    } finally {
      w.stop();
    }
  });

  it('optimistic concurrency across replicas: a stale resourceVersion through B → 409', async () => {
    const [a, b] = rs!.replicas;
    const created = await a.api.request('POST', BACKENDS, backend('occ-1'));
    assert.equal(created.status, 201);
    const stale = created.body;
    const updated = await a.api.request('PUT', `${BACKENDS}/occ-1`, { ...stale, spec: { endpoints: [{ ip: '10.0.0.2', port: 80 }] } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.notEqual(updated.body.metadata.resourceVersion, stale.metadata.resourceVersion);
    const conflict = await b.api.request('PUT', `${BACKENDS}/occ-1`, { ...stale, spec: { endpoints: [{ ip: '10.0.0.3', port: 80 }] } });
    assert.equal(conflict.status, 409, JSON.stringify(conflict.body));
    assert.equal(conflict.body.reason, 'Conflict');
    assert.match(conflict.body.message, /the object has been modified/);
    // B serves A's write, and an update with the current resourceVersion goes through B
    const got = await b.api.request('GET', `${BACKENDS}/occ-1`);
    assert.equal(got.body.metadata.resourceVersion, updated.body.metadata.resourceVersion);
    const ok = await b.api.request('PUT', `${BACKENDS}/occ-1`, { ...got.body, spec: { endpoints: [{ ip: '10.0.0.4', port: 80 }] } });
    assert.equal(ok.status, 200);
    // and the same race on create: the second create of one name through the other replica → 409
    const dup = await b.api.request('POST', BACKENDS, backend('occ-1'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');
  });

  it('coordinated compaction: one compaction per interval across both replicas, and it takes effect', async (t) => {
    const [a, b] = rs!.replicas;
    const counts = async () => {
      const out = [];
      for (const r of [a, b]) {
        const m = await r.api.text('/metrics');
        out.push({
          compacted: metric(m, 'switchyard_storage_compactions_total', { outcome: 'compacted' }) ?? 0,
          bootstrap: metric(m, 'switchyard_storage_compactions_total', { outcome: 'bootstrap' }) ?? 0,
          lost: metric(m, 'switchyard_storage_compactions_total', { outcome: 'lost' }) ?? 0,
          error: metric(m, 'switchyard_storage_compactions_total', { outcome: 'error' }) ?? 0,
        });
      }
      return out;
    };
    // some write traffic meanwhile
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await a.api.request('POST', BACKENDS, backend(`compaction-load-${i}`)).catch(() => undefined);
        await sleep(50);
      }
    })();
    const before = await counts();
    const started = Date.now();
    await sleep(6 * COMPACT_INTERVAL_MS);
    const after = await counts();
    const window = Date.now() - started;
    writing = false;
    await writer;
    const won = after.map((x, i) => x.compacted + x.bootstrap - before[i].compacted - before[i].bootstrap);
    const lost = after.map((x, i) => x.lost - before[i].lost);
    const intervals = window / COMPACT_INTERVAL_MS;
    t.diagnostic(`window ${window} ms (${intervals.toFixed(1)} intervals): swaps won A=${won[0]} B=${won[1]}, lost A=${lost[0]} B=${lost[1]}; compacted (all time) A=${after[0].compacted} B=${after[1].compacted}`);
    const totalWon = won[0] + won[1];
    // uncoordinated, two replicas would compact ~2 × intervals times
    assert.ok(totalWon <= Math.ceil(intervals) + 1, `at most one compaction per interval in total (won ${totalWon} in ${intervals.toFixed(1)} intervals)`);
    assert.ok(totalWon >= Math.floor(intervals) - 1, `compaction keeps happening (won ${totalWon})`);
    assert.ok(lost[0] + lost[1] >= Math.floor(intervals) - 1, 'the other replica loses the swap each interval');
    assert.equal(after[0].error + after[1].error, 0);
    assert.ok(after[0].compacted + after[1].compacted > 0);
    // it took effect in etcd: a read at an early revision is refused as compacted (asked of etcd
    // itself: the apiservers' watch caches still serve their in-memory window, as kube's do)
    const etcdRead = await fetch(`${etcd!.endpoints[0]}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('/registry/').toString('base64'), range_end: Buffer.from('/registry0').toString('base64'), revision: 2 }),
    });
    const answer = await etcdRead.text();
    assert.match(answer, /compacted/, answer);
  });

  it('the apiserver replicas hold one switchyard-apiserver lease between them', async () => {
    const leaders = await waitFor(
      'exactly one apiserver leader',
      async () => {
        const v = await Promise.all(rs!.replicas.map(async (r) => metric(await r.api.text('/metrics'), 'leader_election_master_status', { name: APISERVER_LEASE })));
        return v.filter((x) => x === 1).length === 1 && v.filter((x) => x === 0).length === 1 ? v : undefined;
      },
      10_000,
    );
    assert.deepEqual(leaders.slice().sort(), [0, 1]);
    const lease = await rs!.replicas[0].api.request('GET', `${LEASES('switchyard-system')}/switchyard-apiserver`);
    assert.equal(lease.status, 200, JSON.stringify(lease.body));
    assert.equal(lease.body.kind, 'Lease');
    assert.ok(lease.body.spec.holderIdentity);
  });

  it('proxies: exactly one holds the lease and writes status; SIGKILL it → the other takes over', async (t) => {
    const [a, b] = rs!.replicas;
    const statusPatches = async (r: typeof a) => metric(await r.api.text('/metrics'), 'apiserver_request_total', { verb: 'patch', resource: 'backends', subresource: 'status' }) ?? 0;
    const statusOf = async (name: string) => (await a.api.request('GET', `${BACKENDS}/${name}`)).body?.status?.conditions?.length > 0;

    const p1 = await startProxyReplica(a.kubeconfig, 'proxy-1');
    proxies.push(p1);
    await waitFor('proxy-1 to lead', () => p1.isLeader(), 10_000);
    const p2 = await startProxyReplica(b.kubeconfig, 'proxy-2');
    proxies.push(p2);
    // both run their controller and serve traffic; p2 never leads while p1 renews (p1 may drop
    // out for a moment on a slow machine when a renewal misses its deadline: never two leaders)
    for (let i = 0; i < 5; i++) {
      const [l1, l2] = [await p1.isLeader(), await p2.isLeader()];
      assert.equal(l2, false, 'the second proxy must not lead while the first renews');
      if (!l1) t.diagnostic(`poll ${i}: proxy-1 momentarily not leading (renewal late)`);
      await sleep(TEST_LEASE.retryMs);
    }
    await waitFor('proxy-1 leading', () => p1.isLeader(), 5000);
    const lease = await a.api.request('GET', `${LEASES('switchyard-system')}/switchyard-controller`);
    assert.equal(lease.status, 200, JSON.stringify(lease.body));
    assert.equal(lease.body.spec.holderIdentity, 'proxy-1');
    assert.equal(lease.body.spec.leaseDurationSeconds, TEST_LEASE.durationMs / 1000);

    // a new object gets its status from the leader (through A); nothing reaches B's /status
    const bBefore = await statusPatches(b);
    assert.equal((await b.api.request('POST', BACKENDS, backend('status-probe-1'))).status, 201);
    await waitFor('status on status-probe-1', () => statusOf('status-probe-1'), 15_000);
    await sleep(1000); // give a (wrong) second writer time to show itself
    assert.ok((await statusPatches(a)) > 0, 'the leader wrote status through A');
    assert.equal(await statusPatches(b), bBefore, 'the follower (through B) wrote no status');
    assert.match(await p2.metrics(), /leader_election_master_status\{name="switchyard-system\/switchyard-controller"\} 0/);

    // SIGKILL the leader: no release, so p2 waits out the lease
    const killedAt = Date.now();
    await p1.stop('SIGKILL');
    await waitFor('proxy-2 to take over', () => p2.isLeader(), TEST_LEASE.durationMs + 5000, 20);
    const takeover = Date.now() - killedAt;
    const bound = TEST_LEASE.durationMs + 1.2 * TEST_LEASE.retryMs + 1500;
    t.diagnostic(`takeover after SIGKILL of the leader: ${takeover} ms (leaseDuration ${TEST_LEASE.durationMs} ms, retry ${TEST_LEASE.retryMs} ms, bound ${bound} ms)`);
    assert.ok(takeover <= bound, `takeover in ${takeover} ms > ${bound} ms`);
    const after = await a.api.request('GET', `${LEASES('switchyard-system')}/switchyard-controller`);
    assert.equal(after.body.spec.holderIdentity, 'proxy-2');
    assert.equal(after.body.spec.leaseTransitions, (lease.body.spec.leaseTransitions ?? 0) + 1);

    // the new leader writes status, through B
    assert.equal((await a.api.request('POST', BACKENDS, backend('status-probe-2'))).status, 201);
    await waitFor('status on status-probe-2 from the new leader', () => statusOf('status-probe-2'), 15_000);
    assert.ok((await statusPatches(b)) > bBefore, 'the new leader wrote status through B');

    // a graceful stop releases the lease: a fresh candidate takes over without waiting it out
    const p3 = await startProxyReplica(a.kubeconfig, 'proxy-3');
    proxies.push(p3);
    await sleep(TEST_LEASE.retryMs * 2);
    assert.equal(await p3.isLeader(), false);
    const stoppedAt = Date.now();
    await p2.stop('SIGTERM');
    await waitFor('proxy-3 to take over a released lease', () => p3.isLeader(), TEST_LEASE.durationMs + 5000, 20);
    const handover = Date.now() - stoppedAt;
    t.diagnostic(`handover after SIGTERM (lease released): ${handover} ms`);
    assert.ok(handover < TEST_LEASE.durationMs, `a released lease is taken at the next retry, not after the lease duration (${handover} ms)`);
    t.diagnostic(`scale-out suite elapsed: ${Date.now() - t0} ms`);
  });
});
