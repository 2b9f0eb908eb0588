// kubernetes.io/metadata.name on Namespaces is what kube's strategy Canonicalize makes it, on create
// and on every update and patch: the namespace's name. Selectors trust it (a Gateway listener's
// allowedRoutes.namespaces selector); `kubectl label --overwrite` and `label -` changed and removed
// it, and a replace without it dropped it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, kubectlFor, startServer, type Kubectl, type TestServer } from './lib';

describe('Namespace kubernetes.io/metadata.name', { timeout: 120_000 }, () => {
  let ts: TestServer;
  let k: Kubectl;
  before(async () => {
    ts = await startServer('sqlite');
    k = kubectlFor(ts.sy.kubeconfig, KUBECTL);
  });
  after(async () => {
    await ts?.stop();
  });

  const labels = async (ns: string) => JSON.parse(await k.ok(['get', 'namespace', ns, '-o', 'jsonpath={.metadata.labels}']) || '{}');

  it('stays the name through label, unlabel, JSON patch, replace and generateName', async () => {
    await k.ok(['create', 'namespace', 'team-a']);
    assert.equal((await labels('team-a'))['kubernetes.io/metadata.name'], 'team-a');
    await k.ok(['label', 'namespace', 'team-a', 'kubernetes.io/metadata.name=trusted', 'other=x', '--overwrite']);
    assert.deepEqual(await labels('team-a'), { 'kubernetes.io/metadata.name': 'team-a', other: 'x' });
    await k.ok(['label', 'namespace', 'team-a', 'kubernetes.io/metadata.name-']);
    assert.equal((await labels('team-a'))['kubernetes.io/metadata.name'], 'team-a');
    await k.ok(['patch', 'namespace', 'team-a', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/labels"}]']);
    assert.deepEqual(await labels('team-a'), { 'kubernetes.io/metadata.name': 'team-a' });
    await k.ok(['replace', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'default' } } }) });
    assert.deepEqual(await labels('team-a'), { 'kubernetes.io/metadata.name': 'team-a' });
    const gen = (await k.ok(['create', '-f', '-', '-o', 'jsonpath={.metadata.name}'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { generateName: 'gen-' } }) })).trim();
    assert.equal((await labels(gen))['kubernetes.io/metadata.name'], gen);
  });
});
