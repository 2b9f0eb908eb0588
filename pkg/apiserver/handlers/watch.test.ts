import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'express';
import type { KObject } from '../../../apis/meta/v1/types';
import type { Resource } from '../../registry/resource';
import { CachedEvent } from '../watchcache/event';
import { HttpWatcher } from './watch';
import { BATCH_BYTES } from './watch_writer';

const tick = () => new Promise<void>((r) => process.nextTick(r));

const CONFIGMAPS = { group: '', kind: 'ConfigMap', plural: 'configmaps' } as unknown as Resource;

function fakeResponse(): { res: Response; lines: string[] } {
  const lines: string[] = [];
  const res = { writableLength: 0, writableEnded: false, writableFinished: true, write: (l: string | Buffer) => void lines.push(String(l)), end: () => undefined, on: () => res, once: () => res, off: () => res };
  return { res: res as unknown as Response, lines };
}

const cm = (name: string, ns: string, labels: Record<string, string> = {}, rv = '5'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels, resourceVersion: rv } });

describe('HttpWatcher.deliver', () => {
  it('an event a namespace or label selector passes unchanged is written from the line serialized once for all watchers', async () => {
    const ev = new CachedEvent('MODIFIED', cm('a', 'team', { app: 'web' }, '7'), 7, cm('a', 'team', { app: 'web' }, '6'));
    let serialized = 0;
    const wire = ev.wire.bind(ev);
    ev.wire = (v: string) => (serialized++, wire(v));
    const outs: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const { res, lines } = fakeResponse();
      const w = new HttpWatcher(CONFIGMAPS, 'v1', res, (o) => o.metadata.namespace === 'team' && o.metadata.labels?.app === 'web', null);
      w.deliver(ev);
      outs.push(lines);
    }
    await tick();
    assert.equal(serialized, 3); // each watcher asked the shared cache (one JSON.stringify inside), none serialized its own
    for (const lines of outs) assert.deepEqual(lines, [wire('v1').body.toString()]);
    assert.equal(wire('v1'), wire('v1'), 'one encoding per version, shared');
  });

  it('an event the selector rewrites (a MODIFIED leaving the selection) is this watcher\'s own DELETED', () => {
    const ev = new CachedEvent('MODIFIED', cm('a', 'team', { app: 'db' }, '8'), 8, cm('a', 'team', { app: 'web' }, '7'));
    const { res, lines } = fakeResponse();
    new HttpWatcher(CONFIGMAPS, 'v1', res, (o) => o.metadata.labels?.app === 'web', null).deliver(ev);
    assert.equal(lines.length, 1);
    const out = JSON.parse(lines[0]);
    assert.equal(out.type, 'DELETED');
    assert.equal(out.object.metadata.labels.app, 'web');
    assert.equal(out.object.metadata.resourceVersion, '8');
  });

  it('a shared line goes to the connection as one ready-framed chunk only when the response owns it with nothing queued', async () => {
    const ev = new CachedEvent('MODIFIED', cm('a', 'team', {}, '9'), 9);
    const wire = ev.wire('v1');
    const cases: { name: string; method?: string; chunked?: boolean; queued?: number; socket?: boolean; direct: boolean }[] = [
      { name: 'a chunked GET response on its connection', direct: true },
      { name: 'HEAD (no body may be sent)', method: 'HEAD', direct: false },
      { name: 'HTTP/1.0 (not chunked)', chunked: false, direct: false },
      { name: 'bytes of its own still queued in the response', queued: 10, direct: false },
      { name: 'a pipelined response not yet given the connection', socket: false, direct: false },
    ];
    for (const c of cases) {
      const viaRes: Buffer[] = [];
      const viaSocket: Buffer[] = [];
      const socket = { writableLength: 0, writable: true, destroyed: false, write: (b: Buffer) => void viaSocket.push(b) };
      const res = {
        socket: c.socket === false ? null : socket,
        headersSent: true,
        chunkedEncoding: c.chunked ?? true,
        req: { method: c.method ?? 'GET' },
        writableLength: c.queued ?? 0,
        writableEnded: false,
        writableFinished: true,
        write: (b: Buffer) => void viaRes.push(b),
        end: () => undefined,
        on: () => res,
        once: () => res,
        off: () => res,
      };
      new HttpWatcher(CONFIGMAPS, 'v1', res as unknown as Response, undefined, null).deliver(ev);
      assert.deepEqual([viaRes, viaSocket], [[], []], 'queued until the tick ends');
      await tick();
      if (c.direct) {
        assert.deepEqual(viaSocket, [wire.chunk], c.name);
        assert.deepEqual(viaRes, [], c.name);
      } else {
        assert.deepEqual(viaRes, [wire.body], c.name);
        assert.deepEqual(viaSocket, [], c.name);
      }
    }
  });

  it('the events of one tick go out in one corked write; a line of its own first sends what is queued', async () => {
    const calls: string[] = [];
    const socket = { writableLength: 0, writable: true, writableNeedDrain: false, destroyed: false, write: (b: Buffer) => void calls.push(`socket ${JSON.parse(b.toString().split('\r\n')[1]).object.metadata.resourceVersion}`), cork: () => void calls.push('cork'), uncork: () => void calls.push('uncork') };
    const res = { socket, headersSent: true, chunkedEncoding: true, req: { method: 'GET' }, writableLength: 0, writableEnded: false, writableFinished: true, write: (l: string) => void calls.push(`res ${JSON.parse(l).type}`), end: () => undefined, on: () => res, once: () => res, off: () => res };
    const w = new HttpWatcher(CONFIGMAPS, 'v1', res as unknown as Response, undefined, null);
    w.deliver(new CachedEvent('MODIFIED', cm('a', 'team', {}, '10'), 10));
    w.deliver(new CachedEvent('MODIFIED', cm('a', 'team', {}, '11'), 11));
    await tick();
    assert.deepEqual(calls, ['cork', 'socket 10', 'socket 11', 'uncork']);
    calls.length = 0;
    w.deliver(new CachedEvent('MODIFIED', cm('a', 'team', {}, '12'), 12));
    w.bookmark(12);
    assert.deepEqual(calls, ['socket 12', 'res BOOKMARK'], 'the queued event before the bookmark, at once');
    await tick();
    assert.equal(calls.length, 2, 'nothing sent twice');
  });

  it('a connection that has not drained gets nothing more until it does, then the waiting lines in writes of at most BATCH_BYTES', async () => {
    const writes: number[] = [];
    const listeners: (() => void)[] = [];
    let batch = 0;
    const socket = {
      writableLength: 0,
      writable: true,
      writableNeedDrain: true,
      destroyed: false,
      write: (b: Buffer) => {
        batch += b.length;
        socket.writableNeedDrain = true; // every batch is past the socket's 16 KiB high-water mark
      },
      cork: () => void (batch = 0),
      uncork: () => void writes.push(batch),
      once: (_: string, fn: () => void) => void listeners.push(fn),
    };
    const res = { socket, headersSent: true, chunkedEncoding: true, req: { method: 'GET' }, get writableLength() { return socket.writableLength; }, writableEnded: false, writableFinished: true, write: () => assert.fail('not via res'), end: () => undefined, on: () => res, once: () => res, off: () => res };
    const w = new HttpWatcher(CONFIGMAPS, 'v1', res as unknown as Response, undefined, null);
    const big = { ...cm('a', 'team'), data: { x: 'y'.repeat(20_000) } } as KObject;
    for (let rv = 1; rv <= 10; rv++) w.deliver(new CachedEvent('MODIFIED', { ...big, metadata: { ...big.metadata, resourceVersion: String(rv) } }, rv));
    await tick();
    assert.deepEqual(writes, [], 'nothing written while the connection has not drained');
    assert.equal(listeners.length, 1);
    const drain = () => {
      socket.writableNeedDrain = false; // as a socket does before it emits 'drain'
      listeners.shift()!();
    };
    drain();
    assert.equal(writes.length, 1);
    assert.ok(writes[0] >= BATCH_BYTES && writes[0] < BATCH_BYTES + 21_000, `one write of about BATCH_BYTES (${writes[0]})`);
    assert.equal(listeners.length, 1, 'the rest waits for the next drain');
    for (let i = 0; i < 20 && listeners.length; i++) drain();
    assert.equal(listeners.length, 0);
    const sent = writes.reduce((a, b) => a + b, 0);
    assert.ok(sent > 10 * 20_000, 'every line sent in the end');
  });
});
