import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { StaticSite } from './static';

function site(): { root: string; s: StaticSite } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-console-static-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>console</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-AbCdEf12.js'), 'console.log(1);'.repeat(100));
  fs.writeFileSync(path.join(root, 'assets', 'index-AbCdEf12.css'), 'body{}');
  fs.writeFileSync(path.join(os.tmpdir(), 'switchyard-secret.txt'), 'secret');
  return { root, s: new StaticSite(root) };
}

async function serve(s: StaticSite, fn: (get: (p: string, h?: Record<string, string>, method?: string) => Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>) => Promise<void>): Promise<void> {
  const srv = http.createServer((req, res) => (s.handles(req.url ?? '/') ? s.serve(req, res) : (res.writeHead(418), res.end())));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: p, headers, method, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    await fn(get);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

test('handles /console and below, never /console/api/ or other paths', () => {
  const { s } = site();
  for (const p of ['/console', '/console/', '/console/backends/x', '/console?x=1', '/console/assets/a.js']) assert.ok(s.handles(p), p);
  for (const p of ['/consoles', '/apis', '/console/api/stats', '/', '/healthz']) assert.ok(!s.handles(p), p);
});

test('files with content types, cache headers, gzip; client routes get index.html; no escape from the root', async () => {
  const { s } = site();
  await serve(s, async (get) => {
    const redirect = await get('/console?x=1');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, '/console/?x=1');
    const index = await get('/console/');
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(String(index.headers['content-security-policy']), /default-src 'self'/);
    const route = await get('/console/backends/some%20name/edit');
    assert.equal(route.status, 200);
    assert.equal(route.body.toString(), index.body.toString());
    const js = await get('/console/assets/index-AbCdEf12.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.match(String(js.headers['cache-control']), /immutable/);
    assert.equal(js.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(js.body).toString(), 'console.log(1);'.repeat(100));
    const css = await get('/console/assets/index-AbCdEf12.css');
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.equal(css.headers['content-encoding'], undefined, 'small or not asked for: plain');
    assert.equal((await get('/console/assets/missing-AbCdEf12.js')).status, 404);
    assert.notEqual((await get('/console/../switchyard-secret.txt')).body.toString(), 'secret');
    // a path that climbs out is never a file: it gets the page (a client route), not the file
    assert.notEqual((await get('/console/%2e%2e/switchyard-secret.txt')).body.toString(), 'secret');
    assert.notEqual((await get('/console/assets/..%2f..%2fswitchyard-secret.txt')).body.toString(), 'secret');
    assert.equal((await get('/console/', {}, 'POST')).status, 405);
    const head = await get('/console/', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });
});

test('an unbuilt console answers 503 with what to do', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-console-empty-'));
  await serve(new StaticSite(root), async (get) => {
    const r = await get('/console/');
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /make build/);
  });
});
