// gateway.networking.k8s.io, Service and EndpointSlice as an apiserver serves them, on both stores,
// with kubectl 1.32: upstream-style manifests apply whole (schema defaults from the upstream CRDs),
// the CRDs' CEL rules refuse with their messages, discovery / OpenAPI (`kubectl explain`) / Table,
// ReferenceGrant at v1beta1 and v1, Services (kubectl create sends protobuf; strategic merge
// merges ports by `port`) and EndpointSlices (loopback accepted, addressType immutable).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlFor, startServer, type Kubectl, type Storage, type TestServer } from '../apiserver/lib';
import { GROUP, INFRA_NS, getJSON } from './lib';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata: {name: ${INFRA_NS}}
---
apiVersion: ${GROUP}/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: gateway.apoxy.dev/gatewayclass-controller}
---
apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: same-namespace, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: exact, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [exact.example]
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080}]
---
apiVersion: ${GROUP}/v1beta1
kind: ReferenceGrant
metadata: {name: grant, namespace: ${INFRA_NS}}
spec:
  from: [{group: ${GROUP}, kind: HTTPRoute, namespace: other}]
  to: [{group: "", kind: Service}]
---
apiVersion: v1
kind: Service
metadata: {name: infra-backend-v1, namespace: ${INFRA_NS}}
spec:
  selector: {app: infra-backend-v1}
  ports: [{name: a, port: 8080, targetPort: 3000}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: infra-backend-v1-x
  namespace: ${INFRA_NS}
  labels: {kubernetes.io/service-name: infra-backend-v1}
addressType: IPv4
ports: [{name: a, port: 3000}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
`;

function suite(storage: Storage): void {
  describe(`gateway.networking.k8s.io, Service, EndpointSlice on ${storage}`, { timeout: 180_000 }, () => {
    let ts: TestServer;
    let k: Kubectl;
    before(async () => {
      ts = await startServer(storage);
      k = kubectlFor(ts.sy.kubeconfig);
    });
    after(async () => ts?.stop());

    it('kubectl apply of upstream-style manifests creates every object, with the upstream schema defaults', async () => {
      const out = await k.ok(['apply', '-f', '-'], { input: MANIFEST });
      for (const line of [
        `gatewayclass.${GROUP}/switchyard created`,
        `gateway.${GROUP}/same-namespace created`,
        `httproute.${GROUP}/exact created`,
        `referencegrant.${GROUP}/grant created`,
        'service/infra-backend-v1 created',
        'endpointslice.discovery.k8s.io/infra-backend-v1-x created',
      ]) assert.ok(out.includes(line), `${line} in ${out}`);
      const hr = await getJSON(k, `httproutes.${GROUP}`, 'exact', INFRA_NS);
      assert.deepEqual(hr.spec.parentRefs, [{ group: GROUP, kind: 'Gateway', name: 'same-namespace' }]);
      assert.deepEqual(hr.spec.rules[0].backendRefs, [{ group: '', kind: 'Service', name: 'infra-backend-v1', port: 8080, weight: 1 }]);
      assert.deepEqual(hr.spec.rules[0].matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
      const gw = await getJSON(k, `gateways.${GROUP}`, 'same-namespace', INFRA_NS);
      assert.deepEqual(gw.spec.listeners[0].allowedRoutes, { namespaces: { from: 'Same' } });
      // a second apply changes nothing (kubectl says "configured" for lists the server defaulted, as with
      // a real cluster's CRDs: its merge patch carries the whole list; the write is a no-op)
      await k.ok(['apply', '-f', '-'], { input: MANIFEST });
      const again = await getJSON(k, `httproutes.${GROUP}`, 'exact', INFRA_NS);
      assert.equal(again.metadata.resourceVersion, hr.metadata.resourceVersion);
      assert.equal(again.metadata.generation, 1);
    });

    it('the CRDs\' CEL rules refuse with the upstream messages; positive control: the fixed route applies', async () => {
      const bad = `apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: bad, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: "/a//b"}}]
    filters:
    - {type: RequestRedirect, requestRedirect: {statusCode: 301}}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`;
      const r = await k(['apply', '-f', '-'], { input: bad });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /spec\.rules\[0\]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs/);
      assert.match(r.stderr, /spec\.rules\[0\]\.matches\[0\]\.path: Invalid value: "object": must not contain '\/\/' when type one of \['Exact', 'PathPrefix'\]/);
      const badGw = `apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: dup, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: http, port: 81, protocol: HTTP}
`;
      const g = await k(['apply', '-f', '-'], { input: badGw });
      assert.notEqual(g.code, 0);
      assert.match(g.stderr, /Listener name must be unique within the Gateway/);
      // the structural schema refuses too (the CRD's port bounds)
      const badPort = await k(['apply', '-f', '-'], { input: badGw.replace('{name: http, port: 81', '{name: other, port: 70000') });
      assert.notEqual(badPort.code, 0);
      assert.match(badPort.stderr, /spec\.listeners\[1\]\.port: Invalid value: 70000: .*65535/);
      await k.ok(['apply', '-f', '-'], { input: bad.replace(/    filters:\n.*\n/, '').replace('/a//b', '/a/b') });
      // GatewayClass controllerName is immutable
      const imm = await k(['patch', `gatewayclasses.${GROUP}`, 'switchyard', '--type', 'merge', '-p', '{"spec":{"controllerName":"example.com/other"}}']);
      assert.notEqual(imm.code, 0);
      assert.match(imm.stderr, /spec\.controllerName: Invalid value: "object": Value is immutable/);
    });

    it('discovery, OpenAPI (kubectl explain) and Table columns from the upstream CRDs', async () => {
      const res = await k.ok(['api-resources', '--api-group', GROUP]);
      assert.match(res, /httproutes\s+gateway\.networking\.k8s\.io\/v1\s+true\s+HTTPRoute/);
      assert.match(res, /gatewayclasses\s+gc\s+gateway\.networking\.k8s\.io\/v1\s+false\s+GatewayClass/);
      const explain = await k.ok(['explain', `httproutes.spec.rules.backendRefs`, '--api-version', `${GROUP}/v1`]);
      assert.match(explain, /BackendRefs defines the backend\(s\) where matching requests should be/);
      const table = await k.ok(['get', `httproutes.${GROUP}`, '-n', INFRA_NS]);
      assert.match(table, /NAME\s+HOSTNAMES\s+AGE/);
      assert.match(table, /exact\s+\["exact\.example"\]/);
      assert.match(await k.ok(['get', 'svc', '-n', INFRA_NS]), /infra-backend-v1\s+ClusterIP\s+<none>\s+<none>\s+8080\/TCP/);
      assert.match(await k.ok(['get', 'endpointslices', '-n', INFRA_NS]), /infra-backend-v1-x\s+IPv4\s+3000\s+127\.0\.0\.1/);
      // ReferenceGrant served at both versions
      const v1 = await getJSON(k, `referencegrants.v1.${GROUP}`, 'grant', INFRA_NS);
      assert.equal(v1.apiVersion, `${GROUP}/v1`);
      const v1b = await getJSON(k, `referencegrants.v1beta1.${GROUP}`, 'grant', INFRA_NS);
      assert.equal(v1b.apiVersion, `${GROUP}/v1beta1`);
    });

    it('Services: kubectl create (protobuf body), strategic merge of ports by port, validation', async () => {
      await k.ok(['create', 'service', 'clusterip', 'created', '--tcp=5678:8080', '-n', INFRA_NS]);
      const created = await getJSON(k, 'service', 'created', INFRA_NS);
      assert.deepEqual(created.spec.ports, [{ name: '5678-8080', port: 5678, protocol: 'TCP', targetPort: 8080 }]);
      assert.equal(created.spec.type, 'ClusterIP');
      await k.ok(['patch', 'service', 'infra-backend-v1', '-n', INFRA_NS, '-p', '{"spec":{"ports":[{"name":"b","port":9090}]}}']);
      const merged = await getJSON(k, 'service', 'infra-backend-v1', INFRA_NS);
      assert.deepEqual(merged.spec.ports.map((p: { name: string; port: number; targetPort: number }) => [p.name, p.port, p.targetPort]), [['a', 8080, 3000], ['b', 9090, 9090]]);
      const headless = await k(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Service\nmetadata: {name: headless, namespace: ${INFRA_NS}}\nspec: {clusterIP: None}\n` });
      assert.equal(headless.code, 0, headless.stderr);
      const noPorts = await k(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Service\nmetadata: {name: noports, namespace: ${INFRA_NS}}\nspec: {type: ClusterIP}\n` });
      assert.notEqual(noPorts.code, 0);
      assert.match(noPorts.stderr, /spec\.ports: Required value/);
      const unnamed = await k(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Service\nmetadata: {name: unnamed, namespace: ${INFRA_NS}}\nspec: {ports: [{port: 1}, {port: 2}]}\n` });
      assert.notEqual(unnamed.code, 0);
      assert.match(unnamed.stderr, /spec\.ports\[0\]\.name: Required value/);
    });

    it('EndpointSlices: loopback accepted (documented deviation), a bad IPv4 refused, addressType immutable', async () => {
      const slice = (name: string, addr: string, type = 'IPv4') => `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: infra-backend-v1}}\naddressType: ${type}\nports: [{name: a, port: 3000}]\nendpoints: [{addresses: ["${addr}"]}]\n`;
      await k.ok(['apply', '-f', '-'], { input: slice('loop', '127.0.0.2') });
      const bad = await k(['apply', '-f', '-'], { input: slice('bad', '::1') });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /endpoints\[0\]\.addresses\[0\]: Invalid value: "::1": must be a valid IPv4 address/);
      await k.ok(['apply', '-f', '-'], { input: slice('v6', '::1', 'IPv6') });
      const imm = await k(['patch', 'endpointslice', 'loop', '-n', INFRA_NS, '--type', 'merge', '-p', '{"addressType":"IPv6","endpoints":[{"addresses":["::1"]}]}']);
      assert.notEqual(imm.code, 0);
      assert.match(imm.stderr, /addressType: Invalid value: "IPv6": field is immutable/);
    });
  });
}

suite('sqlite');
suite('etcd');
