// RequestMirror's body tee under many slow uploads: each tee keeps up to 256 KiB while its client
// uploads, and the in-flight cap counts copies already sent, so before the fix N concurrent slow
// uploads on a mirrored route held N × 256 KiB in a worker (4,000 connections: 1 GiB). All tees of
// a process now share a byte budget; a request past it is not mirrored. Real node:http server and
// clients on loopback, with a small budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { teeBody, type TeeBudget } from '../../pkg/proxy/mirror';

test('tees share one byte budget: past it a request is not mirrored, and what it held is given back', async () => {
  const budget: TeeBudget = { held: 0, max: 150 * 1024 };
  const results = new Map<string, Buffer | false>();
  let firstHolding!: () => void;
  const holding = new Promise<void>((r) => (firstHolding = r));
  const server = http.createServer((req, res) => {
    teeBody(req, 256 * 1024, (body) => {
      results.set(req.url ?? '', body);
      res.end();
    }, budget);
    req.resume();
    if (req.url === '/first') req.once('data', () => firstHolding());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const post = (path: string) =>
    http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-length': String(200 * 1024) } });
  try {
    const chunk = Buffer.alloc(100 * 1024, 1);
    // the first upload sends half its body and waits: its tee holds 100 KiB
    const a = post('/first');
    const aDone = new Promise<void>((r) => a.on('response', (res) => res.resume().on('end', () => r())));
    a.write(chunk);
    await holding;
    for (let i = 0; i < 200 && budget.held < chunk.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(budget.held, chunk.length);
    // the second one would take the tees past 150 KiB: not mirrored
    const b = post('/second');
    const bDone = new Promise<void>((r) => b.on('response', (res) => res.resume().on('end', () => r())));
    b.end(Buffer.concat([chunk, chunk]));
    await bDone;
    assert.equal(results.get('/second'), false, 'the second body is not kept');
    a.end(chunk);
    await aDone;
    assert.equal(results.get('/first'), false, 'the first grew past the budget too (200 KiB > 150 KiB)');
    assert.equal(budget.held, 0, 'everything held is given back');
    // a body within the budget is kept whole
    const c = post('/third');
    const cDone = new Promise<void>((r) => c.on('response', (res) => res.resume().on('end', () => r())));
    c.setHeader('content-length', String(chunk.length));
    c.end(chunk);
    await cDone;
    const third = results.get('/third');
    assert.ok(third instanceof Buffer && third.length === chunk.length, 'the third body is teed whole');
    assert.equal(budget.held, 0);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
