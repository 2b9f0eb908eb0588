// The apiserver's Lease API (coordination.k8s.io/v1, namespaced), which `switchyard proxy` replicas
// elect through: Kubernetes semantics for create / get / update-with-resourceVersion / delete,
// 404 / 409 / 422 / 403 as Status objects, and kubectl reaching it with `get --raw`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api, LEASES } from './lib';

const NS = 'lease-test';

function lease(name: string, holder: string, rv?: string) {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: NS, ...(rv ? { resourceVersion: rv } : {}) },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: '2025-01-01T00:00:00.000000Z', renewTime: '2025-01-01T00:00:00.000000Z', leaseTransitions: 0 },
  };
}

describe('Lease API (coordination.k8s.io/v1)', { timeout: 60_000 }, () => {
  let proc: SwitchyardProcess;
  let admin: Api;
  let viewer: Api;

  before(async () => {
    proc = await startSwitchyard({ command: 'apiserver' });
    const ca = fs.readFileSync(path.join(proc.dataDir, 'ca.crt'), 'utf8');
    admin = new Api(proc.apiURL, ca, proc.adminToken);
    viewer = new Api(proc.apiURL, ca, proc.readonlyToken);
  });
  after(async () => {
    admin?.close();
    viewer?.close();
    await proc?.stop();
  });

  it('create, get, compare-and-swap update, list, delete', async () => {
    const missing = await admin.request('GET', `${LEASES(NS)}/l1`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.reason, 'NotFound');
    assert.equal(missing.body.message, 'leases.coordination.k8s.io "l1" not found');

    const created = await admin.request('POST', LEASES(NS), lease('l1', 'a'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'Lease');
    assert.equal(created.body.metadata.namespace, NS);
    assert.ok(created.body.metadata.uid);
    const rv1 = created.body.metadata.resourceVersion;
    assert.equal((await admin.request('POST', LEASES(NS), lease('l1', 'b'))).status, 409);

    // an identical update changes nothing (resourceVersion kept, as for every kind)
    const same = await admin.request('PUT', `${LEASES(NS)}/l1`, lease('l1', 'a', rv1));
    assert.equal(same.status, 200);
    assert.equal(same.body.metadata.resourceVersion, rv1);
    const renewal = lease('l1', 'a', rv1);
    renewal.spec.renewTime = '2025-01-01T00:00:02.000000Z';
    const renewed = await admin.request('PUT', `${LEASES(NS)}/l1`, renewal);
    assert.equal(renewed.status, 200);
    assert.notEqual(renewed.body.metadata.resourceVersion, rv1);
    assert.equal(renewed.body.metadata.uid, created.body.metadata.uid);
    // a takeover computed from the old read loses
    const stale = await admin.request('PUT', `${LEASES(NS)}/l1`, lease('l1', 'b', rv1));
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal((await admin.request('GET', `${LEASES(NS)}/l1`)).body.spec.holderIdentity, 'a');

    const list = await admin.request('GET', LEASES(NS));
    assert.equal(list.body.kind, 'LeaseList');
    assert.deepEqual(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['l1']);
    assert.deepEqual((await admin.request('GET', LEASES('other-ns'))).body.items, []);

    assert.equal((await admin.request('PUT', `${LEASES(NS)}/nope`, lease('nope', 'a', '5'))).status, 404);
    assert.equal((await admin.request('DELETE', `${LEASES(NS)}/l1`)).status, 200);
    assert.equal((await admin.request('GET', `${LEASES(NS)}/l1`)).status, 404);
  });

  it('validation (422), read-only users (403), bad namespace (400)', async () => {
    const bad = lease('l2', 'a') as { spec: Record<string, unknown> };
    bad.spec.leaseDurationSeconds = -1;
    bad.spec.renewTime = 'yesterday';
    const inv = await admin.request('POST', LEASES(NS), bad);
    assert.equal(inv.status, 422);
    assert.deepEqual(inv.body.details.causes.map((c: { field: string }) => c.field).sort(), ['spec.leaseDurationSeconds', 'spec.renewTime']);
    const forbidden = await viewer.request('POST', LEASES(NS), lease('l2', 'a'));
    assert.equal(forbidden.status, 403);
    assert.equal((await viewer.request('GET', `${LEASES(NS)}/l2`)).status, 404, 'viewers may read');
    assert.equal((await admin.request('GET', `${LEASES('Bad_NS')}/x`)).status, 400);
  });

  it('kubectl get --raw reaches it', { skip: !hasKubectl() }, async () => {
    assert.equal((await admin.request('POST', LEASES(NS), lease('l3', 'kubectl'))).status, 201);
    const out = execFileSync('kubectl', ['--kubeconfig', proc.kubeconfig, 'get', '--raw', `${LEASES(NS)}/l3`], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(JSON.parse(out).spec.holderIdentity, 'kubectl');
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
