// BackendTLSPolicy and GRPCRoute of gateway.networking.k8s.io routed by the real binary against real
// upstreams on loopback. Mirrors conformance/tests backendtlspolicy (normative, host-mismatch,
// cert-mismatch, ConfigMap change reconciled), backendtlspolicy-invalid-ca-certificate-ref,
// backendtlspolicy-conflict-resolution (part) and grpcroute-exact-method-matching: an HTTPS echo
// server whose certificate a self-signed CA signed for abc.example.com, that CA in a ConfigMap
// (key ca.crt), Services and EndpointSlices pointing at it; a grpc-js server behind a Service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { createCA, createServingCert } from '../../pkg/certs/selfsigned';
import { freePort } from '../harness/ports';
import { baseGateway, CONTROLLER, GROUP, INFRA_NS, cond, get, getJSON, startServe, waitFor, type Serve } from './lib';

const indent = (pem: string, n: number) => pem.trim().split('\n').join(`\n${' '.repeat(n)}`);

describe('BackendTLSPolicy and GRPCRoute routing and status', { timeout: 240_000 }, () => {
  let s: Serve;
  let gwPort: number;
  let tlsServer: https.Server;
  let tlsPort: number;
  let grpcServer: grpc.Server;
  let grpcPort: number;
  const ca = createCA('btls-conformance-ca');
  const otherCA = createCA('some-other-ca');
  const sniSeen: string[] = [];

  const apply = (yaml: string) => s.k.ok(['apply', '-f', '-'], { input: yaml });
  const svc = (name: string, port: number, appProtocol = '') => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${INFRA_NS}}
spec:
  ports: [{name: btls, protocol: TCP, port: 443, targetPort: 8443${appProtocol ? `, appProtocol: ${appProtocol}` : ''}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: btls, port: ${port}, protocol: TCP}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
`;
  const configMap = (name: string, pem: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${INFRA_NS}}
data:
  ca.crt: |
    ${indent(pem, 4)}
`;
  const policy = (name: string, service: string, cm: string, hostname = 'abc.example.com') => `apiVersion: ${GROUP}/v1
kind: BackendTLSPolicy
metadata: {name: ${name}, namespace: ${INFRA_NS}}
spec:
  targetRefs: [{group: "", kind: Service, name: ${service}, sectionName: btls}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: ${cm}}]
    hostname: ${hostname}
`;
  const policyAncestor = async (name: string) => {
    const p = await getJSON(s.k, `backendtlspolicies.${GROUP}`, name, INFRA_NS);
    return p?.status?.ancestors?.find((a: { ancestorRef: { name: string } }) => a.ancestorRef.name === 'same-namespace');
  };

  before(async () => {
    const leaf = createServingCert(ca, ['abc.example.com'], 'abc.example.com');
    tlsServer = https.createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
      const sni = (req.socket as tls.TLSSocket).servername || '';
      sniSeen.push(sni);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, host: req.headers.host, sni, pod: 'tls-backend' }));
    });
    await new Promise<void>((r) => tlsServer.listen({ host: '127.0.0.1', port: 0 }, r));
    tlsPort = (tlsServer.address() as net.AddressInfo).port;
    grpcServer = new grpc.Server();
    const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
    grpcServer.addService({ Echo: { path: '/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo', requestStream: false, responseStream: false, ...raw } } as never, {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.concat([Buffer.from('echo: '), call.request])),
    });
    grpcPort = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
    s = await startServe();
    gwPort = await freePort();
    await apply(`${baseGateway('same-namespace', gwPort)}---
${configMap('tls-checks-ca-certificate', ca.cert)}---
${configMap('wrong-ca', otherCA.cert)}---
${configMap('malformed-ca', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----')}---
${svc('backendtlspolicy-test', tlsPort)}---
${svc('backendtlspolicy-host-mismatch-test', tlsPort, 'HTTPS')}---
${svc('backendtlspolicy-cert-mismatch-test', tlsPort, 'HTTPS')}---
${svc('backendtlspolicy-malformed-test', tlsPort)}---
${policy('normative-test', 'backendtlspolicy-test', 'tls-checks-ca-certificate')}---
${policy('host-mismatch', 'backendtlspolicy-host-mismatch-test', 'tls-checks-ca-certificate', 'mismatch.example.com')}---
${policy('cert-mismatch', 'backendtlspolicy-cert-mismatch-test', 'wrong-ca')}---
${policy('malformed-ca-certificate-ref', 'backendtlspolicy-malformed-test', 'malformed-ca')}---
apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: backendtlspolicy, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [abc.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /backendtlspolicy}}]
    backendRefs: [{name: backendtlspolicy-test, port: 443}]
  - matches: [{path: {type: Exact, value: /backendtlspolicy-host-mismatch}}]
    backendRefs: [{name: backendtlspolicy-host-mismatch-test, port: 443}]
  - matches: [{path: {type: Exact, value: /backendtlspolicy-cert-mismatch}}]
    backendRefs: [{name: backendtlspolicy-cert-mismatch-test, port: 443}]
  - matches: [{path: {type: Exact, value: /backendtlspolicy-malformed}}]
    backendRefs: [{name: backendtlspolicy-malformed-test, port: 443}]
`);
  });

  after(async () => {
    await s?.stop();
    tlsServer?.closeAllConnections();
    tlsServer?.close();
    grpcServer?.forceShutdown();
  });

  it('a Service with a valid BackendTLSPolicy is reached over TLS with the policy hostname as SNI, verified against the ConfigMap CA', async () => {
    const r = await waitFor(async () => {
      const x = await get(gwPort, '/backendtlspolicy', { host: 'abc.example.com' });
      return x.status === 200 ? x : undefined;
    }, 20_000, 'normative-test served');
    const body = JSON.parse(r!.body) as { sni: string; path: string };
    assert.equal(body.sni, 'abc.example.com');
    assert.equal(body.path, '/backendtlspolicy');
    const a = await waitFor(() => policyAncestor('normative-test'), 20_000, 'normative-test ancestors');
    assert.deepEqual(a.ancestorRef, { group: GROUP, kind: 'Gateway', namespace: INFRA_NS, name: 'same-namespace' });
    assert.equal(a.controllerName, CONTROLLER);
    const p = await getJSON(s.k, `backendtlspolicies.${GROUP}`, 'normative-test', INFRA_NS);
    for (const [t, reason] of [['Accepted', 'Accepted'], ['ResolvedRefs', 'ResolvedRefs']]) {
      const c = cond(a.conditions, t)!;
      assert.deepEqual([c.status, c.reason, c.observedGeneration], ['True', reason, p.metadata.generation], t);
    }
  });

  it('a mismatched hostname or a CA that did not sign the certificate: the request fails (502), the policies stay Accepted', async () => {
    for (const [path, name] of [['/backendtlspolicy-host-mismatch', 'host-mismatch'], ['/backendtlspolicy-cert-mismatch', 'cert-mismatch']]) {
      const a = await waitFor(() => policyAncestor(name), 20_000, `${name} ancestors`);
      assert.equal(cond(a.conditions, 'Accepted')!.status, 'True', name);
      assert.equal(cond(a.conditions, 'ResolvedRefs')!.status, 'True', name);
      const r = await get(gwPort, path, { host: 'abc.example.com' });
      assert.equal(r.status, 502, `${name}: ${r.body}`);
    }
    assert.ok(!sniSeen.includes('mismatch.example.com'), 'no request reached the upstream under the mismatched name');
  });

  it('a CA ConfigMap without a usable certificate: NoValidCACertificate / InvalidCACertificateRef and 500; fixing the ConfigMap is reconciled', async () => {
    const a = await waitFor(async () => {
      const x = await policyAncestor('malformed-ca-certificate-ref');
      return cond(x?.conditions, 'Accepted')?.status === 'False' ? x : undefined;
    }, 20_000, 'malformed policy refused');
    assert.equal(cond(a.conditions, 'Accepted')!.reason, 'NoValidCACertificate');
    assert.deepEqual([cond(a.conditions, 'ResolvedRefs')!.status, cond(a.conditions, 'ResolvedRefs')!.reason], ['False', 'InvalidCACertificateRef']);
    assert.equal((await get(gwPort, '/backendtlspolicy-malformed', { host: 'abc.example.com' })).status, 500);
    // the ConfigMap now holds the right CA: the policy is accepted and the Service served
    await apply(configMap('malformed-ca', ca.cert));
    await waitFor(async () => (await get(gwPort, '/backendtlspolicy-malformed', { host: 'abc.example.com' })).status === 200, 20_000, 'served after the ConfigMap fix');
    await waitFor(async () => cond((await policyAncestor('malformed-ca-certificate-ref'))?.conditions, 'Accepted')?.status === 'True', 20_000, 'accepted after the fix');
  });

  it('a second policy on the same Service port is Conflicted; the older one keeps applying', async () => {
    await apply(policy('conflicting', 'backendtlspolicy-test', 'wrong-ca'));
    const a = await waitFor(async () => {
      const x = await policyAncestor('conflicting');
      return cond(x?.conditions, 'Accepted')?.reason === 'Conflicted' ? x : undefined;
    }, 20_000, 'conflicting policy Conflicted');
    assert.equal(cond(a.conditions, 'Accepted')!.status, 'False');
    assert.equal((await get(gwPort, '/backendtlspolicy', { host: 'abc.example.com' })).status, 200);
  });

  it('BackendTLSPolicySANValidation: subjectAltNames are verified instead of the hostname (still the SNI); a SAN the certificate lacks fails', async () => {
    const san = (name: string, service: string, sanHost: string) => `${svc(service, tlsPort)}---
apiVersion: ${GROUP}/v1
kind: BackendTLSPolicy
metadata: {name: ${name}, namespace: ${INFRA_NS}}
spec:
  targetRefs: [{group: "", kind: Service, name: ${service}}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: tls-checks-ca-certificate}]
    hostname: sni.example.com
    subjectAltNames: [{type: Hostname, hostname: ${sanHost}}]
`;
    await apply(`${san('san-ok', 'san-ok-test', 'abc.example.com')}---
${san('san-bad', 'san-bad-test', 'nope.example.com')}---
apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: backendtlspolicy-san, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [san.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /san-ok}}]
    backendRefs: [{name: san-ok-test, port: 443}]
  - matches: [{path: {type: Exact, value: /san-bad}}]
    backendRefs: [{name: san-bad-test, port: 443}]
`);
    const r = await waitFor(async () => {
      const x = await get(gwPort, '/san-ok', { host: 'san.example.com' });
      return x.status === 200 ? x : undefined;
    }, 20_000, 'SAN policy served');
    assert.equal((JSON.parse(r!.body) as { sni: string }).sni, 'sni.example.com', 'the hostname is still the SNI');
    assert.equal((await get(gwPort, '/san-bad', { host: 'san.example.com' })).status, 502);
  });

  it('GRPCRouteExactMethodMatching: a GRPCRoute to a Service reaches the grpc-js server over h2c; its status parents carry group and kind', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: grpc-infra-backend-v1, namespace: ${INFRA_NS}}
spec:
  ports: [{protocol: TCP, port: 8080, targetPort: 3000}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: grpc-infra-backend-v1-1, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: grpc-infra-backend-v1}}
addressType: IPv4
ports: [{port: ${grpcPort}, protocol: TCP}]
endpoints: [{addresses: [127.0.0.1]}]
---
apiVersion: ${GROUP}/v1
kind: GRPCRoute
metadata: {name: exact-matching, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [grpc.example.com]
  rules:
  - matches:
    - method: {service: gateway_api_conformance.echo_basic.grpcecho.GrpcEcho, method: Echo}
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
`);
    const frame = (payload: string) => {
      const b = Buffer.alloc(5 + payload.length);
      b.writeUInt32BE(payload.length, 1);
      b.write(payload, 5);
      return b;
    };
    const call = async (path: string) => {
      const res = await request(`http://127.0.0.1:${gwPort}${path}`, { method: 'POST', headers: { host: 'grpc.example.com', 'content-type': 'application/grpc', te: 'trailers' }, body: frame('hi'), headersTimeout: 10_000, bodyTimeout: 10_000 });
      return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
    };
    const r = await waitFor(async () => {
      const x = await call('/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo');
      return x.status === 200 && x.headers['grpc-status'] === undefined ? x : undefined;
    }, 20_000, 'GRPCRoute served');
    assert.equal(r!.body.subarray(5).toString(), 'echo: hi');
    const other = await call('/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/EchoTwo');
    assert.equal(other.headers['grpc-status'], '12', 'another method is not routed (UNIMPLEMENTED)');
    const gr = await waitFor(async () => {
      const o = await getJSON(s.k, `grpcroutes.${GROUP}`, 'exact-matching', INFRA_NS);
      return cond(o?.status?.parents?.[0]?.conditions, 'Accepted')?.status === 'True' ? o : undefined;
    }, 20_000, 'GRPCRoute Accepted');
    const p = gr.status.parents[0];
    assert.deepEqual(p.parentRef, { group: GROUP, kind: 'Gateway', name: 'same-namespace' });
    assert.equal(p.controllerName, CONTROLLER);
    assert.equal(cond(p.conditions, 'ResolvedRefs')!.status, 'True');
    const gw = await getJSON(s.k, `gateways.${GROUP}`, 'same-namespace', INFRA_NS);
    assert.equal(gw.status.listeners[0].attachedRoutes, 3, 'two HTTPRoutes and the GRPCRoute');
  });
});
