// A seeded random set of Backends, HTTPRoutes, Gateways and GatewayClasses, and random edits of
// it (spec, labels, annotations that matter and ones that don't, status, deletes, creates), each
// edit bumping resourceVersion like the apiserver. For the controller's unit tests.
import type { Backend } from '../../../apis/core/v1alpha2/backend_types';
import type { HTTPRoute } from '../../../apis/gateway/v1/httproute_types';
import type { Gateway } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export interface World {
  backends: Backend[];
  routes: HTTPRoute[];
  gateways: Gateway[];
  gatewayClasses: GatewayClass[];
}

export class WorldGen {
  private rv = 1;
  private uid = 1;
  readonly rand: () => number;

  constructor(seed: number) {
    this.rand = rng(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private meta(name: string, extra: Record<string, unknown> = {}) {
    return { name, uid: `uid-${this.uid++}`, resourceVersion: String(this.rv++), generation: 1, creationTimestamp: `2024-01-01T00:00:${String(this.uid % 60).padStart(2, '0')}Z`, ...extra };
  }

  backend(name: string): Backend {
    const r = this.rand();
    const labels: Record<string, string> = { team: this.pick(['a', 'b']) };
    if (r < 0.3) Object.assign(labels, { 'switchyard.dev/facade': 'edgeproxy', app: this.pick(['app1', 'app2']), region: this.pick(['eu', 'us']) });
    const spec: Backend['spec'] =
      r > 0.9
        ? { dynamicProxy: {} }
        : { endpoints: Array.from({ length: 1 + Math.floor(this.rand() * 3) }, (_, i) => (this.rand() < 0.7 ? { ip: `10.0.${Math.floor(this.rand() * 255)}.${i + 1}`, port: 8000 + i } : { fqdn: `svc${i}.example.com` })) };
    if (this.rand() < 0.2) spec.circuitBreaker = { maxConnections: 10, softLimit: 5 };
    return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: this.meta(name, { labels, annotations: { 'switchyard.dev/edge-heartbeat': '2024-01-01T00:00:00Z' } }), spec };
  }

  route(name: string, backendNames: string[]): HTTPRoute {
    const edge = this.rand() < 0.2;
    const refs = Array.from({ length: 1 + Math.floor(this.rand() * 2) }, () => ({ name: this.rand() < 0.9 ? this.pick(backendNames) : 'missing' }));
    const parentRefs = this.rand() < 0.3 ? [{ name: 'gw', sectionName: this.pick(['http', 'other']) }] : undefined;
    return {
      apiVersion: 'gateway.apoxy.dev/v1',
      kind: 'HTTPRoute',
      metadata: this.meta(name, edge ? { annotations: { 'switchyard.dev/balance': 'edge', 'switchyard.dev/edge-app': this.pick(['app1', 'app2']) } } : {}),
      spec: { ...(parentRefs ? { parentRefs } : {}), hostnames: [`${name}.example.com`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }], backendRefs: refs }] },
    };
  }

  world(nBackends: number, nRoutes: number): World {
    const backends = Array.from({ length: nBackends }, (_, i) => this.backend(`b${i}`));
    const names = backends.map((b) => b.metadata.name!);
    return {
      backends,
      routes: Array.from({ length: nRoutes }, (_, i) => this.route(`r${i}`, names)),
      gateways: [{ apiVersion: 'gateway.apoxy.dev/v1', kind: 'Gateway', metadata: this.meta('gw'), spec: { gatewayClassName: 'apoxy', listeners: [{ name: 'http', port: 10080, protocol: 'HTTP' }] } }],
      gatewayClasses: [{ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GatewayClass', metadata: this.meta('apoxy'), spec: { controllerName: 'gateway.apoxy.dev/gatewayclass-controller' } }],
    };
  }

  /** a copy of o with a new resourceVersion (what an update through the apiserver looks like) */
  bump<T extends { metadata: object }>(o: T, change: (c: T) => void): T {
    const c = structuredClone(o);
    change(c);
    (c.metadata as { resourceVersion?: string }).resourceVersion = String(this.rv++);
    return c;
  }

  /** One random edit of the world, in place; answers what kind of edit it was. */
  mutate(w: World): string {
    const i = Math.floor(this.rand() * w.backends.length);
    const b = w.backends[i];
    const op = this.pick(['spec', 'heartbeat', 'status', 'label', 'region', 'expire', 'delete', 'create', 'route', 'route-delete', 'gateway', 'resync'] as const);
    switch (op) {
      case 'spec':
        if (b) w.backends[i] = this.bump(b, (c) => void (c.spec = { endpoints: [{ ip: `10.9.${Math.floor(this.rand() * 255)}.1`, port: 9000 }] }));
        break;
      case 'heartbeat':
        if (b) w.backends[i] = this.bump(b, (c) => void ((c.metadata.annotations ??= {})['switchyard.dev/edge-heartbeat'] = String(this.rv)));
        break;
      case 'status':
        if (b) w.backends[i] = this.bump(b, (c) => void (c.status = { conditions: [], observedGeneration: this.rv }));
        break;
      case 'label':
        if (b) w.backends[i] = this.bump(b, (c) => void ((c.metadata.labels ??= {}).team = String(this.rv)));
        break;
      case 'region':
        if (b) w.backends[i] = this.bump(b, (c) => void ((c.metadata.labels ??= {}).region = this.pick(['eu', 'us', 'sa'])));
        break;
      case 'expire':
        if (b) w.backends[i] = this.bump(b, (c) => void ((c.metadata.annotations ??= {})['switchyard.dev/edge-expired'] = 'x'));
        break;
      case 'delete':
        if (b) w.backends.splice(i, 1);
        break;
      case 'create':
        w.backends.push(this.backend(`n${this.rv}`));
        break;
      case 'route': {
        const j = Math.floor(this.rand() * w.routes.length);
        if (w.routes[j]) w.routes[j] = this.bump(w.routes[j]!, (c) => void (c.spec!.hostnames = [`h${this.rv}.example.com`]));
        break;
      }
      case 'route-delete':
        if (w.routes.length) w.routes.splice(Math.floor(this.rand() * w.routes.length), 1);
        break;
      case 'gateway':
        w.gateways[0] = this.bump(w.gateways[0]!, (c) => void (c.spec!.listeners = [{ name: this.pick(['http', 'other']), port: 10080, protocol: 'HTTP' }]));
        break;
      case 'resync':
        break;
    }
    return op;
  }
}
