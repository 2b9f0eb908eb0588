// One row per "What the Gateway API conformance suite is strict about" bullet of DESIGN.md that the
// router or the filters decide. Not decided here (and so not in this table): 503 for unhealthy or
// saturated endpoints (balancer), `timeouts.request` 504 / `0s` (data plane), retry counting and
// passing the upstream's last answer (resilience), status.parents conditions (controller).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderModIR, RuleIR } from '../ir';
import { compileRouter } from './compile';
import { mkMatch, mkRule, Req, type MatchSpec } from './testing';
import { modifyHeaders } from '../filters/headers';
import { redirectLocation, type RedirectRequest, type RequestRedirectFilter } from '../filters/redirect';
import { appendForwarded, stripHopByHop } from '../filters/hop_by_hop';

type RouteCase = [host: string, target: string, want: string | null, method?: string, headers?: Record<string, string>];

type Row =
  | { bullet: string; kind: 'route'; rules: RuleIR[]; listener?: string; cases: RouteCase[] }
  | { bullet: string; kind: 'headers'; raw: string[]; mod: Partial<HeaderModIR>; want: string[] }
  | { bullet: string; kind: 'redirect'; req: RedirectRequest; filter: Partial<RequestRedirectFilter>; want: string }
  | { bullet: string; kind: 'upstream-host'; raw: string[]; upgrade: boolean };

const rule = (route: string, matches: MatchSpec[], extra: Partial<Parameters<typeof mkRule>[0]> = {}): RuleIR =>
  mkRule({ route, matches: matches.map(mkMatch), ...extra });

const OLD = '2020-01-01T00:00:00Z';

const rows: Row[] = [
  {
    bullet: 'Exact beats any prefix',
    kind: 'route',
    rules: [rule('prefix-long', [{ prefix: '/exact/path' }], { created: OLD }), rule('exact', [{ exact: '/exact/path' }])],
    cases: [
      ['h', '/exact/path', 'exact'],
      ['h', '/exact/path/x', 'prefix-long'],
    ],
  },
  {
    bullet: 'among prefixes the longest wins, a trailing `/` ignored',
    kind: 'route',
    rules: [
      rule('root', [{ prefix: '/' }], { created: OLD }),
      rule('v2', [{ prefix: '/v2' }], { created: OLD }),
      rule('v2-example-slash', [{ prefix: '/v2/example/' }]),
      rule('v2-slash-newer', [{ prefix: '/v2/' }], { created: '2030-01-01T00:00:00Z' }),
    ],
    cases: [
      ['h', '/v2/example', 'v2-example-slash'],
      ['h', '/v2/example/x', 'v2-example-slash'],
      ['h', '/v2/x', 'v2'],
      ['h', '/x', 'root'],
    ],
  },
  {
    bullet: 'then method',
    kind: 'route',
    rules: [rule('any-method', [{ prefix: '/m' }], { created: OLD }), rule('post', [{ prefix: '/m', method: 'POST' }])],
    cases: [
      ['h', '/m', 'post', 'POST'],
      ['h', '/m', 'any-method', 'GET'],
    ],
  },
  {
    bullet: 'then most header matches',
    kind: 'route',
    rules: [
      rule('one', [{ headers: [['version', 'two']] }], { created: OLD }),
      rule('two', [{ headers: [['version', 'two'], ['color', 'orange']] }]),
      rule('root', [{ prefix: '/' }], { created: OLD }),
    ],
    cases: [
      ['h', '/', 'two', 'GET', { version: 'two', color: 'orange' }],
      ['h', '/', 'one', 'GET', { version: 'two' }],
      ['h', '/', 'root', 'GET', { version: 'one' }],
    ],
  },
  {
    bullet: 'then most query matches',
    kind: 'route',
    rules: [
      rule('dolphin', [{ query: [['animal', 'dolphin']] }], { created: OLD }),
      rule('dolphin-blue', [{ query: [['animal', 'dolphin'], ['color', 'blue']] }]),
    ],
    cases: [
      ['h', '/?animal=dolphin&color=blue', 'dolphin-blue'],
      ['h', '/?animal=dolphin&color=yellow', 'dolphin'],
    ],
  },
  {
    bullet: 'PathPrefix is per path segment (`/v2` matches `/v2` and `/v2/x`, never `/v2example`)',
    kind: 'route',
    rules: [rule('v2', [{ prefix: '/v2' }]), rule('root', [{ prefix: '/' }])],
    cases: [
      ['h', '/v2', 'v2'],
      ['h', '/v2/', 'v2'],
      ['h', '/v2/x', 'v2'],
      ['h', '/v2example', 'root'],
    ],
  },
  {
    bullet: 'Exact `/two` matches neither `/two/` nor `/Two`',
    kind: 'route',
    rules: [rule('two', [{ exact: '/two' }])],
    cases: [
      ['h', '/two', 'two'],
      ['h', '/two/', null],
      ['h', '/Two', null],
    ],
  },
  {
    bullet: '`HEAD` does not match `method: GET`',
    kind: 'route',
    rules: [rule('get', [{ method: 'GET' }])],
    cases: [
      ['h', '/', 'get', 'GET'],
      ['h', '/', null, 'HEAD'],
    ],
  },
  {
    bullet: 'query parameter names are case-sensitive',
    kind: 'route',
    rules: [rule('lower', [{ query: [['animal', 'whale']] }]), rule('upper', [{ query: [['ANIMAL', 'Whale']] }])],
    cases: [
      ['h', '/?animal=whale', 'lower'],
      ['h', '/?ANIMAL=Whale', 'upper'],
      ['h', '/?Animal=whale', null],
      ['h', '/?ANIMAL=whale', null],
    ],
  },
  {
    bullet: '`*.example.io` matches `a.b.example.io` but not `example.io`',
    kind: 'route',
    rules: [rule('wild', [], { hostnames: ['*.example.io'] })],
    cases: [
      ['a.example.io', '/', 'wild'],
      ['a.b.example.io', '/', 'wild'],
      ['A.B.Example.IO:8080', '/', 'wild'],
      ['example.io', '/', null],
    ],
  },
  {
    bullet: 'a route without parentRefs is served on `--proxy-listen` (listener `default`)',
    kind: 'route',
    listener: 'default',
    rules: [rule('no-parent', [{ prefix: '/' }], { listeners: ['default'] }), rule('gw-only', [{ prefix: '/gw' }], { listeners: ['gateway/gw/http'] })],
    cases: [
      ['h', '/', 'no-parent'],
      ['h', '/gw', 'no-parent'],
    ],
  },
  {
    bullet: 'a backendRef to a missing Backend / unknown kind / no backendRefs: matching requests get 500 (the rule still matches)',
    kind: 'route',
    rules: [
      rule('missing-backend', [{ prefix: '/missing' }], { invalid: { status: 500, reason: 'BackendNotFound' } }),
      rule('catch-all', [{ prefix: '/' }], { created: OLD }),
    ],
    cases: [
      ['h', '/missing/x', 'missing-backend'],
      ['h', '/other', 'catch-all'],
    ],
  },
  {
    bullet: 'an unresolved ExtensionRef filter is never skipped (500), even with a lower-precedence rule that would match',
    kind: 'route',
    rules: [
      rule('edge-fn', [{ prefix: '/fn' }], { invalid: { status: 500, reason: 'UnsupportedValue' } }),
      rule('fallback', [{ prefix: '/' }], { created: OLD }),
    ],
    cases: [['h', '/fn', 'edge-fn']],
  },
  {
    bullet: 'the Host header reaches the upstream unchanged, port included (hop-by-hop stripping, X-Forwarded-*)',
    kind: 'upstream-host',
    raw: ['Host', 'Example.COM:8080', 'Connection', 'Host, keep-alive'],
    upgrade: false,
  },
  {
    bullet: 'the Host header reaches the upstream unchanged on an upgrade request too',
    kind: 'upstream-host',
    raw: ['Host', 'ws.example.com:8443', 'Connection', 'Upgrade', 'Upgrade', 'websocket'],
    upgrade: true,
  },
  {
    bullet: 'RequestHeaderModifier `add` appends to an existing value with a bare comma (`a,b`), not `, `',
    kind: 'headers',
    raw: ['Host', 'h', 'X-Header-Add-Append', 'a'],
    mod: { add: [{ name: 'x-header-add-append', value: 'b' }] },
    want: ['Host', 'h', 'X-Header-Add-Append', 'a,b'],
  },
  {
    bullet: '`set` replaces',
    kind: 'headers',
    raw: ['X-Header-Set', 'one', 'x-header-set', 'two'],
    mod: { set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }] },
    want: ['X-Header-Set', 'set-overwrites-values'],
  },
  {
    bullet: '`remove` removes',
    kind: 'headers',
    raw: ['X-Header-Remove', 'one', 'Keep', 'k', 'x-header-remove', 'two'],
    mod: { remove: ['X-Header-Remove'] },
    want: ['Keep', 'k'],
  },
  {
    bullet: 'a redirect that sets neither scheme nor port keeps the listener\'s port in `Location`',
    kind: 'redirect',
    req: { scheme: 'http', host: 'example.com:8080', path: '/scheme-nil-and-port-nil', query: '', listenerPort: 8080 },
    filter: { hostname: 'example.org' },
    want: 'http://example.org:8080/scheme-nil-and-port-nil',
  },
  {
    bullet: 'a redirect that sets the scheme (and no port) uses the scheme\'s well-known port, left out of `Location`',
    kind: 'redirect',
    req: { scheme: 'http', host: 'example.com:8080', path: '/scheme-https-and-port-nil', query: '', listenerPort: 8080 },
    filter: { hostname: 'example.org', scheme: 'https' },
    want: 'https://example.org/scheme-https-and-port-nil',
  },
];

for (const row of rows) {
  test(`Gateway API strictness: ${row.bullet}`, () => {
    switch (row.kind) {
      case 'route': {
        const router = compileRouter(row.rules, row.listener ?? 'default');
        for (const [host, target, want, method, headers] of row.cases) {
          const m = router.match(new Req(host, target, method ?? 'GET', headers ?? {}));
          assert.equal(m === null ? null : m.rule.route, want, `${method ?? 'GET'} ${host}${target}`);
          if (m !== null && m.rule.invalid) assert.equal(m.rule.invalid.status, 500);
        }
        break;
      }
      case 'headers': {
        const mod: HeaderModIR = { set: row.mod.set ?? [], add: row.mod.add ?? [], remove: row.mod.remove ?? [] };
        assert.deepEqual(modifyHeaders(row.raw, mod), row.want);
        break;
      }
      case 'redirect': {
        const f: RequestRedirectFilter = { type: 'RequestRedirect', statusCode: 302, ...row.filter };
        assert.deepEqual(redirectLocation(row.req, f), { status: 302, location: row.want });
        break;
      }
      case 'upstream-host': {
        const host = row.raw[row.raw.findIndex((n, i) => i % 2 === 0 && n.toLowerCase() === 'host') + 1];
        const out = appendForwarded(stripHopByHop(row.raw, row.upgrade), '10.0.0.1', 'http', host);
        const hosts = out.filter((_, i) => i % 2 === 1 && out[i - 1].toLowerCase() === 'host');
        assert.deepEqual(hosts, [host]);
        // no header modifier touches Host unless asked to
        const modded = modifyHeaders(out, { set: [{ name: 'X-A', value: '1' }], add: [{ name: 'X-B', value: '2' }], remove: ['x-c'] });
        assert.equal(modded[modded.findIndex((n) => n === 'Host') + 1], host);
        break;
      }
    }
  });
}
