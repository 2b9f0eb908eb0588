// The hand-written Txn encoding and decoding against protobufjs over etcd's own .proto files (the
// definitions etcd3 and grpc-js use): what we send decodes to the intended TxnRequest, and every
// TxnResponse shape the driver reads decodes to the same answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { decodeTxnResponse, encodeTxn } from './txn_codec';

const PROTO_DIR = path.dirname(require.resolve('etcd3/proto/rpc.proto'));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(PROTO_DIR, path.basename(target));
root.loadSync('rpc.proto', { keepCase: true });
const TxnRequest = root.lookupType('etcdserverpb.TxnRequest');
const TxnResponse = root.lookupType('etcdserverpb.TxnResponse');
const toObject = (m: protobuf.Message) => TxnRequest.toObject(m, { longs: Number, enums: String, bytes: String, defaults: false, oneofs: true });

function sent(buf: Buffer) {
  assert.equal(buf[0], 0, 'uncompressed');
  assert.equal(buf.readUInt32BE(1), buf.length - 5, 'gRPC length prefix');
  return toObject(TxnRequest.decode(buf.subarray(5)));
}

const key = Buffer.from('/registry/core.apoxy.dev/backends/b1');
const value = Buffer.from(JSON.stringify({ kind: 'Backend', spec: { x: 'é'.repeat(200) } })); // a multi-byte length

describe('etcd Txn codec', () => {
  it('encodes create, update (large revisions) and delete as the driver sends them', () => {
    for (const expected of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
      const put = sent(encodeTxn(key, expected, { put: { key, value } }));
      assert.equal(put.compare.length, 1);
      assert.equal(put.compare[0].target, 'Mod');
      assert.equal(put.compare[0].result ?? 'Equal', 'Equal');
      assert.equal(put.compare[0].target_union, 'mod_revision', 'mod_revision set even when 0 (a oneof member)');
      assert.equal(put.compare[0].mod_revision, expected);
      assert.equal(Buffer.from(put.compare[0].key, 'base64').toString(), key.toString());
      assert.equal(Buffer.from(put.success[0].request_put.key, 'base64').toString(), key.toString());
      assert.equal(Buffer.from(put.success[0].request_put.value, 'base64').toString(), value.toString());
      assert.equal(Buffer.from(put.failure[0].request_range.key, 'base64').toString(), key.toString());
    }
    const del = sent(encodeTxn(key, 42, { deleteWithPrev: { key } }));
    assert.equal(del.compare[0].mod_revision, 42);
    assert.equal(Buffer.from(del.success[0].request_delete_range.key, 'base64').toString(), key.toString());
    assert.equal(del.success[0].request_delete_range.prev_kv, true);
    assert.equal(Buffer.from(del.failure[0].request_range.key, 'base64').toString(), key.toString());
    // a value over 16 KiB: three-byte length varints
    const big = Buffer.alloc(70_000, 'x');
    assert.equal(Buffer.from(sent(encodeTxn(key, 9, { put: { key, value: big } })).success[0].request_put.value, 'base64').length, 70_000);
  });

  it('refuses a revision that is not a safe non-negative integer', () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 60]) assert.throws(() => encodeTxn(key, bad, { put: { key, value } }));
  });

  it('decodes succeeded puts, failed compares with the current object, and deletes with prev_kv', () => {
    const header = { cluster_id: 7, member_id: 9, revision: 2 ** 40 + 3, raft_term: 4 };
    const kv = { key, value, create_revision: 100, mod_revision: 2 ** 33, version: 3, lease: 0 };
    const enc = (o: object) => Buffer.from(TxnResponse.encode(TxnResponse.fromObject(o)).finish());
    assert.deepEqual(decodeTxnResponse(enc({ header, succeeded: true, responses: [{ response_put: { header } }] })), { revision: header.revision, succeeded: true, kvs: [] });
    const conflict = decodeTxnResponse(enc({ header, succeeded: false, responses: [{ response_range: { header, kvs: [kv], count: 1 } }] }));
    assert.equal(conflict.succeeded, false);
    assert.equal(conflict.revision, header.revision);
    assert.deepEqual(conflict.kvs, [{ key: key.toString(), value, createRevision: 100, modRevision: 2 ** 33 }]);
    const gone = decodeTxnResponse(enc({ header, succeeded: false, responses: [{ response_range: { header, kvs: [], count: 0 } }] }));
    assert.deepEqual(gone, { revision: header.revision, succeeded: false, kvs: [] });
    const deleted = decodeTxnResponse(enc({ header, succeeded: true, responses: [{ response_delete_range: { header, deleted: 1, prev_kvs: [kv] } }] }));
    assert.deepEqual(deleted.kvs.map((k) => k.modRevision), [2 ** 33]);
    assert.equal(deleted.succeeded, true);
  });

  it('rejects truncated responses instead of reading past them', () => {
    const full = Buffer.from(TxnResponse.encode(TxnResponse.fromObject({ header: { revision: 5 }, succeeded: false, responses: [{ response_range: { kvs: [{ key, value, mod_revision: 4 }] } }] })).finish());
    // 0a 02 18 05 (header) 10 00 (succeeded) 1a …: a cut after either field is a complete, shorter message
    const boundaries = [4, 6];
    for (const b of boundaries) assert.deepEqual(decodeTxnResponse(full, 0, b), { revision: 5, succeeded: false, kvs: [] });
    for (let cut = 1; cut < full.length; cut++) if (!boundaries.includes(cut)) assert.throws(() => decodeTxnResponse(full, 0, cut), `cut at ${cut}`);
  });
});
