import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerGatewayAPI, type LowerInput } from './lower';
import { intersectHostnames } from './hostnames';
import { refAllowed } from './refs';
import { resolveServicePort } from './services';
import { upstreamGatewayStatus, upstreamRouteStatus, gatewayAddress } from './status';
import type { EndpointSlice, Service, UGateway, UHTTPRoute, UListener, UReferenceGrant } from './types';

const CONTROLLER = 'gateway.apoxy.dev/gatewayclass-controller';
const G = 'gateway.networking.k8s.io';
const NOW = '2026-01-01T00:00:00Z';

const gateway = (name: string, ns: string, listeners: UListener[], cls = 'sy'): UGateway => ({ metadata: { name, namespace: ns, generation: 2 }, spec: { gatewayClassName: cls, listeners } });
const http = (name: string, port: number, extra: Partial<UListener> = {}): UListener => ({ name, port, protocol: 'HTTP', ...extra });
const route = (name: string, ns: string, spec: UHTTPRoute['spec']): UHTTPRoute => ({ metadata: { name, namespace: ns, generation: 3 }, spec });
const svc = (name: string, ns: string, ports: Service['spec'] = { ports: [{ port: 8080 }] }): Service => ({ metadata: { name, namespace: ns }, spec: ports });
const slice = (name: string, ns: string, svcName: string, port: number, endpoints: EndpointSlice['endpoints'], portName?: string): EndpointSlice => ({
  metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  ports: [{ ...(portName ? { name: portName } : {}), port, protocol: 'TCP' }],
  endpoints,
});
const base = (over: Partial<LowerInput> = {}): LowerInput => ({
  gatewayClasses: [{ metadata: { name: 'sy' }, spec: { controllerName: CONTROLLER } }, { metadata: { name: 'other' }, spec: { controllerName: 'example.com/other' } }],
  gateways: [gateway('gw', 'infra', [http('http', 8000)])],
  routes: [],
  referenceGrants: [],
  services: [svc('web', 'infra')],
  endpointSlices: [slice('web-1', 'infra', 'web', 3000, [{ addresses: ['127.0.0.1'] }, { addresses: ['127.0.0.2'], conditions: { ready: false } }, { addresses: ['127.0.0.3'], conditions: { ready: true } }])],
  namespaces: [{ metadata: { name: 'infra' } }, { metadata: { name: 'apps', labels: { team: 'a' } } }],
  ...over,
});
const toWeb = { backendRefs: [{ name: 'web', port: 8080 }] };

test('a same-namespace route attaches; the Service becomes a Backend with the ready endpoints on the slice port', () => {
  const out = lowerGatewayAPI(base({ routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }], rules: [toWeb] })] }));
  assert.equal(out.routes.length, 1);
  const spec = out.routes[0].spec!;
  assert.deepEqual(spec.parentRefs, [{ group: 'gateway.apoxy.dev', kind: 'Gateway', name: 'k8s/infra/gw', sectionName: 'http' }]);
  assert.deepEqual(spec.rules![0].backendRefs, [{ kind: 'Backend', name: 'svc/infra/web/8080', weight: 1 }]);
  assert.deepEqual(out.backends.map((b) => [b.metadata.name, b.spec!.endpoints]), [['svc/infra/web/8080', [{ ip: '127.0.0.1', port: 3000 }, { ip: '127.0.0.3', port: 3000 }]]]);
  assert.equal(out.attached.get('infra/gw/http'), 1);
  assert.deepEqual(out.gateways.map((g) => [g.metadata.name, g.spec!.gatewayClassName]), [['k8s/infra/gw', 'k8s/sy']]);
});

test('allowedRoutes: Same refuses another namespace, All and Selector admit it; sectionName and port must match a listener', () => {
  const r = route('r', 'apps', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [] });
  const same = lowerGatewayAPI(base({ routes: [r] })).routeOutcomes.get('apps/r')!;
  assert.deepEqual([same.parents[0].accepted, same.parents[0].reason], [false, 'NotAllowedByListeners']);
  for (const from of [{ from: 'All' as const }, { from: 'Selector' as const, selector: { matchLabels: { team: 'a' } } }]) {
    const out = lowerGatewayAPI(base({ routes: [r], gateways: [gateway('gw', 'infra', [http('http', 8000, { allowedRoutes: { namespaces: from } })])] }));
    assert.equal(out.routeOutcomes.get('apps/r')!.parents[0].accepted, true, from.from);
  }
  const sel = lowerGatewayAPI(base({ routes: [r], gateways: [gateway('gw', 'infra', [http('http', 8000, { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'b' } } } } })])] }));
  assert.equal(sel.routeOutcomes.get('apps/r')!.parents[0].reason, 'NotAllowedByListeners');
  const bad = lowerGatewayAPI(base({ routes: [route('s', 'infra', { parentRefs: [{ name: 'gw', sectionName: 'nope' }, { name: 'gw', port: 9999, sectionName: 'http' }] })] }));
  assert.deepEqual(bad.routeOutcomes.get('infra/s')!.parents.map((p) => p.reason), ['NoMatchingParent', 'NoMatchingParent']);
  assert.equal(bad.routes.length, 0, 'nothing is lowered for an unattached route (it would land on --proxy-listen)');
});

test('a Gateway of another class is not ours: no status parent, nothing lowered', () => {
  const out = lowerGatewayAPI(base({ gateways: [gateway('gw', 'infra', [http('http', 8000)], 'other')], routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }] })] }));
  assert.equal(out.routeOutcomes.get('infra/r')!.parents[0].ours, false);
  assert.equal(out.routes.length, 0);
  assert.equal(upstreamGatewayStatus(base().gateways[0] && gateway('gw', 'infra', [], 'other'), out, '127.0.0.1', new Map(), NOW), undefined);
  const st = upstreamRouteStatus(route('r', 'infra', { parentRefs: [{ name: 'gw' }] }), out, () => [], NOW) as { parents: unknown[] };
  assert.deepEqual(st.parents, []);
});

test('listener hostname × route hostnames', () => {
  assert.equal(intersectHostnames(undefined, []), undefined);
  assert.deepEqual(intersectHostnames('*.example.com', []), ['*.example.com']);
  assert.deepEqual(intersectHostnames(undefined, ['a.example.com']), ['a.example.com']);
  assert.deepEqual(intersectHostnames('*.example.com', ['a.example.com', 'example.com', 'b.example.org']), ['a.example.com']);
  assert.deepEqual(intersectHostnames('a.example.com', ['*.example.com']), ['a.example.com']);
  assert.deepEqual(intersectHostnames('*.example.com', ['*.a.example.com']), ['*.a.example.com']);
  assert.deepEqual(intersectHostnames('*.a.example.com', ['*.example.com']), ['*.a.example.com']);
  assert.deepEqual(intersectHostnames('a.example.com', ['b.example.com']), []);
  const out = lowerGatewayAPI(base({ gateways: [gateway('gw', 'infra', [http('http', 8000, { hostname: 'x.example.com' })])], routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }], hostnames: ['y.example.com'] })] }));
  assert.equal(out.routeOutcomes.get('infra/r')!.parents[0].reason, 'NoMatchingListenerHostname');
});

test('cross-namespace backendRefs need a ReferenceGrant naming the route kind and namespace', () => {
  const r = route('r', 'apps', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', namespace: 'infra', port: 8080 }] }] });
  const gws = [gateway('gw', 'infra', [http('http', 8000, { allowedRoutes: { namespaces: { from: 'All' } } })])];
  const without = lowerGatewayAPI(base({ routes: [r], gateways: gws }));
  assert.deepEqual(without.routeOutcomes.get('apps/r')!.problems.map((p) => p.reason), ['RefNotPermitted']);
  assert.equal(without.routes[0].spec!.rules![0].backendRefs![0].name, 'refused/grant');
  const grant = (from: string, kind = 'HTTPRoute', name?: string): UReferenceGrant => ({ metadata: { name: 'g', namespace: 'infra' }, spec: { from: [{ group: G, kind, namespace: from }], to: [{ group: '', kind: 'Service', ...(name ? { name } : {}) }] } });
  assert.equal(lowerGatewayAPI(base({ routes: [r], gateways: gws, referenceGrants: [grant('apps')] })).routeOutcomes.get('apps/r')!.problems.length, 0);
  assert.equal(lowerGatewayAPI(base({ routes: [r], gateways: gws, referenceGrants: [grant('apps', 'HTTPRoute', 'web')] })).routeOutcomes.get('apps/r')!.problems.length, 0);
  for (const g of [grant('other'), grant('apps', 'GRPCRoute'), grant('apps', 'HTTPRoute', 'not-web')]) {
    assert.deepEqual(lowerGatewayAPI(base({ routes: [r], gateways: gws, referenceGrants: [g] })).routeOutcomes.get('apps/r')!.problems.map((p) => p.reason), ['RefNotPermitted']);
  }
  assert.equal(refAllowed([], { group: G, kind: 'HTTPRoute', namespace: 'a' }, { group: '', kind: 'Service', namespace: 'a', name: 'x' }), true);
});

test('Service resolution: port by number, slice port by the Service port name, unknown kinds and missing Services refused', () => {
  const named = svc('multi', 'infra', { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 81 }] });
  const slices = [slice('m1', 'infra', 'multi', 3000, [{ addresses: ['10.0.0.1'] }], 'http'), slice('m2', 'infra', 'multi', 4000, [{ addresses: ['10.0.0.2'] }], 'admin')];
  const http80 = resolveServicePort(named, slices, 'infra', 'multi', 80);
  assert.ok(http80.ok);
  assert.deepEqual(http80.ok && http80.backend.spec!.endpoints, [{ ip: '10.0.0.1', port: 3000 }]);
  const admin = resolveServicePort(named, slices, 'infra', 'multi', 81);
  assert.deepEqual(admin.ok && admin.backend.spec!.endpoints, [{ ip: '10.0.0.2', port: 4000 }]);
  assert.equal(resolveServicePort(named, slices, 'infra', 'multi', 82).ok, false);
  assert.equal(resolveServicePort(undefined, slices, 'infra', 'nope', 80).ok, false);
  const out = lowerGatewayAPI(base({ routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'x', port: 1 }, { group: 'example.com', kind: 'Thing', name: 'y' }] }] })] }));
  assert.deepEqual(out.routeOutcomes.get('infra/r')!.problems.map((p) => p.reason), ['BackendNotFound', 'InvalidKind']);
});

test('RequestMirror backendRefs resolve like any ref (Service port → Backend, ReferenceGrant across namespaces); refused ones are reported and not mirrored', () => {
  const mirror = (name: string, namespace?: string) => ({ type: 'RequestMirror', requestMirror: { backendRef: { name, port: 8080, ...(namespace ? { namespace } : {}) }, percent: 20 } });
  const cors = { type: 'CORS', cors: { allowOrigins: ['*'] } };
  const out = lowerGatewayAPI(
    base({
      services: [svc('web', 'infra'), svc('shadow', 'apps')],
      endpointSlices: [slice('web-1', 'infra', 'web', 3000, [{ addresses: ['127.0.0.1'] }]), slice('shadow-1', 'apps', 'shadow', 4000, [{ addresses: ['127.0.0.9'] }])],
      routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }], rules: [{ filters: [mirror('web'), mirror('shadow', 'apps'), mirror('gone'), cors], backendRefs: [{ name: 'web', port: 8080 }] }] })],
    }),
  );
  assert.deepEqual(out.routes[0].spec!.rules![0].filters, [{ type: 'RequestMirror', requestMirror: { backendRef: { group: 'core.apoxy.dev', kind: 'Backend', name: 'svc/infra/web/8080' }, percent: 20 } }, cors]);
  assert.deepEqual(out.routeOutcomes.get('infra/r')!.problems.map((p) => p.reason), ['RefNotPermitted', 'BackendNotFound']);
  const granted = lowerGatewayAPI(
    base({
      services: [svc('web', 'infra'), svc('shadow', 'apps')],
      endpointSlices: [slice('shadow-1', 'apps', 'shadow', 4000, [{ addresses: ['127.0.0.9'] }])],
      referenceGrants: [{ metadata: { name: 'g', namespace: 'apps' }, spec: { from: [{ group: G, kind: 'HTTPRoute', namespace: 'infra' }], to: [{ group: '', kind: 'Service' }] } }],
      routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }], rules: [{ filters: [mirror('shadow', 'apps')], backendRefs: [{ name: 'web', port: 8080 }] }] })],
    }),
  );
  assert.deepEqual(granted.routeOutcomes.get('infra/r')!.problems, []);
  assert.ok(granted.backends.some((b) => b.metadata.name === 'svc/apps/shadow/8080'));
});

test('backendRefs[].filters are carried onto the lowered ref', () => {
  const filters = [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Backend', value: 'web' }] } }];
  const out = lowerGatewayAPI(base({ routes: [route('r', 'infra', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 8080, filters }] }] })] }));
  assert.deepEqual(out.routes[0].spec!.rules![0].backendRefs, [{ kind: 'Backend', name: 'svc/infra/web/8080', weight: 1, filters }]);
  assert.deepEqual(out.routeOutcomes.get('infra/r')!.problems, []);
});

test('status: parents carry group and kind; Gateway has a typed address, attachedRoutes and supportedKinds; observedGeneration everywhere', () => {
  const r = route('r', 'infra', { parentRefs: [{ group: G, kind: 'Gateway', name: 'gw' }], rules: [toWeb] });
  const out = lowerGatewayAPI(base({ routes: [r] }));
  const rs = upstreamRouteStatus(r, out, () => [], NOW) as { parents: Array<{ parentRef: Record<string, unknown>; controllerName: string; conditions: Array<{ type: string; status: string; observedGeneration: number }> }> };
  assert.deepEqual(rs.parents[0].parentRef, { group: G, kind: 'Gateway', name: 'gw' });
  assert.equal(rs.parents[0].controllerName, CONTROLLER);
  assert.deepEqual(rs.parents[0].conditions.map((c) => [c.type, c.status, c.observedGeneration]), [['Accepted', 'True', 3], ['ResolvedRefs', 'True', 3]]);
  const gs = upstreamGatewayStatus(base().gateways[0], out, '0.0.0.0', new Map([['gateway/k8s/infra/gw/http', 'EADDRINUSE']]), NOW) as {
    addresses: unknown[];
    conditions: Array<{ type: string; status: string }>;
    listeners: Array<{ attachedRoutes: number; supportedKinds: unknown[]; conditions: Array<{ type: string; status: string; observedGeneration: number }> }>;
  };
  assert.deepEqual(gs.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
  assert.equal(gs.listeners[0].attachedRoutes, 1);
  assert.deepEqual(gs.listeners[0].supportedKinds, [{ group: G, kind: 'HTTPRoute' }, { group: G, kind: 'GRPCRoute' }]);
  assert.equal(gs.listeners[0].conditions.find((c) => c.type === 'Programmed')!.status, 'False');
  assert.equal(gs.conditions.find((c) => c.type === 'Programmed')!.status, 'False');
  assert.deepEqual(gatewayAddress('::'), { type: 'IPAddress', value: '::1' });
  assert.deepEqual(gatewayAddress('proxy.local'), { type: 'Hostname', value: 'proxy.local' });
});

test('Gateway certificateRefs to another namespace need a ReferenceGrant from Gateway to Secret', () => {
  const https = (ref: { name: string; namespace?: string }): UGateway => gateway('gw', 'infra', [{ name: 'https', port: 8443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', ...ref }] } }]);
  const listenerOf = (out: ReturnType<typeof lowerGatewayAPI>) => out.gateways[0].spec!.listeners[0] as unknown as { tls: { certificateRefs: unknown[] } };
  const same = lowerGatewayAPI(base({ gateways: [https({ name: 'cert' })] }));
  assert.deepEqual(listenerOf(same).tls.certificateRefs, [{ group: '', kind: 'Secret', name: 'cert', namespace: 'infra' }]);
  const cross = https({ name: 'cert', namespace: 'certs' });
  const refused = lowerGatewayAPI(base({ gateways: [cross] }));
  assert.deepEqual(listenerOf(refused).tls.certificateRefs, []);
  const st = upstreamGatewayStatus(cross, refused, '127.0.0.1', new Map(), NOW) as { listeners: Array<{ conditions: Array<{ type: string; status: string; reason: string }> }> };
  assert.deepEqual(st.listeners[0].conditions.filter((c) => c.type === 'ResolvedRefs').map((c) => [c.status, c.reason]), [['False', 'RefNotPermitted']]);
  const grant: UReferenceGrant = { metadata: { name: 'g', namespace: 'certs' }, spec: { from: [{ group: G, kind: 'Gateway', namespace: 'infra' }], to: [{ group: '', kind: 'Secret' }] } };
  const allowed = lowerGatewayAPI(base({ gateways: [cross], referenceGrants: [grant] }));
  assert.equal(listenerOf(allowed).tls.certificateRefs.length, 1);
  const ok = upstreamGatewayStatus(cross, allowed, '127.0.0.1', new Map(), NOW, [grant]) as { listeners: Array<{ conditions: Array<{ type: string; status: string }> }> };
  assert.equal(ok.listeners[0].conditions.find((c) => c.type === 'ResolvedRefs')!.status, 'True');
});

test('GatewayListenerUnsupportedProtocol: listener Accepted=False UnsupportedProtocol; the Gateway Accepted only with a valid listener, reason ListenersNotValid', () => {
  type St = { conditions: Array<{ type: string; status: string; reason: string }>; listeners: Array<{ supportedKinds: unknown[]; conditions: Array<{ type: string; status: string; reason: string }> }> };
  const c = (st: St, t: string) => st.conditions.find((x) => x.type === t)!;
  const only = gateway('only', 'infra', [{ name: 'invalid', port: 9000, protocol: 'example.com/proto' }]);
  const mixed = gateway('mixed', 'infra', [http('http', 8000), { name: 'invalid', port: 9000, protocol: 'example.com/proto' }]);
  const out = lowerGatewayAPI(base({ gateways: [only, mixed, base().gateways[0]] }));
  const a = upstreamGatewayStatus(only, out, '127.0.0.1', new Map(), NOW) as St;
  assert.deepEqual([c(a, 'Accepted').status, c(a, 'Accepted').reason], ['False', 'ListenersNotValid']);
  assert.deepEqual(a.listeners[0].supportedKinds, []);
  assert.deepEqual(a.listeners[0].conditions.filter((x) => x.type === 'Accepted').map((x) => [x.status, x.reason]), [['False', 'UnsupportedProtocol']]);
  const b = upstreamGatewayStatus(mixed, out, '127.0.0.1', new Map(), NOW) as St;
  assert.deepEqual([c(b, 'Accepted').status, c(b, 'Accepted').reason], ['True', 'ListenersNotValid']);
  assert.equal(c(b, 'Programmed').status, 'True');
  const plain = upstreamGatewayStatus(base().gateways[0], out, '127.0.0.1', new Map(), NOW) as St;
  assert.deepEqual([c(plain, 'Accepted').status, c(plain, 'Accepted').reason], ['True', 'Accepted']);
});

test('a listener whose certificateRef cannot be used is ResolvedRefs=False InvalidCertificateRef and not Programmed', () => {
  const https = { name: 'https', port: 8443, protocol: 'HTTPS' as const, tls: { certificateRefs: [{ name: 'missing' }] } };
  const g = gateway('gw', 'infra', [https]);
  const out = lowerGatewayAPI(base({ gateways: [g] }));
  const certErrors = new Map([['gateway/k8s/infra/gw/https', 'Secret infra/missing not found']]);
  const gs = upstreamGatewayStatus(g, out, '127.0.0.1', new Map(), NOW, [], [], certErrors) as { conditions: Array<{ type: string; status: string }>; listeners: Array<{ conditions: Array<{ type: string; status: string; reason: string; message: string }> }> };
  const resolved = gs.listeners[0].conditions.find((c) => c.type === 'ResolvedRefs')!;
  assert.deepEqual([resolved.status, resolved.reason, resolved.message], ['False', 'InvalidCertificateRef', 'Secret infra/missing not found']);
  assert.equal(gs.listeners[0].conditions.find((c) => c.type === 'Programmed')!.status, 'False');
  assert.equal(gs.conditions.find((c) => c.type === 'Programmed')!.status, 'False');
});

test('a Gateway with an infrastructure.parametersRef (no kind is supported) is Accepted=False InvalidParameters', () => {
  const g: UGateway = { ...gateway('gw', 'infra', [http('http', 8000)]), spec: { gatewayClassName: 'sy', listeners: [http('http', 8000)], infrastructure: { parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' } } } as UGateway['spec'] };
  const out = lowerGatewayAPI(base({ gateways: [g] }));
  const gs = upstreamGatewayStatus(g, out, '127.0.0.1', new Map(), NOW) as { conditions: Array<{ type: string; status: string; reason: string; observedGeneration: number }> };
  assert.deepEqual(
    gs.conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration]),
    [
      ['Accepted', 'False', 'InvalidParameters', 2],
      ['Programmed', 'False', 'Invalid', 2],
    ],
  );
});
