// A route must not publish switchyard's loopback-only API server on a Gateway's listener: a
// Service whose EndpointSlice names 127.0.0.1:<api port> (IPv4) or localhost (FQDN), trusted with a
// BackendTLSPolicy carrying switchyard's own CA, answered the API (GET /version 200) through the
// Gateway. Now 403; a loopback upstream on another port still routes (positive control).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { request } from 'undici';
import { freePort } from '../harness/ports';
import { baseGateway, CONTROLLER, GROUP, INFRA_NS, serviceManifest, startEcho, startServe, waitFor, type Echo, type Serve } from './lib';

const indent = (pem: string, n: number) => pem.trim().split('\n').join(`\n${' '.repeat(n)}`);

let s: Serve;
let gwPort: number;
let echo: Echo;
let mirrorEcho: Echo;
const get = async (path: string) => {
  const r = await request(`http://127.0.0.1:${gwPort}${path}`);
  return { status: r.statusCode, body: await r.body.text() };
};

describe('routes cannot reach the control plane', { timeout: 180_000 }, () => {

  before(async () => {
    s = await startServe();
    gwPort = await freePort();
    echo = await startEcho('echo', INFRA_NS);
    mirrorEcho = await startEcho('mirror', INFRA_NS);
    const api = s.sy.apiPort;
    const slice = (name: string, type: string, addr: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${INFRA_NS}}
spec:
  ports: [{name: h, protocol: TCP, port: 443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: ${INFRA_NS}, labels: {kubernetes.io/service-name: ${name}}}
addressType: ${type}
ports: [{name: h, port: ${api}, protocol: TCP}]
endpoints: [{addresses: [${addr}]}]
`;
    const rule = (prefix: string, svc: string, port: number) => `  - matches: [{path: {type: PathPrefix, value: /${prefix}}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
    backendRefs: [{name: ${svc}, port: ${port}}]
`;
    await s.k.ok(['apply', '-f', '-'], {
      input: `${baseGateway('gw', gwPort)}---
${slice('api-ip', 'IPv4', '127.0.0.1')}---
${slice('api-fqdn', 'FQDN', 'localhost')}---
${serviceManifest('echo', INFRA_NS, [{ echo }])}---
${serviceManifest('mirror', INFRA_NS, [{ echo: mirrorEcho }])}---
apiVersion: v1
kind: ConfigMap
metadata: {name: switchyard-ca, namespace: ${INFRA_NS}}
data:
  ca.crt: |
    ${indent(fs.readFileSync(s.sy.caFile, 'utf8'), 4)}
---
apiVersion: ${GROUP}/v1
kind: BackendTLSPolicy
metadata: {name: api, namespace: ${INFRA_NS}}
spec:
  targetRefs: [{group: "", kind: Service, name: api-ip}, {group: "", kind: Service, name: api-fqdn}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: switchyard-ca}]
    hostname: localhost
---
apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: r, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: gw}]
  rules:
${rule('ip', 'api-ip', 443)}${rule('fqdn', 'api-fqdn', 443)}${rule('echo', 'echo', 8080)}  - matches: [{path: {type: PathPrefix, value: /mirrored}}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: api-ip, port: 443}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: mirror, port: 8080}}}
    backendRefs: [{name: echo, port: 8080}]
`,
    });
  });
  after(async () => {
    await echo?.close();
    await mirrorEcho?.close();
    await s?.stop();
  });

  it('routes to a loopback upstream (positive control), never to the API server', async () => {
    await waitFor(async () => (await get('/echo/x').catch(() => ({ status: 0 }))).status === 200, 60_000, 'echo route programmed');
    for (const p of ['/ip/version', '/fqdn/version']) {
      const r = await get(p);
      assert.equal(r.status, 403, `${p}: ${r.body}`);
      assert.doesNotMatch(r.body, /gitVersion/);
    }
  });

  it('a RequestMirror to the API server is not sent; the one to a loopback upstream is', async () => {
    const probe = `/mirrored/probe-${process.pid}`;
    await waitFor(async () => (await get(probe).catch(() => ({ status: 0 }))).status === 200, 60_000, 'mirror route programmed');
    await waitFor(() => mirrorEcho.hits > 0, 30_000, 'the loopback mirror got its copy');
    // the copies leave together; give the API's copy a moment past the echo's
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(s.sy.logs(), /"component":"apiserver"[^\n]*probe-\d+/, 'the API server saw no mirrored request');
  });
});
