import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DateCache, checkStatus, reasonPhrase, responseHead } from './response_head';

const D = 'Tue, 08 Dec 2026 02:00:00 GMT';

test('a keep-alive response with a Content-Length: node ServerResponse head', () => {
  const f = responseHead(200, 'OK', ['content-type', 'text/plain', 'content-length', '3'], D, true, 60, true);
  assert.equal(f.head, `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\nDate: ${D}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\n`);
  assert.equal(f.chunked, false);
  assert.equal(f.last, false);
});

test('no Content-Length: chunked; HEAD and 204/304: neither', () => {
  assert.equal(responseHead(200, 'OK', [], D, true, 60, true).chunked, true);
  assert.match(responseHead(200, 'OK', [], D, true, 60, true).head, /Transfer-Encoding: chunked\r\n\r\n$/);
  const head = responseHead(200, 'OK', [], D, true, 60, false);
  assert.equal(head.chunked, false);
  assert.doesNotMatch(head.head, /Transfer-Encoding/);
});

test('Connection: close when the request asked for it; a given Date is kept', () => {
  const f = responseHead(404, 'Not Found', ['date', 'x'], D, false, 60, true);
  assert.equal(f.last, true);
  assert.equal(f.head, 'HTTP/1.1 404 Not Found\r\ndate: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n');
});

test('node validation errors: header names, values, status, reason', () => {
  assert.throws(() => responseHead(200, 'OK', ['bad name', 'x'], D, true, 60, true), { code: 'ERR_INVALID_HTTP_TOKEN' });
  assert.throws(() => responseHead(200, 'OK', ['x', 'a\r\nb'], D, true, 60, true), { code: 'ERR_INVALID_CHAR' });
  assert.throws(() => checkStatus(99), { code: 'ERR_HTTP_INVALID_STATUS_CODE' });
  assert.throws(() => reasonPhrase(200, 'O\nK'), { code: 'ERR_INVALID_CHAR' });
  assert.equal(reasonPhrase(418, undefined), "I'm a Teapot");
  assert.equal(reasonPhrase(599, undefined), 'unknown');
});

test('DateCache: one string per second', () => {
  let t = 1_700_000_000_000;
  const d = new DateCache(() => t);
  const a = d.get();
  t += 400;
  assert.equal(d.get(), a);
  t += 1000;
  assert.notEqual(d.get(), a);
  assert.equal(d.get(), new Date(Math.floor(t / 1000) * 1000).toUTCString());
});
