// The routing snapshot, built incrementally: each Backend's IR is memoized by (uid,
// resourceVersion) and kept while its translate key (changes.ts) is unchanged; each route's rules
// are kept while the route, the Gateways and the answers to its backend lookups are unchanged; an
// edge pool is kept while its members are. Unchanged parts keep their object identity, so whether
// the snapshot changed is decided from identities (and one small JSON comparison per changed part)
// instead of serializing the whole snapshot. No I/O: the caches are the only state, and
// build(x) returns what a fresh translator would for x.
import type { Backend } from '../../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../../apis/gateway/v1/httproute_types';
import type { Gateway } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';
import type { BackendIR, ListenerIR, RuleIR, Snapshot } from '../../proxy/ir';
import { canonicalJSON } from '../../util/canonical_json';
import { translateKey } from '../changes';
import { APP_LABEL, edgeBackend, FACADE_LABEL, translateBackend } from './backends';
import { indexGateways, type GatewayIndex } from './gateways';
import { secretIndex } from './certificates';
import type { Secret } from '../../../apis/core/v1/types';
import { translateRoute, type RefProblem, type TranslatedRoute } from './routes';
import { grpcRouteAsHTTPRoute } from './grpcroutes';
import type { GRPCRoute } from '../../../apis/gateway/v1/grpcroute_types';

export interface BuildInput {
  backends: Backend[];
  routes: HTTPRoute[];
  /** translated as the HTTPRoutes they route like (grpcroutes.ts), keyed `grpc/<name>` */
  grpcRoutes?: GRPCRoute[];
  gateways: Gateway[];
  gatewayClasses: GatewayClass[];
  /** TLS Secrets: HTTPS listeners' certificateRefs (certificates.ts) */
  secrets?: Secret[];
  proxyHost: string;
  preferRegion?: string;
}

export interface BuildOutput {
  snapshot: Omit<Snapshot, 'generation'>;
  /** differs from the previous build's snapshot (the first build always does) */
  changed: boolean;
  gw: GatewayIndex;
  /** per route: the reference problems its status reports (the same array while the route's translation is kept) */
  problems: Map<string, RefProblem[]>;
  /** everything besides a route and its problems that its status reads (Gateways, classes, TLS Secrets): equal → equal status */
  routeStatusKey: string;
  /** number of routes attached to a listener id */
  attached(listenerId: string): number;
}

export interface BuildStats {
  backendsTranslated: number;
  routesTranslated: number;
  edgesBuilt: number;
}

interface BackendEntry {
  uid: string | undefined;
  rv: string | undefined;
  key: string;
  ir: BackendIR;
}

interface RouteEntry {
  uid: string | undefined;
  rv: string | undefined;
  key: string;
  gwKey: string;
  /** backendExists answers the translation depended on */
  lookups: Array<[string, boolean]>;
  t: TranslatedRoute;
}

interface EdgeEntry {
  preferRegion: string | undefined;
  members: string[];
  memberKeys: string[];
  ir: BackendIR;
}

export class IncrementalTranslator {
  private backendMemo = new Map<string, BackendEntry>();
  private routeMemo = new Map<string, RouteEntry>();
  private edgeMemo = new Map<string, EdgeEntry>();
  private prev?: { listenersJSON: string; rules: RuleIR[][]; backends: Record<string, BackendIR>; backendCount: number };
  /** work done by the last build (for tests and metrics) */
  stats: BuildStats = { backendsTranslated: 0, routesTranslated: 0, edgesBuilt: 0 };

  build(input: BuildInput): BuildOutput {
    const stats: BuildStats = { backendsTranslated: 0, routesTranslated: 0, edgesBuilt: 0 };
    // Backends
    const memo = new Map<string, BackendEntry>();
    const record: Record<string, BackendIR> = {};
    const prevRecord = this.prev?.backends;
    let changed = !prevRecord;
    for (const b of input.backends) {
      const name = b.metadata.name!;
      const uid = b.metadata.uid;
      const rv = b.metadata.resourceVersion;
      let e = this.backendMemo.get(name);
      if (!e || e.uid !== uid || e.rv !== rv || rv === undefined) {
        const key = translateKey('backends', b);
        if (e && e.key === key) e = { uid, rv, key, ir: e.ir };
        else {
          stats.backendsTranslated++;
          let ir = translateBackend(b);
          if (e && canonicalJSON(ir) === canonicalJSON(e.ir)) ir = e.ir;
          e = { uid, rv, key, ir };
        }
      }
      memo.set(name, e);
      record[name] = e.ir;
      if (!changed && prevRecord![name] !== e.ir) changed = true;
    }
    this.backendMemo = memo;

    // Gateways (few: rebuilt every time)
    const gw = indexGateways(input.gateways, input.gatewayClasses, input.proxyHost, secretIndex(input.secrets));
    const gwKey = [input.proxyHost, ...input.gateways.map((g) => translateKey('gateways', g)), '|', ...input.gatewayClasses.map((c) => translateKey('gatewayclasses', c))].join('\n');

    // Routes
    const ruleLists: RuleIR[][] = [];
    const problems = new Map<string, RefProblem[]>();
    const edges: TranslatedRoute['edge'][] = [];
    const nextRouteMemo = new Map<string, RouteEntry>();
    const allRoutes = input.grpcRoutes?.length ? [...input.routes, ...input.grpcRoutes.map(grpcRouteAsHTTPRoute)] : input.routes;
    for (const route of allRoutes) {
      const name = route.metadata.name!;
      const uid = route.metadata.uid;
      const rv = route.metadata.resourceVersion;
      let e = this.routeMemo.get(name);
      let key = e?.key;
      if (!e || e.uid !== uid || e.rv !== rv || rv === undefined) key = translateKey('httproutes', route);
      const valid = e && e.key === key && e.gwKey === gwKey && e.lookups.every(([n, ok]) => memo.has(n) === ok);
      if (!valid) {
        stats.routesTranslated++;
        const lookups: Array<[string, boolean]> = [];
        const t = translateRoute(
          route,
          (n) => {
            const ok = memo.has(n);
            lookups.push([n, ok]);
            return ok;
          },
          (p) => gw.listenersFor(p),
        );
        if (e && canonicalJSON(t.rules) === canonicalJSON(e.t.rules)) t.rules = e.t.rules;
        e = { uid, rv, key: key!, gwKey, lookups, t };
      } else if (e!.rv !== rv || e!.uid !== uid) e = { ...e!, uid, rv };
      nextRouteMemo.set(name, e!);
      ruleLists.push(e!.t.rules);
      problems.set(name, e!.t.problems);
      if (e!.t.edge) edges.push(e!.t.edge);
    }
    this.routeMemo = nextRouteMemo;

    // Edge pools: one synthetic backend per edge-balanced route
    let backendCount = memo.size;
    const nextEdgeMemo = new Map<string, EdgeEntry>();
    if (edges.length) {
      const byApp = new Map<string, string[]>();
      for (const b of input.backends) {
        const l = b.metadata.labels;
        if (l?.[FACADE_LABEL] !== 'edgeproxy' || !l[APP_LABEL]) continue;
        const list = byApp.get(l[APP_LABEL]);
        if (list) list.push(b.metadata.name!);
        else byApp.set(l[APP_LABEL], [b.metadata.name!]);
      }
      const byName = new Map(input.backends.map((b) => [b.metadata.name!, b]));
      for (const edge of edges) {
        const e = edge!;
        const memberSet = new Set<string>();
        for (const n of e.refs) if (memo.has(n)) memberSet.add(n);
        for (const n of (e.app && byApp.get(e.app)) || []) memberSet.add(n);
        const members = [...memberSet].sort();
        const memberKeys = members.map((n) => memo.get(n)!.key);
        const old = this.edgeMemo.get(e.backend);
        let entry: EdgeEntry;
        if (old && old.preferRegion === input.preferRegion && sameStrings(old.members, members) && sameStrings(old.memberKeys, memberKeys)) entry = old;
        else {
          stats.edgesBuilt++;
          let ir = edgeBackend(e.backend, members.map((n) => ({ backend: byName.get(n)!, ir: memo.get(n)!.ir })), input.preferRegion);
          if (old && canonicalJSON(ir) === canonicalJSON(old.ir)) ir = old.ir;
          entry = { preferRegion: input.preferRegion, members, memberKeys, ir };
        }
        nextEdgeMemo.set(e.backend, entry);
        record[e.backend] = entry.ir;
        backendCount++;
        if (!changed && prevRecord![e.backend] !== entry.ir) changed = true;
      }
    }
    this.edgeMemo = nextEdgeMemo;

    // Did anything change? (every current backend is identical to the previous one by now, unless changed)
    const listeners: ListenerIR[] = gw.listeners;
    const listenersJSON = canonicalJSON(listeners);
    const prev = this.prev;
    if (!changed) changed = prev!.listenersJSON !== listenersJSON || prev!.rules.length !== ruleLists.length || prev!.backendCount !== backendCount;
    for (let i = 0; !changed && i < ruleLists.length; i++) if (prev!.rules[i] !== ruleLists[i]) changed = true;
    if (changed) this.prev = { listenersJSON, rules: ruleLists, backends: record, backendCount };

    const rules = ruleLists.flat();
    this.stats = stats;
    const attachedCache = new Map<string, number>();
    const routeStatusKey = (input.secrets ?? []).length ? `${gwKey}\n|\n${input.secrets!.map((x) => translateKey('secrets', x)).join('\n')}` : gwKey;
    return {
      snapshot: { listeners, rules, backends: record },
      changed,
      gw,
      problems,
      routeStatusKey,
      attached(listenerId) {
        let n = attachedCache.get(listenerId);
        if (n === undefined) {
          n = new Set(rules.filter((r) => r.listeners.includes(listenerId)).map((r) => r.route)).size;
          attachedCache.set(listenerId, n);
        }
        return n;
      },
    };
  }
}

function sameStrings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
