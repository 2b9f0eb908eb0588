import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../apis/meta/v1/types';
import { CachedEvent, wireLine } from './event';
import { deepFreeze } from './freeze';

const obj = deepFreeze({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name: 'é\u2028"x', resourceVersion: '7' }, spec: { n: null } } as KObject);

describe('CachedEvent.wire', () => {
  it('is the JSON line kube writes, framed as one HTTP/1.1 chunk whose size counts bytes, not characters', () => {
    const w = new CachedEvent('MODIFIED', obj, 7).wire('core.apoxy.dev/v1alpha2');
    const line = `{"type":"MODIFIED","object":${JSON.stringify(obj)}}\n`;
    assert.equal(w.body.toString('utf8'), line);
    const size = Buffer.byteLength(line);
    assert.notEqual(size, line.length, 'the fixture has multi-byte characters');
    assert.equal(w.chunk.toString('utf8'), `${size.toString(16)}\r\n${line}\r\n`);
    assert.equal(w.body.buffer, w.chunk.buffer, 'body is a view inside chunk');
  });

  it('is made once per version and rewrites apiVersion for another version', () => {
    const ev = new CachedEvent('ADDED', obj, 7);
    const a = ev.wire('core.apoxy.dev/v1alpha2');
    const b = ev.wire('core.apoxy.dev/v1alpha');
    assert.equal(ev.wire('core.apoxy.dev/v1alpha2'), a);
    assert.equal(ev.wire('core.apoxy.dev/v1alpha'), b);
    assert.equal(JSON.parse(b.body.toString()).object.apiVersion, 'core.apoxy.dev/v1alpha');
    assert.equal(JSON.parse(a.body.toString()).object.apiVersion, 'core.apoxy.dev/v1alpha2');
    assert.equal(ev.wireBytes, a.chunk.length + b.chunk.length);
  });

  it('owns its memory (not a slice of the shared pool a long-lived event would pin)', () => {
    const w = wireLine('DELETED', '{}');
    assert.equal(w.chunk.byteOffset, 0);
    assert.equal(w.chunk.buffer.byteLength, w.chunk.length);
  });
});
