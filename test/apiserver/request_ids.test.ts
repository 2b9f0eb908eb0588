// Request ids on the apiserver (issue 7's "structured logs with request ids"), against the real
// binary and the real kubectl: every answer carries X-Request-Id and kube's Audit-Id, a caller's
// Audit-Id is kept, and each request leaves one JSON log line with that id, its user and status —
// writes and failures at info, reads at debug.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, kubectlFor, startServer, type TestServer } from './lib';

interface Line {
  level: string;
  message: string;
  requestId?: string;
  method?: string;
  url?: string;
  status?: number;
  user?: string;
  component?: string;
  userAgent?: string;
}

function logLines(ts: TestServer): Line[] {
  const out: Line[] = [];
  for (const l of ts.sy.logs().split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Line);
    } catch {
      /* a line cut by a chunk boundary */
    }
  }
  return out;
}

async function lineFor(ts: TestServer, pred: (l: Line) => boolean): Promise<Line | undefined> {
  for (let i = 0; i < 400; i++) {
    const hit = logLines(ts).find(pred);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

describe('apiserver request ids', { timeout: 120_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('sqlite');
  });
  after(async () => {
    await ts?.stop();
  });

  it('answers carry X-Request-Id = Audit-Id; a caller Audit-Id is kept; the access line names it', async () => {
    const a = await ts.api.req('GET', BACKENDS);
    assert.equal(a.status, 200);
    const id = String(a.headers['x-request-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(a.headers['audit-id'], id);

    const b = await ts.api.req('GET', `${BACKENDS}/missing`, { headers: { 'Audit-Id': 'caller-audit-1' } });
    assert.equal(b.status, 404);
    assert.equal(b.headers['audit-id'], 'caller-audit-1');
    assert.equal(b.headers['x-request-id'], 'caller-audit-1');

    const read = await lineFor(ts, (l) => l.message === 'http request' && l.requestId === id);
    assert.ok(read, 'a line for the list');
    assert.equal(read.level, 'debug', 'successful reads are debug');
    assert.equal(read.status, 200);
    assert.equal(read.user, 'admin');
    assert.equal(read.component, 'apiserver');
    const missing = await lineFor(ts, (l) => l.message === 'http request' && l.requestId === 'caller-audit-1');
    assert.ok(missing);
    assert.equal(missing.level, 'info', 'failures are info');
    assert.equal(missing.status, 404);
  });

  it("kubectl's writes and an invalid object each leave an info line with user, status and id", async () => {
    const kubectl = kubectlFor(ts.sy.kubeconfig);
    const manifest = 'apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: logged\nspec:\n  endpoints:\n  - fqdn: logged.example.com\n';
    const r = await kubectl(['apply', '-f', '-'], { input: manifest });
    assert.equal(r.code, 0, r.stderr);
    const create = await lineFor(ts, (l) => l.message === 'http request' && l.method === 'POST' && String(l.url).startsWith(BACKENDS) && l.status === 201);
    assert.ok(create, 'a line for the create');
    assert.equal(create.level, 'info');
    assert.equal(create.user, 'admin');
    assert.match(String(create.userAgent), /kubectl/);
    assert.match(String(create.requestId), /^[0-9a-f-]{36}$/);

    const bad = await ts.api.req('POST', BACKENDS, { body: { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'has space' }, spec: {} } });
    assert.equal(bad.status, 422);
    const badId = String(bad.headers['x-request-id']);
    const line = await lineFor(ts, (l) => l.message === 'http request' && l.requestId === badId);
    assert.ok(line);
    assert.equal(line.level, 'info');
    assert.equal(line.status, 422);
    assert.equal(line.method, 'POST');

    const status = await ts.api.req('PATCH', `${BACKENDS}/logged/status`, { body: { status: { conditions: [] } }, contentType: 'application/merge-patch+json' });
    assert.equal(status.status, 200, status.text);
    const statusLine = await lineFor(ts, (l) => l.message === 'http request' && l.requestId === String(status.headers['x-request-id']));
    assert.ok(statusLine);
    assert.equal(statusLine.level, 'debug', "status writes are controllers' routine: debug");

    const denied = await ts.readonlyApi.req('DELETE', `${BACKENDS}/logged`);
    assert.equal(denied.status, 403);
    const deniedLine = await lineFor(ts, (l) => l.message === 'http request' && l.requestId === String(denied.headers['x-request-id']));
    assert.ok(deniedLine);
    assert.equal(deniedLine.user, 'viewer');
    assert.equal(deniedLine.status, 403);
  });

  it('probes are not logged', async () => {
    const h = await ts.api.req('GET', '/readyz');
    assert.equal(h.status, 200);
    const id = String(h.headers['x-request-id']);
    assert.ok(id);
    await ts.api.req('GET', '/version');
    await lineFor(ts, (l) => l.message === 'http request' && l.url === '/version');
    assert.equal(logLines(ts).filter((l) => l.requestId === id).length, 0);
  });
});
