// HTTPRoute filters and Extended features through the real binary, kubectl and loopback upstreams,
// after conformance/tests: httproute-request-mirror, httproute-request-multiple-mirrors,
// httproute-request-percentage-mirror (the fraction as an exact 0 % / 100 %, no sampling asserts),
// httproute-cors, httproute-request-header-modifier-backend(-weights), httproute-timeout-request,
// httproute-timeout-backend-request, plus what the suite cannot see: a mirror that hangs or refuses
// never changes the main answer, and the copy carries the body. Session persistence (not in the
// standard channel's CRD) is exercised through gateway.apoxy.dev: a cookie sticks to one endpoint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import { freePort } from '../harness/ports';
import { baseGateway, CONTROLLER, GROUP, INFRA_NS, cond, getJSON, serviceManifest, startEcho, startServe, waitFor, type Echo, type EchoReply, type Serve } from './lib';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An upstream that records what reaches it; `hang` never answers (its requests stay open until close). */
interface Recorder {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

async function startRecorder(mode: 'answer' | 'hang'): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (mode === 'answer') res.end('mirror answer');
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** a Service + EndpointSlice for an upstream that is not an Echo */
const recorderService = (name: string, port: number) => serviceManifest(name, INFRA_NS, [{ echo: { pod: `${name}-pod`, namespace: INFRA_NS, port, hits: 0, close: async () => undefined } }]);

describe('gateway.networking.k8s.io filters: mirrors, CORS, per-backendRef filters, timeouts', { timeout: 240_000 }, () => {
  let s: Serve;
  let gwPort: number;
  let v1: Echo, v2: Echo;
  let shadow: Recorder, shadow2: Recorder, hang: Recorder, slow: Recorder;
  const apply = (yaml: string) => s.k.ok(['apply', '-f', '-'], { input: yaml });
  const route = (name: string, host: string, rules: string) => `apiVersion: ${GROUP}/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${INFRA_NS}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [${host}]
  rules:
${rules}`;
  const echoOf = (r: Reply) => JSON.parse(r.body) as EchoReply;

  before(async () => {
    s = await startServe();
    gwPort = await freePort();
    v1 = await startEcho('infra-backend-v1-pod', INFRA_NS);
    v2 = await startEcho('infra-backend-v2-pod', INFRA_NS);
    shadow = await startRecorder('answer');
    shadow2 = await startRecorder('answer');
    hang = await startRecorder('hang');
    slow = await startRecorder('hang');
    const refused = await freePort(); // nothing listens there
    await apply(`${baseGateway('same-namespace', gwPort)}`);
    await apply(serviceManifest('infra-backend-v1', INFRA_NS, [{ echo: v1 }]));
    await apply(serviceManifest('infra-backend-v2', INFRA_NS, [{ echo: v2 }]));
    await apply(recorderService('shadow', shadow.port));
    await apply(recorderService('shadow2', shadow2.port));
    await apply(recorderService('hang', hang.port));
    await apply(recorderService('slow', slow.port));
    await apply(recorderService('refused', refused));
  });

  after(async () => {
    await s?.stop();
    for (const x of [v1, v2, shadow, shadow2, hang, slow]) await x?.close();
  });

  it('supportedFeatures lists the mirror, CORS and per-backend header features, sorted', async () => {
    const gc = await waitFor(async () => {
      const o = await getJSON(s.k, `gatewayclasses.${GROUP}`, 'switchyard');
      return o?.status?.supportedFeatures ? o : undefined;
    }, 20_000, 'GatewayClass status');
    const names: string[] = gc.status.supportedFeatures.map((f: { name: string }) => f.name);
    assert.deepEqual(names, [...names].sort());
    for (const f of ['HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors', 'HTTPRouteRequestPercentageMirror', 'HTTPRouteCORS', 'HTTPRouteBackendRequestHeaderModification', 'HTTPRouteRequestTimeout', 'HTTPRouteBackendTimeout']) {
      assert.ok(names.includes(f), f);
    }
    assert.ok(!names.some((n) => n.includes('SessionPersistence')), 'session persistence is not served in this group');
  });

  it('HTTPRouteRequestMirror / MultipleMirrors: every mirror gets a copy (modified headers, body) while the main answer comes from the backendRef', async () => {
    await apply(
      route(
        'request-mirror',
        'mirror.example',
        `  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Header-Set, value: set-overwrites-values}]
        add: [{name: X-Header-Add, value: header-val-1}]
        remove: [X-Header-Remove]
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow, port: 8080}}
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow2, port: 8080}, percent: 100}
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow2, port: 8080}, fraction: {numerator: 0, denominator: 10}}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`,
      ),
    );
    const hr = await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'request-mirror', INFRA_NS);
      return cond(o?.status?.parents?.[0]?.conditions, 'ResolvedRefs')?.status === 'True' ? o : undefined;
    }, 20_000, 'mirror route ResolvedRefs');
    assert.equal(cond(hr.status.parents[0].conditions, 'Accepted')!.status, 'True');
    await waitFor(async () => (await send(gwPort, 'GET', '/warm', { host: 'mirror.example' })).status === 200, 20_000, 'mirror route served');
    const before1 = shadow.seen.length;
    const before2 = shadow2.seen.length;
    const r = await send(gwPort, 'POST', '/mirror?q=1', { host: 'mirror.example', 'x-header-set': 'old', 'x-header-remove': 'gone', 'content-type': 'text/plain' }, 'the body');
    assert.equal(r.status, 200);
    const main = echoOf(r);
    assert.equal(main.pod, 'infra-backend-v1-pod');
    assert.deepEqual(main.headers['X-Header-Set'], ['set-overwrites-values']);
    await waitFor(async () => shadow.seen.length > before1 && shadow2.seen.length > before2, 20_000, 'both mirrors got the copy');
    for (const copy of [shadow.seen.at(-1)!, shadow2.seen.at(-1)!]) {
      assert.equal(copy.method, 'POST');
      assert.equal(copy.url, '/mirror?q=1');
      assert.equal(copy.body, 'the body');
      assert.equal(copy.headers['x-header-set'], 'set-overwrites-values');
      assert.equal(copy.headers['x-header-add'], 'header-val-1');
      assert.equal(copy.headers['x-header-remove'], undefined);
      assert.equal(copy.headers.host, 'mirror.example');
    }
    // the 0/10 mirror to shadow2 never fires: shadow2 got exactly one copy per request, as shadow did
    assert.equal(shadow2.seen.length - before2, shadow.seen.length - before1);
  });

  it('a request with Expect: 100-continue is mirrored too (the copy goes without Expect)', async () => {
    const before1 = shadow.seen.length;
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: gwPort, path: '/expect', method: 'POST', agent: false, headers: { host: 'mirror.example', expect: '100-continue', 'content-length': '9', connection: 'close' } }, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
      });
      req.on('continue', () => req.end('continued'));
      req.setTimeout(15_000, () => req.destroy(new Error('expect request timed out')));
      req.on('error', reject);
    });
    assert.equal(r.status, 200);
    await waitFor(async () => shadow.seen.slice(before1).some((x) => x.url === '/expect'), 20_000, 'the copy of the Expect request');
    const copy = shadow.seen.slice(before1).find((x) => x.url === '/expect')!;
    assert.equal(copy.body, 'continued');
    assert.equal(copy.headers.expect, undefined);
  });

  it('a mirror that never answers, or refuses connections, changes nothing about the main answer', async () => {
    await apply(
      route(
        'mirror-bad',
        'mirror-bad.example',
        `  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: hang, port: 8080}}
    - type: RequestMirror
      requestMirror: {backendRef: {name: refused, port: 8080}}
    backendRefs: [{name: infra-backend-v2, port: 8080}]
`,
      ),
    );
    await waitFor(async () => (await send(gwPort, 'GET', '/warm', { host: 'mirror-bad.example' })).status === 200, 20_000, 'route served');
    for (let i = 0; i < 5; i++) {
      const r = await send(gwPort, 'PUT', `/bad/${i}`, { host: 'mirror-bad.example' }, `body ${i}`);
      assert.equal(r.status, 200);
      assert.equal(echoOf(r).pod, 'infra-backend-v2-pod');
      assert.equal(echoOf(r).path, `/bad/${i}`);
    }
    // the hanging mirror holds every copy open, unanswered, while the main requests all finished
    await waitFor(async () => hang.seen.some((x) => x.url === '/bad/4'), 20_000, 'the hanging mirror received the copies');
    assert.equal(hang.seen.find((x) => x.url === '/bad/4')!.body, 'body 4');
  });

  it('a body over the mirror limit is not mirrored, and still reaches the backendRef whole', async () => {
    const big = 'x'.repeat(300 * 1024);
    const before1 = shadow.seen.length;
    const r = await send(gwPort, 'POST', '/big', { host: 'mirror.example' }, big);
    assert.equal(r.status, 200);
    assert.equal(echoOf(r).headers['Content-Length']?.[0], String(big.length));
    const small = await send(gwPort, 'POST', '/after-big', { host: 'mirror.example' }, 'small');
    assert.equal(small.status, 200);
    await waitFor(async () => shadow.seen.some((x) => x.url === '/after-big'), 20_000, 'the next copy arrives');
    assert.ok(!shadow.seen.slice(before1).some((x) => x.url === '/big'), 'the over-limit body was not mirrored');
  });

  it('a mirror to a Service in another namespace needs a ReferenceGrant: RefNotPermitted, the main route still served', async () => {
    await apply(`apiVersion: v1
kind: Namespace
metadata: {name: mirror-other}
---
${serviceManifest('elsewhere', 'mirror-other', [{ echo: v2 }])}`);
    await apply(
      route(
        'mirror-grant',
        'mirror-grant.example',
        `  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: elsewhere, namespace: mirror-other, port: 8080}}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`,
      ),
    );
    const hr = await waitFor(async () => {
      const o = await getJSON(s.k, `httproutes.${GROUP}`, 'mirror-grant', INFRA_NS);
      return cond(o?.status?.parents?.[0]?.conditions, 'ResolvedRefs')?.status === 'False' ? o : undefined;
    }, 20_000, 'RefNotPermitted');
    assert.equal(cond(hr.status.parents[0].conditions, 'ResolvedRefs')!.reason, 'RefNotPermitted');
    await waitFor(async () => (await send(gwPort, 'GET', '/x', { host: 'mirror-grant.example' })).status === 200, 20_000, 'main route served');
  });

  it('HTTPRouteCORS: preflight answered by the proxy, actual responses get the headers', async () => {
    await apply(
      route(
        'cors',
        'cors.example',
        `  - matches: [{path: {type: PathPrefix, value: /cors-1}}]
    filters:
    - type: CORS
      cors:
        allowOrigins: ["https://www.foo.com", "https://*.bar.com"]
        allowMethods: [GET, OPTIONS]
        allowHeaders: [x-header-1, x-header-2]
        exposeHeaders: [x-header-3, x-header-4]
        allowCredentials: true
        maxAge: 3600
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /cors-2}}]
    filters:
    - type: CORS
      cors:
        allowOrigins: ["https://www.foo.com"]
        allowMethods: ["*"]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`,
      ),
    );
    await waitFor(async () => (await send(gwPort, 'GET', '/cors-1', { host: 'cors.example', origin: 'https://www.foo.com' })).headers['access-control-allow-origin'] !== undefined, 20_000, 'cors route served');
    const hits = v1.hits;
    const pre = await send(gwPort, 'OPTIONS', '/cors-1', { host: 'cors.example', origin: 'https://xpto.www.bar.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-header-1, x-header-2' });
    assert.ok(pre.status === 200 || pre.status === 204, String(pre.status));
    assert.equal(pre.headers['access-control-allow-origin'], 'https://xpto.www.bar.com');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET, OPTIONS');
    assert.equal(pre.headers['access-control-allow-headers'], 'x-header-1, x-header-2');
    assert.equal(pre.headers['access-control-expose-headers'], 'x-header-3, x-header-4');
    assert.equal(pre.headers['access-control-max-age'], '3600');
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    const no = await send(gwPort, 'OPTIONS', '/cors-1', { host: 'cors.example', origin: 'https://foobar.com', 'access-control-request-method': 'GET' });
    assert.ok([200, 204, 403].includes(no.status));
    assert.equal(no.headers['access-control-allow-origin'], undefined);
    const wild = await send(gwPort, 'OPTIONS', '/cors-2', { host: 'cors.example', origin: 'https://www.foo.com', 'access-control-request-method': 'POST' });
    assert.equal(wild.headers['access-control-allow-methods'], 'POST');
    assert.equal(wild.headers['access-control-allow-credentials'], undefined);
    assert.equal(v1.hits, hits, 'preflights never reach the upstream');
    const actual = await send(gwPort, 'GET', '/cors-1', { host: 'cors.example', origin: 'https://www.bar.com' });
    assert.equal(actual.status, 200);
    assert.equal(actual.headers['access-control-allow-origin'], 'https://www.bar.com');
    assert.equal(actual.headers['access-control-allow-credentials'], 'true');
    assert.equal(echoOf(actual).pod, 'infra-backend-v1-pod');
    const other = await send(gwPort, 'GET', '/cors-1', { host: 'cors.example', origin: 'https://foobar.com' });
    assert.equal(other.status, 200);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('HTTPRouteBackendRequestHeaderModifier: a backendRef\'s filters apply only when that ref is picked', async () => {
    await apply(
      route(
        'backend-weights',
        'weights.example',
        `  - backendRefs:
    - name: infra-backend-v1
      port: 8080
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {set: [{name: Backend, value: infra-backend-v1}]}
      - type: ResponseHeaderModifier
        responseHeaderModifier: {set: [{name: X-Picked, value: v1}]}
    - name: infra-backend-v2
      port: 8080
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {set: [{name: Backend, value: infra-backend-v2}]}
`,
      ),
    );
    const pods = new Set<string>();
    await waitFor(async () => {
      const r = await send(gwPort, 'GET', '/w', { host: 'weights.example' });
      if (r.status !== 200) return false;
      const e = echoOf(r);
      const want = e.pod === 'infra-backend-v1-pod' ? 'infra-backend-v1' : 'infra-backend-v2';
      assert.deepEqual(e.headers['Backend'], [want]);
      assert.equal(r.headers['x-picked'], e.pod === 'infra-backend-v1-pod' ? 'v1' : undefined);
      pods.add(e.pod);
      return pods.size === 2;
    }, 20_000, 'both refs picked with their own headers');
  });

  it('HTTPRouteRequestTimeout / BackendTimeout: an upstream that never answers gets 504; a quick one is unaffected', async () => {
    await apply(
      route(
        'timeouts',
        'timeouts.example',
        `  - matches: [{path: {type: PathPrefix, value: /request-timeout}}]
    timeouts: {request: 500ms}
    backendRefs: [{name: slow, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /backend-timeout}}]
    timeouts: {request: 10s, backendRequest: 500ms}
    backendRefs: [{name: slow, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /quick}}]
    timeouts: {request: 10s, backendRequest: 5s}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`,
      ),
    );
    await waitFor(async () => (await send(gwPort, 'GET', '/quick', { host: 'timeouts.example' })).status === 200, 20_000, 'timeouts route served');
    assert.equal((await send(gwPort, 'GET', '/request-timeout', { host: 'timeouts.example' })).status, 504);
    assert.equal((await send(gwPort, 'GET', '/backend-timeout', { host: 'timeouts.example' })).status, 504);
    assert.ok(slow.seen.some((x) => x.url === '/request-timeout') && slow.seen.some((x) => x.url === '/backend-timeout'));
  });
  it('sessionPersistence (gateway.apoxy.dev, cookie): the first answer sets the cookie; with it every request sticks to one endpoint', async () => {
    const a = await startEcho('sticky-a', 'apoxy');
    const b = await startEcho('sticky-b', 'apoxy');
    try {
      await apply(`apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata: {name: sticky}
spec:
  endpoints: [{ip: 127.0.0.1, port: ${a.port}}, {ip: 127.0.0.1, port: ${b.port}}]
---
apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata: {name: sticky}
spec:
  hostnames: [sticky.example]
  rules:
  - backendRefs: [{name: sticky}]
    sessionPersistence:
      cookie: {name: sy-sticky, lifetimeType: Permanent}
      absoluteTimeout: 1h
`);
      // without the cookie both endpoints answer (round-robin), each answer handing out a cookie
      const cookies = new Map<string, string>();
      await waitFor(async () => {
        const r = await send(s.proxyPort, 'GET', '/s', { host: 'sticky.example' });
        if (r.status !== 200) return false;
        const sc = r.headers['set-cookie']?.[0];
        assert.ok(sc, 'a new session gets a cookie');
        assert.match(sc, /^sy-sticky=[A-Za-z0-9_-]{24}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600$/);
        cookies.set(echoOf(r).pod, sc.split(';')[0]!);
        return cookies.size === 2;
      }, 20_000, 'both endpoints hand out sessions');
      for (const [pod, cookie] of cookies) {
        for (let i = 0; i < 10; i++) {
          const r = await send(s.proxyPort, 'GET', `/s/${i}`, { host: 'sticky.example', cookie: `other=1; ${cookie}` });
          assert.equal(r.status, 200);
          assert.equal(echoOf(r).pod, pod, 'the session sticks to its endpoint');
          assert.equal(r.headers['set-cookie'], undefined, 'a known session is not re-issued');
        }
      }
      // the endpoint of a session leaves: that session moves to the other one
      const [podA, cookieA] = [...cookies].find(([p]) => p === 'sticky-a')!;
      assert.equal(podA, 'sticky-a');
      await s.k.ok(['patch', 'backend', 'sticky', '--type=merge', '-p', JSON.stringify({ spec: { endpoints: [{ ip: '127.0.0.1', port: b.port }] } })]);
      await waitFor(async () => echoOf(await send(s.proxyPort, 'GET', '/moved', { host: 'sticky.example', cookie: cookieA })).pod === 'sticky-b', 20_000, 'session moved');
      // a bad schema value is refused (the upstream CRD's CEL rule)
      const bad = await s.k(['apply', '-f', '-'], {
        input: `apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata: {name: sticky-bad}
spec:
  rules:
  - backendRefs: [{name: sticky}]
    sessionPersistence: {cookie: {lifetimeType: Permanent}}
`,
      });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /AbsoluteTimeout must be specified when cookie lifetimeType is Permanent/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
