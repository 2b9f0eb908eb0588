// Thousands of generated malformed requests against the real apiserver: bad JSON/YAML, wrong types
// everywhere, hostile names, bad query parameters, unknown fields under Strict, random patches of
// every type, unknown paths and methods. Every answer must be a 4xx (random patches may also
// succeed) with a JSON metav1.Status body — never a 5xx; the server must stay up, and the store
// must hold exactly the objects whose creates succeeded, each one still valid.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, HTTPROUTES, backend, startServer, type Answer, type ReqOptions, type TestServer } from './lib';

const PROXIES = '/apis/core.apoxy.dev/v1alpha2/proxies';
const SEED = Number(process.env.HOSTILE_SEED ?? 20240601);
const TOTAL = Number(process.env.HOSTILE_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.HOSTILE_CONCURRENCY ?? 16);
const REQUEST_TIMEOUT_MS = 10_000;
/** HOSTILE_DEBUG=1: print slow and failed requests as they happen */
const DEBUG = !!process.env.HOSTILE_DEBUG;

/** mulberry32: a small seeded PRNG so a failure can be replayed with HOSTILE_SEED */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

type Expect = '4xx' | 'any';

interface Case {
  what: string;
  method: string;
  path: string;
  opts: ReqOptions;
  expect: Expect;
  /** a successful answer creates this object */
  creates?: string;
}

const r = prng(SEED);

const WEIRD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -0, '', ' ', 'x', '\u0000', '💥', 'a'.repeat(5000), [], [null], [1, 'a'], {}, { a: 1 }, { '': '' },
  { __proto__: { polluted: true } }, [[[[]]]], 'NaN', '1e999', 'true',
];

/** invalid for every kind (Backend names allow more than DNS-1123, but never these) */
const BAD_NAMES = [
  'a'.repeat(254), 'b'.repeat(10_000), 'a/b', '..', '.', 'a%2Fb', '%', '%zz', 'x\u0001y', 'tab\tname', 'new\nline', ' lead', 'trail ',
  'a\u0000b', '../../etc/passwd', 'a'.repeat(253) + '💥', 'del\u007f', 'nb\u00a0sp',
];
/** not DNS-1123: refused for routes and proxies, accepted (with a Warning) for Backends */
const ODD_NAMES = ['Ünïcödé', '💥', 'CON', '-', 'back\\slash', 'q?x=1', 'h#frag', 'Upper', 'under_score', 'a..b'];

const DEEP = '"__DEEP__"';
/** JSON text nested `depth` levels (built as text: JSON.stringify itself overflows on such depths) */
function deepText(depth: number, asArray = false): string {
  return asArray ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function randomJSON(depth = 0): unknown {
  const k = r.int(depth > 3 ? 5 : 8);
  switch (k) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.int(2 ** 31) - 2 ** 30;
    case 3: return r.pick(['', 'tls', 'h2', 'x'.repeat(r.int(300)), '10.0.0.1', 'a.example.com', '-1', '\u0000']);
    case 4: return r.next() * 1e6;
    case 5: return Array.from({ length: r.int(4) }, () => randomJSON(depth + 1));
    default: {
      const keys = ['spec', 'metadata', 'status', 'endpoints', 'protocol', 'ip', 'fqdn', 'port', 'weight', 'labels', 'annotations', 'name', 'resourceVersion', 'finalizers', 'dynamicProxy', 'kind', 'apiVersion', 'x'];
      const o: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) o[r.pick(keys)] = randomJSON(depth + 1);
      return o;
    }
  }
}

function randomPointer(): string {
  const segs = ['spec', 'metadata', 'status', 'endpoints', '0', '1', '-', 'protocol', 'labels', 'annotations', 'name', 'uid', 'resourceVersion', 'finalizers', '~1', '~0', '', 'x~2y', 'managedFields', 'generation', 'creationTimestamp'];
  return r.next() < 0.05 ? r.pick(['', 'noslash', '/', '//']) : '/' + Array.from({ length: 1 + r.int(4) }, () => r.pick(segs)).join('/');
}

function randomJsonPatch(): unknown {
  if (r.next() < 0.15) return r.pick<unknown>([{}, 'x', 1, null, [1], [{}], [{ op: 'nope', path: '/spec' }], [{ op: 'add' }], [{ op: 'add', path: '/spec/x' }], [{ op: 'move', from: '/nope', path: '/spec/a' }]]);
  const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test'];
  return Array.from({ length: 1 + r.int(4) }, () => {
    const op = r.pick(ops);
    const o: Record<string, unknown> = { op, path: randomPointer() };
    if (op === 'move' || op === 'copy') o.from = randomPointer();
    if (op !== 'remove' && op !== 'move' && op !== 'copy') o.value = randomJSON();
    return o;
  });
}

function randomYaml(): string {
  return r.pick([
    'a: [b',
    'spec: !!binary ZZZ',
    '- 1\n- 2',
    'apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata: {name: target}\nspec: {endpoints: {ip: 1}}',
    'a: &a [*a]',
    'a: &x ["lol","lol"]\nb: &y [*x,*x,*x,*x,*x,*x,*x,*x,*x]\nc: &z [*y,*y,*y,*y,*y,*y,*y,*y,*y]\nd: [*z,*z,*z,*z,*z,*z,*z,*z,*z]\ne: [*z,*z,*z,*z,*z,*z,*z,*z,*z]',
    '---\na: 1\n---\nb: 2',
    '\t- tab',
    'a: 1\na: 2',
    'metadata:\n  name: target\n  labels: {a: [1]}',
    '? [complex]\n: key',
    '%YAML 9.9\n---\na: 1',
    'spec: ' + '['.repeat(3000),
    '"unterminated',
    '!!python/object:os.system ["ls"]',
    'metadata: {name: target}\nspec: {protocol: ' + 'x'.repeat(1000) + '}',
    JSON.stringify({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'target', managedFields: [{}] }, spec: {} }),
  ]);
}

/** A Backend body with one thing wrong in it. */
function wrongBackend(i: number): { raw: string; name: string; expect: Expect } {
  let depth = 0;
  let deepArray = false;
  const deep = (d: number, arr = false) => ((depth = d), (deepArray = arr), '__DEEP__');
  const name = `bad-${i}`;
  const b = backend(name, { endpoints: [{ ip: '10.0.0.1', port: 80 }], protocol: 'tls' }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const mutations: Array<() => void> = [
    () => (b.spec = 'a string'),
    () => (b.spec = [1, 2]),
    () => (b.spec.endpoints = { ip: '10.0.0.1' }),
    () => (b.spec.endpoints = 'x'),
    () => (b.spec.endpoints[0].port = '80'),
    () => (b.spec.endpoints[0].port = 70000),
    () => (b.spec.endpoints[0].port = -5),
    () => (b.spec.endpoints[0].port = 1.5),
    () => (b.spec.endpoints[0].weight = 'heavy'),
    () => (b.spec.endpoints[0] = null),
    () => (b.spec.endpoints[0] = 'ip'),
    () => (b.spec.endpoints[0] = { ip: '10.0.0.1', fqdn: 'a.example.com' }),
    () => (b.spec.endpoints[0] = {}),
    () => (b.spec.endpoints[0].ip = '999.1.1.1'),
    () => (b.spec.endpoints[0].ip = 12345),
    () => (b.spec.endpoints[0] = { fqdn: '-bad-.example..com' }),
    () => (b.spec.endpoints[0] = { fqdn: 'a'.repeat(300) }),
    () => (b.spec.protocol = 'quic'),
    () => (b.spec.protocol = 5),
    () => (b.spec.protocol = ['tls']),
    () => (b.spec.dynamicProxy = []),
    () => (b.spec.dynamicProxy = { dnsCacheConfig: { dnsRefreshRate: 'soon' } }),
    () => (b.spec.dynamicProxy = { dnsCacheConfig: { dnsLookupFamily: 'v5_only' } }),
    () => (b.spec.dynamicProxy = { dnsCacheConfig: { maxHosts: -1 } }),
    () => (b.spec.dynamicProxy = { dnsCacheConfig: { dnsMinRefreshRate: '1ms' } }),
    () => (b.spec.dynamicProxy = { dnsCacheConfig: 'fast' }),
    () => (b.metadata = []),
    () => (b.metadata = 'name'),
    () => (b.metadata = 7),
    () => (b.metadata.name = 42),
    () => (b.metadata.name = ['a']),
    () => (b.metadata.labels = { a: 1 }),
    () => (b.metadata.labels = { a: { b: 'c' } } as never),
    () => (b.metadata.labels = ['a=b']),
    () => (b.metadata.labels = { 'bad key!': 'v' }),
    () => (b.metadata.labels = { a: 'x'.repeat(64) }),
    () => (b.metadata.labels = { a: 'bad value!' }),
    () => (b.metadata.annotations = { a: 5 }),
    () => (b.metadata.annotations = { 'x/y/z': 'v' }),
    () => (b.metadata.finalizers = 'one'),
    () => (b.metadata.finalizers = [1]),
    () => (b.metadata.finalizers = ['not a qualified name!']),
    () => (b.metadata.generation = 'one'),
    () => (b.metadata.managedFields = 'x'),
    () => (b.metadata.ownerReferences = {}),
    () => (b.metadata.uid = 5),
    () => (b.metadata.creationTimestamp = 5),
    () => (b.metadata.resourceVersion = 12),
    () => (b.apiVersion = 'core.apoxy.dev/v9'),
    () => (b.apiVersion = 5),
    () => (b.kind = 'Pod'),
    () => (b.kind = ['Backend']),
    () => (b.spec.loadBalancer = { algorithm: 'magic' }),
    () => (b.spec.loadBalancer = { algorithm: 'consistent-hash', hashOn: 'moon' }),
    () => (b.spec.healthCheck = { active: { interval: 'often' } }),
    () => (b.spec.healthCheck = { active: { healthyThreshold: 0 } }),
    () => (b.spec.circuitBreaker = { maxConnections: 'many' }),
    () => (b.spec.endpoints = deep(3000, true)),
    () => (b.metadata.labels = deep(2000) as never),
    () => (b.metadata.annotations = deep(5000) as never),
    () => (b.spec.dynamicProxy = { dnsCacheConfig: {} }) && (b.spec.endpoints = [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }]),
  ];
  // under the default fieldValidation=Warn, unknown fields are dropped: these may be created
  const maybeValid: Array<() => void> = [
    () => (b.spec = deep(3000)),
    () => (b.spec.endpoints[0].extra = deep(3000, true)),
    () => (b.spec.endpoints = Array.from({ length: 5000 }, (_, j) => ({ ip: `10.0.${j >> 8}.${j & 255}` }))),
    () => (b.spec.protocol = 'H2C'),
    () => (b.metadata.generation = -3), // the server sets generation on create, as kube does
  ];
  const text = () => (depth ? JSON.stringify(b).replace(DEEP, deepText(depth, deepArray)) : JSON.stringify(b));
  if (r.next() < 0.1) {
    r.pick(maybeValid)();
    return { raw: text(), name, expect: 'any' };
  }
  r.pick(mutations)();
  return { raw: text(), name, expect: '4xx' };
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const add = (c: Case) => cases.push(c);
  const gens: Array<(i: number) => void> = [
    // malformed JSON bodies
    (i) => add({
      what: 'bad JSON',
      method: r.pick(['POST', 'PUT']),
      path: r.pick([BACKENDS, `${BACKENDS}/target`, HTTPROUTES, PROXIES]),
      opts: { raw: r.pick(['{', '{"a":', '[1,2', 'nul', '{"metadata":{"name":"x"}', '\uFEFF{}', '{"a":1}}', "{'a':1}", '{"a":NaN}', '{"a":01}', '\u0000', 'x'.repeat(r.int(100)), '[' .repeat(100_000), '{"a":"\\ud800"}x', '']), contentType: r.pick(['application/json', 'application/json; charset=utf-8', '']) },
      expect: '4xx',
      creates: undefined,
    }),
    // "__proto__" keys (JSON.parse makes them own properties; assignment would not)
    (i) => add({
      what: '__proto__ keys',
      method: r.pick(['POST', 'PATCH']),
      path: `${BACKENDS}/target`,
      opts: { raw: r.pick(['{"__proto__":{"kind":"Pod"}}', '{"metadata":{"__proto__":{"deletionTimestamp":"2020-01-01T00:00:00Z"}}}', '{"spec":{"__proto__":{"protocol":"quic"}}}', '{"metadata":{"labels":{"__proto__":"x"}}}']), contentType: 'application/merge-patch+json' },
      expect: 'any',
    }),
    // JSON that parses but is not an object of the right kind
    (i) => add({ what: 'not an object', method: 'POST', path: BACKENDS, opts: { body: r.pick(WEIRD_VALUES) }, expect: '4xx' }),
    // malformed YAML
    () => add({ what: 'bad YAML', method: r.pick(['POST', 'PUT']), path: r.pick([BACKENDS, `${BACKENDS}/target`]), opts: { raw: randomYaml(), contentType: r.pick(['application/yaml', 'application/x-yaml', 'text/yaml']) }, expect: '4xx' }),
    // a Backend with one wrong thing in it
    (i) => {
      const { raw, name, expect } = wrongBackend(i);
      add({ what: 'wrong types', method: 'POST', path: BACKENDS, opts: { raw }, expect, creates: name });
    },
    // PUT of a wrong Backend over a real one
    (i) => {
      const { raw } = wrongBackend(i);
      add({ what: 'wrong types (PUT)', method: 'PUT', path: `${BACKENDS}/target`, opts: { raw: raw.replace(`"name":"bad-${i}"`, '"name":"target"') }, expect: '4xx' });
    },
    // hostile names, in the body and in the URL
    () => {
      const name = r.pick(BAD_NAMES);
      add({ what: `bad name in body ${JSON.stringify(name.slice(0, 20))}`, method: 'POST', path: r.pick([BACKENDS, HTTPROUTES, PROXIES]), opts: { body: { ...backend(name), kind: undefined, apiVersion: undefined } }, expect: '4xx', creates: name });
    },
    () => {
      const name = `${r.pick(ODD_NAMES)}${r.int(1e6)}`;
      const coll = r.pick([BACKENDS, HTTPROUTES, PROXIES]);
      add({ what: `odd name in body ${JSON.stringify(name)}`, method: 'POST', path: coll, opts: { body: { ...backend(name), kind: undefined, apiVersion: undefined, spec: coll === BACKENDS ? { endpoints: [] } : {} } }, expect: coll === BACKENDS ? 'any' : '4xx', creates: name });
    },
    () => {
      const name = r.pick(BAD_NAMES);
      // dots encoded: a client's URL parser would otherwise resolve "." and ".." before sending
      const enc = (r.next() < 0.5 ? encodeURIComponent(name) : name.replace(/[^\x21-\x7e]|[#?]/gu, (c) => encodeURIComponent(c))).replace(/^\.\.?$/, (d) => d.replace(/\./g, '%2E'));
      add({ what: `bad name in URL ${JSON.stringify(name.slice(0, 20))}`, method: r.pick(['GET', 'PUT', 'PATCH', 'DELETE']), path: `${r.pick([BACKENDS, HTTPROUTES])}/${enc}`, opts: { body: backend(name), contentType: 'application/merge-patch+json' }, expect: '4xx' });
    },
    // bad query parameters
    () => {
      const q = r.pick([
        'labelSelector=' + encodeURIComponent(r.pick(['a in (', '=x', '!', 'a b', 'a==b==c', 'A/B=c', 'a>b', ',', 'a,', '(', 'a in (b', 'x'.repeat(70) + '=1', 'a=' + 'v'.repeat(70)])),
        'fieldSelector=' + encodeURIComponent(r.pick(['spec.nope=1', 'metadata.name', 'metadata.name~x', '=x', 'metadata.uid=1'])),
        'continue=' + encodeURIComponent(r.pick(['x', 'eyJ2IjoxfQ', '%%%', 'e30=', 'eyJydiI6LTEsInN0YXJ0IjoiLi4vLi4ifQ==', 'a'.repeat(2000), '{"rv":1}', 'bnVsbA=='])) + '&limit=5',
        'limit=' + r.pick(['-1', 'abc', '1.5', '1e3', '99999999999999999999', '%205', '0x10']),
        'resourceVersion=' + r.pick(['abc', '-1', '1.5', '99999999999999999999', '%201', '0x1', '1e3', '%00']),
        'resourceVersion=1&resourceVersionMatch=' + r.pick(['Bogus', 'exact', 'NotOlderThan2']),
        'resourceVersionMatch=Exact',
        'watch=' + r.pick(['yes', 'no', '2', 'TRUE1', 'ture']),
        'watch=1&resourceVersion=' + r.pick(['abc', '-5', '1.0', '99999999999999999999']),
        'watch=1&timeoutSeconds=' + r.pick(['-1', 'abc', '1.5', '99999999999999999999']),
        'watch=1&allowWatchBookmarks=' + r.pick(['maybe', '2']),
        'watch=1&sendInitialEvents=true',
        'watch=1&sendInitialEvents=maybe',
        'watch=1&labelSelector=' + encodeURIComponent('a in ('),
        'includeObject=x&limit=-2',
        'dryRun=' + r.pick(['Yes', 'all', 'true', '']) + '&x=1',
        'fieldValidation=' + r.pick(['Loose', 'strict', '1']),
        'fieldManager=' + encodeURIComponent(r.pick(['x'.repeat(200), 'tab\there', '\u0001'])),
        'propagationPolicy=Sometimes',
      ]);
      const method = q.startsWith('dryRun') || q.startsWith('fieldValidation') || q.startsWith('fieldManager') ? r.pick(['POST', 'PATCH']) : q.startsWith('propagationPolicy') ? 'DELETE' : 'GET';
      const p = method === 'POST' ? BACKENDS : method === 'GET' ? r.pick([BACKENDS, HTTPROUTES, PROXIES]) : `${BACKENDS}/target`;
      add({ what: `bad query ${q.slice(0, 60)}`, method, path: `${p}?${q}`, opts: { body: method === 'POST' ? backend(`q-${r.int(1e9)}`) : method === 'PATCH' ? {} : undefined, contentType: method === 'PATCH' ? 'application/merge-patch+json' : undefined }, expect: '4xx' });
    },
    // unknown fields under Strict
    () => {
      const b = backend(`strict-${r.int(1e9)}`) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      r.pick<() => void>([
        () => (b.spec.colour = 'red'),
        () => (b.spec.endpoints[0].hostname = 'x'),
        () => (b.extra = { a: 1 }),
        () => (b.metadata.nickname = 'bk'),
        () => (b.status = { whatever: true }),
        () => (b.spec.dynamicProxy = { dnsCacheConfig: { dnsTTL: '5s' } }),
      ])();
      add({ what: 'unknown field, Strict', method: 'POST', path: `${BACKENDS}?fieldValidation=Strict`, opts: { body: b }, expect: b.status ? 'any' : '4xx', creates: b.metadata.name });
    },
    // random patches of each type against a real object
    () => {
      const type = r.pick(['merge', 'json', 'apply', 'strategic', 'bogus'] as const);
      const target = r.pick([`${BACKENDS}/target`, `${BACKENDS}/target/status`, `${HTTPROUTES}/route`, `${PROXIES}/proxy`]);
      let raw: string;
      let expect: Expect = 'any';
      let query = '';
      if (type === 'merge') raw = JSON.stringify(r.next() < 0.2 ? r.pick(WEIRD_VALUES) : randomJSON());
      else if (type === 'json') raw = JSON.stringify(randomJsonPatch());
      else if (type === 'apply') {
        raw = r.next() < 0.5 ? randomYaml() : JSON.stringify(randomJSON());
        query = r.next() < 0.8 ? '?fieldManager=hostile' : '';
        if (!query) expect = '4xx';
      } else {
        raw = JSON.stringify(randomJSON());
        expect = '4xx';
      }
      if (r.next() < 0.1) raw = raw.slice(0, Math.max(1, raw.length - 1 - r.int(3)));
      const contentType = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', apply: 'application/apply-patch+yaml', strategic: 'application/strategic-merge-patch+json', bogus: r.pick(['text/plain', 'application/json', 'application/x-www-form-urlencoded', '']) }[type];
      add({ what: `random ${type} patch`, method: 'PATCH', path: target + query, opts: { raw, contentType }, expect });
    },
    // unknown paths and methods
    () => {
      const [method, p] = r.pick<[string, string]>([
        ['GET', '/apis/core.apoxy.dev/v9/backends'],
        ['GET', '/apis/nope.example.com/v1/things'],
        ['GET', '/apis/core.apoxy.dev/v1alpha2/pods'],
        ['GET', '/api/v1/pods'],
        ['GET', '/api/v1/namespaces/default/pods'],
        ['GET', `${BACKENDS}/target/scale`],
        ['PUT', `${BACKENDS}/target/scale`],
        ['GET', `${BACKENDS}/target/status/extra`],
        ['GET', '/apis/core.apoxy.dev/v1alpha2/namespaces/default/backends'],
        ['GET', '/apis/../../etc/passwd'],
        ['GET', '/%2e%2e/%2e%2e'],
        ['GET', '/nope'],
        ['GET', '/openapi/v3/apis/x/y'],
        ['POST', '/healthz/x'],
        ['OPTIONS', BACKENDS],
        ['TRACE', BACKENDS],
        ['PROPFIND', BACKENDS],
        ['PUT', BACKENDS],
        ['PATCH', BACKENDS],
        ['POST', `${BACKENDS}/target`],
        ['POST', `${BACKENDS}/target/status`],
        ['DELETE', `${BACKENDS}/target/status`],
        ['GET', `${BACKENDS}//`],
        ['LINK', BACKENDS],
      ]);
      add({ what: `unknown ${method} ${p}`, method, path: p, opts: {}, expect: '4xx' });
    },
    // broken authentication
    () => add({ what: 'bad token', method: r.pick(['GET', 'POST']), path: BACKENDS, opts: { token: r.pick(['', 'x', 'Bearer', 'a'.repeat(5000), 'admin']), body: backend('auth-x') }, expect: '4xx' }),
    // Accept nobody can serve
    () => add({ what: 'bad Accept', method: 'GET', path: r.pick([BACKENDS, `${BACKENDS}/target`]), opts: { accept: r.pick(['application/xml', 'text/html', 'application/json;as=Foo;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf']) }, expect: '4xx' }),
    // DeleteOptions that make no sense
    () => add({
      what: 'bad DeleteOptions',
      method: 'DELETE',
      path: r.pick([`${BACKENDS}/target`, BACKENDS]),
      opts: { raw: r.pick(['{', '[]', '"x"', JSON.stringify({ kind: 'Pod' }), JSON.stringify({ dryRun: ['Some'] }), JSON.stringify({ propagationPolicy: 'Never' }), JSON.stringify({ gracePeriodSeconds: -1 }), JSON.stringify({ preconditions: { resourceVersion: 5 } }), JSON.stringify({ preconditions: { uid: 'not-the-uid' } }), JSON.stringify({ preconditions: 'x' })]), contentType: 'application/json' },
      expect: '4xx',
    }),
  ];
  for (let i = 0; cases.length < TOTAL; i++) r.pick(gens)(i);
  return cases;
}

interface Bad {
  what: string;
  method: string;
  path: string;
  status: number;
  body: string;
  sent: string;
}

describe('hostile requests', { timeout: 120_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('sqlite');
    await ts.api.create(BACKENDS, backend('target', { endpoints: [{ ip: '10.0.0.1', port: 80 }] }));
    await ts.api.create(HTTPROUTES, { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'route' }, spec: { hostnames: ['a.example.com'], rules: [{ backendRefs: [{ name: 'target', port: 80 }] }] } });
    await ts.api.create(PROXIES, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Proxy', metadata: { name: 'proxy' }, spec: { provider: 'unmanaged' } });
  });
  after(async () => {
    await ts?.stop();
  });

  it(`${TOTAL} generated malformed requests: 4xx Status answers, no 5xx, nothing half-written (seed ${SEED})`, { timeout: 90_000 }, async (t) => {
    const cases = buildCases();
    const bad: Bad[] = [];
    const createdOK = new Map<string, string>(); // collection path → names
    const counts = new Map<number, number>();
    const slow: string[] = [];
    let next = 0;
    const t0 = Date.now();
    const inFlight = new Set<Case>();
    const watchdog = setInterval(() => {
      if (Date.now() - t0 > 45_000) t.diagnostic(`still in flight after ${Date.now() - t0} ms: ${[...inFlight].map((c) => `${c.what} ${c.method} ${c.path.slice(0, 80)} ${describeBody(c.opts).slice(0, 120)}`).join('\n')}`);
    }, 5000);
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        inFlight.add(c);
        let a: Answer;
        const started = Date.now();
        try {
          a = await ts.api.req(c.method, c.path, { ...c.opts, timeoutMs: REQUEST_TIMEOUT_MS });
          const took = Date.now() - started;
          if (took > 1000) slow.push(`${took} ms: ${c.what} ${c.method} ${c.path.slice(0, 80)} ${describeBody(c.opts).slice(0, 100)}`);
          if (DEBUG && took > 300) process.stderr.write(`SLOW ${took} ms: ${c.what} ${c.method} ${c.path.slice(0, 100)} ${describeBody(c.opts).slice(0, 300)}\n`);
        } catch (err) {
          if (DEBUG) process.stderr.write(`ERR ${String(err)} on ${c.what} ${c.method} ${c.path.slice(0, 100)} ${describeBody(c.opts).slice(0, 300)}\n`);
          inFlight.delete(c);
          bad.push({ what: c.what, method: c.method, path: c.path.slice(0, 200), status: -1, body: String(err), sent: describeBody(c.opts) });
          continue;
        }
        inFlight.delete(c);
        counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
        const ok2xx = a.status >= 200 && a.status < 300;
        const status4xx = a.status >= 400 && a.status < 500;
        const isStatusBody = a.json?.kind === 'Status' && a.json?.apiVersion === 'v1' && a.json?.code === a.status && typeof a.json?.message === 'string' && a.json?.status === 'Failure';
        const jsonType = /^application\/json\b/.test(String(a.headers['content-type'] ?? ''));
        if (ok2xx && c.method === 'POST' && a.json?.metadata?.name) {
          createdOK.set(`${c.path.split('?')[0]}|${a.json.metadata.name}`, a.json.metadata.name);
        }
        const fine = c.expect === '4xx' ? status4xx && isStatusBody && jsonType : (ok2xx && jsonType) || (status4xx && isStatusBody && jsonType);
        if (!fine) bad.push({ what: c.what, method: c.method, path: c.path.slice(0, 200), status: a.status, body: a.text.slice(0, 300), sent: describeBody(c.opts) });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker)).finally(() => clearInterval(watchdog));
    const secs = (Date.now() - t0) / 1000;
    t.diagnostic(`${cases.length} requests in ${secs.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...counts].sort((a, b) => a[0] - b[0])))}`);
    if (slow.length) t.diagnostic(`slow requests:\n${slow.slice(0, 20).join('\n')}`);
    assert.ok(secs < 60, `took ${secs} s; slow: ${slow.slice(0, 5).join(' | ')}`);
    // one example per kind of failure, so a report is readable
    const byKind = new Map<string, Bad>();
    for (const b of bad) {
      const k = `${b.what.replace(/\d+/g, 'N')}|${b.method}|${b.status}`;
      if (!byKind.has(k)) byKind.set(k, b);
    }
    assert.deepEqual([...byKind.values()].slice(0, 25), [], `${bad.length} bad answers in ${byKind.size} kinds (one example each)`);
    assert.ok(![...counts.keys()].some((s) => s >= 500));

    // the server is alive and well
    const h = await ts.api.get('/healthz', { token: null });
    assert.equal(h.status, 200);
    assert.equal(ts.sy.child.exitCode, null, 'the process did not exit');
    assert.doesNotMatch(ts.sy.logs(), /uncaught|unhandled|FATAL|heap out of memory/i);

    // nothing half-written: exactly the seeded objects plus the successful creates, each valid
    const seeded: Record<string, string[]> = { [BACKENDS]: ['target'], [HTTPROUTES]: ['route'], [PROXIES]: ['proxy'] };
    for (const coll of [BACKENDS, HTTPROUTES, PROXIES]) {
      const list = await ts.api.get(coll);
      assert.equal(list.status, 200, list.text.slice(0, 300));
      const want = [...seeded[coll], ...[...createdOK.keys()].filter((k) => k.startsWith(`${coll}|`)).map((k) => k.split('|')[1])].sort();
      const got = list.json.items.map((o: { metadata: { name: string } }) => o.metadata.name).sort();
      assert.deepEqual(got, want, `${coll}: list equals seeded + successful creates`);
      for (const o of list.json.items) {
        // every stored object is still a valid object: a no-op PUT of it succeeds and writes nothing
        const put = await ts.api.put(`${coll}/${encodeURIComponent(o.metadata.name)}`, o);
        assert.equal(put.status, 200, `${coll}/${o.metadata.name} no longer valid: ${put.text.slice(0, 400)}`);
        assert.equal(put.json.metadata.resourceVersion, o.metadata.resourceVersion);
        const one = await ts.api.get(`${coll}/${encodeURIComponent(o.metadata.name)}`);
        assert.equal(one.status, 200);
      }
      const table = await ts.api.get(coll, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
      assert.equal(table.status, 200);
    }
  });
});

function describeBody(o: ReqOptions): string {
  const raw = o.raw !== undefined ? String(o.raw) : o.body !== undefined ? JSON.stringify(o.body) ?? String(o.body) : '';
  return `${o.contentType ?? ''} ${raw.slice(0, 160)}${raw.length > 160 ? `…(${raw.length} chars)` : ''}`;
}
