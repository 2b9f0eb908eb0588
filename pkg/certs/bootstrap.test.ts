import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as YAML from 'yaml';
import { ensureBootstrap, ensureServingPair } from './bootstrap';
import { certCovers, pairMatches } from './selfsigned';

test('first start makes a CA, a serving cert for the listen hosts, tokens and kubeconfigs; a restart keeps them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-boot-'));
  try {
    const a = ensureBootstrap(dir, ['127.0.0.1'], 'https://127.0.0.1:6443');
    const serving = new X509Certificate(a.serving.cert);
    assert.ok(serving.verify(new X509Certificate(a.ca.cert).publicKey), 'serving cert signed by the CA');
    assert.ok(certCovers(a.serving.cert, ['127.0.0.1', '::1', 'localhost']));
    assert.notEqual(a.adminToken, a.readonlyToken);
    assert.match(a.adminToken, /^[A-Za-z0-9_-]{32}$/);
    const kc = YAML.parse(fs.readFileSync(a.kubeconfigPath, 'utf8'));
    assert.equal(kc.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    assert.equal(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), a.ca.cert);
    assert.equal(kc.users[0].user.token, a.adminToken);
    assert.equal((fs.statSync(path.join(dir, 'ca.key')).mode & 0o777).toString(8), '600');

    const b = ensureBootstrap(dir, ['127.0.0.1'], 'https://127.0.0.1:6443');
    assert.equal(b.ca.cert, a.ca.cert, 'CA kept');
    assert.equal(b.serving.cert, a.serving.cert, 'serving cert kept while it covers the hosts');
    assert.equal(b.adminToken, a.adminToken, 'token kept');

    const c = ensureBootstrap(dir, ['192.0.2.10'], 'https://192.0.2.10:6443');
    assert.equal(c.ca.cert, a.ca.cert, 'a new listen host re-issues the serving cert under the same CA');
    assert.notEqual(c.serving.cert, a.serving.cert);
    assert.ok(certCovers(c.serving.cert, ['192.0.2.10', '127.0.0.1']));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureServingPair: signed by the data-dir CA, kept across starts, re-issued when the key does not match; no temp files left', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-proxy-cert-'));
  try {
    const a = ensureServingPair(dir, 'proxy', ['0.0.0.0'], 'switchyard-proxy');
    const ca = new X509Certificate(fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'));
    assert.ok(new X509Certificate(a.cert).verify(ca.publicKey));
    assert.ok(pairMatches(a));
    assert.equal(ensureServingPair(dir, 'proxy', ['0.0.0.0']).cert, a.cert, 'kept');
    // a torn pair (another process's key) is never used
    const other = ensureServingPair(dir, 'other', []);
    fs.writeFileSync(path.join(dir, 'proxy.key'), other.key);
    const b = ensureServingPair(dir, 'proxy', ['0.0.0.0']);
    assert.notEqual(b.cert, a.cert);
    assert.ok(pairMatches(b));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
