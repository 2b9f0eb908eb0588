// Debounce with an injected clock: a burst → one run after the quiet period; a steady stream
// still runs every maxWait; flush and stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer } from './debounce';
import { FakeClock } from './testing/fake_clock';

test('a burst of triggers runs once, quietMs after the last one', () => {
  const clock = new FakeClock();
  let runs = 0;
  const d = new Debouncer(() => runs++, { quietMs: 50, maxWaitMs: 200, clock });
  for (let i = 0; i < 100; i++) d.trigger();
  assert.equal(clock.armed, 1, 'one timer for the whole burst');
  clock.advance(30);
  d.trigger();
  clock.advance(49);
  assert.equal(runs, 0, 'pushed back by the later trigger');
  clock.advance(1);
  assert.equal(runs, 1);
  assert.equal(d.pending, false);
  clock.advance(1000);
  assert.equal(runs, 1, 'nothing more without triggers');
});

test('a steady stream cannot starve it: a run at least every maxWaitMs', () => {
  const clock = new FakeClock();
  const at: number[] = [];
  const d = new Debouncer(() => at.push(clock.now()), { quietMs: 50, maxWaitMs: 200, clock });
  for (let t = 0; t < 950; t += 10) {
    d.trigger();
    clock.advance(10);
  }
  assert.deepEqual(at, [200, 400, 600, 800]);
  clock.advance(100);
  assert.deepEqual(at.slice(4), [990], 'the tail of the stream runs quietMs after its last event');
});

test('flush runs a pending run now; stop cancels and ignores later triggers', () => {
  const clock = new FakeClock();
  let runs = 0;
  const d = new Debouncer(() => runs++, { quietMs: 50, maxWaitMs: 200, clock });
  d.flush();
  assert.equal(runs, 0, 'nothing pending');
  d.trigger();
  d.flush();
  assert.equal(runs, 1);
  assert.equal(clock.armed, 0);
  d.trigger();
  d.stop();
  d.trigger();
  clock.advance(1000);
  assert.equal(runs, 1);
});

test('a trigger from inside the run schedules another run', () => {
  const clock = new FakeClock();
  let runs = 0;
  const d = new Debouncer(() => {
    if (runs++ === 0) d.trigger();
  }, { quietMs: 50, maxWaitMs: 200, clock });
  d.trigger();
  clock.advance(50);
  assert.equal(runs, 1);
  clock.advance(50);
  assert.equal(runs, 2);
});
