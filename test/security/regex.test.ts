// ReDoS: route regular expressions are RE2 and match in linear time. Backreferences and lookaround
// are a 422 at write time; `(a+)+$` is accepted and a 10 KB path of `a`s ending in `b` is answered,
// with the same proxy answering a positive control right after it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, HTTPROUTES, backendObj, raw, routeObj, startServe, until, upstream, type Serve, type Upstream } from './control_lib';

const regexRoute = (name: string, value: string) =>
  routeObj(name, { hostnames: [`${name}.test`], rules: [{ matches: [{ path: { type: 'RegularExpression', value } }], backendRefs: [{ kind: 'Backend', name: 'b' }] }] });

describe('route regular expressions', () => {
  let s: Serve;
  let up: Upstream;

  before(async () => {
    up = await upstream('origin');
    s = await startServe();
    await s.admin.create(BACKENDS, backendObj('b', { endpoints: [{ ip: '127.0.0.1', port: up.port }] }));
  });
  after(async () => {
    await s?.stop();
    await up?.close();
  });

  it('backreferences, lookaround and other non-RE2 syntax are a 422 naming the field; nothing is stored', async () => {
    for (const [i, bad] of ['/(a)\\1', '/(?=admin)x', '/(?<!a)b', '/a{2000}'].entries()) {
      const a = await s.admin.post(HTTPROUTES, regexRoute(`bad${i}`, bad));
      assert.equal(a.status, 422, `${bad}: ${a.text}`);
      assert.match(a.text, /spec\.rules\[0\]\.matches\[0\]\.path\.value/);
      assert.equal((await s.admin.get(`${HTTPROUTES}/bad${i}`)).status, 404);
    }
    const h = await s.admin.post(HTTPROUTES, routeObj('badh', { rules: [{ matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: '(a)\\1' }] }], backendRefs: [{ kind: 'Backend', name: 'b' }] }] }));
    assert.equal(h.status, 422, h.text);
    assert.match(h.text, /spec\.rules\[0\]\.matches\[0\]\.headers\[0\]\.value/);
  });

  it('(a+)+$ is accepted; a 10 KB path of a then b is answered, and a positive control after it', async () => {
    assert.equal((await s.admin.post(HTTPROUTES, regexRoute('evil', '/(a+)+$'))).status, 201);
    const ok = `GET /aaaa HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n`;
    assert.equal(await until(async () => (await raw(s.proxyPort, ok)).status, [0, 404], 'the regex route'), 200);
    const hits = up.hits;
    const attack = await raw(s.proxyPort, `GET /${'a'.repeat(10_240)}b HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n`, 10_000);
    assert.equal(attack.status, 404, attack.text.slice(0, 200));
    const after = await raw(s.proxyPort, ok, 10_000);
    assert.equal(after.status, 200, after.text);
    assert.equal(up.hits, hits + 1, 'only the positive control reached the upstream');
    // full-match semantics: the pattern does not match a longer path by search
    assert.equal((await raw(s.proxyPort, `GET /aaaa/x HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n`)).status, 404);
  });
});
