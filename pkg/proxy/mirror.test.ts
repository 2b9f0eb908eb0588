import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { MirrorIR } from './ir';
import { mirrorHeaders, sampleMirrors, teeBody } from './mirror';

test('sampleMirrors: no fraction always; numerator/denominator drawn per mirror', () => {
  const all: MirrorIR = { type: 'RequestMirror', backend: 'a' };
  const fifth: MirrorIR = { type: 'RequestMirror', backend: 'b', fraction: { numerator: 20, denominator: 100 } };
  assert.deepEqual(sampleMirrors([all, fifth], () => 0.5), [all]);
  assert.deepEqual(sampleMirrors([all, fifth], () => 0.1), [all, fifth]);
  assert.deepEqual(sampleMirrors([{ ...fifth, fraction: { numerator: 0, denominator: 100 } }], () => 0), []);
  let i = 0;
  const seq = () => (i++ % 100) / 100;
  let hits = 0;
  for (let n = 0; n < 1000; n++) hits += sampleMirrors([fifth], seq).length;
  assert.equal(hits, 200);
});

test('mirrorHeaders: drops Content-Length and Expect, and never shares the main request list', () => {
  const h = ['host', 'a', 'content-length', '3', 'Expect', '100-continue'];
  assert.deepEqual(mirrorHeaders(h), ['host', 'a']);
  const plain = ['host', 'a'];
  const m = mirrorHeaders(plain);
  assert.notEqual(m, plain);
  assert.deepEqual(m, plain);
});

const fakeReq = () => {
  const s = new PassThrough() as PassThrough & { complete: boolean };
  s.complete = false;
  s.on('end', () => (s.complete = true));
  return s;
};

test('teeBody: the whole body within the limit, false past it or when the request breaks off', async () => {
  const r1 = fakeReq();
  const got1 = new Promise<Buffer | false>((resolve) => teeBody(r1 as unknown as IncomingMessage, 10, resolve));
  r1.resume();
  r1.write('hello ');
  r1.end('you');
  assert.equal((await got1)?.toString(), 'hello you');
  const r2 = fakeReq();
  const got2 = new Promise<Buffer | false>((resolve) => teeBody(r2 as unknown as IncomingMessage, 4, resolve));
  r2.resume();
  r2.end('too long');
  assert.equal(await got2, false);
  const r3 = fakeReq();
  const got3 = new Promise<Buffer | false>((resolve) => teeBody(r3 as unknown as IncomingMessage, 100, resolve));
  r3.resume();
  r3.write('part');
  r3.destroy();
  assert.equal(await got3, false);
});
