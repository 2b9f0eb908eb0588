import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edgeProxyFacadeState, type LivenessEntryLike } from './facades';

test('edgeProxy facade state: heartbeat age, time to expiry, healthy', () => {
  const now = 1_000_000;
  const entries = new Map<string, LivenessEntryLike>([
    ['b', { name: 'b', app: 'shop', lastMs: now - 50_000, persistedMs: now - 55_000, expired: false }],
    ['a', { name: 'a', app: 'shop', lastMs: 0, persistedMs: now - 10_000, expired: false }],
    ['c', { name: 'c', lastMs: 0, persistedMs: 0, expired: true }],
  ]);
  const s = edgeProxyFacadeState({ ttlMs: 60_000, entries, deadline: (e) => Math.max(e.lastMs, e.persistedMs) + 60_000 }, now);
  assert.equal(s.edgeproxy.ttlMs, 60_000);
  assert.deepEqual(
    s.edgeproxy.backends.map((b) => [b.name, b.lastHeartbeatAgoMs, b.expiresInMs, b.healthy]),
    [
      ['a', 10_000, 50_000, true],
      ['b', 50_000, 10_000, true],
      ['c', undefined, 60_000 - now, false],
    ],
  );
});
