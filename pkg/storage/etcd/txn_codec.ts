// The one etcd transaction shape every write sends — Txn If(mod_revision(key) == expected) Then op
// Else Range(key) — encoded and its answer decoded by hand (protobuf wire format, etcdserverpb's
// field numbers). Pure: no I/O. txn_client.ts sends it; the general client (etcd3 over grpc-js)
// costs several times more CPU per call than the write itself.
import type { KeyValue } from '../driver';

export type TxnOp = { put: { key: Buffer; value: Buffer } } | { deleteWithPrev: { key: Buffer } };

export interface TxnAnswer {
  revision: number;
  succeeded: boolean;
  /** the Else branch's Range kvs (not succeeded), or the Then branch's delete prev_kvs */
  kvs: KeyValue[];
}

// --- encoding ---------------------------------------------------------------------------------

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

class Writer {
  readonly buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  varint(n: number): void {
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  bytes(tag: number, b: Buffer): void {
    this.buf[this.pos++] = tag;
    this.varint(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
}

const lenField = (payload: number) => 1 + varintLength(payload) + payload;

/**
 * TxnRequest{compare: [{target: Mod, result: Equal, key, mod_revision: expected}], success: [op],
 * failure: [{request_range: {key}}]}, with gRPC's 5-byte message prefix in front.
 */
export function encodeTxn(key: Buffer, expected: number, op: TxnOp): Buffer {
  if (!Number.isSafeInteger(expected) || expected < 0) throw new Error(`invalid revision ${expected}`);
  // Compare: target (2) = Mod, key (3), mod_revision (6) — written even when 0: it is a oneof member
  const compare = 2 + lenField(key.length) + 1 + varintLength(expected);
  let opInner: number;
  if ('put' in op) opInner = lenField(op.put.key.length) + lenField(op.put.value.length);
  else opInner = lenField(op.deleteWithPrev.key.length) + 2;
  const success = lenField(opInner);
  const rangeInner = lenField(key.length);
  const failure = lenField(rangeInner);
  const total = lenField(compare) + lenField(success) + lenField(failure);
  const w = new Writer(5 + total);
  w.buf[0] = 0;
  w.buf.writeUInt32BE(total, 1);
  w.pos = 5;
  // compare (1)
  w.buf[w.pos++] = 0x0a;
  w.varint(compare);
  w.buf[w.pos++] = 0x10;
  w.buf[w.pos++] = 2;
  w.bytes(0x1a, key);
  w.buf[w.pos++] = 0x30;
  w.varint(expected);
  // success (2): RequestOp
  w.buf[w.pos++] = 0x12;
  w.varint(success);
  if ('put' in op) {
    w.buf[w.pos++] = 0x12; // request_put
    w.varint(opInner);
    w.bytes(0x0a, op.put.key);
    w.bytes(0x12, op.put.value);
  } else {
    w.buf[w.pos++] = 0x1a; // request_delete_range
    w.varint(opInner);
    w.bytes(0x0a, op.deleteWithPrev.key);
    w.buf[w.pos++] = 0x18; // prev_kv
    w.buf[w.pos++] = 1;
  }
  // failure (3): RequestOp{request_range{key}}
  w.buf[w.pos++] = 0x1a;
  w.varint(rangeInner + 1 + varintLength(rangeInner));
  w.buf[w.pos++] = 0x0a;
  w.varint(rangeInner);
  w.bytes(0x0a, key);
  if (w.pos !== w.buf.length) throw new Error(`txn encoding: wrote ${w.pos} of ${w.buf.length} bytes`);
  return w.buf;
}

// --- decoding ---------------------------------------------------------------------------------

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      n += (b & 127) * mul;
      if (b < 128) return n;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('varint too long');
    }
  }
  /** [start, end) of a length-delimited field's payload; moves past it */
  sub(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new Error('truncated field');
    this.pos = start + len;
    return [start, start + len];
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.sub();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

function decodeKV(buf: Buffer, start: number, end: number): KeyValue {
  const r = new Reader(buf, start, end);
  let key = '';
  let value = Buffer.alloc(0);
  let createRevision = 0;
  let modRevision = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) {
      const [s, e] = r.sub();
      key = buf.toString('utf8', s, e);
    } else if (field === 5 && wire === 2) {
      const [s, e] = r.sub();
      // a copy: the response buffer is one per call, but callers keep values (the watch cache)
      value = Buffer.from(buf.subarray(s, e));
    } else if (field === 2 && wire === 0) createRevision = r.varint();
    else if (field === 3 && wire === 0) modRevision = r.varint();
    else r.skip(wire);
  }
  return { key, value, createRevision, modRevision };
}

function decodeHeaderRevision(buf: Buffer, start: number, end: number): number {
  const r = new Reader(buf, start, end);
  let revision = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x18) revision = r.varint();
    else r.skip(tag & 7);
  }
  return revision;
}

/** kvs of a RangeResponse (field 2) or prev_kvs of a DeleteRangeResponse (field 3) */
function decodeKVsIn(buf: Buffer, start: number, end: number, kvField: number, out: KeyValue[]): void {
  const r = new Reader(buf, start, end);
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === ((kvField << 3) | 2)) {
      const [s, e] = r.sub();
      out.push(decodeKV(buf, s, e));
    } else r.skip(tag & 7);
  }
}

/** A TxnResponse message (without the gRPC prefix). */
export function decodeTxnResponse(buf: Buffer, start = 0, end = buf.length): TxnAnswer {
  const r = new Reader(buf, start, end);
  const answer: TxnAnswer = { revision: 0, succeeded: false, kvs: [] };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const [s, e] = r.sub();
      answer.revision = decodeHeaderRevision(buf, s, e);
    } else if (tag === 0x10) answer.succeeded = r.varint() !== 0;
    else if (tag === 0x1a) {
      // ResponseOp: response_range (1) or response_delete_range (3); response_put (2) holds nothing we need
      const [s, e] = r.sub();
      const op = new Reader(buf, s, e);
      while (op.pos < e) {
        const t = op.varint();
        if (t === 0x0a) {
          const [ss, ee] = op.sub();
          decodeKVsIn(buf, ss, ee, 2, answer.kvs);
        } else if (t === 0x1a) {
          const [ss, ee] = op.sub();
          decodeKVsIn(buf, ss, ee, 3, answer.kvs);
        } else op.skip(t & 7);
      }
    } else r.skip(tag & 7);
  }
  return answer;
}
