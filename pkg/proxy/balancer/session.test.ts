import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionPersistenceIR } from '../ir';
import { createBalancer } from './balancer';
import { newSessionToken, pickRefByKey, sessionResponseHeader, sessionToken } from './session';
import { ep, lb, states } from './testutil';

const cookieSP: SessionPersistenceIR = { type: 'Cookie', name: 'sid', path: '/' };
const deps = { now: () => 0, rand: () => 0.5 };

test('tokens: only this alphabet up to 128 characters is a session; new ones are 24 base64url characters', () => {
  const req = (c: Record<string, string>) => ({ cookie: (n: string) => c[n], header: (n: string) => c[n] });
  assert.equal(sessionToken(cookieSP, req({ sid: 'abc_-9' })), 'abc_-9');
  assert.equal(sessionToken(cookieSP, req({ sid: 'a b' })), undefined);
  assert.equal(sessionToken(cookieSP, req({ sid: 'x'.repeat(129) })), undefined);
  assert.equal(sessionToken(cookieSP, req({})), undefined);
  assert.equal(sessionToken({ type: 'Header', name: 'x-session', path: '/' }, req({ 'x-session': 'tok' })), 'tok');
  const t = newSessionToken();
  assert.match(t, /^[A-Za-z0-9_-]{24}$/);
  assert.notEqual(t, newSessionToken());
});

test('response header: cookie attributes, Max-Age for Permanent, Secure over https; the header type echoes the token', () => {
  assert.deepEqual(sessionResponseHeader(cookieSP, 'T', false), ['set-cookie', 'sid=T; Path=/; HttpOnly; SameSite=Lax']);
  assert.deepEqual(sessionResponseHeader({ ...cookieSP, path: '/app', maxAgeS: 60 }, 'T', true), ['set-cookie', 'sid=T; Path=/app; HttpOnly; SameSite=Lax; Max-Age=60; Secure']);
  assert.deepEqual(sessionResponseHeader({ type: 'Header', name: 'x-session', path: '/' }, 'T', true), ['x-session', 'T']);
});

test('pickRefByKey: stable per key, spread by weight, weight 0 never', () => {
  const refs = [{ backend: 'a', weight: 1 }, { backend: 'b', weight: 3 }, { backend: 'z', weight: 0 }];
  const counts = [0, 0, 0];
  for (let i = 0; i < 4000; i++) {
    const k = `key-${i}`;
    const r = pickRefByKey(refs, k)!;
    assert.equal(pickRefByKey(refs, k), r);
    counts[r]!++;
  }
  assert.equal(counts[2], 0);
  assert.ok(counts[1]! > counts[0]! * 2 && counts[1]! < counts[0]! * 4, String(counts));
  assert.equal(pickRefByKey([{ backend: 'a', weight: 0 }], 'k'), null);
});

test('Balancer.pickByKey (any algorithm): a key keeps its endpoint; when that one is gone only its keys move', () => {
  const eps = [ep('10.0.0.1:80'), ep('10.0.0.2:80'), ep('10.0.0.3:80')];
  for (const algo of ['round-robin', 'least-connections', 'random', 'consistent-hash'] as const) {
    const all = createBalancer(lb(algo), states(eps), deps);
    const two = createBalancer(lb(algo), states([eps[0]!, eps[2]!]), deps);
    const used = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const k = `s${i}`;
      const first = all.pickByKey(k)!;
      used.add(first.ep.id);
      assert.equal(all.pickByKey(k), first, 'stable');
      const after = two.pickByKey(k)!;
      if (first.ep.id !== '10.0.0.2:80') assert.equal(after.ep.id, first.ep.id, 'keys of the endpoints that stayed do not move');
    }
    assert.equal(used.size, 3, algo);
    // the excluded endpoint (a retry) is passed over when another is available
    const k = [...Array(50).keys()].map((i) => `x${i}`).find((x) => all.pickByKey(x)!.ep.id === '10.0.0.1:80')!;
    assert.notEqual(all.pickByKey(k, all.pickByKey(k)!)!.ep.id, '10.0.0.1:80');
  }
});
