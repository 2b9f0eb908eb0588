// Server-side apply and patches to kube's letter, over raw HTTPS and the real kubectl: apply on
// /status never creates; apply on the main resource resets status (no conflict with the status
// manager, no ownership) and apply on /status owns status only (`subresource: status`); a patch
// that renames the object is 400; duplicate keys in a list-type map are 422; JSON patch failures
// are worded as evanphx/json-patch words them. Each with a positive control beside it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKENDS, backend, kubectlFor, startServer, type Kubectl, type TestServer } from './lib';
import { tempDir } from '../harness/tmp';

const COND = (type: string, status = 'True') => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' });

const applyYAML = (name: string, extra = '') =>
  `apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: ${name}\nspec:\n  endpoints:\n  - ip: 10.0.0.1\n${extra}`;

describe('server-side apply and patches (kube semantics)', { timeout: 120_000 }, () => {
  let ts: TestServer;
  let kubectl: Kubectl;
  before(async () => {
    ts = await startServer('sqlite');
    kubectl = kubectlFor(ts.sy.kubeconfig);
  });
  after(async () => {
    await ts?.stop();
  });

  const apply = (p: string, body: string, manager: string, q = '') =>
    ts.api.req('PATCH', `${p}?fieldManager=${manager}${q}`, { raw: body, contentType: 'application/apply-patch+yaml' });

  it('apply on /status of a missing object is 404 and creates nothing; the main resource creates', async () => {
    const a = await apply(`${BACKENDS}/ghost/status`, applyYAML('ghost', `status:\n  conditions:\n  - {type: Ready, status: "True", reason: R, message: "", lastTransitionTime: "2024-01-01T00:00:00Z"}\n`), 'ctl');
    assert.equal(a.status, 404, a.text);
    assert.equal(a.json.reason, 'NotFound');
    assert.equal(a.json.message, 'backends.core.apoxy.dev "ghost" not found');
    assert.equal((await ts.api.get(`${BACKENDS}/ghost`)).status, 404, 'nothing was created');
    const ok = await apply(`${BACKENDS}/ghost`, applyYAML('ghost'), 'ctl');
    assert.equal(ok.status, 201, ok.text);
  });

  it('apply on the main resource resets status: no conflict with the status manager, no ownership', async () => {
    await ts.api.create(BACKENDS, backend('reset'));
    const st = await ts.api.patch(`${BACKENDS}/reset/status?fieldManager=status-writer`, 'merge', { status: { conditions: [COND('Ready')] } });
    assert.equal(st.status, 200, st.text);
    const a = await apply(`${BACKENDS}/reset`, applyYAML('reset', `status:\n  conditions:\n  - {type: Ready, status: "False", reason: X, message: "", lastTransitionTime: "2024-01-01T00:00:00Z"}\n`), 'applier');
    assert.equal(a.status, 200, `no conflict with the status manager: ${a.text}`);
    assert.equal(a.json.status.conditions[0].status, 'True', 'status unchanged by a main-resource apply');
    const mine = a.json.metadata.managedFields.find((e: { manager: string }) => e.manager === 'applier');
    assert.ok(mine, JSON.stringify(a.json.metadata.managedFields));
    assert.equal(mine.fieldsV1['f:status'], undefined, 'the applier owns nothing in status');
    assert.ok(mine.fieldsV1['f:spec'], 'the applier owns its spec fields');
  });

  it('apply on /status owns status only, recorded with subresource: status', async () => {
    const a = await apply(
      `${BACKENDS}/reset/status`,
      applyYAML('reset', `  protocol: tls\nstatus:\n  conditions:\n  - {type: Synced, status: "True", reason: R, message: "", lastTransitionTime: "2024-01-01T00:00:00Z"}\n`),
      'status-applier',
    );
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.spec.protocol, undefined, 'spec not changed through /status');
    assert.ok(a.json.status.conditions.some((c: { type: string }) => c.type === 'Synced'), JSON.stringify(a.json.status));
    const entry = a.json.metadata.managedFields.find((e: { manager: string }) => e.manager === 'status-applier');
    assert.ok(entry, JSON.stringify(a.json.metadata.managedFields));
    assert.equal(entry.operation, 'Apply');
    assert.equal(entry.subresource, 'status');
    assert.deepEqual(Object.keys(entry.fieldsV1), ['f:status'], JSON.stringify(entry.fieldsV1));
  });

  it('a patch of any type that changes metadata.name is 400 with kube\'s message; the object keeps its name', async () => {
    await ts.api.create(BACKENDS, backend('named'));
    const want = 'the name of the object (other) does not match the name on the URL (named)';
    const m = await ts.api.patch(`${BACKENDS}/named`, 'merge', { metadata: { name: 'other' } });
    assert.equal(m.status, 400, m.text);
    assert.equal(m.json.reason, 'BadRequest');
    assert.equal(m.json.message, want);
    const j = await ts.api.patch(`${BACKENDS}/named`, 'json', [{ op: 'replace', path: '/metadata/name', value: 'other' }]);
    assert.equal(j.status, 400, j.text);
    assert.equal(j.json.message, want);
    const s = await ts.api.patch(`${BACKENDS}/named/status`, 'merge', { metadata: { name: 'other' } });
    assert.equal(s.status, 400, s.text);
    const a = await apply(`${BACKENDS}/named`, applyYAML('other'), 'ctl');
    assert.equal(a.status, 400, a.text);
    assert.equal(a.json.message, want);
    assert.equal((await ts.api.get(`${BACKENDS}/other`)).status, 404);
    const same = await ts.api.patch(`${BACKENDS}/named`, 'merge', { metadata: { name: 'named', labels: { a: 'b' } } });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json.metadata.labels.a, 'b');
  });

  it('duplicate keys in an x-kubernetes-list-type: map list are 422 Duplicate value at the index', async () => {
    await ts.api.create(BACKENDS, backend('dupcond'));
    const bad = await ts.api.patch(`${BACKENDS}/dupcond/status`, 'merge', { status: { conditions: [COND('Ready'), COND('Synced'), COND('Ready', 'False')] } });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.json.reason, 'Invalid');
    assert.deepEqual(bad.json.details.causes, [
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: map[string]interface {}{"type":"Ready"}', field: 'status.conditions[2]' },
    ]);
    assert.equal(bad.json.message, 'Backend.core.apoxy.dev "dupcond" is invalid: status.conditions[2]: Duplicate value: map[string]interface {}{"type":"Ready"}');
    const ok = await ts.api.patch(`${BACKENDS}/dupcond/status`, 'merge', { status: { conditions: [COND('Ready'), COND('Synced')] } });
    assert.equal(ok.status, 200, ok.text);
    const put = await ts.api.put(`${BACKENDS}/dupcond/status`, { ...ok.json, status: { conditions: [COND('Ready'), COND('Ready')] } });
    assert.equal(put.status, 422, put.text);
  });

  it('JSON patch failures are evanphx/json-patch messages in a 422, never JavaScript internals', async () => {
    await ts.api.create(BACKENDS, backend('jp'));
    const cases: [unknown[], string][] = [
      [[{ op: 'add', path: '/spec/x/y', value: 1 }], 'add operation does not apply: doc is missing path: "/spec/x/y": missing value'],
      [[{ op: 'remove', path: '/spec/nothing' }], "error in remove for path: '/spec/nothing': Unable to remove nonexistent key: nothing: missing value"],
      [[{ op: 'replace', path: '/spec/endpoints/7', value: {} }], 'replace operation does not apply: doc is missing key: /spec/endpoints/7: missing value'],
      [[{ op: 'test', path: '/spec/endpoints/0/ip', value: 'nope' }], 'testing value /spec/endpoints/0/ip failed: test failed'],
      [[{ op: 'add', path: '/spec/endpoints/9', value: {} }], "error in add for path: '/spec/endpoints/9': Unable to access invalid index: 9: invalid index referenced"],
      [[{ op: 'move', from: '/spec/a', path: '/spec/b' }], "error in move for path: 'a': Unable to remove nonexistent key: a: missing value"],
      [[{ op: 'frobnicate', path: '/spec' }], 'Unexpected kind: frobnicate'],
    ];
    for (const [ops, msg] of cases) {
      const a = await ts.api.patch(`${BACKENDS}/jp`, 'json', ops);
      assert.equal(a.status, 422, `${JSON.stringify(ops)}: ${a.text}`);
      assert.equal(a.json.reason, 'Invalid');
      assert.equal(a.json.message, 'the server rejected our request due to an error in our request');
      assert.deepEqual(a.json.details.causes, [{ reason: 'UnexpectedServerResponse', message: msg }]);
      assert.doesNotMatch(a.text, /Cannot (set|read) propert|undefined|TypeError/);
    }
    const notArray = await ts.api.req('PATCH', `${BACKENDS}/jp`, { raw: '{"op":"add"}', contentType: 'application/json-patch+json' });
    assert.equal(notArray.status, 400, notArray.text);
    const ok = await ts.api.patch(`${BACKENDS}/jp`, 'json', [
      { op: 'test', path: '/spec/endpoints/0/ip', value: '10.0.0.1' },
      { op: 'add', path: '/spec/endpoints/-1', value: { ip: '10.0.0.2' } },
      { op: 'replace', path: '/spec/protocol', value: 'tls' },
    ]);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json.spec.endpoints.map((e: { ip: string }) => e.ip), ['10.0.0.1', '10.0.0.2']);
    assert.equal(ok.json.spec.protocol, 'tls', 'v4 semantics: replace of a missing member adds it');
  });

  it('kubectl apply --server-side with a status stanza does not conflict with the status manager', async () => {
    await ts.api.create(BACKENDS, backend('kssa'));
    const st = await ts.api.patch(`${BACKENDS}/kssa/status?fieldManager=status-writer`, 'merge', { status: { conditions: [COND('Ready')] } });
    assert.equal(st.status, 200, st.text);
    const dir = tempDir('switchyard-ssa-');
    const file = path.join(dir, 'b.yaml');
    fs.writeFileSync(file, applyYAML('kssa', `status:\n  conditions:\n  - {type: Ready, status: "False", reason: X, message: "", lastTransitionTime: "2024-01-01T00:00:00Z"}\n`));
    const out = await kubectl.ok(['apply', '--server-side', '--field-manager=kubectl-test', '-f', file]);
    assert.match(out, /serverside-applied/);
    const got = await ts.api.get(`${BACKENDS}/kssa`);
    assert.equal(got.json.status.conditions[0].status, 'True');
    assert.equal(got.json.metadata.managedFields.find((e: { manager: string }) => e.manager === "kubectl-test")?.fieldsV1["f:status"], undefined);
  });
});

describe('apply on /status and PUT of a missing object on etcd', { timeout: 120_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('etcd');
  });
  after(async () => {
    await ts?.stop();
  });

  it('both are 404 and create nothing; the main resource apply creates', async () => {
    const a = await ts.api.req('PATCH', `${BACKENDS}/ghost/status?fieldManager=ctl`, { raw: applyYAML('ghost', 'status: {}\n'), contentType: 'application/apply-patch+yaml' });
    assert.equal(a.status, 404, a.text);
    const put = await ts.api.put(`${BACKENDS}/ghost`, backend('ghost'));
    assert.equal(put.status, 404, put.text);
    assert.equal((await ts.api.get(`${BACKENDS}/ghost`)).status, 404);
    const ok = await ts.api.req('PATCH', `${BACKENDS}/ghost?fieldManager=ctl`, { raw: applyYAML('ghost'), contentType: 'application/apply-patch+yaml' });
    assert.equal(ok.status, 201, ok.text);
  });
});
