// The real kubectl 1.32 against the real apiserver, once on SQLite and once on etcd: discovery,
// explain, client-side and server-side apply of an Apoxy-style multi-document file, get in every
// output, get -w, patch (merge, json, strategic → refused), label/annotate, selectors, delete,
// status + wait, validation errors with field paths, the read-only kubeconfig, and v1alpha.
// kubectl 1.20 (when unpacked by hack/install-test-deps.sh) gets what it can do without the
// protobuf OpenAPI v2 document we do not serve.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { BACKENDS, HTTPROUTES, KUBECTL, KUBECTL_120, kubectlFor, sleep, startServer, waitFor, type Kubectl, type Storage, type TestServer } from './lib';

const APOXY_FILE = `
apiVersion: core.apoxy.dev/v1alpha2
kind: Proxy
metadata:
  name: example
spec:
  provider: unmanaged
---
apiVersion: gateway.apoxy.dev/v1
kind: GatewayClass
metadata:
  name: apoxy
spec:
  controllerName: gateway.apoxy.dev/gatewayclass-controller
---
apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata:
  name: plain-backend
spec:
  endpoints:
  - fqdn: example.com
---
apiVersion: core.apoxy.dev/v1alpha2
kind: Backend
metadata:
  name: h2-backend
spec:
  endpoints:
  - ip: 10.0.0.2
  protocol: H2
---
apiVersion: core.apoxy.dev/v1alpha
kind: Backend
metadata:
  name: dynamic_forward_proxy
spec:
  dynamicProxy:
    dnsCacheConfig:
      dnsLookupFamily: v4_only
---
apiVersion: gateway.apoxy.dev/v1
kind: HTTPRoute
metadata:
  name: route-a
spec:
  hostnames: ["*"]
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - group: ""
      kind: Backend
      name: plain-backend
      port: 80
      weight: 1
`;

/** name → resourceVersion, for every object of the file (read over HTTP: kubectl is not the subject here) */
async function rvs(ts: TestServer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [kind, p] of [['backends', BACKENDS], ['httproutes', HTTPROUTES], ['proxies', '/apis/core.apoxy.dev/v1alpha2/proxies'], ['gatewayclasses', '/apis/gateway.apoxy.dev/v1/gatewayclasses']]) {
    const list = await ts.api.get(p);
    for (const o of list.json.items) out[`${kind}/${o.metadata.name}`] = o.metadata.resourceVersion;
  }
  return out;
}

/** one Backend as stored, read over HTTP */
async function live(ts: TestServer, name: string) {
  const a = await ts.api.get(`${BACKENDS}/${encodeURIComponent(name)}`);
  if (a.status !== 200) throw new Error(`GET ${name}: HTTP ${a.status} ${a.text}`);
  return a.json;
}

function suite(storage: Storage, withOldKubectl: boolean): void {
  describe(`kubectl 1.32 on ${storage}`, { timeout: 120_000 }, () => {
    let ts: TestServer;
    let k: Kubectl;
    let dir: string;

    before(async () => {
      ts = await startServer(storage);
      k = kubectlFor(ts.sy.kubeconfig, KUBECTL);
      dir = k.home;
    });
    after(async () => {
      await ts?.stop();
    });

    it('api-resources lists every kind with its short name', async () => {
      const out = await k.ok(['api-resources', '--no-headers']);
      // gateway.networking.k8s.io serves the same plurals (without `hr`); these are the apoxy groups' rows
      const rows = new Map(out.trim().split('\n').filter((l) => l.includes('apoxy.dev/')).map((l) => {
        const cols = l.trim().split(/\s+/);
        return [cols[0], cols] as const;
      }));
      const want: Record<string, string> = { backends: 'bk', httproutes: 'hr', grpcroutes: 'grpcr', gateways: 'gtw', gatewayclasses: 'gc', proxies: 'px' };
      for (const [plural, short] of Object.entries(want)) {
        const row = rows.get(plural);
        assert.ok(row, `${plural} missing from api-resources:\n${out}`);
        assert.equal(row[1], short, `${plural} short name`);
        assert.ok(row.includes('false'), `${plural} is cluster-scoped`);
      }
    });

    it('explain reaches into backends.spec.dynamicProxy.dnsCacheConfig', async () => {
      const out = await k.ok(['explain', 'backends.spec.dynamicProxy.dnsCacheConfig']);
      assert.match(out, /dnsRefreshRate/);
      assert.match(out, /dnsLookupFamily/);
    });

    it('apply -f an Apoxy-style file: created, then unchanged, then configured', async () => {
      const file = `${dir}/apoxy.yaml`;
      fs.writeFileSync(file, APOXY_FILE);
      const first = await k(['apply', '-f', file]);
      assert.equal(first.code, 0, first.stderr);
      for (const what of ['proxy.core.apoxy.dev/example', 'gatewayclass.gateway.apoxy.dev/apoxy', 'backend.core.apoxy.dev/plain-backend', 'backend.core.apoxy.dev/h2-backend', 'backend.core.apoxy.dev/dynamic_forward_proxy', 'httproute.gateway.apoxy.dev/route-a']) {
        assert.match(first.stdout, new RegExp(`${what.replace(/\./g, '\\.')} created`), first.stdout);
      }
      // the non-DNS-1123 name is accepted with a Warning kubectl prints
      assert.match(first.stderr, /dynamic_forward_proxy.*DNS-1123|DNS-1123.*dynamic_forward_proxy/);
      const h2 = (await live(ts, 'h2-backend'));
      assert.equal(h2.spec.protocol, 'h2', 'protocol H2 normalized to h2');
      const plain = (await live(ts, 'plain-backend'));
      assert.equal(plain.spec.protocol, undefined, 'protocol stays absent');
      const dfp = (await live(ts, 'dynamic_forward_proxy'));
      assert.equal(dfp.apiVersion, 'core.apoxy.dev/v1alpha2');
      assert.equal(dfp.spec.endpoints, undefined);
      assert.equal(dfp.spec.dynamicProxy.dnsCacheConfig.dnsLookupFamily, 'v4_only');

      const before = await rvs(ts);
      const second = await k(['apply', '-f', file]);
      assert.equal(second.code, 0, second.stderr);
      for (const what of ['proxy.core.apoxy.dev/example', 'gatewayclass.gateway.apoxy.dev/apoxy', 'backend.core.apoxy.dev/plain-backend', 'backend.core.apoxy.dev/dynamic_forward_proxy', 'httproute.gateway.apoxy.dev/route-a']) {
        assert.match(second.stdout, new RegExp(`${what.replace(/\./g, '\\.')} unchanged`), second.stdout);
      }
      // h2-backend: the last-applied "H2" differs from the live "h2", so kubectl sends a patch
      // (it prints "configured"), and the server, normalizing it again, writes nothing.
      assert.deepEqual(await rvs(ts), before, 'a re-apply changes no resourceVersion');

      const changed = APOXY_FILE.replace('fqdn: example.com', 'fqdn: changed.example.com');
      fs.writeFileSync(file, changed);
      const third = await k(['apply', '-f', file]);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stdout, /backend\.core\.apoxy\.dev\/plain-backend configured/);
      assert.match(third.stdout, /proxy\.core\.apoxy\.dev\/example unchanged/);
      const after = await rvs(ts);
      assert.notEqual(after['backends/plain-backend'], before['backends/plain-backend']);
      assert.equal(after['proxies/example'], before['proxies/example']);
      const obj = (await live(ts, 'plain-backend'));
      assert.equal(obj.spec.endpoints[0].fqdn, 'changed.example.com');
      assert.equal(obj.metadata.generation, 2);
      const lastApplied = JSON.parse(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      assert.deepEqual(lastApplied.spec, { endpoints: [{ fqdn: 'changed.example.com' }] });
      const viewed = YAML.parse(await k.ok(['apply', 'view-last-applied', 'backend/plain-backend']));
      assert.equal(viewed.spec.endpoints[0].fqdn, 'changed.example.com');
    });

    it('apply --server-side, a conflicting manager, then --force-conflicts', async () => {
      const doc = (protocol: string) => `apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: ssa-backend\nspec:\n  endpoints:\n  - fqdn: ssa.example.com\n  protocol: ${protocol}\n`;
      const a = await k(['apply', '--server-side', '-f', '-'], { input: doc('tls') });
      assert.equal(a.code, 0, a.stderr);
      assert.match(a.stdout, /backend\.core\.apoxy\.dev\/ssa-backend serverside-applied/);
      const again = (await live(ts, 'ssa-backend'));
      const same = await k(['apply', '--server-side', '-f', '-'], { input: doc('tls') });
      assert.equal(same.code, 0, same.stderr);
      const still = (await live(ts, 'ssa-backend'));
      assert.equal(still.metadata.resourceVersion, again.metadata.resourceVersion, 'same apply writes nothing');

      const conflict = await k(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: doc('h2c') });
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict/i);
      assert.match(conflict.stderr, /\.spec\.protocol/);
      assert.match(conflict.stderr, /"kubectl"/);
      const forced = await k(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: doc('h2c') });
      assert.equal(forced.code, 0, forced.stderr);
      const obj = (await live(ts, 'ssa-backend'));
      assert.equal(obj.spec.protocol, 'h2c');
      const managers = obj.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
      assert.ok(managers.includes('other/Apply'), JSON.stringify(managers));
      assert.ok(managers.includes('kubectl/Apply'), JSON.stringify(managers));
    });

    it('get in yaml, json, wide and name form', async () => {
      const y = YAML.parse(await k.ok(['get', 'backend', 'h2-backend', '-o', 'yaml']));
      assert.equal(y.kind, 'Backend');
      assert.equal(y.spec.protocol, 'h2');
      const j = JSON.parse(await k.ok(['get', 'backends', '-o', 'json']));
      assert.equal(j.kind, 'List');
      assert.ok(j.items.length >= 4);
      const wide = await k.ok(['get', 'backends', '-o', 'wide']);
      const header = wide.split('\n')[0];
      assert.match(header, /^NAME\s+ENDPOINTS\s+PROTOCOL\s+AGE/);
      assert.match(wide, /dynamic_forward_proxy\s+None\s/);
      assert.match(wide, /h2-backend\s+10\.0\.0\.2\s+h2\s/);
      const names = (await k.ok(['get', 'backends', '-o', 'name'])).trim().split('\n');
      assert.ok(names.includes('backend.core.apoxy.dev/plain-backend'), names.join(','));
      assert.ok(names.includes('backend.core.apoxy.dev/dynamic_forward_proxy'));
      const short = await k.ok(['get', 'bk']);
      assert.match(short, /plain-backend/);
    });

    it('get -w prints ADDED then MODIFIED for changes made meanwhile', async () => {
      const child = spawn(KUBECTL, ['get', 'backends', '-w', '--output-watch-events', '--request-timeout=20s'], {
        env: { PATH: process.env.PATH, HOME: k.home, KUBECONFIG: ts.sy.kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      try {
        await waitFor(() => /ADDED\s+plain-backend/.test(out), 10_000, `initial ADDED lines (stdout: ${out} stderr: ${err})`);
        await k.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'watched' }, spec: { endpoints: [{ ip: '192.0.2.7' }] } }) });
        await waitFor(() => /ADDED\s+watched\s+192\.0\.2\.7/.test(out), 10_000, `ADDED watched (stdout: ${out})`);
        await k.ok(['label', 'backend', 'watched', 'seen=yes']);
        await waitFor(() => /MODIFIED\s+watched/.test(out), 10_000, `MODIFIED watched (stdout: ${out})`);
        await k.ok(['delete', 'backend', 'watched']);
        await waitFor(() => /DELETED\s+watched/.test(out), 10_000, `DELETED watched (stdout: ${out})`);
        assert.match(out.split('\n')[0], /^EVENT\s+NAME\s+ENDPOINTS\s+PROTOCOL\s+AGE/);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('patch: merge and json work; the default strategic patch is refused naming the types', async () => {
      await k.ok(['patch', 'backend', 'plain-backend', '--type=merge', '-p', '{"spec":{"protocol":"tls"}}']);
      assert.equal((await live(ts, 'plain-backend')).spec.protocol, 'tls');
      await k.ok(['patch', 'backend', 'plain-backend', '--type=json', '-p', '[{"op":"replace","path":"/spec/protocol","value":"h2c"}]']);
      assert.equal((await live(ts, 'plain-backend')).spec.protocol, 'h2c');
      const strategic = await k(['patch', 'backend', 'plain-backend', '-p', '{"spec":{"protocol":"tls"}}']);
      assert.notEqual(strategic.code, 0);
      assert.match(strategic.stderr, /strategic-merge-patch/);
      assert.match(strategic.stderr, /application\/merge-patch\+json/);
      assert.match(strategic.stderr, /application\/json-patch\+json/);
      assert.equal((await live(ts, 'plain-backend')).spec.protocol, 'h2c');
      const bad = await k(['patch', 'backend', 'plain-backend', '--type=merge', '-p', '{"spec":{"protocol":"spdy"}}']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /spec\.protocol/);
    });

    it('label, annotate, label --overwrite, get -l', async () => {
      await k.ok(['label', 'backend', 'plain-backend', 'tier=web']);
      await k.ok(['label', 'backend', 'h2-backend', 'tier=api']);
      const clash = await k(['label', 'backend', 'plain-backend', 'tier=api']);
      assert.notEqual(clash.code, 0);
      assert.match(clash.stderr, /already has a value/);
      await k.ok(['label', 'backend', 'plain-backend', 'tier=api', '--overwrite']);
      await k.ok(['annotate', 'backend', 'plain-backend', 'owner=team-a']);
      const got = (await live(ts, 'plain-backend'));
      assert.equal(got.metadata.labels.tier, 'api');
      assert.equal(got.metadata.annotations.owner, 'team-a');
      const sel = (await k.ok(['get', 'backends', '-l', 'tier=api', '-o', 'name'])).trim().split('\n').sort();
      assert.deepEqual(sel, ['backend.core.apoxy.dev/h2-backend', 'backend.core.apoxy.dev/plain-backend']);
      const none = await k.ok(['get', 'backends', '-l', 'tier=nope', '-o', 'name']);
      assert.equal(none.trim(), '');
      const notIn = (await k.ok(['get', 'backends', '-l', 'tier notin (api)', '-o', 'name'])).trim().split('\n');
      assert.ok(!notIn.includes('backend.core.apoxy.dev/plain-backend'));
      await k.ok(['label', 'backend', 'h2-backend', 'tier-']);
      const after = (await k.ok(['get', 'backends', '-l', 'tier', '-o', 'name'])).trim().split('\n');
      assert.deepEqual(after, ['backend.core.apoxy.dev/plain-backend']);
    });

    it('get --field-selector metadata.name and spec.protocol', async () => {
      const one = (await k.ok(['get', 'backends', '--field-selector', 'metadata.name=h2-backend', '-o', 'name'])).trim();
      assert.equal(one, 'backend.core.apoxy.dev/h2-backend');
      const byProto = (await k.ok(['get', 'backends', '--field-selector', 'spec.protocol=h2', '-o', 'name'])).trim();
      assert.equal(byProto, 'backend.core.apoxy.dev/h2-backend');
      const bad = await k(['get', 'backends', '--field-selector', 'spec.nope=1']);
      assert.notEqual(bad.code, 0);
    });

    it('status via patch --subresource=status, then wait --for=condition=Ready', async () => {
      const gen = (await live(ts, 'h2-backend')).metadata.generation;
      const waiter = k(['wait', '--for=condition=Ready', 'backend/h2-backend', '--timeout=10s'], { timeoutMs: 20_000 });
      await sleep(300);
      const status = { status: { observedGeneration: gen, conditions: [{ type: 'Ready', status: 'True', reason: 'Resolved', message: 'ok', observedGeneration: gen, lastTransitionTime: '2024-01-01T00:00:00Z' }] } };
      await k.ok(['patch', 'backend', 'h2-backend', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
      const w = await waiter;
      assert.equal(w.code, 0, `wait: ${w.stdout} ${w.stderr}`);
      assert.match(w.stdout, /condition met/);
      const obj = (await live(ts, 'h2-backend'));
      assert.equal(obj.metadata.generation, gen, 'a status write does not bump generation');
      assert.equal(obj.status.conditions[0].type, 'Ready');
      // the main resource ignores status
      await k.ok(['patch', 'backend', 'h2-backend', '--type=merge', '-p', '{"status":{"conditions":[]}}']);
      const kept = (await live(ts, 'h2-backend'));
      assert.equal(kept.status.conditions.length, 1);
    });

    it('an invalid manifest is rejected with the field path', async () => {
      const bad = `apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: invalid-ip\nspec:\n  endpoints:\n  - ip: 300.1.1.1\n`;
      const r = await k(['apply', '-f', '-'], { input: bad });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /spec\.endpoints\[0\]\.ip/);
      assert.match(r.stderr, /300\.1\.1\.1/);
      const both = `apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: invalid-both\nspec:\n  endpoints:\n  - ip: 10.0.0.1\n    fqdn: a.example.com\n  protocol: quic\n`;
      const r2 = await k(['create', '-f', '-'], { input: both });
      assert.notEqual(r2.code, 0);
      assert.match(r2.stderr, /spec\.protocol/);
      const unknown = `apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: invalid-field\nspec:\n  endpoints:\n  - ip: 10.0.0.1\n  bogus: 1\n`;
      const r3 = await k(['apply', '-f', '-'], { input: unknown });
      assert.notEqual(r3.code, 0, 'kubectl sends fieldValidation=Strict');
      assert.match(r3.stderr, /unknown field "spec\.bogus"/);
      const gone = await k(['get', 'backend', 'invalid-ip', 'invalid-both', 'invalid-field', '--ignore-not-found', '-o', 'name']);
      assert.equal(gone.stdout.trim(), '');
    });

    it('the read-only kubeconfig can get but not delete', async () => {
      const list = await k(['get', 'backends', '-o', 'name'], { kubeconfig: ts.sy.readonlyKubeconfig });
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /plain-backend/);
      const del = await k(['delete', 'backend', 'plain-backend'], { kubeconfig: ts.sy.readonlyKubeconfig });
      assert.notEqual(del.code, 0);
      assert.match(del.stderr, /Forbidden/);
      assert.match(del.stderr, /cannot delete resource "backends"/);
      await k.ok(['get', 'backend', 'plain-backend']);
    });

    it('v1alpha serves the same objects with apiVersion rewritten', async () => {
      const v2 = JSON.parse(await k.ok(['get', 'backends.v1alpha2.core.apoxy.dev', '-o', 'json']));
      const v1 = JSON.parse(await k.ok(['get', 'backends.v1alpha.core.apoxy.dev', '-o', 'json']));
      const names = (l: { items: { metadata: { name: string } }[] }) => l.items.map((o) => o.metadata.name).sort();
      assert.deepEqual(names(v1), names(v2));
      for (const o of v1.items) assert.equal(o.apiVersion, 'core.apoxy.dev/v1alpha');
      const one1 = v1.items.find((o: { metadata: { name: string } }) => o.metadata.name === 'h2-backend');
      const one2 = v2.items.find((o: { metadata: { name: string } }) => o.metadata.name === 'h2-backend');
      assert.deepEqual({ ...one1, apiVersion: undefined }, { ...one2, apiVersion: undefined });
      const table = await k.ok(['get', 'backends.v1alpha.core.apoxy.dev']);
      assert.match(table, /^NAME\s+ENDPOINTS\s+PROTOCOL\s+AGE/);
      // a write through v1alpha is read back through v1alpha2
      await k.ok(['label', 'backends.v1alpha.core.apoxy.dev', 'h2-backend', 'via=v1alpha']);
      assert.equal((await live(ts, 'h2-backend')).metadata.labels.via, 'v1alpha');
    });

    it('delete one, then delete --all', async () => {
      const d = await k.ok(['delete', 'backend', 'h2-backend']);
      assert.match(d, /backend\.core\.apoxy\.dev "h2-backend" deleted/);
      const miss = await k(['get', 'backend', 'h2-backend']);
      assert.notEqual(miss.code, 0);
      assert.match(miss.stderr, /NotFound.*backends\.core\.apoxy\.dev "h2-backend" not found/);
      const all = await k.ok(['delete', 'backends', '--all']);
      assert.match(all, /"plain-backend" deleted/);
      assert.match(all, /"dynamic_forward_proxy" deleted/);
      const left = await k.ok(['get', 'backends', '-o', 'name']);
      assert.equal(left.trim(), '');
      const list = await ts.api.get(BACKENDS);
      assert.equal(list.json.items.length, 0);
      const routes = await ts.api.get(HTTPROUTES);
      assert.deepEqual(routes.json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['route-a'], 'other kinds untouched');
    });

    // kubectl 1.20 on the same server (validation and plain `apply` read the protobuf OpenAPI v2 document)
    if (!withOldKubectl) return;
    const skip120 = fs.existsSync(KUBECTL_120) ? false : `kubectl 1.20 not found at ${KUBECTL_120} (run hack/install-test-deps.sh)`;
    const doc = (proto: string) => JSON.stringify({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'old-client' }, spec: { endpoints: [{ fqdn: 'old.example.com' }], protocol: proto } });
    it('kubectl 1.20: create (--validate=false), get, label, patch --type=merge, apply --validate=false, delete', { skip: skip120 }, async () => {
      const k = kubectlFor(ts.sy.kubeconfig, KUBECTL_120);
      // kubectl 1.20 validates against the protobuf OpenAPI v2 document, which we do not serve
      const created = await k(['create', '--validate=false', '-f', '-'], { input: doc('tls') });
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /backend\.core\.apoxy\.dev\/old-client created/);
      const table = await k.ok(['get', 'backends']);
      assert.match(table, /^NAME\s+ENDPOINTS\s+PROTOCOL\s+AGE/);
      assert.match(table, /old-client\s+old\.example\.com\s+tls/);
      const json = JSON.parse(await k.ok(['get', 'backend', 'old-client', '-o', 'json']));
      assert.equal(json.spec.protocol, 'tls');
      assert.equal(json.apiVersion, 'core.apoxy.dev/v1alpha2');
      await k.ok(['label', 'backend', 'old-client', 'era=2020']);
      assert.match(await k.ok(['get', 'backends', '-l', 'era=2020', '-o', 'name']), /old-client/);
      await k.ok(['patch', 'backend', 'old-client', '--type=merge', '-p', '{"spec":{"protocol":"h2"}}']);
      assert.equal((await live(ts, 'old-client')).spec.protocol, 'h2');
      const applied = await k(['apply', '--validate=false', '-f', '-'], { input: doc('h2c') });
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal((await live(ts, 'old-client')).spec.protocol, 'h2c');
      const again = await k(['apply', '--validate=false', '-f', '-'], { input: doc('h2c') });
      assert.match(again.stdout, /unchanged/);
      const del = await k.ok(['delete', 'backend', 'old-client']);
      assert.match(del, /deleted/);
      assert.equal((await k.ok(['get', 'backends', '-o', 'name'])).trim(), '');
    });

    it('kubectl 1.20: apply with client-side validation (protobuf OpenAPI v2), re-apply, explain, and a rejected field', { skip: skip120 }, async () => {
      const k = kubectlFor(ts.sy.kubeconfig, KUBECTL_120);
      const applied = await k(['apply', '-f', '-'], { input: doc('tls') });
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /backend\.core\.apoxy\.dev\/old-client created/);
      const again = await k(['apply', '-f', '-'], { input: doc('tls') });
      assert.match(again.stdout, /unchanged/, again.stdout + again.stderr);
      assert.match(await k.ok(['explain', 'backends.spec']), /Backend/);
      const bad = JSON.stringify({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'old-bad' }, spec: { endpoints: [], foo: 1 } });
      const rejected = await k(['apply', '-f', '-'], { input: bad });
      assert.notEqual(rejected.code, 0);
      assert.match(rejected.stderr, /unknown field "foo"/);
      await k.ok(['delete', 'backend', 'old-client']);
    });
  });
}

suite('sqlite', true);
suite('etcd', false);
