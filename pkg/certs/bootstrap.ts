// First-start material in the data dir, kept across restarts so running clients never lose access:
// ca.crt/ca.key, serving.crt/serving.key (re-issued only if a listen host is not covered),
// tokens.csv (an admin and a read-only token) and the admin kubeconfig.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as YAML from 'yaml';
import { certCovers, createCA, createServingCert, pairMatches, type KeyPairPEM } from './selfsigned';

export interface Bootstrap {
  ca: KeyPairPEM;
  serving: KeyPairPEM;
  adminToken: string;
  readonlyToken: string;
  tokenFile: string;
  kubeconfigPath: string;
}

/** write-then-rename: a reader never sees half a file, even when two processes share the data dir */
function write(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data, { mode });
  fs.renameSync(tmp, file);
}

/** the stored pair, or null when missing or when the key does not belong to the certificate */
function readPair(dir: string, name: string): KeyPairPEM | null {
  const c = path.join(dir, `${name}.crt`);
  const k = path.join(dir, `${name}.key`);
  if (!fs.existsSync(c) || !fs.existsSync(k)) return null;
  const pair = { cert: fs.readFileSync(c, 'utf8'), key: fs.readFileSync(k, 'utf8') };
  return pairMatches(pair) ? pair : null;
}

/** loopback names plus the listen hosts (wildcards name no host) */
const sansFor = (hosts: string[]) => [...new Set(['127.0.0.1', '::1', 'localhost', ...hosts.filter((h) => h && h !== '0.0.0.0' && h !== '::')])];

/** The data dir's CA, created on first use. */
export function ensureCA(dataDir: string): KeyPairPEM {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let ca = readPair(dataDir, 'ca');
  if (!ca) {
    ca = createCA();
    write(path.join(dataDir, 'ca.crt'), ca.cert, 0o644);
    write(path.join(dataDir, 'ca.key'), ca.key);
  }
  return ca;
}

/** `<name>.crt/.key` signed by the data dir's CA, re-issued only when a host is not covered (or it expires). */
export function ensureServingPair(dataDir: string, name: string, hosts: string[], commonName = 'switchyard'): KeyPairPEM {
  const ca = ensureCA(dataDir);
  const sans = sansFor(hosts);
  let pair = readPair(dataDir, name);
  if (!pair || !certCovers(pair.cert, sans)) {
    pair = createServingCert(ca, sans, commonName);
    write(path.join(dataDir, `${name}.crt`), pair.cert, 0o644);
    write(path.join(dataDir, `${name}.key`), pair.key);
  }
  return pair;
}

export function ensureBootstrap(dataDir: string, hosts: string[], serverURL: string): Bootstrap {
  const ca = ensureCA(dataDir);
  const serving = ensureServingPair(dataDir, 'serving', hosts);
  const tokenFile = path.join(dataDir, 'tokens.csv');
  if (!fs.existsSync(tokenFile)) {
    const admin = randomBytes(24).toString('base64url');
    const viewer = randomBytes(24).toString('base64url');
    write(tokenFile, `# token,user,uid,"groups" (kube's static token file format)\n${admin},admin,admin,"switchyard:admins"\n${viewer},viewer,viewer,"switchyard:viewers"\n`);
  }
  const tokens = fs.readFileSync(tokenFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const tokenOf = (user: string) => tokens.find((l) => l.split(',')[1] === user)?.split(',')[0] ?? '';
  const adminToken = tokenOf('admin');
  const readonlyToken = tokenOf('viewer');
  const kubeconfigPath = path.join(dataDir, 'kubeconfig');
  write(kubeconfigPath, kubeconfig(serverURL, ca.cert, adminToken, 'admin'));
  write(path.join(dataDir, 'kubeconfig-readonly'), kubeconfig(serverURL, ca.cert, readonlyToken, 'viewer'));
  return { ca, serving, adminToken, readonlyToken, tokenFile, kubeconfigPath };
}

export function kubeconfig(server: string, caPem: string | null, token: string, user: string): string {
  const cluster: Record<string, unknown> = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  else if (server.startsWith('http://')) cluster['insecure-skip-tls-verify'] = true;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'switchyard', cluster }],
    users: [{ name: user, user: token ? { token } : {} }],
    contexts: [{ name: 'switchyard', context: { cluster: 'switchyard', user } }],
    'current-context': 'switchyard',
    preferences: {},
  });
}
