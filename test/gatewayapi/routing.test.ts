// gateway.networking.k8s.io served and routed by the real binary (on sqlite and on etcd), driven by kubectl 1.32 with
// upstream-style manifests (the conformance suite's namespaces and names): a GatewayClass, Gateways
// in gateway-conformance-infra, namespaced HTTPRoutes to Services whose EndpointSlices point at
// loopback echo servers. Mirrors conformance/tests: httproute-simple-same-namespace,
// httproute-cross-namespace, httproute-invalid-cross-namespace-parent-ref,
// httproute-invalid-cross-namespace-backend-ref, httproute-reference-grant,
// httproute-invalid-nonexistent-backendref, httproute-invalid-backendref-unknown-kind,
// httproute-listener-hostname-matching (part), gateway-with-attached-routes (part),
// httproute-matching, httproute-request-header-modifier, and
// not-ready endpoints (the suite's EndpointSlice expectations).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/ports';
import type { Storage } from '../apiserver/lib';
import { APP_NS, CONTROLLER, GROUP, INFRA_NS, WEB_NS, cond, get, getJSON, serviceManifest, startEcho, startServeOn, waitFor, type Echo, type EchoReply, type Serve } from './lib';

const suite = (storage: Storage) => describe(`gateway.networking.k8s.io routing and status on ${storage}`, { timeout: 240_000 }, () => {
  let s: Serve;
  let gwPort: number;
  let allPort: number;
  const echoes: Echo[] = [];
  let v1a: Echo, v1b: Echo, v2: Echo, web: Echo, ready: Echo, notReady: Echo;

  const apply = (yaml: string) => s.k.ok(['apply', '-f', '-'], { input: yaml });
  const reply = async (port: number, path: string, host?: string) => {
    const r = await get(port, path, host ? { host } : {});
    return { status: r.status, echo: r.status === 200 ? (JSON.parse(r.body) as EchoReply) : undefined };
  };
  const route = (name: string, ns: string, parent: string, backends: string, extra = '') => `apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  parentRefs:
  - name: ${parent}
    namespace: ${INFRA_NS}
${extra}  rules:
  - backendRefs:
${backends}`;

  before(async () => {
    s = await startServeOn(storage);
    gwPort = await freePort();
    allPort = await freePort();
    v1a = await startEcho('infra-backend-v1-pod-a', INFRA_NS);
    v1b = await startEcho('infra-backend-v1-pod-b', INFRA_NS);
    v2 = await startEcho('infra-backend-v2-pod', INFRA_NS);
    web = await startEcho('web-backend-pod', WEB_NS);
    ready = await startEcho('ready-pod', INFRA_NS);
    notReady = await startEcho('not-ready-pod', INFRA_NS);
    echoes.push(v1a, v1b, v2, web, ready, notReady);
    await apply(`apiVersion: v1
kind: Namespace
metadata: {name: ${INFRA_NS}, labels: {gateway-conformance: infra}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${APP_NS}, labels: {gateway-conformance: backend}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${WEB_NS}, labels: {gateway-conformance: backend}}
---
apiVersion: ${GROUP}/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: ${CONTROLLER}}
---
apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: same-namespace, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners:
  - name: http
    port: ${gwPort}
    protocol: HTTP
    allowedRoutes: {namespaces: {from: Same}}
---
apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: backend-namespaces, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners:
  - name: http
    port: ${allPort}
    protocol: HTTP
    hostname: "*.example.com"
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {gateway-conformance: backend}}
`);
    await apply(serviceManifest('infra-backend-v1', INFRA_NS, [{ echo: v1a }, { echo: v1b, ready: true }]));
    await apply(serviceManifest('infra-backend-v2', INFRA_NS, [{ echo: v2 }]));
    await apply(serviceManifest('web-backend', WEB_NS, [{ echo: web }]));
    await apply(serviceManifest('readiness', INFRA_NS, [{ echo: ready, ready: true }, { echo: notReady, ready: false }], 'http'));
  });

  after(async () => {
    await s?.stop();
    for (const e of echoes) await e.close();
  });

  it('GatewayClass: Accepted with observedGeneration, and supportedFeatures sorted', async () => {
    const gc = await waitFor(async () => {
      const o = await getJSON(s.k, `gatewayclasses.${GROUP}`, 'switchyard');
      return cond(o?.status?.conditions, 'Accepted')?.status === 'True' ? o : undefined;
    }, 20_000, 'GatewayClass Accepted');
    assert.equal(cond(gc.status.conditions, 'Accepted')!.observedGeneration, gc.metadata.generation);
    const names = gc.status.supportedFeatures.map((f: { name: string }) => f.name);
    assert.deepEqual(names, [...names].sort());
    for (const core of ['Gateway', 'HTTPRoute', 'ReferenceGrant']) assert.ok(names.includes(core), core);
    assert.ok(!names.includes('HTTPRouteSessionPersistence'), 'not implemented, so not listed');
  });

  it('HTTPRouteSimpleSameNamespace: routes to the ready endpoints of the Service; status parents carry group and kind', async () => {
    await apply(route('gateway-conformance-infra-test', INFRA_NS, 'same-namespace', '    - name: infra-backend-v1\n      port: 8080\n'));
    const pods = new Set<string>();
    await waitFor(async () => {
      const r = await reply(gwPort, '/some/path?x=1', 'conformance.example');
      if (r.status === 200) pods.add(r.echo!.pod);
      return pods.size === 2;
    }, 20_000, 'both infra-backend-v1 endpoints answer');
    const r = await reply(gwPort, '/some/path?x=1', 'conformance.example');
    assert.equal(r.status, 200);
    assert.equal(r.echo!.path, '/some/path?x=1');
    assert.equal(r.echo!.host, 'conformance.example');
    assert.equal(r.echo!.namespace, INFRA_NS);
    assert.match(r.echo!.pod, /^infra-backend-v1-pod-/);

    const hr = await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'gateway-conformance-infra-test', INFRA_NS);
      const p = o?.status?.parents?.[0];
      return cond(p?.conditions, 'Accepted')?.status === 'True' && cond(p?.conditions, 'ResolvedRefs')?.status === 'True' ? o : undefined;
    }, 20_000, 'route Accepted and ResolvedRefs');
    assert.equal(hr.status.parents.length, 1);
    const p = hr.status.parents[0];
    assert.equal(p.controllerName, CONTROLLER);
    assert.deepEqual({ group: p.parentRef.group, kind: p.parentRef.kind, name: p.parentRef.name, namespace: p.parentRef.namespace }, { group: GROUP, kind: 'Gateway', name: 'same-namespace', namespace: INFRA_NS });
    for (const c of p.conditions) assert.equal(c.observedGeneration, hr.metadata.generation, c.type);
  });

  it('Gateway status: Accepted, Programmed, a typed address, listeners with attachedRoutes and supportedKinds', async () => {
    const gw = await waitFor(async () => {
      const o = await getJSON(s.k, `gateways.${GROUP}`, 'same-namespace', INFRA_NS);
      return o?.status?.listeners?.[0]?.attachedRoutes === 1 && cond(o.status.conditions, 'Programmed')?.status === 'True' ? o : undefined;
    }, 20_000, 'gateway programmed with 1 attached route');
    assert.equal(cond(gw.status.conditions, 'Accepted')!.status, 'True');
    for (const c of gw.status.conditions) assert.equal(c.observedGeneration, gw.metadata.generation);
    assert.deepEqual(gw.status.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
    const l = gw.status.listeners[0];
    assert.equal(l.name, 'http');
    assert.deepEqual(l.supportedKinds, [{ group: GROUP, kind: 'HTTPRoute' }, { group: GROUP, kind: 'GRPCRoute' }]);
    for (const t of ['Accepted', 'Programmed', 'ResolvedRefs']) assert.equal(cond(l.conditions, t)?.status, 'True', t);
    // the table kubectl prints reads the same status
    const table = await s.k.ok(['get', `gateways.${GROUP}`, '-n', INFRA_NS, 'same-namespace']);
    assert.match(table, /same-namespace\s+switchyard\s+127\.0\.0\.1\s+True/);
  });

  it('HTTPRouteMatching and HTTPRouteRequestHeaderModifier through Services: the router and filters of the shared snapshot', async () => {
    await apply(`apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: matching, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [matching.example]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /}
    - headers: [{name: version, value: one}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /v2}
    - headers: [{name: version, value: two}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Header-Set, value: set-overwrites-values}]
        add: [{name: X-Header-Add, value: add-appends-values}]
        remove: [X-Header-Remove]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
`);
    await waitFor(async () => (await reply(gwPort, '/v2', 'matching.example')).echo?.pod === 'infra-backend-v2-pod', 20_000, 'matching route served');
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['/', {}, /^infra-backend-v1-pod-/],
      ['/example', {}, /^infra-backend-v1-pod-/],
      ['/', { version: 'one' }, /^infra-backend-v1-pod-/],
      ['/v2', {}, /^infra-backend-v2-pod$/],
      ['/v2/example', {}, /^infra-backend-v2-pod$/],
      ['/foo', { version: 'two' }, /^infra-backend-v2-pod$/],
      ['/v2example', {}, /^infra-backend-v1-pod-/],
    ];
    for (const [path, headers, pod] of cases) {
      const r = await get(gwPort, path, { host: 'matching.example', ...headers });
      assert.equal(r.status, 200, path);
      assert.match((JSON.parse(r.body) as EchoReply).pod, pod, `${path} ${JSON.stringify(headers)}`);
    }
    const r = await get(gwPort, '/v2', { host: 'matching.example', 'x-header-set': 'old', 'x-header-add': 'first', 'x-header-remove': 'gone' });
    const h = (JSON.parse(r.body) as EchoReply).headers;
    assert.deepEqual(h['X-Header-Set'], ['set-overwrites-values']);
    assert.deepEqual(h['X-Header-Add'], ['first,add-appends-values']);
    assert.equal(h['X-Header-Remove'], undefined);
  });

  it('a not-ready endpoint never receives traffic; marked ready, it does', async () => {
    await apply(route('readiness', INFRA_NS, 'same-namespace', '    - name: readiness\n      port: 8080\n', '  hostnames: ["ready.example"]\n'));
    await waitFor(async () => (await reply(gwPort, '/r', 'ready.example')).echo?.pod === 'ready-pod', 20_000, 'readiness route served');
    for (let i = 0; i < 20; i++) {
      const r = await reply(gwPort, `/r${i}`, 'ready.example');
      assert.equal(r.status, 200);
      assert.equal(r.echo!.pod, 'ready-pod');
    }
    assert.equal(notReady.hits, 0);
    // positive control: the same endpoint, now ready, is used
    await apply(serviceManifest('readiness', INFRA_NS, [{ echo: ready, ready: true }, { echo: notReady, ready: true }], 'http'));
    await waitFor(async () => (await reply(gwPort, '/again', 'ready.example')).echo?.pod === 'not-ready-pod', 20_000, 'the endpoint turned ready gets traffic');
  });

  it('HTTPRouteInvalidCrossNamespaceBackendRef → HTTPRouteReferenceGrant: RefNotPermitted and 500 until a ReferenceGrant allows it', async () => {
    await apply(route('reference-grant', INFRA_NS, 'same-namespace', `    - name: web-backend\n      namespace: ${WEB_NS}\n      port: 8080\n`, '  hostnames: ["grant.example"]\n'));
    const hr = await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'reference-grant', INFRA_NS);
      return cond(o?.status?.parents?.[0]?.conditions, 'ResolvedRefs')?.status === 'False' ? o : undefined;
    }, 20_000, 'ResolvedRefs=False');
    const parent = hr.status.parents[0];
    assert.equal(cond(parent.conditions, 'ResolvedRefs')!.reason, 'RefNotPermitted');
    assert.equal(cond(parent.conditions, 'Accepted')!.status, 'True');
    await waitFor(async () => (await reply(gwPort, '/', 'grant.example')).status === 500, 20_000, 'refused ref answers 500');
    assert.equal(web.hits, 0);
    // a grant for another kind does not count
    await apply(`apiVersion: ${GROUP}/v1beta1
kind: ReferenceGrant
metadata: {name: wrong-kind, namespace: ${WEB_NS}}
spec:
  from: [{group: ${GROUP}, kind: GRPCRoute, namespace: ${INFRA_NS}}]
  to: [{group: "", kind: Service}]
`);
    assert.equal((await reply(gwPort, '/', 'grant.example')).status, 500);
    await apply(`apiVersion: ${GROUP}/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant, namespace: ${WEB_NS}}
spec:
  from: [{group: ${GROUP}, kind: HTTPRoute, namespace: ${INFRA_NS}}]
  to: [{group: "", kind: Service, name: web-backend}]
`);
    await waitFor(async () => (await reply(gwPort, '/', 'grant.example')).echo?.pod === 'web-backend-pod', 20_000, 'granted ref served');
    await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'reference-grant', INFRA_NS);
      return cond(o?.status?.parents?.[0]?.conditions, 'ResolvedRefs')?.status === 'True';
    }, 20_000, 'ResolvedRefs=True after the grant');
    // removing the grant refuses the ref again
    await s.k.ok(['delete', `referencegrants.${GROUP}`, '-n', WEB_NS, 'reference-grant']);
    await waitFor(async () => (await reply(gwPort, '/', 'grant.example')).status === 500, 20_000, 'refused again without the grant');
  });

  it('HTTPRouteInvalidNonExistentBackendRef and unknown kind: ResolvedRefs=False (BackendNotFound / InvalidKind), 500', async () => {
    await apply(route('nonexistent', INFRA_NS, 'same-namespace', '    - name: nonexistent\n      port: 8080\n', '  hostnames: ["missing.example"]\n'));
    await apply(route('unknown-kind', INFRA_NS, 'same-namespace', '    - name: infra-backend-v1\n      kind: UnknownKind\n      group: example.com\n      port: 8080\n', '  hostnames: ["kind.example"]\n'));
    for (const [name, reason, host] of [['nonexistent', 'BackendNotFound', 'missing.example'], ['unknown-kind', 'InvalidKind', 'kind.example']]) {
      await waitFor(async () => {
        const o = await getJSON(s.k, `httproutes.${GROUP}`, name, INFRA_NS);
        return cond(o?.status?.parents?.[0]?.conditions, 'ResolvedRefs')?.reason === reason;
      }, 20_000, `${name}: ${reason}`);
      await waitFor(async () => (await reply(gwPort, '/', host)).status === 500, 20_000, `${name} answers 500`);
    }
  });

  it('HTTPRouteInvalidCrossNamespaceParentRef: a route from another namespace is NotAllowedByListeners (from: Same); HTTPRouteCrossNamespace: Selector admits it', async () => {
    await apply(route('invalid-cross-namespace-parent-ref', APP_NS, 'same-namespace', `    - name: web-backend\n      namespace: ${WEB_NS}\n      port: 8080\n`, '  hostnames: ["app.example.com"]\n'));
    await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'invalid-cross-namespace-parent-ref', APP_NS);
      const a = cond(o?.status?.parents?.[0]?.conditions, 'Accepted');
      return a?.status === 'False' && a.reason === 'NotAllowedByListeners';
    }, 20_000, 'NotAllowedByListeners');
    // the web-backend Service's own namespace: admitted by the Selector listener (label gateway-conformance=backend)
    await apply(route('cross-namespace', WEB_NS, 'backend-namespaces', '    - name: web-backend\n      port: 8080\n'));
    const r = await waitFor(async () => {
      const x = await reply(allPort, '/cross', 'web.example.com');
      return x.status === 200 ? x : undefined;
    }, 20_000, 'cross-namespace route served');
    assert.equal(r!.echo!.pod, 'web-backend-pod');
    // listener hostname *.example.com: a host outside it is not routed there
    assert.equal((await reply(allPort, '/cross', 'web.example.org')).status, 404);
    const gw = await waitFor(async () => {
      const o = await getJSON(s.k, `gateways.${GROUP}`, 'backend-namespaces', INFRA_NS);
      return o?.status?.listeners?.[0]?.attachedRoutes === 1 ? o : undefined;
    }, 20_000, 'backend-namespaces has 1 attached route');
    assert.equal(gw.status.listeners[0].attachedRoutes, 1);
    const same = await getJSON(s.k, `gateways.${GROUP}`, 'same-namespace', INFRA_NS);
    assert.equal(same.status.listeners[0].attachedRoutes, 6, 'the refused route from app-backend is not counted');
  });

  it('both groups side by side: a gateway.apoxy.dev route on its own Gateway and an upstream route on theirs, one snapshot', async () => {
    const apoxyPort = await freePort();
    await apply(`apiVersion: gateway.apoxy.dev/v1
kind: GatewayClass
metadata: {name: apoxy}
spec: {controllerName: ${CONTROLLER}}
---
apiVersion: gateway.apoxy.dev/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: apoxy
  listeners: [{name: http, port: ${apoxyPort}, protocol: HTTP}]
---
apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata: {name: v2-direct}
spec:
  endpoints: [{ip: 127.0.0.1, port: ${v2.port}}]
---
apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata: {name: apoxy-route}
spec:
  parentRefs: [{name: edge}]
  rules:
  - backendRefs: [{kind: Backend, name: v2-direct}]
`);
    await waitFor(async () => (await reply(apoxyPort, '/apoxy')).echo?.pod === 'infra-backend-v2-pod', 20_000, 'apoxy route served');
    // the upstream routes still answer on their Gateway, and neither leaks onto the other's port
    assert.match((await reply(gwPort, '/upstream', 'conformance.example')).echo!.pod, /^infra-backend-v1-pod-/);
    assert.equal((await reply(apoxyPort, '/x', 'matching.example')).echo!.pod, 'infra-backend-v2-pod');
    const apoxyRoute = await waitFor(async () => {
      const o = await getJSON(s.k, 'httproutes.gateway.apoxy.dev', 'apoxy-route');
      return o?.status?.parents?.length ? o : undefined;
    }, 20_000, 'apoxy route status');
    assert.deepEqual(apoxyRoute.status.parents[0].parentRef, { group: 'gateway.apoxy.dev', kind: 'Gateway', name: 'edge' });
  });

  it('HTTPRouteObservedGenerationBump / GatewayObservedGenerationBump: conditions follow the new generation', async () => {
    await s.k.ok(['patch', `httproutes.${GROUP}`, 'gateway-conformance-infra-test', '-n', INFRA_NS, '--type', 'merge', '-p', '{"spec":{"hostnames":["conformance.example","bump.example"]}}']);
    await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'gateway-conformance-infra-test', INFRA_NS);
      return o.metadata.generation === 2 && o.status.parents[0].conditions.every((c: { observedGeneration: number }) => c.observedGeneration === 2);
    }, 20_000, 'route conditions at generation 2');
    await s.k.ok(['patch', `gateways.${GROUP}`, 'same-namespace', '-n', INFRA_NS, '--type', 'json', '-p', `[{"op":"add","path":"/spec/listeners/-","value":{"name":"second","port":${await freePort()},"protocol":"HTTP"}}]`]);
    const gw = await waitFor(async () => {
      const o = await getJSON(s.k, `gateways.${GROUP}`, 'same-namespace', INFRA_NS);
      return o.metadata.generation === 2 && o.status.listeners?.length === 2 && o.status.conditions.every((c: { observedGeneration: number }) => c.observedGeneration === 2) ? o : undefined;
    }, 20_000, 'gateway conditions at generation 2');
    // routes without sectionName attach to every listener that allows them
    assert.equal(gw.status.listeners[1].attachedRoutes, gw.status.listeners[0].attachedRoutes);
  });

  it('GatewayHTTPListenerIsolation: a host matching a more specific listener is served only by its routes (hostnames in listeners, and intersecting)', async () => {
    const isoPort = await freePort();
    const listeners: Array<[string, string | undefined]> = [['empty-hostname', undefined], ['wildcard-example-com', '*.example.com'], ['wildcard-foo-example-com', '*.foo.example.com'], ['abc-foo-example-com', 'abc.foo.example.com']];
    const all = ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'];
    await apply(
      [
        `apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: http-listener-isolation, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners:
${listeners.map(([n, h]) => `  - {name: ${n}, port: ${isoPort}, protocol: HTTP${h ? `, hostname: "${h}"` : ''}, allowedRoutes: {namespaces: {from: All}}}`).join('\n')}
`,
        ...listeners.map(
          ([n], i) => `apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: attaches-to-${n}, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: http-listener-isolation, namespace: ${INFRA_NS}, sectionName: ${n}}]
${i % 2 === 0 ? `  hostnames: [${all.map((h) => `"${h}"`).join(', ')}]\n` : ''}  rules:
  - matches: [{path: {type: PathPrefix, value: /${n}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`,
        ),
      ].join('---\n'),
    );
    await waitFor(async () => (await reply(isoPort, '/abc-foo-example-com', 'abc.foo.example.com')).status === 200, 20_000, 'isolation gateway served');
    const serves: Record<string, string> = { 'bar.com': 'empty-hostname', 'bar.example.com': 'wildcard-example-com', 'bar.foo.example.com': 'wildcard-foo-example-com', 'abc.foo.example.com': 'abc-foo-example-com' };
    for (const [host, owner] of Object.entries(serves)) {
      for (const [path] of listeners) {
        const r = await reply(isoPort, `/${path}`, host);
        assert.equal(r.status, path === owner ? 200 : 404, `${host} /${path}`);
        if (r.status === 200) assert.match(r.echo!.pod, /^infra-backend-v1-pod-/);
      }
    }
    for (const [n] of listeners) {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, `attaches-to-${n}`, INFRA_NS);
      assert.equal(cond(o?.status?.parents?.[0]?.conditions, 'Accepted')?.status, 'True', n);
    }
  });

  it('listener conflicts (ProtocolConflict) and spec.addresses (AddressNotAssigned) in Gateway status, with observedGeneration', async () => {
    const port = await freePort();
    await apply(`apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: conflicted, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  listeners:
  - {name: http, port: ${port}, protocol: HTTP}
  - {name: https, port: ${port}, protocol: HTTPS, hostname: tls.example, tls: {mode: Terminate, certificateRefs: [{name: nope}]}}
---
apiVersion: ${GROUP}/v1
kind: Gateway
metadata: {name: unassigned, namespace: ${INFRA_NS}}
spec:
  gatewayClassName: switchyard
  addresses: [{type: IPAddress, value: 192.0.2.1}]
  listeners: [{name: http, port: ${await freePort()}, protocol: HTTP}]
`);
    const gw = await waitFor(async () => {
      const o = await getJSON(s.k, `gateways.${GROUP}`, 'conflicted', INFRA_NS);
      return o?.status?.listeners?.length === 2 ? o : undefined;
    }, 20_000, 'conflicted gateway status');
    const [http, https] = gw.status.listeners;
    assert.deepEqual([cond(http.conditions, 'Conflicted')!.status, cond(http.conditions, 'Conflicted')!.reason], ['False', 'NoConflicts']);
    for (const t of ['Accepted', 'Programmed']) assert.deepEqual([cond(https.conditions, t)!.status, cond(https.conditions, t)!.reason], ['False', 'ProtocolConflict'], t);
    assert.deepEqual([cond(https.conditions, 'Conflicted')!.status, cond(https.conditions, 'Conflicted')!.reason, cond(https.conditions, 'Conflicted')!.observedGeneration], ['True', 'ProtocolConflict', gw.metadata.generation]);
    assert.deepEqual([cond(gw.status.conditions, 'Accepted')!.status, cond(gw.status.conditions, 'Accepted')!.reason], ['True', 'ListenersNotValid']);
    const un = await waitFor(async () => {
      const o = await getJSON(s.k, `gateways.${GROUP}`, 'unassigned', INFRA_NS);
      return cond(o?.status?.conditions, 'Programmed') ? o : undefined;
    }, 20_000, 'unassigned gateway status');
    assert.deepEqual([cond(un.status.conditions, 'Programmed')!.status, cond(un.status.conditions, 'Programmed')!.reason], ['False', 'AddressNotAssigned']);
    assert.deepEqual(un.status.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
  });

  it('a headless Service with an FQDN EndpointSlice resolves through the DNS cache; with nothing ready, serving+terminating endpoints are used (kube-proxy fallback)', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: fqdn-backend, namespace: ${INFRA_NS}}
spec:
  clusterIP: None
  ports: [{name: http, port: 8080, targetPort: 3000}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: fqdn-backend-1, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: fqdn-backend}}
addressType: FQDN
ports: [{name: http, port: ${v2.port}, protocol: TCP}]
endpoints: [{addresses: [localhost], conditions: {ready: true}}]
---
apiVersion: v1
kind: Service
metadata: {name: terminating-backend, namespace: ${INFRA_NS}}
spec:
  ports: [{name: http, port: 8080, targetPort: 3000}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: terminating-backend-1, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: terminating-backend}}
addressType: IPv4
ports: [{name: http, port: ${web.port}, protocol: TCP}]
endpoints:
- {addresses: [127.0.0.1], conditions: {ready: false, serving: true, terminating: true}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: terminating-backend-2, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: terminating-backend}}
addressType: IPv4
ports: [{name: http, port: ${notReady.port}, protocol: TCP}]
endpoints:
- {addresses: [127.0.0.1], conditions: {ready: false, serving: false, terminating: true}}
`);
    await apply(route('fqdn', INFRA_NS, 'same-namespace', '    - name: fqdn-backend\n      port: 8080\n', '  hostnames: ["fqdn.example"]\n'));
    await apply(route('terminating', INFRA_NS, 'same-namespace', '    - name: terminating-backend\n      port: 8080\n', '  hostnames: ["terminating.example"]\n'));
    await waitFor(async () => (await reply(gwPort, '/f', 'fqdn.example')).echo?.pod === 'infra-backend-v2-pod', 20_000, 'FQDN endpoint served');
    const before = notReady.hits;
    await waitFor(async () => (await reply(gwPort, '/t', 'terminating.example')).echo?.pod === 'web-backend-pod', 20_000, 'serving+terminating endpoint served');
    for (let i = 0; i < 10; i++) assert.equal((await reply(gwPort, `/t${i}`, 'terminating.example')).echo?.pod, 'web-backend-pod');
    assert.equal(notReady.hits, before, 'a terminating endpoint that is not serving gets nothing');
  });
});

suite('sqlite');
suite('etcd');
