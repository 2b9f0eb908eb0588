// Certificates by SNI from Secrets, end to end through `switchyard serve` (issue 17): TLS Secrets
// made by `kubectl create secret tls`, a Gateway whose HTTPS listeners share one port and name them
// by hostname (two exact names and a wildcard), `openssl s_client -servername` reading the presented
// certificate's subject; a replaced Secret is presented to new handshakes within 5 s while an open
// connection keeps working; a broken Secret is ResolvedRefs=False/InvalidCertificateRef on its
// listener while the other listeners on the port keep serving; Secret data never reaches the logs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { freePort } from '../harness/ports';
import { createCA, createServingCert, type KeyPairPEM } from '../../pkg/certs/selfsigned';
import { condition, getObject, pointBackendAt, startServe, startUpstream, waitFor, writeManifest, type Serve, type Upstream } from './lib';

/** the subject CN of the certificate presented for `servername` (openssl s_client, bounded) */
function presentedCN(port: number, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', servername], { timeout: 10_000 }, (_err, stdout) => {
      const m = /^subject=.*?CN\s*=\s*([^,\n]+)/m.exec(stdout);
      resolve(m ? m[1].trim() : `(no certificate: ${stdout.slice(0, 200)})`);
    });
    child.stdin?.end();
  });
}

describe('certificates by SNI from Secrets (serve)', { timeout: 120_000 }, () => {
  let s: Serve;
  let up: Upstream;
  let port: number;
  let httpPort: number;
  const ca = createCA('sni-test-ca');
  const certs: Record<string, KeyPairPEM> = {};
  const secretFiles = (name: string, kp: KeyPairPEM) => {
    const crt = path.join(s.dir, `${name}.crt`);
    const key = path.join(s.dir, `${name}.key`);
    fs.writeFileSync(crt, kp.cert);
    fs.writeFileSync(key, kp.key);
    return ['--cert', crt, '--key', key];
  };
  /** kubectl apply of a Secret made by `kubectl create secret tls --dry-run=client -o yaml` (a replace in place) */
  const applySecret = async (name: string, kp: KeyPairPEM) => {
    const yaml = await s.k.ok(['create', 'secret', 'tls', name, ...secretFiles(name, kp), '--dry-run=client', '-o', 'yaml']);
    await s.k.ok(['apply', '-f', '-'], { input: yaml });
  };
  const listenerStatus = async (name: string) => (await getObject(s.k, 'gateway', 'edge'))?.status?.listeners?.find((l: { name: string }) => l.name === name);

  before(async () => {
    port = await freePort();
    httpPort = await freePort();
    s = await startServe();
    up = await startUpstream();
    await s.k.ok(['apply', '-f', writeManifest(s.dir, 'gateway.yaml', httpPort)]);
    await pointBackendAt(s.k, 'app', up.port);
    certs.a = createServingCert(ca, ['a.example.test'], 'a.example.test');
    certs.b = createServingCert(ca, ['b.example.test'], 'b.example.test');
    certs.wild = createServingCert(ca, ['*.wild.test'], 'wild.test');
    certs.fallback = createServingCert(ca, ['fallback.test'], 'fallback.test');
    for (const n of ['a', 'b', 'wild', 'fallback']) await s.k.ok(['create', 'secret', 'tls', `${n}-cert`, ...secretFiles(n, certs[n])]);
    const listeners = [
      { name: 'a', protocol: 'HTTPS', port, hostname: 'a.example.test', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'a-cert' }] } },
      { name: 'b', protocol: 'HTTPS', port, hostname: 'b.example.test', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'b-cert', namespace: 'default' }] } },
      { name: 'wild', protocol: 'HTTPS', port, hostname: '*.wild.test', tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'wild-cert' }] } },
      { name: 'fallback', protocol: 'HTTPS', port, tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'fallback-cert' }] } },
    ];
    await s.k.ok(['patch', 'gateway', 'edge', '--type=json', '-p', JSON.stringify(listeners.map((value) => ({ op: 'add', path: '/spec/listeners/-', value })))]);
    // route `app` to every listener of the Gateway
    await s.k.ok(['patch', 'httproute', 'app', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/parentRefs', value: [{ name: 'edge' }] }])]);
    await waitFor(async () => (await presentedCN(port, 'a.example.test')) === 'a.example.test', 20_000, 'listener a serves its certificate', 200);
  });
  after(async () => {
    await s?.stop();
    await up?.close();
  });

  it('each hostname gets its own certificate (exact names, a one-label wildcard), others the hostname-less default', async () => {
    assert.equal(await presentedCN(port, 'a.example.test'), 'a.example.test');
    assert.equal(await presentedCN(port, 'b.example.test'), 'b.example.test');
    assert.equal(await presentedCN(port, 'x.wild.test'), 'wild.test');
    assert.equal(await presentedCN(port, 'deep.x.wild.test'), 'fallback.test', 'a wildcard covers one label only');
    assert.equal(await presentedCN(port, 'other.test'), 'fallback.test');
    const l = await listenerStatus('a');
    assert.equal(condition(l.conditions, 'ResolvedRefs')?.status, 'True');
    assert.equal(condition(l.conditions, 'Programmed')?.status, 'True');
    assert.deepEqual(l.supportedKinds.map((k: { kind: string }) => k.kind), ['HTTPRoute', 'GRPCRoute']);
  });

  it('a replaced Secret is presented to new handshakes within 5 s; an open connection keeps working', async () => {
    // an open keep-alive connection to listener a, verified against the CA
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'a.example.test', ca: ca.cert, ALPNProtocols: ['http/1.1'] });
    await new Promise<void>((resolve, reject) => (sock.once('secureConnect', resolve), sock.once('error', reject)));
    const ask = (p: string) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        const onData = (c: Buffer) => {
          out += c;
          const m = /content-length: (\d+)\r\n/i.exec(out);
          const end = out.indexOf('\r\n\r\n');
          if (m && end >= 0 && out.length >= end + 4 + Number(m[1])) {
            sock.off('data', onData);
            resolve(out);
          }
        };
        sock.on('data', onData);
        sock.once('error', reject);
        sock.write(`GET ${p} HTTP/1.1\r\nHost: a.example.test\r\n\r\n`);
      });
    assert.match(await ask('/app/before'), /^HTTP\/1\.1 200/);
    const rotated = createServingCert(ca, ['a.example.test'], 'rotated-a.example.test');
    const t0 = Date.now();
    await applySecret('a-cert', rotated);
    await waitFor(async () => (await presentedCN(port, 'a.example.test')) === 'rotated-a.example.test', 5_000, 'the new certificate within 5 s', 100);
    assert.ok(Date.now() - t0 < 10_000);
    assert.match(await ask('/app/after'), /^HTTP\/1\.1 200/, 'the connection opened before the rotation still serves');
    assert.equal((sock.getPeerCertificate() as { subject: { CN: string } }).subject.CN, 'a.example.test');
    sock.destroy();
    assert.equal(await presentedCN(port, 'b.example.test'), 'b.example.test', 'positive control: b unchanged');
  });

  it('a broken Secret (key of another certificate) is InvalidCertificateRef on its listener; the other listeners keep serving', async () => {
    const other = createServingCert(ca, ['b.example.test'], 'b.example.test');
    const broken = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'b-cert', namespace: 'default' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(certs.b.cert).toString('base64'), 'tls.key': Buffer.from(other.key).toString('base64') },
    };
    await s.k.ok(['apply', '-f', '-'], { input: JSON.stringify(broken) });
    const l = await waitFor(async () => {
      const x = await listenerStatus('b');
      return condition(x?.conditions, 'ResolvedRefs')?.status === 'False' ? x : undefined;
    }, 15_000, 'listener b ResolvedRefs=False', 200);
    const rr = condition(l.conditions, 'ResolvedRefs')!;
    assert.equal(rr.reason, 'InvalidCertificateRef');
    assert.match(rr.message, /default\/b-cert/);
    assert.ok(!rr.message.includes('BEGIN'), 'no key material in the condition');
    assert.equal(condition(l.conditions, 'Programmed')?.status, 'False');
    // b is not served: its name gets the port's default; a and the wildcard still get theirs
    await waitFor(async () => (await presentedCN(port, 'b.example.test')) === 'fallback.test', 5_000, 'b falls back to the default', 100);
    assert.equal(await presentedCN(port, 'a.example.test'), 'rotated-a.example.test');
    assert.equal(await presentedCN(port, 'x.wild.test'), 'wild.test');
    const a = await listenerStatus('a');
    assert.equal(condition(a.conditions, 'Programmed')?.status, 'True');
    // a missing Secret is the same reason
    await s.k.ok(['delete', 'secret', 'wild-cert']);
    const w = await waitFor(async () => {
      const x = await listenerStatus('wild');
      return condition(x?.conditions, 'ResolvedRefs')?.status === 'False' ? x : undefined;
    }, 15_000, 'listener wild ResolvedRefs=False', 200);
    assert.equal(condition(w.conditions, 'ResolvedRefs')?.reason, 'InvalidCertificateRef');
    assert.match(condition(w.conditions, 'ResolvedRefs')!.message, /not found/);
  });

  it('Secret data never appears in the logs', () => {
    const logs = s.sy.logs();
    for (const kp of Object.values(certs)) {
      const keyBody = kp.key.split('\n')[3];
      assert.ok(keyBody && !logs.includes(keyBody), 'a private key line is in the logs');
      assert.ok(!logs.includes(Buffer.from(kp.key).toString('base64').slice(0, 60)), 'base64 key data is in the logs');
    }
  });
});
