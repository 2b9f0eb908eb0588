import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyTimeoutFor, DEFAULT_UPSTREAM_TIMEOUTS, headersTimeoutFor, upstreamTimeouts, type UpstreamTimeouts } from './timeouts';
import type { RuleIR } from '../ir';

const attemptTimeouts = (rule: Pick<RuleIR, 'timeouts'>, d: UpstreamTimeouts) => ({ headersMs: headersTimeoutFor(rule, d), bodyMs: bodyTimeoutFor(rule, d) });

test('defaults are 60 s each; 0 disables; a bad value disables rather than firing at once', () => {
  assert.deepEqual(upstreamTimeouts(), { upstreamResponseMs: 60_000, upstreamBodyMs: 60_000, clientBodyMs: 60_000 });
  assert.deepEqual(upstreamTimeouts({ upstreamResponseMs: 0, clientBodyMs: 250 }), { upstreamResponseMs: 0, upstreamBodyMs: 60_000, clientBodyMs: 250 });
  assert.equal(upstreamTimeouts({ upstreamBodyMs: -5 }).upstreamBodyMs, 0);
  assert.equal(upstreamTimeouts({ upstreamBodyMs: NaN }).upstreamBodyMs, 0);
});

test('a route without timeouts gets the defaults; a route\'s timeouts win', () => {
  const d = DEFAULT_UPSTREAM_TIMEOUTS;
  assert.deepEqual(attemptTimeouts({ timeouts: {} }, d), { headersMs: 60_000, bodyMs: 60_000 });
  assert.deepEqual(attemptTimeouts({ timeouts: { backendRequestMs: 5_000 } }, d), { headersMs: 0, bodyMs: 60_000 }, 'backendRequest replaces the headers default');
  assert.deepEqual(attemptTimeouts({ timeouts: { requestMs: 300_000 } }, d), { headersMs: 0, bodyMs: 0 }, 'request bounds the whole exchange');
  assert.deepEqual(attemptTimeouts({ timeouts: { requestMs: 0 } }, d), { headersMs: 0, bodyMs: 0 }, 'a route\'s `request: 0s` turns every timeout off');
  assert.deepEqual(attemptTimeouts({ timeouts: { backendRequestMs: 0 } }, d), { headersMs: 0, bodyMs: 60_000 });
  assert.deepEqual(attemptTimeouts({ timeouts: {} }, upstreamTimeouts({ upstreamResponseMs: 0, upstreamBodyMs: 0 })), { headersMs: 0, bodyMs: 0 });
});
