// Unit tests for continue tokens (kube's format) and prefixEnd.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeContinue, encodeContinue } from './continue';
import { prefixEnd } from './driver';
import { StorageError } from './errors';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

function invalid(token: string, why: RegExp): void {
  assert.throws(
    () => decodeContinue(token),
    (e: unknown) => e instanceof StorageError && e.code === 'InvalidContinue' && why.test(e.message),
    `token ${JSON.stringify(token)}`,
  );
}

describe('continue tokens', () => {
  it('round-trip revision and start key', () => {
    for (const [rv, start] of [
      [1, 'a'],
      [123456789, 'obj-042\0'],
      [Number.MAX_SAFE_INTEGER, 'ns/name with spaces/é'],
    ] as const) {
      const tok = encodeContinue(rv, start);
      assert.match(tok, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
      assert.deepEqual(decodeContinue(tok), { rv, start });
    }
  });

  it('use kube\'s JSON shape {v, rv, start}', () => {
    const tok = encodeContinue(42, 'b\0');
    assert.deepEqual(JSON.parse(Buffer.from(tok, 'base64url').toString('utf8')), { v: 'meta.k8s.io/v1', rv: 42, start: 'b\0' });
    // a token as kube-apiserver writes it (base64.RawURLEncoding of the same JSON)
    const kube = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 7, start: 'x\u0000' })).toString('base64url');
    assert.deepEqual(decodeContinue(kube), { rv: 7, start: 'x\0' });
  });

  it('reject malformed tokens with InvalidContinue', () => {
    invalid('', /not base64url/);
    invalid('a b', /not base64url/);
    invalid('x'.repeat(5000), /not base64url/);
    invalid(Buffer.from('{oops').toString('base64url'), /not JSON/);
    invalid(b64('string'), /not an object/);
    invalid(b64(null), /not an object/);
    invalid(b64({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }), /does not recognize/);
    invalid(b64({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), /resourceVersion/);
    invalid(b64({ v: 'meta.k8s.io/v1', rv: -3, start: 'a' }), /resourceVersion/);
    invalid(b64({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'a' }), /resourceVersion/);
    invalid(b64({ v: 'meta.k8s.io/v1', rv: '5', start: 'a' }), /resourceVersion/);
    invalid(b64({ v: 'meta.k8s.io/v1', rv: 5 }), /start key empty/);
    invalid(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '' }), /start key empty/);
  });

  it('reject start keys that climb out of the listed prefix', () => {
    invalid(encodeContinue(5, '/registry/secrets/x'), /path traversal/);
    invalid(encodeContinue(5, '../x'), /path traversal/);
    invalid(encodeContinue(5, 'a/../../b'), /path traversal/);
    invalid(encodeContinue(5, './a'), /path traversal/);
    assert.deepEqual(decodeContinue(encodeContinue(5, 'a..b/c.d')), { rv: 5, start: 'a..b/c.d' }, 'dots inside a segment are fine');
  });
});

describe('prefixEnd', () => {
  it('is the smallest key above every key with the prefix', () => {
    assert.equal(prefixEnd('/registry/core.apoxy.dev/backends/'), '/registry/core.apoxy.dev/backends0');
    assert.equal(prefixEnd('a'), 'b');
    assert.equal(prefixEnd('ab'), 'ac');
    assert.equal(prefixEnd(''), '\0');
    const p = '/registry/x/';
    const end = prefixEnd(p);
    for (const k of [p, p + 'a', p + '~~~', p + '\u007f', p + 'zzz/yyy']) assert.ok(k >= p && k < end, `${JSON.stringify(k)} is in [p, end)`);
    for (const k of ['/registry/x0', '/registry/y/', '/registry/x']) assert.ok(!(k >= p && k < end), `${JSON.stringify(k)} is outside`);
  });
});
