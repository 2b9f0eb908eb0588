// What a translated conformance test is handed: the suite's kubernetes helpers (status read with
// real kubectl, polled until they hold or a timeout passes, as conformance/utils/kubernetes does)
// and its HTTP helpers, over one running `switchyard serve` and the World of echo pods and ports.
import type { Kubectl } from '../apiserver/lib';
import { expectEventually, type ExpectedResponse, type GatewayAddr } from './http';
import { World, type Obj } from './world';

export const INFRA_NS = 'gateway-conformance-infra';
export const APP_NS = 'gateway-conformance-app-backend';
export const WEB_NS = 'gateway-conformance-web-backend';
export const GROUP = 'gateway.networking.k8s.io';
export const CONTROLLER = 'gateway.apoxy.dev/gatewayclass-controller';

export interface NN {
  namespace: string;
  name: string;
}
export const nn = (namespace: string, name: string): NN => ({ namespace, name });

export interface Cond {
  type: string;
  status?: string;
  reason?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const STATUS_TIMEOUT_MS = 30_000;
const POLL_MS = 300;

/** a condition list holds every expected (type, status, reason); empty status/reason = any */
export function conditionsMatch(expected: Cond[], actual: Obj[] | undefined): boolean {
  return expected.every((e) => (actual ?? []).some((c) => c.type === e.type && (!e.status || c.status === e.status) && (!e.reason || c.reason === e.reason)));
}

/** every condition's observedGeneration is the object's generation */
export function latest(obj: Obj, conds: Obj[] | undefined): boolean {
  return (conds ?? []).every((c) => c.observedGeneration === obj.metadata.generation);
}

export class Suite {
  /**
   * group: where Gateways and routes live (gateway.networking.k8s.io, or Apoxy's cluster-scoped
   * gateway.apoxy.dev, whose objects have no namespace). addressFromStatus: the Gateway's
   * status.addresses is read as the suite does (Apoxy's Gateway status has none: loopback then).
   */
  constructor(
    readonly k: Kubectl,
    readonly world: World,
    readonly group = GROUP,
    readonly addressFromStatus = true,
  ) {}

  private get namespaced(): boolean {
    return this.group === GROUP;
  }

  /** applies an upstream manifest (adapted by the World); returns the YAML applied, for cleanup */
  async apply(file: string, rewrite?: (o: Obj) => Obj[]): Promise<string> {
    const yaml = await this.world.adapt(file, rewrite);
    await this.k.ok(['apply', '-f', '-'], { input: yaml });
    return yaml;
  }

  async applyYAML(yaml: string): Promise<void> {
    await this.k.ok(['apply', '-f', '-'], { input: yaml });
  }

  async delete(yaml: string): Promise<void> {
    await this.k(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], { input: yaml });
  }

  async get(resource: string, name: string, namespace?: string): Promise<Obj | undefined> {
    const r = await this.k(['get', resource, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])]);
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${resource} ${name}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout);
  }

  /** polls until check() returns a value; fails with the last reason */
  async poll<T>(what: string, check: () => Promise<T | string>, timeoutMs = STATUS_TIMEOUT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (let n = 0; n < 1_000 && Date.now() < deadline; n++) {
      try {
        const v = await check();
        if (typeof v !== 'string') return v;
        last = v;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(POLL_MS);
    }
    throw new Error(`timed out waiting for ${what}: ${last}`);
  }

  gateway = (gw: NN) => this.get(`gateways.${this.group}`, gw.name, this.namespaced ? gw.namespace : undefined);
  route = (r: NN, kind = 'httproutes') => this.get(`${kind}.${this.group}`, r.name, this.namespaced ? r.namespace : undefined);

  /** WaitForGatewayAddress: latest conditions and a typed address; the listener's address */
  async gatewayAddress(gw: NN, listener?: string): Promise<GatewayAddr> {
    return this.poll(`Gateway ${gw.name} address`, async () => {
      const g = await this.gateway(gw);
      if (!g) return 'not found';
      if (!latest(g, g.status?.conditions)) return `stale conditions ${JSON.stringify(g.status?.conditions)}`;
      const l = (listener && g.spec.listeners.find((x: Obj) => x.name === listener)) || g.spec.listeners[0];
      const a = this.addressFromStatus ? (g.status?.addresses ?? []).find((x: Obj) => x.type) : { value: '127.0.0.1' };
      if (!a) return `no typed address: ${JSON.stringify(g.status?.addresses)}`;
      const declared = this.declaredPort(gw, l.port);
      return { host: a.value, port: l.port, declaredPort: declared };
    });
  }

  private declaredPort(gw: NN, port: number): number {
    for (const declared of [80, 443, 8080, 8443, 8000, 8090, 8081, 8082, 8083, 8084, 9000]) if (this.world.knownGatewayPort(gw.namespace, gw.name, declared) === port) return declared;
    return port;
  }

  /** GatewayAndHTTPRoutesMustBeAccepted: address, each route's parent Accepted, listeners ready */
  async gatewayAndRoutesAccepted(gw: NN, routes: NN[], listeners: string[] = [], routeKind = 'httproutes'): Promise<GatewayAddr> {
    const addr = await this.gatewayAddress(gw, listeners[0]);
    for (const r of routes) {
      const sections = listeners.length ? listeners : [undefined];
      const expected = sections.map((s) => ({ parentRef: { group: this.group, kind: 'Gateway', name: gw.name, ...(this.namespaced ? { namespace: gw.namespace } : {}), ...(s ? { sectionName: s } : {}) }, conds: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }] }));
      await this.routeMustHaveParents(r, expected, this.namespaced && r.namespace !== gw.namespace, routeKind);
    }
    await this.listenersMustHaveConditions(gw, [
      { type: 'ResolvedRefs', status: 'True' },
      { type: 'Accepted', status: 'True' },
      { type: 'Programmed', status: 'True' },
    ]);
    return addr;
  }

  /** RouteMustHaveParents / parentsForRouteMatch: group and kind as written by us, controllerName, latest conditions */
  async routeMustHaveParents(r: NN, expected: Array<{ parentRef: Obj; conds: Cond[] }>, namespaceRequired: boolean, routeKind = 'httproutes'): Promise<void> {
    await this.poll(`${routeKind} ${r.namespace}/${r.name} parents`, async () => {
      const route = await this.route(r, routeKind);
      if (!route) return 'route not found';
      const actual: Obj[] = route.status?.parents ?? [];
      for (const p of actual) if (!latest(route, p.conditions)) return `stale parent conditions ${JSON.stringify(p)}`;
      for (const e of expected) {
        const hit = actual.some(
          (a) =>
            a.controllerName === CONTROLLER &&
            a.parentRef?.group === e.parentRef.group &&
            a.parentRef?.kind === e.parentRef.kind &&
            a.parentRef?.name === e.parentRef.name &&
            (a.parentRef?.namespace === e.parentRef.namespace || (!namespaceRequired && a.parentRef?.namespace === undefined)) &&
            conditionsMatch(e.conds, a.conditions),
        );
        if (!hit) return `no parent matching ${JSON.stringify(e)} in ${JSON.stringify(actual)}`;
      }
      return true;
    });
  }

  async listenersMustHaveConditions(gw: NN, conds: Cond[]): Promise<void> {
    await this.poll(`Gateway ${gw.name} listener conditions`, async () => {
      const g = await this.gateway(gw);
      if (!g) return 'not found';
      const ls: Obj[] = g.status?.listeners ?? [];
      if (!ls.length) return 'no listener status';
      for (const l of ls) if (!conditionsMatch(conds, l.conditions)) return `listener ${l.name}: ${JSON.stringify(l.conditions)}`;
      return true;
    });
  }

  /** HTTPRouteMustHaveCondition: on the parent entry for gw (namespace absent or equal) */
  async routeMustHaveCondition(r: NN, gw: NN, cond: Cond, routeKind = 'httproutes'): Promise<void> {
    await this.poll(`${r.name} condition ${JSON.stringify(cond)}`, async () => {
      const route = await this.route(r, routeKind);
      if (!route) return 'route not found';
      const parents: Obj[] = route.status?.parents ?? [];
      for (const p of parents) if (!latest(route, p.conditions)) return `stale ${JSON.stringify(p.conditions)}`;
      const ok = parents.some((p) => p.parentRef?.name === gw.name && (p.parentRef?.namespace === undefined || p.parentRef.namespace === gw.namespace || !this.namespaced) && conditionsMatch([cond], p.conditions));
      return ok ? true : `parents: ${JSON.stringify(parents)}`;
    });
  }

  routeResolvedRefsTrue = (r: NN, gw: NN, routeKind = 'httproutes') => this.routeMustHaveCondition(r, gw, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }, routeKind);

  /** HTTPRouteMustHaveNoAcceptedParents: no parents (seen twice) or one with Accepted False */
  async routeNoAcceptedParents(r: NN): Promise<void> {
    let emptySeen = false;
    await this.poll(`${r.name} no accepted parents`, async () => {
      const route = await this.route(r);
      const actual: Obj[] = route?.status?.parents ?? [];
      if (actual.length === 0) {
        if (emptySeen) return true;
        emptySeen = true;
        return 'empty once';
      }
      if (actual.length > 1) return `parents: ${JSON.stringify(actual)}`;
      if (!latest(route, actual[0].conditions)) return 'stale';
      return conditionsMatch([{ type: 'Accepted', status: 'False' }], actual[0].conditions) ? true : JSON.stringify(actual);
    });
  }

  /** GatewayMustHaveZeroRoutes */
  async gatewayZeroRoutes(gw: NN): Promise<void> {
    await this.poll(`Gateway ${gw.name} zero routes`, async () => {
      const g = await this.gateway(gw);
      if (!g || !latest(g, g.status?.conditions)) return 'stale';
      const ls: Obj[] = g.status?.listeners ?? [];
      return ls.length === 0 || (ls.length === 1 && ls[0].attachedRoutes === 0) ? true : JSON.stringify(ls);
    });
  }

  /** GatewayStatusMustHaveListeners / gatewayListenersMatch */
  async gatewayListeners(gw: NN, expected: Array<{ name: string; attachedRoutes: number; supportedKinds: Array<{ group?: string; kind: string }>; conditions: Cond[] }>): Promise<void> {
    await this.poll(`Gateway ${gw.name} listeners`, async () => {
      const g = await this.gateway(gw);
      if (!g || !latest(g, g.status?.conditions)) return 'stale';
      const actual: Obj[] = g.status?.listeners ?? [];
      if (actual.length !== expected.length) return `listeners ${JSON.stringify(actual)}`;
      for (const e of expected) {
        const a = actual.find((x) => x.name === e.name);
        if (!a) return `no listener ${e.name}`;
        if (!e.supportedKinds.length && (a.supportedKinds ?? []).length) return `${e.name}: supportedKinds ${JSON.stringify(a.supportedKinds)}, none expected`;
        for (const k of e.supportedKinds) if (!(a.supportedKinds ?? []).some((x: Obj) => (x.group ?? GROUP) === (k.group ?? GROUP) && x.kind === k.kind)) return `${e.name}: kinds ${JSON.stringify(a.supportedKinds)}`;
        if (a.attachedRoutes !== e.attachedRoutes) return `${e.name}: attachedRoutes ${a.attachedRoutes}, want ${e.attachedRoutes}`;
        if (!conditionsMatch(e.conditions, a.conditions)) return `${e.name}: ${JSON.stringify(a.conditions)}`;
      }
      return true;
    });
  }

  /** GatewayMustHaveCondition (latest conditions) */
  async gatewayMustHaveCondition(gw: NN, cond: Cond): Promise<void> {
    await this.poll(`Gateway ${gw.name} ${JSON.stringify(cond)}`, async () => {
      const g = await this.gateway(gw);
      if (!g || !latest(g, g.status?.conditions)) return 'stale';
      return conditionsMatch([cond], g.status?.conditions) ? true : JSON.stringify(g.status?.conditions);
    });
  }

  async listenerMustHaveConditions(gw: NN, listener: string, conds: Cond[]): Promise<void> {
    await this.poll(`Gateway ${gw.name} listener ${listener}`, async () => {
      const g = await this.gateway(gw);
      if (!g) return 'not found';
      const l = (g.status?.listeners ?? []).find((x: Obj) => x.name === listener);
      return l && conditionsMatch(conds, l.conditions) ? true : JSON.stringify(g.status?.listeners);
    });
  }

  /** MakeRequestAndExpectEventuallyConsistentResponse */
  expect = (addr: GatewayAddr, er: ExpectedResponse, scheme: 'http' | 'https' = 'http') => expectEventually(addr, er, { scheme });

  async expectAll(addr: GatewayAddr, ers: ExpectedResponse[], scheme: 'http' | 'https' = 'http'): Promise<void> {
    const errors: string[] = [];
    // the suite runs a table's cases in parallel; two at a time keeps a shared machine usable
    for (let i = 0; i < ers.length; i += 2) {
      const batch = ers.slice(i, i + 2);
      const rs = await Promise.allSettled(batch.map((er) => this.expect(addr, er, scheme)));
      for (const r of rs) if (r.status === 'rejected') errors.push((r.reason as Error).message);
    }
    if (errors.length) throw new Error(errors.join('\n'));
  }
}
