// GRPCRoute (v1) and BackendTLSPolicy (v1) of gateway.networking.k8s.io as an apiserver serves them,
// on both stores: kubectl 1.32 and 1.20 apply upstream-style manifests (schema defaults from the
// upstream CRDs), the CRDs' CEL rules refuse with their messages, discovery, `kubectl explain`, the
// Table columns, BackendTLSPolicy's short name, and client-node reads and writes them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { KUBECTL_120, kubectlFor, loadClientNode, startServer, type Kubectl, type Storage, type TestServer } from '../apiserver/lib';
import { GROUP, INFRA_NS, getJSON } from './lib';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata: {name: ${INFRA_NS}}
---
apiVersion: ${GROUP}/v1
kind: GRPCRoute
metadata: {name: exact-matching, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches:
    - method: {service: gateway_api_conformance.echo_basic.grpcecho.GrpcEcho, method: Echo}
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
---
apiVersion: ${GROUP}/v1
kind: BackendTLSPolicy
metadata: {name: normative-test, namespace: ${INFRA_NS}}
spec:
  targetRefs: [{group: "", kind: Service, name: backendtlspolicy-test, sectionName: btls}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: tls-checks-ca-certificate}]
    hostname: abc.example.com
`;

function suite(storage: Storage): void {
  describe(`GRPCRoute and BackendTLSPolicy on ${storage}`, { timeout: 180_000 }, () => {
    let ts: TestServer;
    let k: Kubectl;
    before(async () => {
      ts = await startServer(storage);
      k = kubectlFor(ts.sy.kubeconfig);
    });
    after(async () => ts?.stop());

    it('kubectl apply creates both with the upstream schema defaults; a second apply is a no-op', async () => {
      const out = await k.ok(['apply', '-f', '-'], { input: MANIFEST });
      assert.match(out, new RegExp(`grpcroute\\.${GROUP.replace(/\./g, '\\.')}/exact-matching created`));
      assert.match(out, new RegExp(`backendtlspolicy\\.${GROUP.replace(/\./g, '\\.')}/normative-test created`));
      const gr = await getJSON(k, `grpcroutes.${GROUP}`, 'exact-matching', INFRA_NS);
      assert.deepEqual(gr.spec.parentRefs, [{ group: GROUP, kind: 'Gateway', name: 'same-namespace' }]);
      assert.deepEqual(gr.spec.rules[0].matches[0].method, { type: 'Exact', service: 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho', method: 'Echo' });
      assert.deepEqual(gr.spec.rules[0].backendRefs, [{ group: '', kind: 'Service', name: 'grpc-infra-backend-v1', port: 8080, weight: 1 }]);
      const p = await getJSON(k, 'btlspolicy', 'normative-test', INFRA_NS);
      assert.equal(p.apiVersion, `${GROUP}/v1`);
      assert.equal(p.spec.validation.hostname, 'abc.example.com');
      await k.ok(['apply', '-f', '-'], { input: MANIFEST });
      assert.equal((await getJSON(k, `grpcroutes.${GROUP}`, 'exact-matching', INFRA_NS)).metadata.resourceVersion, gr.metadata.resourceVersion);
    });

    it('the CRDs\' CEL rules refuse with the upstream messages; the structural schema too', async () => {
      const badRoute = `apiVersion: ${GROUP}/v1
kind: GRPCRoute
metadata: {name: bad, namespace: ${INFRA_NS}}
spec:
  rules:
  - matches: [{method: {type: Exact, service: "not-valid", method: "x/y"}}]
    backendRefs: [{name: s}]
`;
      const r = await k(['apply', '-f', '-'], { input: badRoute.replace('[{name: s}]', '[{group: "", kind: Service, name: s}]') });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /spec\.rules\[0\]\.matches\[0\]\.method: Invalid value: "object": service must only contain valid characters/);
      assert.match(r.stderr, /spec\.rules\[0\]\.matches\[0\]\.method: Invalid value: "object": method must only contain valid characters/);
      assert.match(r.stderr, /spec\.rules\[0\]\.backendRefs\[0\]: Invalid value: "object": Must have port for Service reference/);
      const badPolicy = `apiVersion: ${GROUP}/v1
kind: BackendTLSPolicy
metadata: {name: bad, namespace: ${INFRA_NS}}
spec:
  targetRefs: [{group: "", kind: Service, name: s}]
  validation: {hostname: abc.example.com, wellKnownCACertificates: System, caCertificateRefs: [{group: "", kind: ConfigMap, name: c}]}
`;
      const p = await k(['apply', '-f', '-'], { input: badPolicy });
      assert.notEqual(p.code, 0);
      assert.match(p.stderr, /spec\.validation: Invalid value: "object": must not contain both CACertificateRefs and WellKnownCACertificates/);
      const noCA = await k(['apply', '-f', '-'], { input: badPolicy.replace(', caCertificateRefs: [{group: "", kind: ConfigMap, name: c}]', '').replace('wellKnownCACertificates: System', 'wellKnownCACertificates: Other') });
      assert.notEqual(noCA.code, 0);
      assert.match(noCA.stderr, /spec\.validation\.wellKnownCACertificates: Invalid value: "Other": should match '\^\(System\|/);
      const noTarget = await k(['apply', '-f', '-'], { input: badPolicy.replace('[{group: "", kind: Service, name: s}]', '[]').replace(', caCertificateRefs: [{group: "", kind: ConfigMap, name: c}]', '') });
      assert.notEqual(noTarget.code, 0);
      assert.match(noTarget.stderr, /spec\.targetRefs/);
      // positive control: the fixed policy applies
      await k.ok(['apply', '-f', '-'], { input: badPolicy.replace(', caCertificateRefs: [{group: "", kind: ConfigMap, name: c}]', '') });
    });

    it('discovery, kubectl explain and Table columns', async () => {
      const res = await k.ok(['api-resources', '--api-group', GROUP]);
      assert.match(res, /grpcroutes\s+gateway\.networking\.k8s\.io\/v1\s+true\s+GRPCRoute/);
      assert.match(res, /backendtlspolicies\s+btlspolicy\s+gateway\.networking\.k8s\.io\/v1\s+true\s+BackendTLSPolicy/);
      const explain = await k.ok(['explain', 'backendtlspolicies.spec.validation.hostname', '--api-version', `${GROUP}/v1`]);
      assert.match(explain, /Hostname is used for two purposes in the connection between Gateways and/);
      assert.match(await k.ok(['get', `grpcroutes.${GROUP}`, '-n', INFRA_NS]), /NAME\s+HOSTNAMES\s+AGE/);
      assert.match(await k.ok(['get', 'btlspolicy', '-n', INFRA_NS]), /NAME\s+AGE\s*\nbad\s+\S+\s*\nnormative-test/);
    });

    it('client-node lists and patches them (v1 only: BackendTLSPolicy v1alpha3 is not served)', async () => {
      const k8s = await loadClientNode();
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(ts.sy.kubeconfig);
      const api = kc.makeApiClient(k8s.CustomObjectsApi);
      const list = (await api.listNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: INFRA_NS, plural: 'backendtlspolicies' })) as { items: Array<{ metadata: { name: string } }> };
      assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['bad', 'normative-test']);
      await assert.rejects(api.listNamespacedCustomObject({ group: GROUP, version: 'v1alpha3', namespace: INFRA_NS, plural: 'backendtlspolicies' }), /404|NotFound|not found/i);
      const g = (await api.getNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: INFRA_NS, plural: 'grpcroutes', name: 'exact-matching' })) as { spec: { hostnames?: string[] } };
      assert.equal(g.spec.hostnames, undefined);
    });
  });
}

suite('sqlite');
suite('etcd');

describe('kubectl 1.20 with GRPCRoute and BackendTLSPolicy', { timeout: 120_000, skip: fs.existsSync(KUBECTL_120) ? false : `kubectl 1.20 not found at ${KUBECTL_120}` }, () => {
  let ts: TestServer;
  let k: Kubectl;
  before(async () => {
    ts = await startServer('sqlite');
    k = kubectlFor(ts.sy.kubeconfig, KUBECTL_120);
  });
  after(async () => ts?.stop());

  it('apply (validated by the protobuf OpenAPI v2) twice, get, explain, CEL refusal', async () => {
    const out = await k.ok(['apply', '-f', '-'], { input: MANIFEST });
    assert.match(out, /grpcroute\.gateway\.networking\.k8s\.io\/exact-matching created/);
    assert.match(out, /backendtlspolicy\.gateway\.networking\.k8s\.io\/normative-test created/);
    const again = await k.ok(['apply', '-f', '-'], { input: MANIFEST });
    assert.match(again, /backendtlspolicy\.gateway\.networking\.k8s\.io\/normative-test unchanged/);
    assert.match(await k.ok(['get', 'backendtlspolicies', '-n', INFRA_NS]), /normative-test/);
    assert.match(await k.ok(['explain', 'grpcroutes.spec.rules.matches.method']), /service/);
    const bad = await k(['apply', '-f', '-'], { input: MANIFEST.replace('method: Echo}', 'method: "E/cho"}') });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /method must only contain valid characters/);
  });
});
