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
});
