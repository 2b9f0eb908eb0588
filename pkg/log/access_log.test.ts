import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import winston from 'winston';
import { accessLevel, accessLog, requestIdOf } from './access_log';

test('mutations and failures are logged at info, 5xx at warn, reads at debug', () => {
  assert.equal(accessLevel('GET', 200), 'debug');
  assert.equal(accessLevel('HEAD', 304), 'debug');
  assert.equal(accessLevel('GET', 404), 'info');
  assert.equal(accessLevel('POST', 201), 'info');
  assert.equal(accessLevel('PATCH', 200), 'info');
  assert.equal(accessLevel('DELETE', 200), 'info');
  assert.equal(accessLevel('GET', 503), 'warn');
  assert.equal(accessLevel('POST', 500), 'warn');
});

/** a winston transport that keeps every info object */
function capture(): { lines: Array<Record<string, unknown>>; transport: winston.transport } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ objectMode: true, write: (info: Record<string, unknown>, _enc, done) => (lines.push(info), done()) });
  return { lines, transport: new winston.transports.Stream({ stream }) };
}

async function serve(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

test('every request gets an id in the response headers, in res.locals and in its log line', async () => {
  const cap = capture();
  const log = winston.createLogger({ level: 'debug', transports: [cap.transport] });
  const app = express();
  app.use(accessLog({ log, component: 'test', auditId: true, quiet: new Set(['/healthz']), user: () => 'alice' }));
  app.get('/healthz', (_req, res) => void res.send('ok'));
  app.all('/thing', (_req, res) => void res.status(201).json({ id: requestIdOf(res) }));
  const s = await serve(app);
  try {
    const a = await fetch(`${s.url}/thing?x=1`, { method: 'POST' });
    const body = (await a.json()) as { id: string };
    const id = a.headers.get('x-request-id');
    assert.ok(id);
    assert.equal(a.headers.get('audit-id'), id);
    assert.equal(body.id, id);

    const b = await fetch(`${s.url}/thing`, { headers: { 'X-Request-Id': 'caller-42' } });
    assert.equal(b.headers.get('x-request-id'), 'caller-42');
    await b.arrayBuffer();
    const c = await fetch(`${s.url}/thing`, { headers: { 'Audit-Id': 'kubectl-7' } });
    assert.equal(c.headers.get('audit-id'), 'kubectl-7');
    await c.arrayBuffer();
    const d = await fetch(`${s.url}/thing`, { headers: { 'X-Request-Id': 'has space' } });
    assert.notEqual(d.headers.get('x-request-id'), 'has space');
    await d.arrayBuffer();
    const h = await fetch(`${s.url}/healthz`);
    assert.ok(h.headers.get('x-request-id'));
    await h.arrayBuffer();

    // lines are written on 'close', just after the client has its answer
    for (let i = 0; i < 200 && cap.lines.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    const lines = cap.lines.filter((l) => l.message === 'http request');
    assert.equal(lines.length, 4, 'one line per request; /healthz is quiet');
    const post = lines.find((l) => l.requestId === id)!;
    assert.equal(post.level, 'info');
    assert.equal(post.method, 'POST');
    assert.equal(post.url, '/thing?x=1');
    assert.equal(post.status, 201);
    assert.equal(post.user, 'alice');
    assert.equal(post.component, 'test');
    assert.equal(typeof post.durationMs, 'number');
    assert.equal(lines.find((l) => l.requestId === 'caller-42')!.level, 'debug');
  } finally {
    await s.close();
  }
});
