// The status writer: nothing is written when the status is already right; many statuses go out in
// bounded batches with bounded concurrency; a newer desired status replaces a queued one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusWriter } from './status_writer';
import type { ClientNode } from '../util/esm';

function fakeApi() {
  const api = {
    inFlight: 0,
    maxInFlight: 0,
    written: new Map<string, unknown>(),
    calls: 0,
    async patchClusterCustomObjectStatus(req: { name: string; body: Array<{ value: unknown }> }) {
      api.calls++;
      api.inFlight++;
      api.maxInFlight = Math.max(api.maxInFlight, api.inFlight);
      await new Promise((r) => setImmediate(r));
      api.inFlight--;
      api.written.set(req.name, req.body[0]!.value);
      return {};
    },
  };
  const kc = { makeApiClient: () => api } as unknown as InstanceType<ClientNode['KubeConfig']>;
  return { api, kc, k8s: { CustomObjectsApi: class {} } as unknown as ClientNode };
}

const target = (name: string) => ({ group: 'core.apoxy.dev', version: 'v1alpha2', plural: 'backends', name });

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('an equal status (whatever its key order) is not written', async () => {
  const { api, kc, k8s } = fakeApi();
  const w = new StatusWriter(k8s, kc);
  w.ensure(target('a'), { conditions: [{ type: 'Ready', status: 'True' }], observedGeneration: 1 }, { observedGeneration: 1, conditions: [{ status: 'True', type: 'Ready' }] });
  w.ensure(target('b'), undefined, undefined);
  assert.equal(w.pending, 0);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(api.calls, 0);
  w.stop();
});

test('1,000 statuses: written in batches of batchSize, never more than `concurrency` at once', async () => {
  const { api, kc, k8s } = fakeApi();
  const w = new StatusWriter(k8s, kc, undefined, { batchSize: 100, concurrency: 4 });
  for (let i = 0; i < 1000; i++) w.ensure(target(`b${i}`), undefined, { n: i });
  await until(() => w.pending === 0);
  assert.equal(api.written.size, 1000);
  assert.equal(w.writes, 1000);
  assert.ok(api.maxInFlight <= 4, `max in flight ${api.maxInFlight}`);
  assert.ok(w.batches >= 10, `batches ${w.batches}`);
  w.stop();
});

test('a newer desired status replaces a queued one; an already-right one drops it', async () => {
  const { api, kc, k8s } = fakeApi();
  const w = new StatusWriter(k8s, kc);
  w.ensure(target('x'), undefined, { v: 1 });
  w.ensure(target('x'), undefined, { v: 2 });
  w.ensure(target('y'), undefined, { v: 1 });
  w.ensure(target('y'), { v: 1 }, { v: 1 });
  await until(() => w.pending === 0);
  assert.deepEqual(api.written.get('x'), { v: 2 });
  assert.equal(api.written.has('y'), false);
  assert.equal(api.calls, 1);
  w.stop();
});
