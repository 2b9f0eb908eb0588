// Durability of the SQLite store under SIGKILL: a child process creates objects with 32-way
// concurrency and prints each acknowledged key; we SIGKILL it mid-run, reopen the file here and
// check that every acknowledged create is stored, with the revision it was acknowledged with, and
// that the revision log is gapless and consistent. Two rounds, the second on the recovered file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { ObjectStore } from '../../pkg/storage/store';
import { spawnNode } from '../harness/process';
import { tempDir } from '../harness/tmp';

const FIXTURE = path.join(__dirname, 'fixtures', 'sqlite-writer.js');
const PREFIX = '/registry/core.apoxy.dev/backends/';
const RUN_MS = 1500;
const MAX_ACKS = 50_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ack {
  key: string;
  rv: number;
}

async function runAndKill(file: string, tag: string): Promise<{ acks: Ack[]; killedAfterMs: number }> {
  const child = spawnNode(FIXTURE, [file, tag, '32']);
  try {
    await child.waitForLine((l) => l.startsWith('READY'), 10_000);
    await child.waitForLine((l) => l.startsWith('ACK '), 10_000);
    const t0 = Date.now();
    while (Date.now() - t0 < RUN_MS && child.lines.length < MAX_ACKS) await sleep(20);
    const st = await child.kill('SIGKILL');
    assert.equal(st.signal, 'SIGKILL', `the writer should still be running when killed; exit ${st.code}, stderr:\n${child.stderr()}`);
    const acks: Ack[] = [];
    for (const line of child.lines) {
      const m = /^ACK (\S+) (\d+)$/.exec(line);
      if (m) acks.push({ key: m[1], rv: Number(m[2]) });
    }
    return { acks, killedAfterMs: Date.now() - t0 };
  } finally {
    await child.kill('SIGKILL');
  }
}

describe('sqlite store survives SIGKILL of its process', () => {
  it('every acknowledged create is durable, with its acknowledged revision, over two kill/recover rounds', { timeout: 60_000 }, async (t) => {
    const file = path.join(tempDir('switchyard-sigkill-'), 'state.db');
    const all: Ack[] = [];
    for (const round of [1, 2]) {
      const { acks, killedAfterMs } = await runAndKill(file, `r${round}`);
      t.diagnostic(`round ${round}: ${acks.length} creates acknowledged before SIGKILL at ${killedAfterMs} ms`);
      assert.ok(acks.length >= 32, `round ${round}: the writer acknowledged creates (${acks.length})`);
      // Acknowledgements come out in commit order, so their revisions only increase.
      for (let i = 1; i < acks.length; i++) {
        assert.ok(acks[i].rv > acks[i - 1].rv, `round ${round}: ack ${i} rv ${acks[i].rv} after ${acks[i - 1].rv}`);
      }
      if (all.length) assert.ok(acks[0].rv > all[all.length - 1].rv, 'the second run continues the revision sequence');
      all.push(...acks);

      const driver = new SqliteDriver({ file });
      try {
        const store = new ObjectStore(driver);
        const list = await store.list(PREFIX);
        const byKey = new Map(list.items.map((o) => [PREFIX + o.metadata.name, o]));
        const missing = all.filter((a) => !byKey.has(a.key));
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged creates are missing after the kill`);
        for (const a of all) {
          assert.equal(byKey.get(a.key)!.metadata.resourceVersion, String(a.rv), `${a.key} keeps its acknowledged revision`);
        }
        // Only creates ever ran: the stored revisions are exactly 1..N, and the current revision is N.
        const rvs = list.items.map((o) => Number(o.metadata.resourceVersion)).sort((a, b) => a - b);
        assert.deepEqual(rvs[0], 1);
        for (let i = 1; i < rvs.length; i++) assert.equal(rvs[i], rvs[i - 1] + 1, 'gapless revision log');
        assert.equal(await driver.currentRevision(), rvs[rvs.length - 1]);
        assert.equal(list.resourceVersion, String(rvs[rvs.length - 1]));
        // Unacknowledged-but-committed creates may exist (killed between commit and print), but
        // they are few: at most one commit batch per writer's worth.
        assert.ok(list.items.length >= all.length);
        t.diagnostic(`round ${round}: ${list.items.length} objects stored, ${list.items.length - all.length} committed but not acknowledged`);
        // The recovered store is writable.
        const extra = await store.create(`${PREFIX}after-r${round}`, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: `after-r${round}`, uid: `u${round}` }, spec: {} });
        assert.equal(Number(extra.metadata.resourceVersion), rvs[rvs.length - 1] + 1);
        all.push({ key: `${PREFIX}after-r${round}`, rv: Number(extra.metadata.resourceVersion) });
      } finally {
        await driver.close();
      }
    }
  });
});
