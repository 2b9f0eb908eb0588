import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakerConfig, CircuitBreaker, DEFAULT_OPEN_MS } from './circuit_breaker';

const mk = (cb: Parameters<typeof breakerConfig>[0]) => new CircuitBreaker(breakerConfig(cb)!);

test('config: absent or 0 failures → no breaker; defaults', () => {
  assert.equal(breakerConfig(undefined), null);
  assert.equal(breakerConfig({ maxConnections: 3 }), null);
  assert.equal(breakerConfig({ consecutiveFailures: 0 }), null);
  assert.deepEqual(breakerConfig({ consecutiveFailures: 5 }), {
    threshold: 5,
    failureWindowMs: 0,
    openMs: DEFAULT_OPEN_MS,
    closeAfterSuccesses: 1,
  });
});

test('closed → open after N consecutive failures; a success resets the run', () => {
  const b = mk({ consecutiveFailures: 3, openMs: 1000 });
  b.onFailure(0);
  b.onFailure(1);
  b.onSuccess(2);
  b.onFailure(3);
  b.onFailure(4);
  assert.equal(b.state, 'closed');
  assert.equal(b.allow(4), true);
  b.onFailure(5);
  assert.equal(b.state, 'open');
  assert.equal(b.opens, 1);
  assert.equal(b.allow(5), false);
  assert.equal(b.allow(1004), false);
  assert.equal(b.retryAt, 1005);
});

test('open → half-open after openMs: one probe at a time; success closes', () => {
  const b = mk({ consecutiveFailures: 1, openMs: 1000 });
  b.onFailure(0);
  assert.equal(b.allow(999), false);
  assert.equal(b.allow(1000), true);
  assert.equal(b.state, 'half-open');
  assert.equal(b.allow(1000), true, 'asking again reserves nothing');
  b.onStart();
  assert.equal(b.allow(1001), false, 'probe in flight');
  b.onSuccess(1002);
  assert.equal(b.state, 'closed');
  assert.equal(b.allow(1002), true);
});

test('half-open: a failure reopens for another openMs', () => {
  const b = mk({ consecutiveFailures: 1, openMs: 1000 });
  b.onFailure(0);
  b.allow(1000);
  b.onStart();
  b.onFailure(1100);
  assert.equal(b.state, 'open');
  assert.equal(b.allow(2099), false);
  assert.equal(b.allow(2100), true);
});

test('registry facade: 5 failures within 60 s open; closes after 2 probe successes', () => {
  const b = mk({ consecutiveFailures: 5, failureWindowMs: 60_000, openMs: 30_000, closeAfterSuccesses: 2 });
  // 5 failures spread over more than a minute: stays closed; successes in between do not reset
  for (const t of [0, 20_000, 40_000, 50_000]) {
    b.onFailure(t);
    b.onSuccess(t + 1);
  }
  b.onFailure(61_000); // window [1 000, 61 000] holds 20k, 40k, 50k, 61k = 4
  assert.equal(b.state, 'closed');
  b.onFailure(62_000); // 20k..62k: 5 within 60 s
  assert.equal(b.state, 'open');
  assert.equal(b.allow(91_999), false);
  assert.equal(b.allow(92_000), true);
  b.onStart();
  b.onSuccess(92_010);
  assert.equal(b.state, 'half-open', 'one success is not enough');
  assert.equal(b.allow(92_010), true, 'next probe');
  b.onStart();
  b.onSuccess(92_020);
  assert.equal(b.state, 'closed');
  // after closing the window starts empty
  for (let i = 0; i < 4; i++) b.onFailure(92_100 + i);
  assert.equal(b.state, 'closed');
  b.onFailure(92_200);
  assert.equal(b.state, 'open');
});

test('late answers from before the breaker opened change nothing', () => {
  const b = mk({ consecutiveFailures: 2, openMs: 100 });
  b.onFailure(0);
  b.onFailure(0);
  b.onSuccess(10); // open: ignored
  assert.equal(b.state, 'open');
  assert.equal(b.allow(100), true); // half-open, no probe out yet
  b.onFailure(100); // a straggler, not the probe
  assert.equal(b.state, 'half-open');
  b.onSuccess(100);
  assert.equal(b.state, 'half-open');
  b.onStart();
  b.onSuccess(101);
  assert.equal(b.state, 'closed');
});

test('onStart/onCancel in closed state are harmless; cancel frees a probe', () => {
  const b = mk({ consecutiveFailures: 1, openMs: 10 });
  b.onStart();
  b.onCancel();
  assert.equal(b.state, 'closed');
  b.onFailure(0);
  b.allow(10);
  b.onStart();
  assert.equal(b.allow(11), false);
  b.onCancel();
  assert.equal(b.allow(11), true);
});

test('reconfigure keeps the state', () => {
  const b = mk({ consecutiveFailures: 1, openMs: 100 });
  b.onFailure(0);
  b.reconfigure(breakerConfig({ consecutiveFailures: 3, openMs: 500 })!);
  assert.equal(b.state, 'open');
  assert.equal(b.allow(499), false);
  assert.equal(b.allow(500), true);
});
