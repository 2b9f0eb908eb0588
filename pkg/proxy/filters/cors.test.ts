import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CorsIR } from '../ir';
import { applyCorsResponse, compileCors, isPreflight, originAllowed, preflightHeaders } from './cors';

const cors = (over: Partial<CorsIR> = {}) =>
  compileCors({ allowOrigins: ['https://www.foo.com', 'https://*.bar.com'], allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['x-header-1', 'x-header-2'], exposeHeaders: ['x-header-3', 'x-header-4'], maxAge: 3600, allowCredentials: true, ...over });
const asMap = (flat: string[]) => {
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
};

test('origins: exact, `*.domain` (one or more labels), `*`, scheme and port exact', () => {
  const c = cors();
  assert.ok(originAllowed(c, 'https://www.foo.com'));
  assert.ok(originAllowed(c, 'HTTPS://WWW.FOO.COM'));
  assert.ok(originAllowed(c, 'https://www.bar.com'));
  assert.ok(originAllowed(c, 'https://xpto.www.bar.com'));
  assert.ok(!originAllowed(c, 'https://bar.com'));
  assert.ok(!originAllowed(c, 'https://foobar.com'));
  assert.ok(!originAllowed(c, 'http://www.foo.com'));
  assert.ok(!originAllowed(c, 'https://www.foo.com:8443'));
  assert.ok(!originAllowed(c, 'null'));
  assert.ok(!originAllowed(c, 'https://evilbar.com'));
  const any = cors({ allowOrigins: ['*'] });
  assert.ok(originAllowed(any, 'https://foobar.com:12345'));
  assert.ok(originAllowed(cors({ allowOrigins: ['https://*'] }), 'https://anything.example'));
  assert.ok(originAllowed(cors({ allowOrigins: ['http://localhost:8080'] }), 'http://localhost:8080'));
  assert.ok(originAllowed(cors({ allowOrigins: ['http://[::1]:8080'] }), 'http://[::1]:8080'));
});

test('preflight (HTTPRouteCORS cases): allowed origin echoed, lists joined, credentials only when true', () => {
  assert.ok(isPreflight('OPTIONS', 'https://www.foo.com', 'GET'));
  assert.ok(!isPreflight('OPTIONS', 'https://www.foo.com', undefined));
  assert.ok(!isPreflight('GET', 'https://www.foo.com', 'GET'));
  const h = asMap(preflightHeaders(cors(), 'https://xpto.www.bar.com', 'GET', 'x-header-1, x-header-2'));
  assert.equal(h.get('access-control-allow-origin'), 'https://xpto.www.bar.com');
  assert.equal(h.get('access-control-allow-methods'), 'GET, OPTIONS');
  assert.equal(h.get('access-control-allow-headers'), 'x-header-1, x-header-2');
  assert.equal(h.get('access-control-expose-headers'), 'x-header-3, x-header-4');
  assert.equal(h.get('access-control-max-age'), '3600');
  assert.equal(h.get('access-control-allow-credentials'), 'true');
  const refused = asMap(preflightHeaders(cors(), 'https://foobar.com', 'GET', undefined));
  assert.equal(refused.has('access-control-allow-origin'), false);
  // wildcard methods echo the requested one; no credentials header when allowCredentials is false
  const wm = asMap(preflightHeaders(cors({ allowOrigins: ['https://www.foo.com'], allowMethods: ['*'], allowHeaders: [], exposeHeaders: [], maxAge: 5, allowCredentials: false }), 'https://www.foo.com', 'POST', undefined));
  assert.equal(wm.get('access-control-allow-methods'), 'POST');
  assert.equal(wm.has('access-control-allow-credentials'), false);
  assert.equal(wm.has('access-control-allow-headers'), false);
  assert.equal(wm.get('access-control-max-age'), '5');
  // wildcard headers echo the requested ones (valid with credentials, where `*` is not)
  const wh = asMap(preflightHeaders(cors({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true }), 'https://other.foo.com', 'PUT', 'x-header-1, x-header-2'));
  assert.equal(wh.get('access-control-allow-origin'), 'https://other.foo.com');
  assert.equal(wh.get('access-control-allow-headers'), 'x-header-1, x-header-2');
  assert.equal(wh.get('access-control-allow-credentials'), 'true');
});

test('actual responses: allowed origin replaces the upstream CORS headers; others get only Vary', () => {
  const up = ['content-type', 'text/plain', 'Access-Control-Allow-Origin', '*'];
  const h = applyCorsResponse(cors(), 'https://www.foo.com', up.slice());
  assert.deepEqual(h, ['content-type', 'text/plain', 'access-control-allow-origin', 'https://www.foo.com', 'vary', 'Origin', 'access-control-allow-credentials', 'true', 'access-control-expose-headers', 'x-header-3, x-header-4']);
  assert.deepEqual(applyCorsResponse(cors(), 'https://foobar.com', ['a', 'b']), ['a', 'b', 'vary', 'Origin']);
  assert.deepEqual(applyCorsResponse(cors(), undefined, ['a', 'b']), ['a', 'b']);
});
