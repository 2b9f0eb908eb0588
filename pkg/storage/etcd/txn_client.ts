// A lean gRPC client for the one call on the write path, KV.Txn, over node:http2 (one session to
// one plain-HTTP etcd member). Every create, update and delete is one of these; through etcd3 and
// grpc-js each cost several layers (pool, policy, interceptors, retrying/resolving/load-balancing
// calls, protobufjs objects) that this skips. It only carries calls while its session is connected:
// otherwise `session()` answers undefined and the driver uses the general client, whose pool fails
// over between members. A failed session is dropped and the next member is dialled a second later.
import * as http2 from 'node:http2';
import { decodeTxnResponse, encodeTxn, type TxnAnswer, type TxnOp } from './txn_codec';

const PATH = '/etcdserverpb.KV/Txn';
const RETRY_AFTER_MS = 1000;

export class LeanTxnClient {
  private current: http2.ClientHttp2Session | undefined;
  private connected = false;
  private next = 0;
  private failedAt = -Infinity;
  private closed = false;

  constructor(
    private readonly endpoints: string[],
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** whether a call can go out now (a connected session); dials in the background when not */
  usable(): boolean {
    if (this.closed) return false;
    if (this.current && this.connected && !this.current.destroyed && !this.current.closed) return true;
    if (!this.current && this.now() - this.failedAt >= RETRY_AFTER_MS) this.dial();
    return false;
  }

  /** Txn If(mod_revision(key) == expected) Then op Else Range(key) */
  txn(key: Buffer, expected: number, op: TxnOp): Promise<TxnAnswer> {
    const session = this.current;
    if (!session || !this.connected) return Promise.reject(new Error('No connection established'));
    const body = encodeTxn(key, expected, op);
    return new Promise<TxnAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, answer?: TxnAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(answer!);
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(
          { ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': `${this.timeoutMs}m` },
          { endStream: false },
        );
      } catch (err) {
        finish(err as Error);
        return;
      }
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        finish(new Error(`4 DEADLINE_EXCEEDED: Deadline exceeded after ${this.timeoutMs}ms`));
        // a member that stopped answering (frozen, partitioned) keeps its connection: leave it to
        // the general client's pool and dial the next member later; calls in flight on it finish
        this.drop(session, true);
      }, this.timeoutMs);
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      const readStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) {
          status = String(h['grpc-status']);
          message = decodeGrpcMessage(String(h['grpc-message'] ?? ''));
        }
      };
      stream.on('response', (h) => {
        if (h[':status'] !== 200) {
          finish(new Error(`14 UNAVAILABLE: etcd answered HTTP ${h[':status']}`));
          stream.close(http2.constants.NGHTTP2_CANCEL);
          return;
        }
        readStatus(h);
      });
      stream.on('trailers', readStatus);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => finish(err));
      stream.on('close', () => {
        if (settled) return;
        if (status === undefined) return finish(new Error(`14 UNAVAILABLE: the Txn stream closed without a status (code ${stream.rstCode})`));
        if (status !== '0') return finish(new Error(`${status} ${GRPC_CODES[Number(status)] ?? 'UNKNOWN'}: ${message}`));
        try {
          finish(null, decodeFrame(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        } catch (err) {
          finish(new Error(`13 INTERNAL: bad Txn response: ${(err as Error).message}`));
        }
      });
      stream.end(body);
    });
  }

  close(): void {
    this.closed = true;
    this.current?.destroy();
    this.current = undefined;
  }

  private drop(session: http2.ClientHttp2Session, graceful = false): void {
    if (this.current !== session) return;
    this.current = undefined;
    this.connected = false;
    this.failedAt = this.now();
    if (graceful) session.close();
    else session.destroy();
  }

  private dial(): void {
    const url = this.endpoints[this.next % this.endpoints.length];
    this.next++;
    let session: http2.ClientHttp2Session;
    try {
      session = http2.connect(url);
    } catch {
      this.failedAt = this.now();
      return;
    }
    this.current = session;
    this.connected = false;
    const drop = () => this.drop(session);
    session.on('connect', () => {
      if (this.current === session) this.connected = true;
    });
    session.on('error', drop);
    session.on('goaway', drop);
    session.on('close', drop);
    session.unref();
  }
}

/** One gRPC message: a 5-byte prefix (uncompressed flag, length) then the TxnResponse. */
function decodeFrame(buf: Buffer): TxnAnswer {
  if (buf.length < 5) throw new Error(`${buf.length} bytes`);
  if (buf[0] !== 0) throw new Error('compressed message');
  const len = buf.readUInt32BE(1);
  if (5 + len > buf.length) throw new Error(`message of ${len} bytes in ${buf.length - 5}`);
  return decodeTxnResponse(buf, 5, 5 + len);
}

/** grpc-message is percent-encoded (gRPC over HTTP/2) */
function decodeGrpcMessage(m: string): string {
  if (!m.includes('%')) return m;
  try {
    return decodeURIComponent(m);
  } catch {
    return m;
  }
}

const GRPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
