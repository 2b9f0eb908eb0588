import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostWithoutPort, redirectLocation, type RedirectRequest, type RequestRedirectFilter } from './redirect';

type F = Partial<Omit<RequestRedirectFilter, 'type'>>;
const redirect = (f: F): RequestRedirectFilter => ({ type: 'RequestRedirect', statusCode: 302, ...f });
const req = (r: Partial<RedirectRequest>): RedirectRequest => ({ scheme: 'http', host: 'example.com', path: '/', query: '', listenerPort: 80, ...r });

test('redirectLocation: scheme, hostname and port (the conformance port-and-scheme table)', () => {
  const org = { hostname: 'example.org' };
  // [listener, request scheme, filter, want Location]
  const table: Array<[number, 'http' | 'https', F, string]> = [
    // listener on 80
    [80, 'http', { ...org }, 'http://example.org/'],
    [80, 'http', { ...org, port: 80 }, 'http://example.org/'],
    [80, 'http', { ...org, port: 8080 }, 'http://example.org:8080/'],
    [80, 'http', { ...org, scheme: 'https' }, 'https://example.org/'],
    [80, 'http', { ...org, scheme: 'https', port: 443 }, 'https://example.org/'],
    [80, 'http', { ...org, scheme: 'https', port: 8443 }, 'https://example.org:8443/'],
    // listener on 8080: neither scheme nor port keeps the listener's port
    [8080, 'http', { ...org }, 'http://example.org:8080/'],
    [8080, 'http', { ...org, port: 80 }, 'http://example.org/'],
    [8080, 'http', { ...org, scheme: 'https' }, 'https://example.org/'],
    [8080, 'http', { scheme: 'HTTPS' }, 'https://example.com/'],
    // a scheme that is set means its well-known port, even when it is the request's own scheme
    [8080, 'http', { scheme: 'http' }, 'http://example.com/'],
    // listener on 443
    [443, 'https', { ...org }, 'https://example.org/'],
    [443, 'https', { ...org, port: 443 }, 'https://example.org/'],
    [443, 'https', { ...org, port: 8443 }, 'https://example.org:8443/'],
    [443, 'https', { ...org, scheme: 'http' }, 'http://example.org/'],
    [443, 'https', { ...org, scheme: 'http', port: 80 }, 'http://example.org/'],
    [443, 'https', { ...org, scheme: 'http', port: 8080 }, 'http://example.org:8080/'],
    [8443, 'https', { ...org }, 'https://example.org:8443/'],
    // port only
    [80, 'http', { port: 8083 }, 'http://example.com:8083/'],
    [443, 'https', { port: 80 }, 'https://example.com:80/'],
  ];
  for (const [listenerPort, scheme, f, want] of table) {
    const got = redirectLocation(req({ listenerPort, scheme }), redirect(f));
    assert.equal(got.location, want, `listener ${listenerPort} ${scheme} ${JSON.stringify(f)}`);
  }
});

test('redirectLocation: host from the request without its port; path modifiers; query kept; status', () => {
  const table: Array<[Partial<RedirectRequest>, F, string | undefined, number, string]> = [
    [{ host: 'example.com:8080', listenerPort: 8080 }, {}, undefined, 302, 'http://example.com:8080/'],
    [{ host: 'example.com:9999', listenerPort: 8080 }, {}, undefined, 302, 'http://example.com:8080/'],
    [{ host: 'Example.COM' }, {}, undefined, 302, 'http://Example.COM/'],
    [{ host: '[::1]:8080', listenerPort: 8080 }, {}, undefined, 302, 'http://[::1]:8080/'],
    [{ path: '/original-prefix/lemon' }, { path: { type: 'ReplacePrefixMatch', value: '/replacement-prefix' } }, '/original-prefix', 302, 'http://example.com/replacement-prefix/lemon'],
    [{ path: '/original-prefix' }, { path: { type: 'ReplacePrefixMatch', value: '/' } }, '/original-prefix', 302, 'http://example.com/'],
    [{ path: '/full-path-original', query: 'a=1' }, { path: { type: 'ReplaceFullPath', value: '/full-path-replacement' } }, undefined, 302, 'http://example.com/full-path-replacement?a=1'],
    [{ path: '/q', query: 'x=1&y=2' }, {}, undefined, 302, 'http://example.com/q?x=1&y=2'],
    [{}, { statusCode: 301 }, undefined, 301, 'http://example.com/'],
    [{}, { statusCode: 0 }, undefined, 302, 'http://example.com/'],
    [{ path: '' }, {}, undefined, 302, 'http://example.com/'],
    // no hostname anywhere (HTTP/1.0 without Host): a relative Location
    [{ host: '', path: '/p', query: 'q' }, { scheme: 'https' }, undefined, 302, '/p?q'],
    [{ host: '' }, { hostname: 'h.io' }, undefined, 302, 'http://h.io/'],
  ];
  for (const [r, f, mp, status, want] of table) {
    const got = redirectLocation(req(r), redirect(f), mp);
    assert.deepEqual(got, { status, location: want }, `${JSON.stringify(r)} ${JSON.stringify(f)}`);
  }
});

test('hostWithoutPort', () => {
  const table: Array<[string, string]> = [
    ['a.io:80', 'a.io'],
    ['a.io', 'a.io'],
    ['[::1]:80', '[::1]'],
    ['[::1]', '[::1]'],
    ['::1', '::1'],
    ['', ''],
  ];
  for (const [input, want] of table) assert.equal(hostWithoutPort(input), want, input);
});
