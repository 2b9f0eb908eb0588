import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerGatewayAPI, type LowerInput } from './lower';
import { indexBackendTLSPolicies, parseCABundle } from './backendtls';
import { resolveServicePort } from './services';
import { backendTLSPolicyStatus } from './policy_status';
import { upstreamRouteStatus } from './status';
import { grpcRouteShape } from './grpcroutes';
import { createCA } from '../../../certs/selfsigned';
import type { ConfigMap, EndpointSlice, Service, UBackendTLSPolicy, UGRPCRoute } from './types';

const CONTROLLER = 'gateway.apoxy.dev/gatewayclass-controller';
const G = 'gateway.networking.k8s.io';
const NOW = '2026-01-01T00:00:00Z';
const CA_PEM = createCA('btls-test-ca').cert;

const svc = (name: string, ports: Service['spec'] = { ports: [{ name: 'btls', port: 443 }] }): Service => ({ metadata: { name, namespace: 'infra' }, spec: ports });
const slice = (name: string, svcName: string, port: number, endpoints: EndpointSlice['endpoints'], extra: Partial<EndpointSlice> = {}): EndpointSlice => ({
  metadata: { name, namespace: 'infra', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  ports: [{ name: 'btls', port, protocol: 'TCP' }],
  endpoints,
  ...extra,
});
const policy = (name: string, targets: UBackendTLSPolicy['spec'] extends infer S ? (S extends { targetRefs: infer T } ? T : never) : never, validation: Record<string, unknown>, created = '2026-01-01T00:00:00Z'): UBackendTLSPolicy =>
  ({ metadata: { name, namespace: 'infra', generation: 1, creationTimestamp: created }, spec: { targetRefs: targets, validation } }) as unknown as UBackendTLSPolicy;
const cm = (name: string, pem: string): ConfigMap => ({ metadata: { name, namespace: 'infra' }, data: { 'ca.crt': pem } });
const base = (over: Partial<LowerInput> = {}): LowerInput => ({
  gatewayClasses: [{ metadata: { name: 'sy' }, spec: { controllerName: CONTROLLER } }],
  gateways: [{ metadata: { name: 'gw', namespace: 'infra', generation: 1 }, spec: { gatewayClassName: 'sy', listeners: [{ name: 'http', port: 8000, protocol: 'HTTP' }] } }],
  routes: [],
  referenceGrants: [],
  services: [svc('tls-backend')],
  endpointSlices: [slice('tls-1', 'tls-backend', 8443, [{ addresses: ['127.0.0.1'] }])],
  namespaces: [{ metadata: { name: 'infra' } }],
  ...over,
});
const toTLS = { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'tls-backend', port: 443 }] }] };

test('parseCABundle keeps only parseable certificates', () => {
  assert.deepEqual(parseCABundle('not a pem'), []);
  assert.deepEqual(parseCABundle(`${CA_PEM}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----`), [CA_PEM.trim()]);
  assert.deepEqual(parseCABundle(undefined), []);
});

test('GRPCRoute: method matches lowered as POST path matches with the gRPC content type; HTTP/2 to the Service; its own outcomes', () => {
  const g: UGRPCRoute = { metadata: { name: 'g', namespace: 'infra', generation: 1 }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ method: { service: 'pkg.Echo', method: 'Say' } }], backendRefs: [{ name: 'tls-backend', port: 443 }] }] } };
  const shaped = grpcRouteShape(g).spec!.rules![0].matches as Array<Record<string, unknown>>;
  assert.deepEqual(shaped[0].path, { type: 'Exact', value: '/pkg.Echo/Say' });
  assert.equal(shaped[0].method, 'POST');
  const out = lowerGatewayAPI(base({ grpcRoutes: [g] }));
  assert.equal(out.routes[0].metadata.name, 'k8sgrpc/infra/g/infra/gw/http');
  assert.deepEqual(out.backends.map((b) => [b.metadata.name, b.spec!.protocol]), [['svc/infra/tls-backend/443/grpc', 'h2c']]);
  assert.equal(out.grpcOutcomes.get('infra/g')!.parents[0].accepted, true);
  assert.equal(out.routeOutcomes.size, 0);
  assert.equal(out.attached.get('infra/gw/http'), 1);
  // a listener that allows only HTTPRoute refuses it
  const onlyHTTP = lowerGatewayAPI(base({ grpcRoutes: [g], gateways: [{ metadata: { name: 'gw', namespace: 'infra' }, spec: { gatewayClassName: 'sy', listeners: [{ name: 'http', port: 8000, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }] } }] } }] }));
  assert.equal(onlyHTTP.grpcOutcomes.get('infra/g')!.parents[0].reason, 'NotAllowedByListeners');
  const st = upstreamRouteStatus(grpcRouteShape(g), out, () => [], NOW, 'GRPCRoute') as { parents: Array<{ parentRef: unknown }> };
  assert.deepEqual(st.parents[0].parentRef, { group: G, kind: 'Gateway', name: 'gw' });
});

test('EndpointSlices: FQDN endpoints, terminating fallback as kube-proxy, unready excluded, port by name', () => {
  const s = svc('x', { ports: [{ name: 'btls', port: 443 }], clusterIP: 'None' });
  const fq = resolveServicePort(s, [slice('f', 'x', 8443, [{ addresses: ['Echo.Example.'] }], { addressType: 'FQDN' })], 'infra', 'x', 443);
  assert.deepEqual(fq.ok && fq.backend.spec!.endpoints, [{ fqdn: 'echo.example', port: 8443 }]);
  const eps: EndpointSlice['endpoints'] = [
    { addresses: ['10.0.0.1'], conditions: { ready: false, serving: true, terminating: true } },
    { addresses: ['10.0.0.2'], conditions: { ready: false, serving: false, terminating: true } },
    { addresses: ['10.0.0.3'], conditions: { ready: false } },
  ];
  const term = resolveServicePort(s, [slice('t', 'x', 8443, eps)], 'infra', 'x', 443);
  assert.deepEqual(term.ok && term.backend.spec!.endpoints, [{ ip: '10.0.0.1', port: 8443 }], 'only serving+terminating when nothing is ready');
  const withReady = resolveServicePort(s, [slice('t', 'x', 8443, [...eps, { addresses: ['10.0.0.4'] }])], 'infra', 'x', 443);
  assert.deepEqual(withReady.ok && withReady.backend.spec!.endpoints, [{ ip: '10.0.0.4', port: 8443 }], 'ready ones win');
  const otherPort = resolveServicePort(s, [{ ...slice('o', 'x', 9000, [{ addresses: ['10.0.0.5'] }]), ports: [{ name: 'other', port: 9000 }] }], 'infra', 'x', 443);
  assert.deepEqual(otherPort.ok && otherPort.backend.spec!.endpoints, []);
});

test('BackendTLSPolicy: caCertificateRefs trusted alone with hostname as SNI; System; missing or malformed CA → NoValidCACertificate and the ref answers 500', () => {
  const good = policy('good', [{ group: '', kind: 'Service', name: 'tls-backend', sectionName: 'btls' }], { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'ABC.example.com' });
  const idx = indexBackendTLSPolicies([good], [cm('ca', `junk\n${CA_PEM}`)]);
  assert.equal(idx.verdicts.get('infra/good')!.accepted.status, 'True');
  assert.deepEqual(idx.forPort('infra', 'tls-backend', 'btls'), { serverName: 'abc.example.com', caBundle: CA_PEM.trim(), caBundleOnly: true });
  assert.equal(idx.forPort('infra', 'tls-backend', 'other'), undefined, 'sectionName limits it to the btls port');
  const sys = policy('sys', [{ group: '', kind: 'Service', name: 'tls-backend' }], { wellKnownCACertificates: 'System', hostname: 'abc.example.com', subjectAltNames: [{ type: 'URI', uri: 'spiffe://a/b' }] });
  const out = lowerGatewayAPI(base({ routes: [{ metadata: { name: 'r', namespace: 'infra', generation: 1 }, spec: toTLS }], backendTLSPolicies: [sys] }));
  assert.deepEqual(out.backends[0].spec!.tls, { serverName: 'abc.example.com', subjectAltNames: [{ type: 'URI', value: 'spiffe://a/b' }] });
  assert.equal(out.backends[0].spec!.protocol, 'tls');
  const st = backendTLSPolicyStatus(sys, out, NOW) as { ancestors: Array<{ ancestorRef: unknown; controllerName: string; conditions: Array<{ type: string; status: string; reason: string; observedGeneration: number }> }> };
  assert.deepEqual(st.ancestors.map((a) => a.ancestorRef), [{ group: G, kind: 'Gateway', namespace: 'infra', name: 'gw' }]);
  assert.equal(st.ancestors[0].controllerName, CONTROLLER);
  assert.deepEqual(st.ancestors[0].conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration]), [['Accepted', 'True', 'Accepted', 1], ['ResolvedRefs', 'True', 'ResolvedRefs', 1]]);

  for (const [pem, name] of [['', 'missing'], ['not a certificate', 'malformed']] as const) {
    const p = policy(name, [{ group: '', kind: 'Service', name: 'tls-backend' }], { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'abc.example.com' });
    const o = lowerGatewayAPI(base({ routes: [{ metadata: { name: 'r', namespace: 'infra' }, spec: toTLS }], backendTLSPolicies: [p], configMaps: pem ? [cm('ca', pem)] : [] }));
    assert.equal((o.routes[0].spec!.rules![0].backendRefs![0] as { name: string }).name, 'refused/backendtlspolicy', name);
    const s = backendTLSPolicyStatus(p, o, NOW) as { ancestors: Array<{ conditions: Array<{ type: string; status: string; reason: string }> }> };
    assert.deepEqual(s.ancestors[0].conditions.map((c) => [c.type, c.status, c.reason]), [['Accepted', 'False', 'NoValidCACertificate'], ['ResolvedRefs', 'False', 'InvalidCACertificateRef']], name);
  }
  const kind = policy('kind', [{ group: '', kind: 'Service', name: 'tls-backend' }], { caCertificateRefs: [{ group: '', kind: 'Secret', name: 'ca' }], hostname: 'a' });
  assert.equal(indexBackendTLSPolicies([kind], []).verdicts.get('infra/kind')!.resolvedRefs.reason, 'InvalidKind');
});

test('BackendTLSPolicy conflicts: the older wins on the same target; a section-named policy beats a whole-Service one on its port', () => {
  const v = { wellKnownCACertificates: 'System', hostname: 'a.example' };
  const t = { group: '', kind: 'Service', name: 'tls-backend' };
  const older = policy('b-older', [t], v, '2026-01-01T00:00:00Z');
  const newer = policy('a-newer', [t], { ...v, hostname: 'b.example' }, '2026-01-02T00:00:00Z');
  const idx = indexBackendTLSPolicies([newer, older], []);
  assert.equal(idx.verdicts.get('infra/b-older')!.accepted.status, 'True');
  assert.deepEqual([idx.verdicts.get('infra/a-newer')!.accepted.status, idx.verdicts.get('infra/a-newer')!.accepted.reason], ['False', 'Conflicted']);
  assert.equal((idx.forPort('infra', 'tls-backend', 'btls') as { serverName: string }).serverName, 'a.example');
  const section = policy('section', [{ ...t, sectionName: 'btls' }], { ...v, hostname: 'c.example' }, '2026-01-03T00:00:00Z');
  const both = indexBackendTLSPolicies([older, section], []);
  assert.equal(both.verdicts.get('infra/section')!.accepted.status, 'True');
  assert.equal((both.forPort('infra', 'tls-backend', 'btls') as { serverName: string }).serverName, 'c.example');
  assert.equal((both.forPort('infra', 'tls-backend', 'other') as { serverName: string }).serverName, 'a.example');
  assert.equal(both.forPort('infra', 'elsewhere', 'btls'), undefined);
});
