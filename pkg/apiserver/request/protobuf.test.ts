import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { decodeProtobuf } from './protobuf';

// An independent writer for the envelope and a Secret, by field number (as gogo-protobuf writes
// them: every string, empty or not), to check the reader's numbering.
function secretBytes(): Buffer {
  const meta = protobuf.Writer.create();
  meta.uint32((1 << 3) | 2).string('s1');
  meta.uint32((2 << 3) | 2).string(''); // generateName: empty, as gogo writes it
  meta.uint32((3 << 3) | 2).string('team');
  const time = protobuf.Writer.create().finish(); // creationTimestamp: the zero time
  meta.uint32((8 << 3) | 2).bytes(time);
  const label = protobuf.Writer.create();
  label.uint32((1 << 3) | 2).string('app').uint32((2 << 3) | 2).string('web');
  meta.uint32((11 << 3) | 2).bytes(label.finish());
  const secret = protobuf.Writer.create();
  secret.uint32((1 << 3) | 2).bytes(meta.finish());
  const entry = protobuf.Writer.create();
  entry.uint32((1 << 3) | 2).string('tls.crt').uint32((2 << 3) | 2).bytes(Buffer.from('PEM'));
  secret.uint32((2 << 3) | 2).bytes(entry.finish());
  secret.uint32((3 << 3) | 2).string('kubernetes.io/tls');
  const typeMeta = protobuf.Writer.create();
  typeMeta.uint32((1 << 3) | 2).string('v1').uint32((2 << 3) | 2).string('Secret');
  const env = protobuf.Writer.create();
  env.uint32((1 << 3) | 2).bytes(typeMeta.finish());
  env.uint32((2 << 3) | 2).bytes(secret.finish());
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), env.finish()]);
}

describe('decodeProtobuf', () => {
  it('reads a Secret in kube protobuf into the JSON shape (bytes as base64, zero time and empty strings left out)', () => {
    assert.deepEqual(decodeProtobuf(secretBytes()), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'team', labels: { app: 'web' } },
      data: { 'tls.crt': Buffer.from('PEM').toString('base64') },
      type: 'kubernetes.io/tls',
    });
  });

  it('refuses bodies without the k8s prefix (400) and kinds it does not describe (415)', () => {
    assert.throws(() => decodeProtobuf(Buffer.from('{}')), (e: { code?: number }) => e.code === 400);
    const typeMeta = protobuf.Writer.create().uint32((1 << 3) | 2).string('apps/v1').uint32((2 << 3) | 2).string('Deployment').finish();
    const env = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(typeMeta).finish();
    assert.throws(() => decodeProtobuf(Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), env])), (e: { code?: number }) => e.code === 415);
  });

  it('refuses times outside RFC 3339 years (400, never an uncaught RangeError) and reads times inside them', () => {
    const at = (seconds: number | string) => configMapWithTime(seconds);
    for (const s of ['9000000000000000000', '-99999999999999', '253402300800', '-62167219201']) {
      assert.throws(() => decodeProtobuf(at(s)), (e: { code?: number; message?: string }) => e.code === 400 && /years 0000–9999/.test(e.message ?? ''), s);
    }
    assert.equal((decodeProtobuf(at('253402300799')).metadata as { creationTimestamp?: string }).creationTimestamp, '9999-12-31T23:59:59Z');
    assert.equal((decodeProtobuf(at(1700000000)).metadata as { creationTimestamp?: string }).creationTimestamp, '2023-11-14T22:13:20Z');
  });

  it('answers 400 for truncated varints, lengths beyond the body and deeply nested groups', () => {
    const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
    const bodies = [
      Buffer.concat([magic, Buffer.from([0x0a, 0xff, 0xff, 0xff])]), // truncated length varint
      Buffer.concat([magic, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])]), // 4 GiB length
      Buffer.concat([magic, Buffer.alloc(100_000, 0x0b)]), // 100,000 nested start-groups (unknown field 1, wire type 3)
    ];
    for (const b of bodies) assert.throws(() => decodeProtobuf(b), (e: { code?: number }) => e.code === 400);
  });
});

/** a ConfigMap whose metadata.creationTimestamp has the given seconds (int64) */
function configMapWithTime(seconds: number | string): Buffer {
  const time = protobuf.Writer.create().uint32(1 << 3).int64(seconds).finish();
  const meta = protobuf.Writer.create().uint32((1 << 3) | 2).string('t').uint32((8 << 3) | 2).bytes(time).finish();
  const cm = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(meta).finish();
  const typeMeta = protobuf.Writer.create().uint32((1 << 3) | 2).string('v1').uint32((2 << 3) | 2).string('ConfigMap').finish();
  const env = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(typeMeta).uint32((2 << 3) | 2).bytes(cm).finish();
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), env]);
}
