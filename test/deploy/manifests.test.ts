// deploy/ cannot be applied to a cluster here, so its consistency is checked offline: the real
// kubectl renders both kustomizations, and every switchyard container must run a real subcommand,
// every SWITCHYARD_* variable must be a flag of that subcommand (or one of the variables the code
// reads directly), probes and Services must name ports the pods declare, volume mounts must name
// volumes, and the in-cluster variant must keep the kubeconfig volume patch pointing at the right
// volume. A renamed flag or a reordered volume list fails here instead of in someone's cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { REPO_ROOT } from '../harness/switchyard';
import { KUBECTL } from '../apiserver/lib';
import { COMMANDS } from '../../cmd/switchyard';
import { envName } from '../../pkg/config/flags';

/** variables read by the code itself rather than through a flag */
const DIRECT_ENV = new Set([
  'SWITCHYARD_LOG_LEVEL',
  'SWITCHYARD_CONSOLE_DIR',
  'SWITCHYARD_EDGEPROXY_PERSIST_RATE',
  'SWITCHYARD_EDGEPROXY_PERSIST_SECS',
  'SWITCHYARD_EDGEPROXY_RATE_LIMIT',
  'SWITCHYARD_EDGEPROXY_TOKEN',
  'SWITCHYARD_REGISTRY_RATE_LIMIT',
  'SWITCHYARD_REGISTRY_TOKEN',
  'SWITCHYARD_UPSTREAMS_RATE_LIMIT',
  'SWITCHYARD_UPSTREAMS_TOKEN',
]);

type Doc = { kind: string; metadata: { name: string; namespace?: string }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function render(dir: string): Doc[] {
  const out = execFileSync(KUBECTL, ['kustomize', path.join(REPO_ROOT, dir)], { encoding: 'utf8', timeout: 30_000 });
  return YAML.parseAllDocuments(out).map((d) => d.toJS() as Doc).filter(Boolean);
}

function checkWorkloads(docs: Doc[], where: string): number {
  let containers = 0;
  const workloads = docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet');
  assert.ok(workloads.length > 0, `${where}: no workloads rendered`);
  for (const w of workloads) {
    const pod = w.spec.template.spec;
    const volumes = new Set([...(pod.volumes ?? []), ...(w.spec.volumeClaimTemplates ?? []).map((t: { metadata: { name: string } }) => t.metadata)].map((v: { name: string }) => v.name));
    const ports = new Set<string | number>();
    for (const c of pod.containers) {
      for (const p of c.ports ?? []) {
        ports.add(p.containerPort);
        if (p.name) ports.add(p.name);
      }
    }
    for (const c of pod.containers) {
      const id = `${where}: ${w.kind}/${w.metadata.name} container ${c.name}`;
      for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${id}: mounts unknown volume ${m.name}`);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (port !== undefined) assert.ok(ports.has(port), `${id}: probe names port ${port}, not declared`);
      }
      if (!String(c.image).startsWith('switchyard')) continue;
      containers++;
      const cmd = (c.args ?? [])[0];
      assert.ok(cmd && COMMANDS[cmd], `${id}: args[0] ${JSON.stringify(cmd)} is not a switchyard command`);
      const flagEnv = new Set(COMMANDS[cmd].flags.map((f) => envName(f.name)));
      for (const e of c.env ?? []) {
        if (!e.name.startsWith('SWITCHYARD_')) continue;
        assert.ok(flagEnv.has(e.name) || DIRECT_ENV.has(e.name), `${id}: ${e.name} is neither a flag of \`switchyard ${cmd}\` nor read by the code`);
      }
      for (const a of (c.args ?? []).slice(1)) {
        const m = /^--([a-z0-9-]+)/.exec(a);
        if (m) assert.ok(COMMANDS[cmd].flags.some((f) => f.name === m[1]), `${id}: unknown flag --${m[1]}`);
      }
    }
  }
  for (const svc of docs.filter((d) => d.kind === 'Service')) {
    const sel = svc.spec.selector ?? {};
    const target = workloads.find((w) => Object.entries(sel).every(([k, v]) => w.spec.template.metadata.labels?.[k] === v));
    assert.ok(target, `${where}: Service ${svc.metadata.name} selects no workload`);
    const named = new Set<string | number>();
    for (const c of target.spec.template.spec.containers) for (const p of c.ports ?? []) named.add(p.name ?? p.containerPort).add(p.containerPort);
    for (const p of svc.spec.ports) assert.ok(named.has(p.targetPort ?? p.port), `${where}: Service ${svc.metadata.name} port ${p.name} targets ${p.targetPort}, not declared by ${target.metadata.name}`);
  }
  return containers;
}

test('deploy/: the scaled-out kustomization renders and is consistent with the binary', () => {
  const docs = render('deploy');
  const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`);
  for (const want of ['StatefulSet/etcd', 'Deployment/switchyard-apiserver', 'Deployment/switchyard-proxy']) {
    assert.ok(kinds.includes(want), `missing ${want} in ${kinds.join(', ')}`);
  }
  assert.equal(docs.find((d) => d.metadata.name === 'switchyard-apiserver' && d.kind === 'Deployment')!.spec.replicas, 2);
  assert.ok(checkWorkloads(docs, 'deploy') >= 2);
});

test('deploy/in-cluster: the proxy against a real cluster, kubeconfig volume patched in place', () => {
  const docs = render('deploy/in-cluster');
  const proxy = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'switchyard-proxy');
  assert.ok(proxy);
  assert.equal(proxy.spec.template.spec.serviceAccountName, 'switchyard-proxy');
  const kubeconfig = proxy.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'kubeconfig');
  assert.ok(kubeconfig?.configMap, 'the in-cluster patch replaced the kubeconfig volume (not another one)');
  assert.ok(docs.some((d) => d.kind === 'ClusterRole'), 'RBAC for the controller');
  // HTTPS listeners' certificates come from Secrets: the controller must read and watch them
  const role = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'switchyard-controller') as unknown as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
  const secrets = role?.rules.find((r) => r.apiGroups.includes('') && r.resources.includes('secrets'));
  assert.deepEqual(secrets?.verbs.slice().sort(), ['get', 'list', 'watch'], 'get/list/watch on core secrets');
  assert.ok(checkWorkloads(docs, 'deploy/in-cluster') >= 1);
});
