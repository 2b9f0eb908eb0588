import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  crdGroup,
  crdNames,
  crdScope,
  crdVersion,
  defaultCRDDir,
  findCRD,
  loadCRDs,
  parseCRDs,
  repoRoot,
  servedVersions,
  storageVersion,
  versionSchema,
} from './crd_loader';

test('loads every CRD from the repo', () => {
  const crds = loadCRDs();
  assert.deepEqual(
    crds.map((c) => c.metadata.name).sort(),
    [
      'backends.core.apoxy.dev',
      'backendtlspolicies.gateway.networking.k8s.io',
      'gatewayclasses.gateway.apoxy.dev',
      'gatewayclasses.gateway.networking.k8s.io',
      'gateways.gateway.apoxy.dev',
      'gateways.gateway.networking.k8s.io',
      'grpcroutes.gateway.apoxy.dev',
      'grpcroutes.gateway.networking.k8s.io',
      'httproutes.gateway.apoxy.dev',
      'httproutes.gateway.networking.k8s.io',
      'proxies.core.apoxy.dev',
      'referencegrants.gateway.networking.k8s.io',
    ],
  );
  for (const c of crds) {
    if (c.spec.group === 'gateway.networking.k8s.io') {
      // the upstream standard channel's files: namespaced but for GatewayClass
      assert.equal(crdScope(c), c.spec.names.kind === 'GatewayClass' ? 'Cluster' : 'Namespaced', c.metadata.name);
      continue;
    }
    assert.equal(crdScope(c), 'Cluster', c.metadata.name);
    for (const v of c.spec.versions) assert.deepEqual(v.subresources, { status: {} }, `${c.metadata.name} ${v.name}`);
  }
});

test('Backend: names, versions and schema', () => {
  const crds = loadCRDs();
  const b = findCRD(crds, 'core.apoxy.dev', 'backends')!;
  assert.ok(b);
  assert.equal(crdGroup(b), 'core.apoxy.dev');
  assert.deepEqual(crdNames(b), {
    plural: 'backends',
    singular: 'backend',
    kind: 'Backend',
    listKind: 'BackendList',
    shortNames: ['bk'],
    categories: [],
  });
  assert.equal(storageVersion(b).name, 'v1alpha2');
  assert.deepEqual(
    servedVersions(b).map((v) => v.name),
    ['v1alpha2', 'v1alpha'],
  );
  assert.equal(crdVersion(b, 'v1alpha')?.storage, false);
  // the two versions carry an identical schema and columns
  assert.deepEqual(versionSchema(b, 'v1alpha'), versionSchema(b, 'v1alpha2'));
  assert.deepEqual(crdVersion(b, 'v1alpha')?.additionalPrinterColumns, crdVersion(b, 'v1alpha2')?.additionalPrinterColumns);
  assert.deepEqual(
    storageVersion(b).additionalPrinterColumns?.map((c) => c.name),
    ['Endpoints', 'Protocol', 'Age'],
  );
  const spec = versionSchema(b, 'v1alpha2')!.properties!.spec;
  assert.equal(spec.required, undefined, 'neither endpoints nor protocol is required');
  assert.deepEqual(spec.properties!.protocol.enum, ['', 'tls', 'h2', 'h2c']);
});

test('findCRD matches kind, plural, singular and short names', () => {
  const crds = loadCRDs();
  for (const name of ['HTTPRoute', 'httproutes', 'httproute', 'hr']) {
    assert.equal(findCRD(crds, 'gateway.apoxy.dev', name)?.spec.names.kind, 'HTTPRoute', name);
  }
  assert.equal(findCRD(crds, 'core.apoxy.dev', 'httproutes'), undefined);
  assert.equal(findCRD(crds, 'gateway.apoxy.dev', 'gtw')?.spec.names.kind, 'Gateway');
});

test('repoRoot honours SWITCHYARD_REPO_ROOT', () => {
  const saved = process.env.SWITCHYARD_REPO_ROOT;
  try {
    delete process.env.SWITCHYARD_REPO_ROOT;
    const root = repoRoot();
    assert.equal(defaultCRDDir(), join(root, 'crds'));
    process.env.SWITCHYARD_REPO_ROOT = '/somewhere/else';
    assert.equal(repoRoot(), '/somewhere/else');
  } finally {
    if (saved === undefined) delete process.env.SWITCHYARD_REPO_ROOT;
    else process.env.SWITCHYARD_REPO_ROOT = saved;
  }
});

test('parseCRDs: multi-document files, and clear errors', () => {
  const one = (name: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}s.example.com
spec:
  group: example.com
  names: {plural: ${name}s, kind: X${name}}
  scope: Cluster
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object}}
`;
  assert.equal(parseCRDs(`${one('a')}---\n${one('b')}---\n`).length, 2);
  assert.throws(() => parseCRDs('kind: ConfigMap\n', 'f.yaml'), /f\.yaml: not a usable/);
  assert.throws(() => parseCRDs(one('a').replace('storage: true', 'storage: false')), /storage version/);
  assert.throws(() => parseCRDs(one('a').replace('as.example.com', 'wrong')), /metadata.name/);
  assert.throws(() => parseCRDs('a: [', 'broken.yaml'), /broken\.yaml/);

  const dir = mkdtempSync(join(tmpdir(), 'crds-'));
  writeFileSync(join(dir, 'a.yaml'), one('a'));
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  assert.deepEqual(
    loadCRDs(dir).map((c) => c.metadata.name),
    ['as.example.com'],
  );
});
