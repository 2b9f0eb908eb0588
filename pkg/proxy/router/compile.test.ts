import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleIR } from '../ir';
import { compileRouter, normalizeHost, type RouteMatch, type Router } from './compile';
import { mkMatch, mkRule, Req, type MatchSpec, type RuleSpec } from './testing';

/** `route` or `route/ruleIndex#matchIndex` when the rule has several matches or routes several rules. */
function label(m: RouteMatch | null): string | null {
  if (m === null) return null;
  const idx = m.rule.matches.indexOf(m.match);
  return idx > 0 ? `${m.rule.route}#${idx}` : m.rule.route;
}

type Case = [host: string, target: string, expect: string | null, method?: string, headers?: Record<string, string>];

interface Scenario {
  name: string;
  rules: RuleIR[];
  cases: Case[];
}

function r(route: string, matches: MatchSpec[] = [], extra: Omit<RuleSpec, 'route' | 'matches'> = {}): RuleIR {
  return mkRule({ route, matches: matches.map(mkMatch), ...extra });
}

function run(s: Scenario, router: Router = compileRouter(s.rules, 'default')): void {
  for (const [host, target, expect, method, headers] of s.cases) {
    const got = label(router.match(new Req(host, target, method ?? 'GET', headers ?? {})));
    assert.equal(got, expect, `${s.name}: ${method ?? 'GET'} ${host}${target} ${JSON.stringify(headers ?? {})}`);
  }
}

const H = 'h.example.io';

const scenarios: Scenario[] = [
  {
    name: 'hostnames: exact > longest wildcard > catch-all; port stripped; case-insensitive',
    rules: [
      r('exact', [], { hostnames: ['foo.example.io'] }),
      r('wild', [], { hostnames: ['*.example.io'] }),
      r('wild-b', [], { hostnames: ['*.b.example.io'] }),
      r('mixed', [], { hostnames: ['Mixed.Example.COM'] }),
      r('ip', [], { hostnames: ['127.0.0.1'] }),
      r('any'),
    ],
    cases: [
      ['foo.example.io', '/', 'exact'],
      ['FOO.Example.IO:8080', '/', 'exact'],
      ['foo.example.io.', '/', 'exact'],
      ['a.example.io', '/', 'wild'],
      ['a.example.io:443', '/', 'wild'],
      ['a.b.example.io', '/', 'wild-b'],
      ['x.a.b.example.io', '/', 'wild-b'],
      ['b.example.io', '/', 'wild'],
      ['example.io', '/', 'any'],
      ['xexample.io', '/', 'any'],
      ['other.net', '/', 'any'],
      ['mixed.example.com', '/', 'mixed'],
      ['MIXED.EXAMPLE.COM:1', '/', 'mixed'],
      ['127.0.0.1:8080', '/', 'ip'],
      ['[::1]:8080', '/', 'any'],
      ['', '/', 'any'],
    ],
  },
  {
    name: 'hostnames: no catch-all means unknown hosts do not match',
    rules: [r('exact', [], { hostnames: ['foo.example.io'] }), r('wild', [], { hostnames: ['*.example.io'] })],
    cases: [
      ['foo.example.io', '/', 'exact'],
      ['bar.example.io', '/x', 'wild'],
      ['example.io', '/', null],
      ['foo.example.org', '/', null],
    ],
  },
  {
    name: 'hostnames: a specific-host route beats a catch-all even with a more specific path; misses fall through',
    rules: [
      r('exact-root', [{ prefix: '/' }], { hostnames: ['foo.example.io'], created: '2024-05-01T00:00:00Z' }),
      r('exact-a', [{ prefix: '/a' }], { hostnames: ['only-a.example.io'] }),
      r('wild-w', [{ prefix: '/w' }], { hostnames: ['*.example.io'] }),
      r('any-exact', [{ exact: '/deep/path' }], { created: '2020-01-01T00:00:00Z' }),
      r('any-root', [{ prefix: '/' }]),
    ],
    cases: [
      ['foo.example.io', '/deep/path', 'exact-root'],
      ['other.net', '/deep/path', 'any-exact'],
      ['only-a.example.io', '/a/x', 'exact-a'],
      ['only-a.example.io', '/w', 'wild-w'],
      ['only-a.example.io', '/deep/path', 'any-exact'],
      ['only-a.example.io', '/zzz', 'any-root'],
      ['z.example.io', '/w/1', 'wild-w'],
      ['z.example.io', '/x', 'any-root'],
    ],
  },
  {
    name: 'hostnames: a rule listing both an exact and a wildcard hostname',
    rules: [r('both', [{ prefix: '/b' }], { hostnames: ['a.example.io', '*.example.io', 'a.example.io'] }), r('any')],
    cases: [
      ['a.example.io', '/b', 'both'],
      ['c.example.io', '/b', 'both'],
      ['a.example.io', '/c', 'any'],
    ],
  },
  {
    name: 'paths: Exact > RegularExpression > longest PathPrefix (trailing / ignored); per-segment prefixes',
    rules: [
      r('exact-foo', [{ exact: '/foo' }], { hostnames: [H], created: '2024-09-01T00:00:00Z' }),
      r('prefix-foo', [{ prefix: '/foo' }], { hostnames: [H] }),
      r('prefix-foo-bar', [{ prefix: '/foo/bar/' }], { hostnames: [H] }),
      r('root', [{ prefix: '/' }], { hostnames: [H] }),
      r('regex', [{ regex: '/zz/[0-9]+' }], { hostnames: [H], created: '2000-01-01T00:00:00Z' }),
      r('exact-two', [{ exact: '/two' }], { hostnames: [H] }),
    ],
    cases: [
      [H, '/zz/42', 'regex'],
      [H, '/zz/x', 'root'],
      [H, '/foo', 'exact-foo'],
      [H, '/foo/', 'prefix-foo'],
      [H, '/foo/x', 'prefix-foo'],
      [H, '/foo/bar', 'prefix-foo-bar'],
      [H, '/foo/bar/', 'prefix-foo-bar'],
      [H, '/foo/bar/baz', 'prefix-foo-bar'],
      [H, '/foo/barista', 'prefix-foo'],
      [H, '/foobar', 'root'],
      [H, '/two', 'exact-two'],
      [H, '/two/', 'root'],
      [H, '/Two', 'root'],
      [H, '/FOO', 'root'],
      [H, '/', 'root'],
    ],
  },
  {
    name: 'paths: a trailing slash does not lengthen a prefix (tie falls to the older route)',
    rules: [
      r('slash', [{ prefix: '/foo/' }], { created: '2024-02-01T00:00:00Z' }),
      r('noslash', [{ prefix: '/foo' }], { created: '2024-01-01T00:00:00Z' }),
    ],
    cases: [
      ['x', '/foo/x', 'noslash'],
      ['x', '/foo', 'noslash'],
      ['x', '/foox', null],
    ],
  },
  {
    name: 'paths: the same tie the other way round',
    rules: [
      r('slash', [{ prefix: '/foo/' }], { created: '2024-01-01T00:00:00Z' }),
      r('noslash', [{ prefix: '/foo' }], { created: '2024-02-01T00:00:00Z' }),
    ],
    cases: [
      ['x', '/foo/x', 'slash'],
      ['x', '/foo', 'slash'],
    ],
  },
  {
    name: 'paths: regular expressions are anchored, come before every prefix (a catch-all cannot hide them), longer pattern first',
    rules: [
      r('api', [{ regex: '/api/v[0-9]+' }]),
      r('alt', [{ regex: '/a|' + '/b' }]),
      r('long', [{ regex: '/img/[a-z]+\\.png' }]),
      r('short', [{ regex: '/img/.*' }]),
      r('prefix-r', [{ prefix: '/r' }], { created: '2000-01-01T00:00:00Z' }),
      r('regex-r', [{ regex: '/r[0-9]+' }]),
      r('catch-all', [{ prefix: '/' }], { created: '2000-01-01T00:00:00Z' }),
    ],
    cases: [
      ['x', '/api/v1', 'api'],
      ['x', '/api/v12', 'api'],
      ['x', '/api/v1/x', 'catch-all'],
      ['x', '/x/api/v1', 'catch-all'],
      ['x', '/a', 'alt'],
      ['x', '/b', 'alt'],
      ['x', '/bc', 'catch-all'],
      ['x', '/ab', 'catch-all'],
      ['x', '/img/cat.png', 'long'],
      ['x', '/img/Cat.png', 'short'],
      ['x', '/r', 'prefix-r'],
      ['x', '/r/s', 'prefix-r'],
      ['x', '/r1', 'regex-r'],
      ['x', '/r12', 'regex-r'],
      ['x', '/rs', 'catch-all'],
    ],
  },
  {
    name: 'method, then header count, then query count',
    rules: [
      r('plain', [{ prefix: '/' }]),
      r('get', [{ prefix: '/', method: 'GET' }]),
      r('h1', [{ prefix: '/', headers: [['x-a', '1']] }]),
      r('h2', [{ prefix: '/', headers: [['x-a', '1'], ['x-b', '2']] }]),
      r('q1', [{ prefix: '/', query: [['q', '1']] }]),
      r('q2', [{ prefix: '/', query: [['q', '1'], ['r', '2']] }]),
      r('get-h1', [{ prefix: '/', method: 'GET', headers: [['x-a', '1']] }]),
      r('long', [{ prefix: '/long' }]),
    ],
    cases: [
      ['x', '/', 'get-h1', 'GET', { 'x-a': '1', 'x-b': '2' }],
      ['x', '/', 'get', 'GET', { 'x-b': '2' }],
      ['x', '/', 'get', 'GET'],
      ['x', '/', 'plain', 'HEAD'],
      ['x', '/', 'plain', 'POST'],
      ['x', '/', 'plain', 'get'],
      ['x', '/', 'h1', 'POST', { 'x-a': '1' }],
      ['x', '/', 'h2', 'POST', { 'x-a': '1', 'x-b': '2' }],
      ['x', '/?q=1', 'q1', 'POST'],
      ['x', '/?r=2&q=1', 'q2', 'POST'],
      ['x', '/?q=1&r=2', 'h1', 'POST', { 'x-a': '1' }],
      ['x', '/long?q=1&r=2', 'long', 'GET', { 'x-a': '1', 'x-b': '2' }],
    ],
  },
  {
    name: 'a method beats any number of headers; headers beat any number of query params',
    rules: [
      r('h3', [{ headers: [['a', '1'], ['b', '1'], ['c', '1']] }]),
      r('m', [{ method: 'PUT' }]),
      r('q3', [{ query: [['a', '1'], ['b', '1'], ['c', '1']] }]),
      r('h1', [{ headers: [['a', '1']] }]),
    ],
    cases: [
      ['x', '/?a=1&b=1&c=1', 'm', 'PUT', { a: '1', b: '1', c: '1' }],
      ['x', '/?a=1&b=1&c=1', 'h3', 'GET', { a: '1', b: '1', c: '1' }],
      ['x', '/?a=1&b=1&c=1', 'h1', 'GET', { a: '1' }],
      ['x', '/?a=1&b=1&c=1', 'q3', 'GET'],
      ['x', '/?a=1&b=1', null, 'GET'],
    ],
  },
  {
    name: 'headers: names case-insensitive, Exact values case-sensitive, RegularExpression full match',
    rules: [
      r('exact', [{ headers: [['X-Version', 'one']] }]),
      r('regex', [{ headers: [['x-build', 'v[0-9]+', 'RegularExpression']] }]),
      r('dup', [{ headers: [['x-dup', 'first'], ['X-Dup', 'second']] }]),
    ],
    cases: [
      ['x', '/', 'exact', 'GET', { 'x-version': 'one' }],
      ['x', '/', 'exact', 'GET', { 'X-VERSION': 'one' }],
      ['x', '/', null, 'GET', { 'x-version': 'ONE' }],
      ['x', '/', null, 'GET', { 'x-version': 'one ' }],
      ['x', '/', 'regex', 'GET', { 'x-build': 'v12' }],
      ['x', '/', null, 'GET', { 'x-build': 'v12a' }],
      ['x', '/', null, 'GET', { 'x-build': 'xv1' }],
      ['x', '/', 'dup', 'GET', { 'x-dup': 'first' }],
      ['x', '/', null, 'GET', { 'x-dup': 'second' }],
      ['x', '/', null, 'GET'],
    ],
  },
  {
    name: 'query params: names case-sensitive, first occurrence, values exact or anchored regex, percent-decoded',
    rules: [
      r('whale', [{ query: [['animal', 'whale']] }]),
      r('dolphin', [{ query: [['animal', 'dolphin']] }]),
      r('dolphin-blue', [{ query: [['animal', 'dolphin'], ['color', 'blue']] }]),
      r('upper', [{ query: [['ANIMAL', 'Whale']] }]),
      r('re', [{ query: [['id', '[0-9]+', 'RegularExpression']] }]),
      r('space', [{ query: [['q', 'a b']] }]),
    ],
    cases: [
      ['x', '/?animal=whale', 'whale'],
      ['x', '/?animal=dolphin', 'dolphin'],
      ['x', '/?animal=dolphin&color=blue', 'dolphin-blue'],
      ['x', '/?color=blue&animal=dolphin', 'dolphin-blue'],
      ['x', '/?animal=dolphin&color=yellow', 'dolphin'],
      ['x', '/?ANIMAL=Whale', 'upper'],
      ['x', '/?Animal=whale', null],
      ['x', '/?animal=Whale', null],
      ['x', '/?animal=whale&otherparam=irrelevant', 'whale'],
      ['x', '/?animal=dolphin&animal=whale', 'dolphin'],
      ['x', '/?color=blue', null],
      ['x', '/?id=42', 're'],
      ['x', '/?id=42x', null],
      ['x', '/?q=a%20b', 'space'],
      ['x', '/?q=a%2', null],
      ['x', '/?&&animal=whale&', 'whale'],
      ['x', '/', null],
    ],
  },
  {
    name: 'tie-breaks: older route, then route name, then rule index, then match index',
    rules: [
      mkRule({ route: 'b-old', created: '2023-01-01T00:00:00Z', matches: [mkMatch({ prefix: '/t1' })] }),
      mkRule({ route: 'a-new', created: '2024-01-01T00:00:00Z', matches: [mkMatch({ prefix: '/t1' })] }),
      mkRule({ route: 'zeta', matches: [mkMatch({ prefix: '/t2' })] }),
      mkRule({ route: 'alpha', matches: [mkMatch({ prefix: '/t2' })] }),
      mkRule({ route: 'same', ruleIndex: 1, matches: [mkMatch({ prefix: '/t3' })] }),
      mkRule({ route: 'same', ruleIndex: 0, matches: [mkMatch({ exact: '/other' }), mkMatch({ prefix: '/t3' })] }),
      mkRule({ route: 'multi', matches: [mkMatch({ exact: '/x' }), mkMatch({ prefix: '/t4' }), mkMatch({ prefix: '/t4' })] }),
      // a timestamp that sorts wrong as a string but right as a time
      mkRule({ route: 'tz-late', created: '2024-01-01T10:00:00+09:00', matches: [mkMatch({ prefix: '/t5' })] }),
      mkRule({ route: 'tz-early', created: '2024-01-01T02:00:00+00:00', matches: [mkMatch({ prefix: '/t5' })] }),
    ],
    cases: [
      ['x', '/t1', 'b-old'],
      ['x', '/t2', 'alpha'],
      ['x', '/t3', 'same#1'],
      ['x', '/t4', 'multi#1'],
      ['x', '/t5', 'tz-late'],
    ],
  },
  {
    name: 'a rule without matches behaves as PathPrefix / and loses to any longer prefix',
    rules: [r('empty', [], { created: '2000-01-01T00:00:00Z' }), r('api', [{ prefix: '/api' }])],
    cases: [
      ['x', '/', 'empty'],
      ['x', '/anything/at/all', 'empty'],
      ['x', '/api/x', 'api'],
    ],
  },
];

for (const s of scenarios) test(`router: ${s.name}`, () => run(s));

test('router: RouteMatch carries the rule, the winning match and the matched prefix', () => {
  const rules = [
    r('p', [{ exact: '/e' }, { prefix: '/pre/' }, { regex: '/re/.*' }]),
    r('root', [{ prefix: '/' }], { hostnames: ['root.io'] }),
    r('empty', [], { hostnames: ['empty.io'] }),
  ];
  const router = compileRouter(rules, 'default');
  const table: Array<[string, string, number, string | undefined]> = [
    ['x', '/e', 0, undefined],
    ['x', '/pre/x', 1, '/pre'],
    ['x', '/pre', 1, '/pre'],
    ['x', '/re/x', 2, undefined],
    ['root.io', '/a/b', 0, ''],
  ];
  for (const [host, path, idx, prefix] of table) {
    const m = router.match(new Req(host, path));
    assert.ok(m, `${host}${path}`);
    assert.equal(m.rule, rules[host === 'root.io' ? 1 : 0]);
    assert.equal(m.match, m.rule.matches[idx]);
    assert.equal(m.matchedPrefix, prefix, `${host}${path}`);
  }
  const e = router.match(new Req('empty.io', '/z'));
  assert.ok(e);
  assert.equal(e.rule, rules[2]);
  assert.deepEqual(e.match.path, { type: 'PathPrefix', value: '/' });
  assert.equal(e.matchedPrefix, '');
  // results are precomputed: the same object for every request
  assert.equal(router.match(new Req('x', '/pre/1')), router.match(new Req('x', '/pre/2')));
});

test('router: only rules attached to the listener are compiled', () => {
  const rules = [
    r('default-only', [{ prefix: '/' }]),
    r('gw', [{ prefix: '/gw' }], { listeners: ['gw/a'] }),
    r('both', [{ prefix: '/both' }], { listeners: ['default', 'gw/a'] }),
    r('nowhere', [{ prefix: '/nowhere' }], { listeners: [] }),
  ];
  const table: Array<[string, string, string | null]> = [
    ['default', '/gw', 'default-only'],
    ['default', '/both', 'both'],
    ['default', '/nowhere', 'default-only'],
    ['gw/a', '/gw/x', 'gw'],
    ['gw/a', '/both', 'both'],
    ['gw/a', '/', null],
    ['other', '/', null],
  ];
  for (const [listener, path, want] of table) {
    assert.equal(label(compileRouter(rules, listener).match(new Req('h', path))), want, `${listener} ${path}`);
  }
  assert.equal(compileRouter(rules, 'gw/a').size, 2);
});

test('router: rules with `invalid` still match (the data plane answers their status)', () => {
  const rules = [
    r('broken', [{ prefix: '/b' }], { invalid: { status: 500, reason: 'BackendNotFound' } }),
    r('ok', [{ prefix: '/' }]),
  ];
  const m = compileRouter(rules, 'default').match(new Req('x', '/b/1'));
  assert.ok(m);
  assert.equal(m.rule.route, 'broken');
  assert.deepEqual(m.rule.invalid, { status: 500, reason: 'BackendNotFound' });
});

test('router: a regular expression that does not compile never matches and is reported', () => {
  const rules = [
    r('bad-path', [{ regex: '/(' }, { prefix: '/fine' }]),
    r('bad-header', [{ headers: [['x', '(', 'RegularExpression']] }]),
  ];
  const router = compileRouter(rules, 'default');
  assert.equal(router.warnings.length, 2);
  assert.match(router.warnings[0], /route\/bad-path\/rule\/0 match 0/);
  assert.equal(router.size, 1);
  assert.equal(label(router.match(new Req('x', '/fine'))), 'bad-path#1');
  assert.equal(router.match(new Req('x', '/(', 'GET', { x: '(' })), null);
});

test('router: empty rule list and odd request paths', () => {
  assert.equal(compileRouter([], 'default').match(new Req('x', '/')), null);
  const router = compileRouter([r('root', [{ prefix: '/' }]), r('star', [{ exact: '*' }])], 'default');
  assert.equal(label(router.match(new Req('x', '*', 'OPTIONS'))), 'star');
  assert.equal(label(router.match(new Req('x', '//double'))), 'root');
  assert.equal(label(router.match(new Req('x', ''))), 'root');
});

test('normalizeHost strips ports and one trailing dot and lower-cases', () => {
  const table: Array<[string, string]> = [
    ['Example.COM', 'example.com'],
    ['example.com:8080', 'example.com'],
    ['example.com.', 'example.com'],
    ['example.com.:80', 'example.com'],
    ['[::1]:8080', '[::1]'],
    ['[::1]', '[::1]'],
    ['::1', '::1'],
    ['10.0.0.1:80', '10.0.0.1'],
    ['', ''],
  ];
  for (const [input, want] of table) assert.equal(normalizeHost(input), want, input);
});

// ---- the first-segment index must never change an answer: compare with a naive reference ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The spec, executed naively: every entry of every matching hostname group, sorted, first hit. */
function reference(rules: RuleIR[], req: Req): string | null {
  const host = normalizeHost(req.host);
  const groups: Array<(r: RuleIR) => boolean> = [(r) => r.hostnames.includes(host)];
  const labels = host.split('.');
  for (let i = 1; i < labels.length; i++) {
    const w = '*.' + labels.slice(i).join('.');
    groups.push((r) => r.hostnames.includes(w));
  }
  groups.push((r) => r.hostnames.length === 0);
  for (const g of groups) {
    const cands: Array<{ r: RuleIR; i: number; key: number[]; name: string }> = [];
    for (const rule of rules) {
      if (!g(rule)) continue;
      rule.matches.forEach((m, i) => {
        const p = m.path;
        let ok: boolean;
        let kind: number;
        let len = 0;
        if (p.type === 'Exact') {
          ok = req.path === p.value;
          kind = 0;
        } else if (p.type === 'PathPrefix') {
          const v = p.value.endsWith('/') ? p.value.slice(0, -1) : p.value;
          ok = req.path === v || req.path.startsWith(v + '/');
          kind = 2;
          len = v.length;
        } else {
          ok = new RegExp(`^(?:${p.value})$`).test(req.path);
          kind = 1;
          len = p.value.length;
        }
        if (m.method && m.method !== req.method) ok = false;
        for (const h of m.headers) if (req.header(h.name) !== h.value) ok = false;
        const params = new URLSearchParams(req.query);
        for (const q of m.queryParams) if (params.get(q.name) !== q.value) ok = false;
        if (!ok) return;
        const key = [kind, -len, m.method ? 0 : 1, -m.headers.length, -m.queryParams.length, Date.parse(rule.routeCreated)];
        cands.push({ r: rule, i, key, name: rule.route });
      });
    }
    cands.sort((a, b) => {
      for (let k = 0; k < a.key.length; k++) if (a.key[k] !== b.key[k]) return a.key[k] - b.key[k];
      if (a.name !== b.name) return a.name < b.name ? -1 : 1;
      return a.r.ruleIndex - b.r.ruleIndex || a.i - b.i;
    });
    if (cands.length > 0) return `${cands[0].r.route}#${cands[0].i}`;
  }
  return null;
}

/** patterns with and without a literal prefix the index can key them by (regex.ts literalPrefix) */
const REGEXES = ['/a.*', '/api/v[12]/.*', '/api/v1/b?', '/a/b|/c/.*', '/api/(v1|v2)', '/(api|a)/.*', '/a/c/?', '/v1\\.?/x', '/a/[b]/.*', '.*/api/.*', '/api/v1/c+'];

test('router: the path index and hostname groups agree with a naive reference implementation', () => {
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const segs = ['a', 'b', 'c', 'api', 'v1', 'v2', ''];
  const hosts = ['a.example.io', 'b.example.io', 'x.a.example.io', 'example.io', 'other.net'];
  const routeHosts = [[], [], ['a.example.io'], ['*.example.io'], ['*.a.example.io'], ['other.net', 'b.example.io']];
  const randPath = (): string => {
    const n = 1 + Math.floor(rand() * 4);
    let p = '';
    for (let i = 0; i < n; i++) p += '/' + pick(segs);
    return p;
  };
  let hits = 0;
  let total = 0;
  for (let round = 0; round < 40; round++) {
    const rules: RuleIR[] = [];
    const nRoutes = 5 + Math.floor(rand() * 40);
    for (let i = 0; i < nRoutes; i++) {
      const matches = [];
      const nm = 1 + Math.floor(rand() * 3);
      for (let j = 0; j < nm; j++) {
        const t = rand();
        const spec: MatchSpec = t < 0.3 ? { exact: randPath() + (rand() < 0.2 ? '/' : '') } : t < 0.9 ? { prefix: randPath() + (rand() < 0.2 ? '/' : '') } : { regex: pick(REGEXES) };
        if (rand() < 0.2) spec.method = pick(['GET', 'POST']);
        if (rand() < 0.2) spec.headers = [['x-h', pick(['1', '2'])]];
        if (rand() < 0.2) spec.query = [['q', pick(['1', '2'])]];
        matches.push(mkMatch(spec));
      }
      rules.push(
        mkRule({
          route: `r${Math.floor(rand() * 1000)}`,
          ruleIndex: i,
          created: `2024-01-0${1 + Math.floor(rand() * 3)}T00:00:00Z`,
          hostnames: pick(routeHosts),
          matches,
        }),
      );
    }
    const router = compileRouter(rules, 'default');
    for (let k = 0; k < 300; k++) {
      const headers: Record<string, string> = rand() < 0.5 ? { 'x-h': pick(['1', '2']) } : {};
      const target = randPath() + (rand() < 0.5 ? '' : '/') + (rand() < 0.4 ? `?q=${pick(['1', '2'])}` : '');
      const req = new Req(pick(hosts), target, pick(['GET', 'POST']), headers);
      const m = router.match(req);
      const got = m === null ? null : `${m.rule.route}#${m.rule.matches.indexOf(m.match)}`;
      total++;
      if (got !== null) hits++;
      assert.equal(got, reference(rules, req), `round ${round}: ${req.method} ${req.host}${target} ${JSON.stringify(headers)}`);
    }
  }
  // the comparison is not vacuous: most requests match something (about 60%), many do not
  assert.ok(hits > total * 0.4 && hits < total * 0.95, `hits ${hits} of ${total}`);
});
