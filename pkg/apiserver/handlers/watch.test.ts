import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'express';
import type { KObject } from '../../../apis/meta/v1/types';
import type { Resource } from '../../registry/resource';
import { CachedEvent } from '../watchcache/event';
import { HttpWatcher } from './watch';

const CONFIGMAPS = { group: '', kind: 'ConfigMap', plural: 'configmaps' } as unknown as Resource;

function fakeResponse(): { res: Response; lines: string[] } {
  const lines: string[] = [];
  const res = { writableLength: 0, writableEnded: false, writableFinished: true, write: (l: string | Buffer) => void lines.push(String(l)), end: () => undefined, on: () => res, once: () => res, off: () => res };
  return { res: res as unknown as Response, lines };
}

const cm = (name: string, ns: string, labels: Record<string, string> = {}, rv = '5'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels, resourceVersion: rv } });

describe('HttpWatcher.deliver', () => {
  it('an event a namespace or label selector passes unchanged is written from the line serialized once for all watchers', () => {
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
});
