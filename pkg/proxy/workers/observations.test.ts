import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObservationBuffer } from './observations';
import type { ObservationBatch } from './messages';

test('finished requests are sent column-wise on flush, and nothing is sent for an empty batch', () => {
  const sent: ObservationBatch[] = [];
  const b = new ObservationBuffer((x) => sent.push(x), 60_000);
  b.flush();
  assert.equal(sent.length, 0);
  b.add('r1', 'be', 200, 1.5, 10);
  b.add('', '', 404, 0, 11);
  b.flush();
  assert.deepEqual(sent, [{ routes: ['r1', ''], backends: ['be', ''], status: [200, 404], ms: [1.5, 0], at: [10, 11] }]);
  b.flush();
  assert.equal(sent.length, 1, 'the batch was emptied');
});

test('a batch is sent by itself after the interval', async () => {
  const sent: ObservationBatch[] = [];
  const b = new ObservationBuffer((x) => sent.push(x), 5);
  b.add('r', 'be', 200, 1, 1);
  for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sent.length, 1);
});
