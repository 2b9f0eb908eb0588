// Verified upstream TLS through the real binary (`switchyard serve`), kubectl and real TLS servers
// on loopback; names resolve through dnsmasq. A self-signed `CN=attacker.invalid` server answering
// for `ok.test` is refused (502, the reason in the access log, Backend TLSVerified=False); the same
// name served with a certificate from a CA trusted by spec.tls.caBundle or --upstream-ca-file
// answers 200; IP endpoints are checked against the IP unless spec.tls.serverName names the
// certificate; insecureSkipVerify is an explicit opt-out answered with a Warning on write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCA, createServingCert, type KeyPairPEM } from '../../pkg/certs/selfsigned';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { freePort } from '../harness/ports';
import { tempDir } from '../harness/tmp';
import { kubectlFor, waitFor, type Kubectl } from '../apiserver/lib';
import { Dnsmasq } from '../dns/dnsmasq';
import { send } from './lib';
import * as YAML from 'yaml';

interface TLSUpstream {
  port: number;
  hits: number;
  servernames: string[];
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 presenting `pair`, answering 200 `hello from NAME`. */
async function tlsUpstream(name: string, pair: KeyPairPEM): Promise<TLSUpstream> {
  const up: TLSUpstream = { port: 0, hits: 0, servernames: [], close: async () => undefined };
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    up.hits++;
    up.servernames.push((req.socket as TLSSocket).servername || '');
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
    res.end(`hello from ${name}`);
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  up.port = (server.address() as AddressInfo).port;
  up.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return up;
}

let dns: Dnsmasq;
let sy: SwitchyardProcess;
let k: Kubectl;
let base: string;
let proxyPort: number;
/** self-signed, CN=attacker.invalid, no SAN for ok.test */
let EVIL: TLSUpstream;
/** ok.test signed by caX (trusted only through spec.tls.caBundle) */
let GOOD: TLSUpstream;
/** ok.test signed by caY (the --upstream-ca-file CA) */
let FILE: TLSUpstream;
let caX: KeyPairPEM;

const yaml = (o: unknown) => JSON.stringify(o);

function backendDoc(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name }, spec };
}
function routeDoc(name: string, host: string, backend: string) {
  return { apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name }, spec: { hostnames: [host], rules: [{ backendRefs: [{ kind: 'Backend', name: backend }] }] } };
}

async function apply(...docs: unknown[]): Promise<{ stdout: string; stderr: string }> {
  const r = await k(['apply', '-f', '-'], { input: docs.map((d) => YAML.stringify(d)).join('---\n') });
  if (r.code !== 0) throw new Error(`kubectl apply exited ${r.code}: ${r.stderr}`);
  return r;
}

async function condition(backend: string, type: string): Promise<{ status: string; reason: string; message: string } | undefined> {
  const out = await k.ok(['get', 'backends.core.apoxy.dev', backend, '-o', 'json']);
  const b = JSON.parse(out) as { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
  return b.status?.conditions?.find((c) => c.type === type);
}

/** GET through the proxy once the route serves (404 until the controller has published it) */
async function getRouted(host: string): Promise<{ status: number; body: string }> {
  return waitFor<{ status: number; body: string } | undefined>(
    async () => {
      const r = await send(base, '/', { host });
      return r.status === 404 ? undefined : { status: r.status, body: r.text };
    },
    10_000,
    `route for ${host}`,
  ) as Promise<{ status: number; body: string }>;
}

before(async () => {
  const attacker = createCA('attacker.invalid', 1); // self-signed
  caX = createCA('backend-ca-x', 1);
  const caY = createCA('upstream-ca-file-y', 1);
  EVIL = await tlsUpstream('evil', attacker);
  GOOD = await tlsUpstream('good', createServingCert(caX, ['ok.test'], 'ok.test', 1));
  FILE = await tlsUpstream('file', createServingCert(caY, ['ok.test'], 'ok.test', 1));
  dns = await Dnsmasq.start({ ttlSec: 60, records: { 'ok.test': ['127.0.0.1'], 'wrong.test': ['127.0.0.1'] } });
  const dir = tempDir('switchyard-upstream-tls-');
  const caFile = path.join(dir, 'upstream-ca.pem');
  fs.writeFileSync(caFile, caY.cert);
  proxyPort = await freePort();
  sy = await startSwitchyard({
    command: 'serve',
    // the forward-proxy case dials its origins on loopback: a deny list without loopback (the default denies it)
    extraArgs: ['--proxy-listen', `127.0.0.1:${proxyPort}`, '--dns-server', dns.server, '--upstream-ca-file', caFile, '--proxy-access-log', '--forward-proxy-deny', '169.254.0.0/16'],
  });
  k = kubectlFor(sy.kubeconfig);
  base = `http://127.0.0.1:${proxyPort}`;
});

after(async () => {
  await sy?.stop();
  await dns?.kill();
  await Promise.all([EVIL, GOOD, FILE].map((u) => u?.close()));
});

test('a self-signed CN=attacker.invalid upstream for ok.test: 502, reason in the access log, TLSVerified=False; never reached', async () => {
  await apply(backendDoc('evil', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test', port: EVIL.port }] }), routeDoc('evil', 'evil.test', 'evil'));
  const r = await getRouted('evil.test');
  assert.equal(r.status, 502);
  assert.match(r.body, /upstream TLS verification failed for ok\.test \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  assert.equal(EVIL.hits, 0, 'no request went to the impostor');
  await waitFor(() => /"status":502[^\n]*upstream TLS verification failed/.test(sy.logs()) || /upstream TLS verification failed[^\n]*"status":502/.test(sy.logs()), 5_000, 'the access log line');
  const c = await waitFor<NonNullable<Awaited<ReturnType<typeof condition>>>>(async () => {
    const c = await condition('evil', 'TLSVerified');
    return (c?.status === 'False' ? c : undefined)!;
  }, 10_000, 'TLSVerified=False on Backend evil');
  assert.equal(c.reason, 'VerificationFailed');
  assert.match(c.message, /DEPTH_ZERO_SELF_SIGNED_CERT/);
  // not the client's fault: a server error, and the same client is served elsewhere (control below)
});

test('ok.test signed by a CA given in spec.tls.caBundle: 200 and TLSVerified=True; without the bundle: 502', async () => {
  await apply(
    backendDoc('good', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test', port: GOOD.port }], tls: { caBundle: caX.cert } }),
    routeDoc('good', 'good.test', 'good'),
    backendDoc('no-ca', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test', port: GOOD.port }] }),
    routeDoc('no-ca', 'no-ca.test', 'no-ca'),
  );
  const r = await getRouted('good.test');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'hello from good');
  assert.equal(GOOD.servernames.at(-1), 'ok.test', 'SNI is the endpoint fqdn');
  const hits = GOOD.hits;
  const bad = await getRouted('no-ca.test');
  assert.equal(bad.status, 502);
  assert.match(bad.body, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  assert.equal(GOOD.hits, hits, 'an unverified connection carries no request');
  await waitFor(async () => (await condition('good', 'TLSVerified'))?.status === 'True', 10_000, 'TLSVerified=True on Backend good');
  await waitFor(async () => (await condition('no-ca', 'TLSVerified'))?.status === 'False', 10_000, 'TLSVerified=False on Backend no-ca');
});

test('--upstream-ca-file is trusted for every Backend; the name still has to match', async () => {
  await apply(
    backendDoc('file-ca', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test', port: FILE.port }] }),
    routeDoc('file-ca', 'file-ca.test', 'file-ca'),
    backendDoc('file-wrong-name', { protocol: 'tls', endpoints: [{ fqdn: 'wrong.test', port: FILE.port }] }),
    routeDoc('file-wrong-name', 'file-wrong.test', 'file-wrong-name'),
  );
  const r = await getRouted('file-ca.test');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'hello from file');
  const w = await getRouted('file-wrong.test');
  assert.equal(w.status, 502);
  assert.match(w.body, /ERR_TLS_CERT_ALTNAME_INVALID/);
});

test('IP endpoints are checked against the IP; spec.tls.serverName names the certificate (and is the SNI)', async () => {
  await apply(
    backendDoc('by-ip', { protocol: 'tls', endpoints: [{ ip: '127.0.0.1', port: GOOD.port }], tls: { caBundle: caX.cert } }),
    routeDoc('by-ip', 'by-ip.test', 'by-ip'),
    backendDoc('by-ip-named', { protocol: 'tls', endpoints: [{ ip: '127.0.0.1', port: GOOD.port }], tls: { caBundle: caX.cert, serverName: 'ok.test' } }),
    routeDoc('by-ip-named', 'by-ip-named.test', 'by-ip-named'),
  );
  const ip = await getRouted('by-ip.test');
  assert.equal(ip.status, 502);
  assert.match(ip.body, /upstream TLS verification failed for 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  const named = await getRouted('by-ip-named.test');
  assert.equal(named.status, 200, named.body);
  assert.equal(GOOD.servernames.at(-1), 'ok.test');
});

test('insecureSkipVerify: a Warning on write, 200 from the self-signed upstream, TLSVerified=False (InsecureSkipVerify)', async () => {
  const w = await apply(
    backendDoc('evil-optout', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test', port: EVIL.port }], tls: { insecureSkipVerify: true } }),
    routeDoc('evil-optout', 'evil-optout.test', 'evil-optout'),
  );
  assert.match(w.stderr, /Warning: spec\.tls\.insecureSkipVerify/);
  const r = await getRouted('evil-optout.test');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'hello from evil');
  const c = await waitFor<NonNullable<Awaited<ReturnType<typeof condition>>>>(async () => {
    const c = await condition('evil-optout', 'TLSVerified');
    return (c?.status === 'False' ? c : undefined)!;
  }, 10_000, 'TLSVerified on evil-optout');
  assert.equal(c.reason, 'InsecureSkipVerify');
  // a write without the opt-out warns nothing
  const quiet = await apply(backendDoc('good', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test', port: GOOD.port }], tls: { caBundle: caX.cert } }));
  assert.doesNotMatch(quiet.stderr, /Warning/);
});

test('a caBundle that is not PEM certificates is refused with 422 naming the field', async () => {
  const r = await k(['apply', '-f', '-'], { input: yaml(backendDoc('bad-bundle', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test' }], tls: { caBundle: 'not a certificate' } })) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec\.tls\.caBundle/);
  assert.match(r.stderr, /PEM/);
  const key = await k(['apply', '-f', '-'], { input: yaml(backendDoc('key-bundle', { protocol: 'tls', endpoints: [{ fqdn: 'ok.test' }], tls: { caBundle: caX.key } })) });
  assert.notEqual(key.code, 0, 'a private key is not a CA bundle');
  assert.match(key.stderr, /not a CERTIFICATE/);
  const ok = await k(['get', 'backends.core.apoxy.dev', 'bad-bundle']);
  assert.notEqual(ok.code, 0, 'nothing was stored');
});

test('the upgrade path verifies too: an Upgrade request to the impostor is a 502, to the trusted upstream it reaches it', async () => {
  const raw = (host: string) =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(proxyPort, '127.0.0.1');
      let out = '';
      const t = setTimeout(() => {
        s.destroy();
        resolve(out);
      }, 8_000);
      s.on('data', (d) => {
        out += d;
        if (out.includes('\r\n\r\n')) {
          clearTimeout(t);
          s.destroy();
          resolve(out);
        }
      });
      s.on('error', reject);
      s.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    });
  const hits = EVIL.hits;
  assert.match(await raw('evil.test'), /^HTTP\/1\.1 502/);
  assert.equal(EVIL.hits, hits, 'the impostor got no request');
  // control: the trusted upstream is reached (it answers the upgrade with a plain 200)
  const goodHits = GOOD.hits;
  assert.match(await raw('good.test'), /^HTTP\/1\.1 200/);
  assert.equal(GOOD.hits, goodHits + 1);
});

test('dynamicProxy TLS origins are verified against the requested name', async () => {
  await apply(
    backendDoc('fwd', { protocol: 'tls', dynamicProxy: {}, tls: { caBundle: caX.cert } }),
    routeDoc('fwd', 'ok.test', 'fwd'),
    routeDoc('fwd-wrong', 'wrong.test', 'fwd'),
  );
  const ok = await waitFor(async () => {
    const r = await send(base, '/', { host: `ok.test:${GOOD.port}` });
    return (r.status === 404 ? undefined : r)!;
  }, 10_000, 'forward route');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.text, 'hello from good');
  const wrong = await send(base, '/', { host: `wrong.test:${GOOD.port}` });
  assert.equal(wrong.status, 502);
  assert.match(wrong.text, /upstream TLS verification failed for wrong\.test/);
});
