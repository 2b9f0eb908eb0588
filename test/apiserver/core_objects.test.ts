// The core group's objects (Namespace, Secret, ConfigMap at /api/v1) on both stores, with real
// kubectl 1.32 and 1.20, client-node and raw HTTP: namespaced paths and keys, lists across
// namespaces, watches per namespace and across, the namespace rules (must exist, deletion refused
// while non-empty, default never), Secret data rules, strategic merge for built-in kinds (415 kept
// for custom kinds), and Secrets readable by admins only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import type { KubernetesObject } from '@kubernetes/client-node';
import Database from 'better-sqlite3';
import { BACKENDS, KUBECTL, KUBECTL_120, TABLE_ACCEPT, backend, kubectlFor, loadClientNode, restartServer, startServer, waitFor, type Kubectl, type Storage, type TestServer } from './lib';

const SECRETS = (ns: string) => `/api/v1/namespaces/${ns}/secrets`;
const CONFIGMAPS = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const NAMESPACES = '/api/v1/namespaces';
const SECRET_VALUE = 'do-not-leak-7f3a9c';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const secret = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data, ...extra });
const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

function selfSignedPair(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=core.test', '-days', '1'], { stdio: 'ignore' });
  return { cert, key };
}

function suite(storage: Storage): void {
  describe(`core objects on ${storage}`, { timeout: 240_000 }, () => {
    let ts: TestServer;
    let k: Kubectl;

    before(async () => {
      ts = await startServer(storage);
      k = kubectlFor(ts.sy.kubeconfig, KUBECTL);
    });
    after(async () => {
      await ts?.stop();
    });

    it('default and switchyard-system exist from the first start, Active', async () => {
      const a = await ts.api.get(NAMESPACES);
      assert.equal(a.status, 200);
      const names = a.json.items.map((n: KubernetesObject) => n.metadata?.name);
      assert.deepEqual(names, ['default', 'switchyard-system']);
      for (const n of a.json.items) assert.equal(n.status.phase, 'Active');
      const out = await k.ok(['get', 'namespaces']);
      assert.match(out, /^NAME\s+STATUS\s+AGE/m);
      assert.match(out, /^default\s+Active\s/m);
    });

    it('discovery: /api, /api/v1, aggregated /api; /apis keeps only the named groups', async () => {
      const legacy = await ts.api.get('/api');
      assert.deepEqual(legacy.json.versions, ['v1']);
      const rl = await ts.api.get('/api/v1');
      assert.equal(rl.json.groupVersion, 'v1');
      const byName = new Map(rl.json.resources.map((r: { name: string }) => [r.name, r]));
      assert.equal((byName.get('secrets') as { namespaced: boolean }).namespaced, true);
      assert.equal((byName.get('namespaces') as { namespaced: boolean }).namespaced, false);
      assert.ok(!(byName.get('namespaces') as { verbs: string[] }).verbs.includes('deletecollection'));
      const agg = await ts.api.get('/api', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
      assert.match(String(agg.headers['content-type']), /as=APIGroupDiscoveryList/);
      const res = agg.json.items[0].versions[0].resources;
      assert.equal(res.find((r: { resource: string }) => r.resource === 'configmaps').scope, 'Namespaced');
      const apis = await ts.api.get('/apis');
      assert.ok(apis.json.groups.every((g: { name: string }) => g.name !== ''), 'the core group is not under /apis');
      const out = await k.ok(['api-resources', '--api-group=']);
      assert.match(out, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap/m);
      assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace/m);
      assert.match(out, /^secrets\s+v1\s+true\s+Secret/m);
    });

    it('OpenAPI v3 serves api/v1 with kube definition names; explain works', async () => {
      const idx = await ts.api.get('/openapi/v3');
      const url = idx.json.paths['api/v1'].serverRelativeURL as string;
      assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=/);
      const doc = await ts.api.get(url);
      assert.ok(doc.json.components.schemas['io.k8s.api.core.v1.Secret']);
      assert.ok(doc.json.paths['/api/v1/namespaces/{namespace}/secrets/{name}']);
      assert.ok(doc.json.paths['/api/v1/secrets'], 'the list across namespaces');
      const patchTypes = Object.keys(doc.json.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch.requestBody.content);
      assert.ok(patchTypes.includes('application/strategic-merge-patch+json'));
      assert.match(await k.ok(['explain', 'secret.stringData']), /write-only/);
      assert.match(await k.ok(['explain', 'configmap.binaryData']), /BinaryData/);
    });

    it('kubectl create secret tls / generic, configmap --from-literal, namespace; get -n and -A with kube columns', async () => {
      const pair = selfSignedPair(k.home);
      await k.ok(['create', 'namespace', 'team-a']);
      await k.ok(['create', 'secret', 'tls', 'site-tls', '--cert', pair.cert, '--key', pair.key, '-n', 'team-a']);
      await k.ok(['create', 'secret', 'generic', 'creds', `--from-literal=password=${SECRET_VALUE}`]);
      await k.ok(['create', 'configmap', 'settings', '--from-literal=a=1', '--from-literal=b=2', '-n', 'team-a']);
      const tls = await ts.api.get(`${SECRETS('team-a')}/site-tls`);
      assert.equal(tls.json.type, 'kubernetes.io/tls');
      assert.equal(Buffer.from(tls.json.data['tls.crt'], 'base64').toString(), fs.readFileSync(pair.cert, 'utf8'));
      assert.equal(tls.json.metadata.namespace, 'team-a');
      const creds = await ts.api.get(`${SECRETS('default')}/creds`);
      assert.equal(Buffer.from(creds.json.data.password, 'base64').toString(), SECRET_VALUE);
      assert.equal(creds.json.type, 'Opaque');
      const inNs = await k.ok(['get', 'secrets', '-n', 'team-a']);
      assert.match(inNs, /^NAME\s+TYPE\s+DATA\s+AGE/m);
      assert.match(inNs, /^site-tls\s+kubernetes\.io\/tls\s+2\s/m);
      assert.doesNotMatch(inNs, /creds/);
      const all = await k.ok(['get', 'secrets', '--all-namespaces']);
      assert.match(all, /^NAMESPACE\s+NAME\s+TYPE\s+DATA\s+AGE/m);
      assert.match(all, /^default\s+creds\s+Opaque\s+1\s/m);
      assert.match(all, /^team-a\s+site-tls\s/m);
      const cms = await k.ok(['get', 'configmaps', '-A']);
      assert.match(cms, /^NAMESPACE\s+NAME\s+DATA\s+AGE/m);
      assert.match(cms, /^team-a\s+settings\s+2\s/m);
      const list = await ts.api.get('/api/v1/secrets', { accept: TABLE_ACCEPT });
      assert.deepEqual(list.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Type', 'Data', 'Age']);
    });

    it('objects are stored under kube keys: /registry/secrets/<ns>/<name>, /registry/namespaces/<name>', async () => {
      if (storage === 'etcd') {
        const range = async (key: string) => {
          const r = await fetch(`${ts.etcd!.clientURL}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(key) }) });
          return ((await r.json()) as { kvs?: unknown[] }).kvs?.length ?? 0;
        };
        assert.equal(await range('/registry/secrets/team-a/site-tls'), 1);
        assert.equal(await range('/registry/configmaps/team-a/settings'), 1);
        assert.equal(await range('/registry/namespaces/team-a'), 1);
      } else {
        // the server holds the database exclusively: read it while stopped, then start again
        // (the namespaces and objects survive the restart)
        await ts.sy.stop();
        const db = new Database(path.join(ts.sy.dataDir, 'state.db'), { readonly: true, fileMustExist: true });
        db.pragma('busy_timeout = 5000');
        try {
          const has = (key: string) => !!db.prepare('SELECT 1 FROM kine WHERE name = ? LIMIT 1').get(key);
          assert.ok(has('/registry/secrets/team-a/site-tls'));
          assert.ok(has('/registry/configmaps/team-a/settings'));
          assert.ok(has('/registry/namespaces/team-a'));
          assert.ok(!has('/registry//secrets/team-a/site-tls'));
        } finally {
          db.close();
        }
        await restartServer(ts);
        assert.equal((await ts.api.get(`${SECRETS('team-a')}/site-tls`)).status, 200);
      }
    });

    it('namespaced URL rules: namespace from the URL, mismatch 400, missing namespace 404, writes across namespaces 405', async () => {
      const created = await ts.api.post(CONFIGMAPS('team-a'), configMap('from-url', { x: 'y' }));
      assert.equal(created.status, 201);
      assert.equal(created.json.metadata.namespace, 'team-a');
      const mismatch = await ts.api.post(CONFIGMAPS('team-a'), { ...configMap('other', {}), metadata: { name: 'other', namespace: 'default' } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.json.message, 'the namespace of the provided object does not match the namespace sent on the request');
      const missing = await ts.api.post(CONFIGMAPS('nope'), configMap('x', {}));
      assert.equal(missing.status, 404);
      assert.equal(missing.json.message, 'namespaces "nope" not found');
      const notThere = await ts.api.get(`${CONFIGMAPS('default')}/from-url`);
      assert.equal(notThere.status, 404, 'the same name in another namespace is another object');
      assert.equal(notThere.json.message, 'configmaps "from-url" not found');
      const across = await ts.api.post('/api/v1/configmaps', configMap('y', {}));
      assert.equal(across.status, 405);
      const listAll = await ts.api.get('/api/v1/configmaps');
      assert.ok(listAll.json.items.some((o: KubernetesObject) => o.metadata?.name === 'from-url'));
      const sel = await ts.api.get('/api/v1/configmaps?fieldSelector=metadata.namespace%3Dteam-a');
      assert.ok(sel.json.items.every((o: KubernetesObject) => o.metadata?.namespace === 'team-a'));
    });

    it('Secret rules: invalid base64 400 without echoing data, stringData merged, tls needs both keys, type immutable', async () => {
      const bad = await ts.api.post(SECRETS('default'), secret('bad', { k: `${SECRET_VALUE}!` }));
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /illegal base64 data at input byte/);
      assert.ok(!bad.text.includes(SECRET_VALUE), 'the value is not echoed');
      const merged = await ts.api.post(SECRETS('default'), secret('merged', { a: b64('from-data'), b: b64('old') }, { stringData: { b: 'new' } }));
      assert.equal(merged.status, 201);
      assert.deepEqual(merged.json.data, { a: b64('from-data'), b: b64('new') });
      assert.equal(merged.json.stringData, undefined);
      const tls = await ts.api.post(SECRETS('default'), secret('half-tls', { 'tls.crt': b64('x') }, { type: 'kubernetes.io/tls' }));
      assert.equal(tls.status, 422);
      assert.deepEqual(tls.json.details.causes.map((c: { field: string }) => c.field), ['data[tls.key]']);
      const key = await ts.api.post(SECRETS('default'), secret('bad-key', { 'no/slash': b64('x') }));
      assert.equal(key.status, 422);
      const retype = await ts.api.patch(`${SECRETS('default')}/merged`, 'merge', { type: 'kubernetes.io/tls' });
      assert.equal(retype.status, 422);
      assert.match(retype.json.message, /type: Invalid value: "kubernetes.io\/tls": field is immutable/);
      const cm = await ts.api.post(CONFIGMAPS('default'), { ...configMap('dup', { k: 'v' }), binaryData: { k: b64('v') } });
      assert.equal(cm.status, 422);
    });

    it('strategic merge patch for built-in kinds; custom kinds keep 415', async () => {
      await ts.api.post(CONFIGMAPS('default'), { ...configMap('smp', { keep: '1', drop: '2' }), metadata: { name: 'smp', finalizers: ['a.example/x'] } });
      const p = await ts.api.patch(`${CONFIGMAPS('default')}/smp`, 'strategic', { data: { drop: null, add: '3' }, metadata: { finalizers: ['b.example/y'] } });
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(p.json.data, { keep: '1', add: '3' });
      assert.deepEqual(p.json.metadata.finalizers, ['a.example/x', 'b.example/y'], 'finalizers merge (patchStrategy merge)');
      const replaced = await ts.api.patch(`${CONFIGMAPS('default')}/smp`, 'strategic', { data: { $patch: 'replace', only: 'x' }, metadata: { finalizers: null } });
      assert.equal(replaced.status, 200, replaced.text);
      assert.deepEqual(replaced.json.data, { only: 'x' });
      assert.equal(replaced.json.metadata.finalizers, undefined);
      const bad = await ts.api.patch(`${CONFIGMAPS('default')}/smp`, 'strategic', { data: { $patch: 'explode' } });
      assert.equal(bad.status, 422);
      await ts.api.post(BACKENDS, backend('smp-backend'));
      const crd = await ts.api.patch(`${BACKENDS}/smp-backend`, 'strategic', { metadata: { labels: { a: 'b' } } });
      assert.equal(crd.status, 415);
      assert.doesNotMatch(crd.json.message, /include: [^(]*strategic/, crd.json.message);
    });

    it('kubectl apply (client-side) twice is unchanged, then configured; --server-side twice; delete', async () => {
      const doc = (v: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: team-a
data:
  key: ${v}
  other: same
---
apiVersion: v1
kind: Secret
metadata:
  name: applied-secret
  namespace: team-a
data:
  token: ${b64(v)}
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-b
  labels: {team: b}
`;
      const first = await k.ok(['apply', '-f', '-'], { input: doc('one') });
      assert.match(first, /configmap\/applied created/);
      assert.match(first, /secret\/applied-secret created/);
      assert.match(first, /namespace\/team-b created/);
      const again = await k.ok(['apply', '-f', '-'], { input: doc('one') });
      assert.match(again, /configmap\/applied unchanged/);
      assert.match(again, /secret\/applied-secret unchanged/);
      assert.match(again, /namespace\/team-b unchanged/);
      const changed = await k.ok(['apply', '-f', '-'], { input: doc('two') });
      assert.match(changed, /configmap\/applied configured/);
      const cm = await ts.api.get(`${CONFIGMAPS('team-a')}/applied`);
      assert.deepEqual(cm.json.data, { key: 'two', other: 'same' });
      // taking over fields client-side apply owns is a conflict, as in kube: forced once
      const conflict = await k(['apply', '--server-side', '-f', '-'], { input: doc('three') });
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict with "kubectl-client-side-apply"/);
      const ssa = await k.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: doc('three') });
      assert.match(ssa, /configmap\/applied serverside-applied/);
      const rv = (await ts.api.get(`${CONFIGMAPS('team-a')}/applied`)).json.metadata.resourceVersion;
      await k.ok(['apply', '--server-side', '-f', '-'], { input: doc('three') });
      assert.equal((await ts.api.get(`${CONFIGMAPS('team-a')}/applied`)).json.metadata.resourceVersion, rv, 'a second apply changes nothing');
      // label and annotate send strategic merge patches for built-in kinds
      await k.ok(['label', 'configmap', 'applied', '-n', 'team-a', 'tier=web']);
      await k.ok(['annotate', 'secret', 'applied-secret', '-n', 'team-a', 'note=x']);
      assert.equal((await ts.api.get(`${CONFIGMAPS('team-a')}/applied`)).json.metadata.labels.tier, 'web');
      assert.equal((await ts.api.get(`${SECRETS('team-a')}/applied-secret`)).json.metadata.annotations.note, 'x');
      assert.match(await k.ok(['delete', 'configmap', 'applied', '-n', 'team-a']), /configmap "applied" deleted/);
      assert.match(await k.ok(['delete', 'secret', 'applied-secret', '-n', 'team-a']), /secret "applied-secret" deleted/);
      assert.match(await k.ok(['delete', 'namespace', 'team-b']), /namespace "team-b" deleted/);
    });

    it('kubectl get -w per namespace and across namespaces; raw watches filter by namespace', async () => {
      const child = spawn(KUBECTL, ['get', 'configmaps', '-A', '-w', '--request-timeout=30s'], { env: { PATH: process.env.PATH, HOME: k.home, KUBECONFIG: ts.sy.kubeconfig } });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      try {
        const nsWatch = await ts.api.watch(`${CONFIGMAPS('team-a')}?watch=1&resourceVersion=0`);
        const allWatch = await ts.api.watch('/api/v1/configmaps?watch=1&resourceVersion=0');
        await waitFor(() => /settings/.test(out), 15_000, 'the initial rows of kubectl get -w');
        await ts.api.post(CONFIGMAPS('default'), configMap('watched-default', {}));
        await ts.api.post(CONFIGMAPS('team-a'), configMap('watched-team', {}));
        await waitFor(() => /watched-default/.test(out) && /watched-team/.test(out), 15_000, `kubectl get -w saw both (${out})`);
        await allWatch.until((e) => e.object?.metadata?.name === 'watched-default', 5000, 'watched-default across namespaces');
        await allWatch.until((e) => e.object?.metadata?.name === 'watched-team', 5000, 'watched-team across namespaces');
        await nsWatch.until((e) => e.object?.metadata?.name === 'watched-team', 5000, 'watched-team in team-a');
        assert.ok(nsWatch.events.every((e) => e.object?.metadata?.namespace === 'team-a'), 'the namespace watch sees team-a only');
        nsWatch.close();
        allWatch.close();
      } finally {
        child.kill();
      }
    });

    it('a read-only token: 403 for Secrets (get, list, watch, across), 200 for ConfigMaps and Namespaces', async () => {
      const ro = ts.readonlyApi;
      for (const p of [SECRETS('default'), `${SECRETS('default')}/creds`, '/api/v1/secrets', `${SECRETS('default')}?watch=1`, '/api/v1/secrets?watch=1']) {
        const a = await ro.get(p);
        assert.equal(a.status, 403, p);
        assert.equal(a.json.reason, 'Forbidden');
        assert.ok(!a.text.includes(b64(SECRET_VALUE)));
      }
      const list = await ro.get(SECRETS('default'));
      assert.equal(list.json.message, 'secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "default"');
      assert.equal((await ro.get(CONFIGMAPS('team-a'))).status, 200);
      assert.equal((await ro.get('/api/v1/configmaps')).status, 200);
      assert.equal((await ro.get(NAMESPACES)).status, 200);
      assert.equal((await ro.get(BACKENDS)).status, 200);
      assert.equal((await ro.post(CONFIGMAPS('default'), configMap('ro', {}))).status, 403);
      const viaKubectl = await k(['get', 'secrets', '-A'], { kubeconfig: ts.sy.readonlyKubeconfig });
      assert.notEqual(viaKubectl.code, 0);
      assert.match(viaKubectl.stderr, /Forbidden/);
      const log = ts.sy.logs();
      assert.ok(!log.includes(SECRET_VALUE) && !log.includes(b64(SECRET_VALUE)), 'no Secret value in the log');
    });

    it('namespace deletion: refused while non-empty (409), default and switchyard-system never (403); empty ones go', async () => {
      const full = await ts.api.del(`${NAMESPACES}/team-a`);
      assert.equal(full.status, 409);
      assert.match(full.json.message, /not empty/);
      assert.equal((await ts.api.get(`${NAMESPACES}/team-a`)).status, 200);
      for (const n of ['default', 'switchyard-system']) {
        const a = await ts.api.del(`${NAMESPACES}/${n}`);
        assert.equal(a.status, 403, n);
        assert.equal(a.json.message, `namespaces "${n}" is forbidden: this namespace may not be deleted`);
      }
      assert.equal((await ts.api.del(NAMESPACES)).status, 405, 'no deletecollection on namespaces');
      const kubectlRefused = await k(['delete', 'namespace', 'team-a']);
      assert.notEqual(kubectlRefused.code, 0);
      assert.match(kubectlRefused.stderr, /not empty/);
      await k.ok(['delete', 'secrets,configmaps', '--all', '-n', 'team-a']);
      assert.match(await k.ok(['delete', 'namespace', 'team-a']), /namespace "team-a" deleted/);
      assert.equal((await ts.api.get(`${NAMESPACES}/team-a`)).status, 404);
    });

    it('client-node CoreV1Api: create, read, list across namespaces; an informer on secrets', async () => {
      const k8s = await loadClientNode();
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(ts.sy.kubeconfig);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: 'cn' } } });
      await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 's1' }, stringData: { k: 'v' } } });
      const read = await core.readNamespacedSecret({ namespace: 'cn', name: 's1' });
      assert.equal(Buffer.from(read.data!.k, 'base64').toString(), 'v');
      const all = await core.listSecretForAllNamespaces();
      assert.ok(all.items.some((s) => s.metadata?.namespace === 'cn' && s.metadata?.name === 's1'));
      const cms = await core.listNamespacedConfigMap({ namespace: 'default' });
      assert.ok(cms.items.length >= 1);
      const inf = k8s.makeInformer(kc, '/api/v1/namespaces/cn/secrets', () => core.listNamespacedSecret({ namespace: 'cn' }));
      await inf.start();
      try {
        await waitFor(() => inf.list().some((s) => s.metadata?.name === 's1'), 5000, 'the informer lists s1');
        await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 's2' }, data: { k: b64('w') } } });
        await waitFor(() => inf.list().some((s) => s.metadata?.name === 's2'), 5000, 'the informer sees s2');
        await core.deleteNamespacedSecret({ namespace: 'cn', name: 's1' });
        await waitFor(() => !inf.list().some((s) => s.metadata?.name === 's1'), 5000, 'the informer drops s1');
      } finally {
        await inf.stop();
      }
    });
  });
}

describe('kubectl 1.20 with core objects', { timeout: 120_000, skip: fs.existsSync(KUBECTL_120) ? false : `kubectl 1.20 not found at ${KUBECTL_120}` }, () => {
  let ts: TestServer;
  let k: Kubectl;
  before(async () => {
    ts = await startServer('sqlite');
    k = kubectlFor(ts.sy.kubeconfig, KUBECTL_120);
  });
  after(async () => {
    await ts?.stop();
  });

  it('create namespace/secret/configmap, get -A, apply (validated by protobuf OpenAPI v2) twice, explain, delete', async () => {
    await k.ok(['create', 'namespace', 'old']);
    await k.ok(['create', 'secret', 'generic', 'old-secret', '--from-literal=a=b', '-n', 'old']);
    await k.ok(['create', 'configmap', 'old-cm', '--from-literal=a=b', '-n', 'old']);
    const all = await k.ok(['get', 'secrets', '-A']);
    assert.match(all, /^old\s+old-secret\s+Opaque\s+1\s/m);
    const doc = `apiVersion: v1
kind: ConfigMap
metadata: {name: applied, namespace: old}
data: {k: v}
---
apiVersion: v1
kind: Secret
metadata: {name: applied, namespace: old}
type: Opaque
data: {k: ${b64('v')}}
`;
    const first = await k.ok(['apply', '-f', '-'], { input: doc });
    assert.match(first, /configmap\/applied created/);
    const again = await k.ok(['apply', '-f', '-'], { input: doc });
    assert.match(again, /configmap\/applied unchanged/);
    assert.match(again, /secret\/applied unchanged/);
    const bad = await k(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: old}\nfoo: 1\n' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown field "foo"/);
    assert.match(await k.ok(['explain', 'secret.type']), /Secret/);
    await k.ok(['delete', 'secret', 'old-secret', 'applied', '-n', 'old']);
    await k.ok(['delete', 'configmap', 'old-cm', 'applied', '-n', 'old']);
    assert.match(await k.ok(['delete', 'namespace', 'old']), /namespace "old" deleted/);
  });
});

suite('sqlite');
suite('etcd');
