// SIGKILL the all-in-one server (`switchyard serve`, SQLite) under write load, restart it on the
// same data dir: every acknowledged write is there with its acknowledged resourceVersion, and the
// restarted server takes writes again (resourceVersions keep increasing past the old ones).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api, BACKENDS, backend, sleep } from '../scaleout/lib';
import { startWriteLoad } from './load';

const WRITERS = 32;
const LOAD_MS = 2500;

describe('fault: SIGKILL `switchyard serve` (SQLite) under write load', () => {
  it('loses no acknowledged write across the restart', { timeout: 90_000 }, async (t) => {
    let proc: SwitchyardProcess | undefined;
    let api: Api | undefined;
    try {
      proc = await startSwitchyard({ command: 'serve' });
      const ca = fs.readFileSync(path.join(proc.dataDir, 'ca.crt'), 'utf8');
      api = new Api(proc.apiURL, ca, proc.adminToken);
      const load = startWriteLoad([api], WRITERS, { prefix: 'sk', label: 'sqlite-sigkill', timeoutMs: 5000 });
      await sleep(LOAD_MS);
      const atKill = load.acks.length;
      proc.child.kill('SIGKILL');
      const res = await load.stop(); // the writers see their in-flight requests fail and stop
      t.diagnostic(`SIGKILL after ${atKill} acknowledged writes (${res.acks.length} acknowledged in all; in-flight failures ${JSON.stringify([...res.failures])})`);
      assert.ok(res.acks.length > WRITERS, 'the load ran');
      await new Promise<void>((r) => (proc!.child.exitCode !== null || proc!.child.signalCode !== null ? r() : proc!.child.once('exit', () => r())));

      const restartedAt = Date.now();
      proc = await startSwitchyard({ command: 'serve', dataDir: proc.dataDir, apiPort: proc.apiPort });
      t.diagnostic(`restarted in ${Date.now() - restartedAt} ms`);
      api.close();
      api = new Api(proc.apiURL, ca, proc.adminToken);
      const list = await api.request('GET', `${BACKENDS}?labelSelector=fault%3Dsqlite-sigkill`, undefined, 30_000);
      assert.equal(list.status, 200);
      // `serve` runs the controller, which writes status onto these Backends: an object may have a
      // newer resourceVersion than its acknowledgement, never an older one, and its spec is ours
      type Item = { metadata: { name: string; resourceVersion: string; generation: number }; spec: { endpoints: Array<{ port: number }> } };
      const got = new Map<string, Item>((list.body.items as Item[]).map((o) => [o.metadata.name, o]));
      const lost = res.acks.filter((a) => {
        const o = got.get(a.name);
        const w = Number(/-w(\d+)-/.exec(a.name)![1]);
        return !o || Number(o.metadata.resourceVersion) < Number(a.rv) || o.metadata.generation !== 1 || o.spec.endpoints[0]?.port !== 1000 + w;
      });
      assert.equal(lost.length, 0, `${lost.length} acknowledged writes lost or changed, e.g. ${JSON.stringify(lost.slice(0, 3))}`);
      t.diagnostic(`all ${res.acks.length} acknowledged writes survived (${got.size} stored: ${got.size - res.acks.length} applied without an acknowledgement)`);

      // the restarted store keeps going, past every revision it handed out before
      const maxRV = Math.max(...res.acks.map((a) => Number(a.rv)));
      const after = await api.request('POST', BACKENDS, backend('after-restart'));
      assert.equal(after.status, 201, JSON.stringify(after.body));
      assert.ok(Number(after.body.metadata.resourceVersion) > maxRV);
    } finally {
      api?.close();
      await proc?.stop('SIGKILL').catch(() => undefined);
    }
  });
});
