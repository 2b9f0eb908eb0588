// Stop the apiserver while `switchyard proxy` serves traffic: the proxy keeps routing every request
// from its last snapshot; when the apiserver comes back (same data dir, same port) the controller's
// informers resume and converge on a change made after the restart, and the elected status writer
// writes status again.
//
// The issue asks for a 30 s outage; CI uses 12 s (SWITCHYARD_FAULT_OUTAGE_MS=30000 for the full one):
// past the informers' 5 s backoff cap and the 3 s test lease, so every reconnect path is exercised.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api, BACKENDS, ROUTES, backend, httpGet, route, sleep, startProxyReplica, startUpstream, waitFor, type ProxyReplica } from '../scaleout/lib';

const OUTAGE_MS = Number(process.env.SWITCHYARD_FAULT_OUTAGE_MS ?? 12_000);

describe('fault: the apiserver is down for a while', () => {
  it('the proxy keeps routing every request; the controller resumes and converges', { timeout: 60_000 + OUTAGE_MS }, async (t) => {
    let apiProc: SwitchyardProcess | undefined;
    let api: Api | undefined;
    let px: ProxyReplica | undefined;
    const u1 = await startUpstream('one');
    const u2 = await startUpstream('two');
    let loading = false;
    const load: Promise<void>[] = [];
    try {
      apiProc = await startSwitchyard({ command: 'apiserver' });
      const ca = fs.readFileSync(path.join(apiProc.dataDir, 'ca.crt'), 'utf8');
      api = new Api(apiProc.apiURL, ca, apiProc.adminToken);
      assert.equal((await api.request('POST', BACKENDS, backend('one', [{ ip: '127.0.0.1', port: u1.port }]))).status, 201);
      assert.equal((await api.request('POST', ROUTES, route('one', '/', 'one'))).status, 201);
      px = await startProxyReplica(apiProc.kubeconfig, 'outage-proxy');
      await waitFor('the proxy to route / to upstream one', async () => (await httpGet(px!.proxyPort, '/')).body.startsWith('one '), 15_000);
      await waitFor('the proxy to lead its lease', () => px!.isLeader(), 10_000);

      // steady traffic: 4 keep-alive clients and 1 opening a fresh connection per request
      const stats = { ok: 0, failed: [] as string[] };
      loading = true;
      const client = async (agent: http.Agent | false) => {
        while (loading) {
          try {
            const r = await httpGet(px!.proxyPort, '/', { agent, timeoutMs: 3000 });
            if (r.status === 200 && r.body.startsWith('one ')) stats.ok++;
            else stats.failed.push(`HTTP ${r.status} ${r.body.slice(0, 60)}`);
          } catch (err) {
            stats.failed.push((err as Error).message);
          }
          await sleep(10);
        }
      };
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
      for (let i = 0; i < 4; i++) load.push(client(keepAlive));
      load.push(client(false));

      await sleep(500);
      const stoppedAt = Date.now();
      const dataDir = apiProc.dataDir;
      const apiPort = apiProc.apiPort;
      await apiProc.stop('SIGTERM');
      t.diagnostic(`apiserver stopped; outage of ${OUTAGE_MS} ms (the issue's 30 s with SWITCHYARD_FAULT_OUTAGE_MS=30000)`);
      const okBefore = stats.ok;
      await sleep(OUTAGE_MS);
      const servedDuring = stats.ok - okBefore;
      assert.deepEqual(stats.failed, [], 'every request during the outage was routed');
      assert.ok(servedDuring > 50, `traffic flowed during the outage (${servedDuring} requests)`);
      assert.equal(await px.isLeader(), false, 'the lease could not be renewed: status writing stopped');

      apiProc = await startSwitchyard({ command: 'apiserver', dataDir, apiPort });
      const restartedAt = Date.now();
      t.diagnostic(`apiserver back after ${restartedAt - stoppedAt} ms; ${servedDuring} requests served while it was down, 0 failed`);

      // a change made after the restart reaches the data plane
      assert.equal((await api.request('POST', BACKENDS, backend('two', [{ ip: '127.0.0.1', port: u2.port }]))).status, 201);
      assert.equal((await api.request('POST', ROUTES, route('two', '/two', 'two'))).status, 201);
      await waitFor('the proxy to route /two to upstream two', async () => (await httpGet(px!.proxyPort, '/two/x')).body.startsWith('two '), 20_000, 100);
      const converged = Date.now() - restartedAt;
      t.diagnostic(`converged on a post-restart change ${converged} ms after the apiserver came back`);
      // and the controller writes status again (it re-acquired its own lease)
      await waitFor('the proxy to lead again', () => px!.isLeader(), 15_000);
      await waitFor(
        'status on the new route',
        async () => ((await api!.request('GET', `${ROUTES}/two`)).body?.status?.parents?.[0]?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Accepted' && c.status === 'True'),
        15_000,
      );
      loading = false;
      await Promise.all(load);
      keepAlive.destroy();
      assert.deepEqual(stats.failed, [], 'no request failed at any point');
      t.diagnostic(`${stats.ok} requests routed in all, none failed`);
    } finally {
      loading = false;
      await Promise.all(load).catch(() => undefined);
      await px?.stop('SIGKILL');
      api?.close();
      await apiProc?.stop('SIGKILL').catch(() => undefined);
      await u1.close();
      await u2.close();
    }
  });
});
