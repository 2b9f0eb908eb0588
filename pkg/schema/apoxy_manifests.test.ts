// Manifests shaped like Apoxy's example files must go through the whole write path unchanged:
// prune (nothing unknown), defaults, schema validation and semantic validation (no errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { FieldErrorList } from '../../apis/meta/v1/field';
import type { KObject } from '../../apis/meta/v1/types';
import { normalizeBackend, validateBackend, validateBackendName } from '../../apis/core/v1alpha2/backend_validate';
import { validateProxy } from '../../apis/core/v1alpha2/proxy_validate';
import { validateGateway } from '../../apis/gateway/v1/gateway_validate';
import { validateGatewayClass } from '../../apis/gateway/v1/gatewayclass_validate';
import { validateHTTPRoute } from '../../apis/gateway/v1/httproute_validate';
import { crdNames, loadCRDs, versionSchema } from './crd_loader';
import { applyDefaults, pruneUnknownFields } from './structural';
import { SchemaValidators } from './validator';

const MANIFESTS = `
apiVersion: core.apoxy.dev/v1alpha2
kind: Proxy
metadata: {name: example}
spec:
  provider: unmanaged
  monitoring:
    tracing: {enabled: true}
---
apiVersion: gateway.apoxy.dev/v1
kind: GatewayClass
metadata: {name: apoxy}
spec:
  controllerName: gateway.apoxy.dev/gatewayclass-controller
---
apiVersion: gateway.apoxy.dev/v1
kind: Gateway
metadata: {name: example}
spec:
  gatewayClassName: apoxy
  infrastructure:
    parametersRef: {kind: Proxy, name: example}
  listeners:
    - {protocol: HTTP, port: 10000, name: example}
    - {protocol: TCP, port: 10001, name: raw}
---
apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata: {name: dynamic_forward_proxy}
spec:
  dynamicProxy:
    dnsCacheConfig: {dnsLookupFamily: v4_only}
---
apiVersion: core.apoxy.dev/v1alpha
kind: Backend
metadata: {name: debug-backend}
spec:
  endpoints:
    - fqdn: next-debug.example.app
  protocol: tls
---
apiVersion: core.apoxy.dev/v1alpha
kind: Backend
metadata: {name: example-backend}
spec:
  endpoints:
    - fqdn: example-service.default.svc.cluster.local.example-cluster.tun.apoxy.net
---
apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata: {name: tcp-backend}
spec:
  endpoints:
    - ip: 127.0.0.1
  protocol: H2C
---
apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata: {name: alpamayo}
spec:
  parentRefs:
    - {name: example, port: 10000, kind: Gateway}
  hostnames: ["*"]
  rules:
    - filters:
        - type: ExtensionRef
          extensionRef: {kind: EdgeFunction, group: extensions.apoxy.dev, name: websocket}
      backendRefs:
        - {kind: Backend, name: dynamic_forward_proxy, port: 80}
---
apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata: {name: default}
spec:
  parentRefs:
    - {kind: Gateway, name: example, port: 10000}
  hostnames: ['*']
  rules:
    - backendRefs:
        - {kind: Backend, name: debug-backend, port: 443}
      filters:
        - type: URLRewrite
          urlRewrite: {hostname: next-debug.example.app}
    - matches:
        - path: {type: PathPrefix, value: /docs}
      backendRefs:
        - {kind: Backend, name: example-backend, port: 3001}
      retry: {codes: [503]}
      timeouts: {request: 10s}
`;

const semantic: Record<string, (o: KObject) => FieldErrorList> = {
  Proxy: (o) => validateProxy(o),
  GatewayClass: (o) => validateGatewayClass(o),
  Gateway: (o) => validateGateway(o),
  Backend: (o) => validateBackend(normalizeBackend(o)),
  HTTPRoute: (o) => validateHTTPRoute(o),
};

test('Apoxy-shaped manifests pass the whole write path', () => {
  const crds = loadCRDs();
  const validators = new SchemaValidators(crds);
  const docs = parseAllDocuments(MANIFESTS).map((d) => d.toJS() as KObject);
  assert.equal(docs.length, 9);
  for (const obj of docs) {
    const [group, version] = String(obj.apiVersion).split('/');
    const crd = crds.find((c) => c.spec.group === group && crdNames(c).kind === obj.kind)!;
    assert.ok(crd, `${obj.kind} is served`);
    const schema = versionSchema(crd, version)!;
    const what = `${obj.kind}/${obj.metadata.name}`;
    const before = structuredClone(obj);
    assert.deepEqual(pruneUnknownFields(obj, schema), [], `${what}: nothing pruned`);
    assert.deepEqual(obj, before, `${what}: unchanged by pruning`);
    applyDefaults(obj, schema);
    semantic[obj.kind!](obj); // normalizes Backend protocol in place before schema validation
    assert.deepEqual(validators.validate(group, version, crd.spec.names.plural, obj), [], `${what}: schema`);
    assert.deepEqual(semantic[obj.kind!](obj), [], `${what}: semantic`);
  }
  const dfp = docs.find((d) => d.metadata.name === 'dynamic_forward_proxy')!;
  assert.deepEqual(validateBackendName(dfp.metadata.name!).errors, []);
  assert.equal((docs.find((d) => d.metadata.name === 'tcp-backend')!.spec as { protocol: string }).protocol, 'h2c');
});
