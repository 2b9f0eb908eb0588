// A realistic HTTPRoute table of any size, and a fixed request mix over it, for the routing benches
// (bench/proxy/routes.ts in process, bench/proxy/switchyard_server.ts --routes N end to end).
// Pure and seeded: the same N gives the same table and the same requests.
//
// Route i is one of ten shapes, in turn (so 10 routes hold one of each and 10,000 hold 1,000 of each),
// as Apoxy users write them:
//   0–3  an app on its own exact hostname (`app-i.tN.example.com`): PathPrefix `/`, often an Exact
//        `/healthz` rule, a canary rule (PathPrefix `/api` + header `x-canary: true`), a GET-only
//        `/static` rule;
//   4    a wildcard hostname (`*.pr-i.preview.example.dev`): PathPrefix `/` and `/api`;
//   5–6  a path-routed service on one of 8 shared API hosts (`api-K.example.com`): PathPrefix
//        `/svc-i` or `/v1/svc-i`, a method match, a header `x-version` rule;
//   7    a RegularExpression path on a shared API host: `/users-i/[0-9]+(/orders)?` (and one with
//        a header regex);
//   8    an exact hostname with a query-param match (`?version=2`) and an Exact path;
//   9    no hostname (catch-all): PathPrefix `/legacy-i` or Exact `/.well-known/acme-challenge/i`.
import type { MatchIR, RuleIR, ValueMatchIR } from '../../pkg/proxy/ir';

export interface BenchRequest {
  host: string;
  /** path and query as sent */
  target: string;
  method: string;
  headers: Record<string, string>;
}

export interface RouteTable {
  rules: RuleIR[];
  /** number of HTTPRoutes (rules ≥ routes) */
  routes: number;
  requests: BenchRequest[];
}

export const SHARED_API_HOSTS = 8;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const exact = (value: string) => ({ type: 'Exact' as const, value });
const prefix = (value: string) => ({ type: 'PathPrefix' as const, value });
const regex = (value: string) => ({ type: 'RegularExpression' as const, value });
const hdr = (name: string, value: string, type: ValueMatchIR['type'] = 'Exact'): ValueMatchIR => ({ name, value, type });

function m(path: MatchIR['path'], extra: Partial<MatchIR> = {}): MatchIR {
  return { path, headers: extra.headers ?? [], queryParams: extra.queryParams ?? [], ...(extra.method ? { method: extra.method } : {}) };
}

/** `created` spreads creation times so precedence ties are decided as in a real cluster. */
function rule(route: string, ruleIndex: number, created: string, hostnames: string[], matches: MatchIR[], backend: string, listeners: string[]): RuleIR {
  return {
    id: `route/${route}/rule/${ruleIndex}`,
    route,
    routeCreated: created,
    ruleIndex,
    hostnames,
    listeners,
    matches,
    filters: [],
    backendRefs: [{ backend, weight: 1 }],
    timeouts: {},
    websocket: true,
  };
}

/**
 * `n` HTTPRoutes, every rule to `backend`, on `listeners`; and `requestCount` requests spread
 * evenly over the ten shapes (about 1 in 10 a miss that falls through to a less specific route or
 * to 404), each aimed at a random route of its shape.
 */
export function routeTable(n: number, opts: { backend?: string; listeners?: string[]; requestCount?: number; seed?: number } = {}): RouteTable {
  const backend = opts.backend ?? 'up';
  const listeners = opts.listeners ?? ['default'];
  const rand = rng(opts.seed ?? 42);
  const pick = (k: number) => Math.floor(rand() * k);
  const rules: RuleIR[] = [];
  const byShape: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < n; i++) {
    const shape = i % 10;
    byShape[shape]!.push(i);
    const name = `route-${i}`;
    const created = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const add = (hostnames: string[], matches: MatchIR[]) => rules.push(rule(name, rules.length === 0 || rules[rules.length - 1]!.route !== name ? 0 : rules[rules.length - 1]!.ruleIndex + 1, created, hostnames, matches, backend, listeners));
    const tenant = `t${i % 97}`;
    const shared = `api-${i % SHARED_API_HOSTS}.example.com`;
    switch (shape) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const host = [`app-${i}.${tenant}.example.com`];
        if (i % 3 === 0) add(host, [m(exact('/healthz'))]);
        if (i % 4 === 1) add(host, [m(prefix('/api'), { headers: [hdr('x-canary', 'true')] })]);
        if (i % 5 === 2) add(host, [m(prefix('/static/'), { method: 'GET' })]);
        add(host, [m(prefix('/'))]);
        break;
      }
      case 4: {
        const host = [`*.pr-${i}.preview.example.dev`];
        add(host, [m(prefix('/api'))]);
        add(host, [m(prefix('/'))]);
        break;
      }
      case 5:
        add([shared], [m(prefix(`/svc-${i}`), { method: i % 2 ? 'GET' : undefined }), m(prefix(`/svc-${i}/admin`), { headers: [hdr('x-admin', 'yes')] })]);
        break;
      case 6:
        add([shared], [m(prefix(`/v1/svc-${i}`), { headers: [hdr('x-version', 'v2')] })]);
        add([shared], [m(prefix(`/v1/svc-${i}`))]);
        break;
      case 7:
        add([shared], [m(regex(`/users-${i}/[0-9]+(/orders)?`))]);
        if (i % 20 === 7) add([shared], [m(regex(`/items-${i}/[a-z0-9-]+`), { headers: [hdr('x-tenant', 't[0-9]+', 'RegularExpression')] })]);
        break;
      case 8: {
        const host = [`shop-${i}.${tenant}.example.com`];
        add(host, [m(prefix('/'), { queryParams: [hdr('version', '2')] })]);
        add(host, [m(exact('/checkout'), { method: 'POST' }), m(prefix('/'))]);
        break;
      }
      case 9:
        if (i % 2) add([], [m(prefix(`/legacy-${i}`))]);
        else add([], [m(exact(`/.well-known/acme-challenge/${i}`))]);
        break;
    }
  }

  const requests: BenchRequest[] = [];
  const count = opts.requestCount ?? 1000;
  for (let k = 0; n > 0 && requests.length < count; k++) {
    const shape = k % 10;
    const ids = byShape[shape]!;
    if (ids.length === 0) continue;
    const i = ids[pick(ids.length)]!;
    const miss = pick(10) === 0;
    const tenant = `t${i % 97}`;
    const shared = `api-${i % SHARED_API_HOSTS}.example.com`;
    const get = (host: string, target: string, headers: Record<string, string> = {}, method = 'GET') => requests.push({ host, target, method, headers });
    switch (shape) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const host = `app-${i}.${tenant}.example.com${pick(2) ? ':8080' : ''}`;
        const paths = ['/healthz', '/api/orders/17', '/static/app.js', '/', '/account/settings'];
        get(miss ? `nope-${i}.example.com` : host, paths[pick(paths.length)]!, pick(2) ? { 'x-canary': 'true' } : {});
        break;
      }
      case 4:
        get(`web.pr-${i}.preview.example.dev`, pick(2) ? '/api/v2/items?page=3' : '/index.html');
        break;
      case 5:
        get(shared, miss ? `/svc-${i}x/list` : `/svc-${i}/admin/users`, pick(2) ? { 'x-admin': 'yes' } : {}, pick(2) ? 'GET' : 'POST');
        break;
      case 6:
        get(shared, `/v1/svc-${i}/items/42?full=1`, pick(2) ? { 'x-version': 'v2' } : {});
        break;
      case 7:
        get(shared, miss ? `/users-${i}/abc` : `/users-${i}/${pick(100000)}/orders`);
        break;
      case 8:
        get(`shop-${i}.${tenant}.example.com`, pick(2) ? '/cart?version=2&utm=x' : '/checkout', {}, pick(2) ? 'POST' : 'GET');
        break;
      case 9:
        get(miss ? 'unknown.example.org' : `any-${i}.example.net`, i % 2 ? `/legacy-${i}/page` : `/.well-known/acme-challenge/${i}`);
        break;
    }
  }
  return { rules, routes: n, requests };
}
