// What one watch response sends, in order. Event lines shared by every watcher (the same Buffer,
// framed once as an HTTP/1.1 chunk) are queued and handed to the connection once per tick: the
// events of one store watch response (etcd batches them) go out in one TLS write per watcher
// instead of one each, and a lone event costs one write as before. A line of the watcher's own
// (bookmark, error, a Table or a selector-rewritten event, initial events) first sends what is
// queued, so the order on the wire is the order written. A client reading slower than events come
// is handed at most BATCH_BYTES per write, the rest once its connection drains: what waits is a
// reference per event here (the lines are shared), not per-write entries in the socket's queue.
// Straight to the connection only while the response owns it with nothing of its own queued and
// the body is chunked (not HTTP/1.0, not HEAD); otherwise res.write frames each line as usual.
import type { Response } from 'express';
import type { WireLine } from '../watchcache/event';

/** writers with queued lines, flushed together on the next tick */
let due: WatchWriter[] = [];
let scheduled = false;

function flushDue(): void {
  scheduled = false;
  const list = due;
  due = [];
  for (const w of list) w.flush();
}

/** most bytes handed to a connection in one write; the rest waits for it to drain */
export const BATCH_BYTES = 64 * 1024;

export class WatchWriter {
  /** queued[head…] are waiting; a slot holds a reference to the shared line, not a copy */
  private queued: WireLine[] = [];
  private head = 0;
  private queuedBytes = 0;
  private waitingDrain = false;

  constructor(private readonly res: Response) {}

  /** bytes accepted and not yet sent: queued here, in the response, in the connection */
  get pendingBytes(): number {
    return this.queuedBytes + this.res.writableLength;
  }

  /** a line shared by every watcher, sent on the next tick with the others queued by then */
  shared(w: WireLine): void {
    if (this.res.writableEnded) return;
    if (this.head === this.queued.length && !this.waitingDrain) this.schedule();
    this.queued.push(w);
    this.queuedBytes += w.chunk.length;
  }

  /** a line of this watcher's own, after everything queued */
  text(line: string): void {
    this.flush(true);
    if (!this.res.writableEnded) this.res.write(line);
  }

  /**
   * Hands queued lines to the connection: up to BATCH_BYTES in one write, the rest when it has
   * drained (a client reading slower than events come holds references here, not copies in the
   * socket's queue). `all`: everything now (before a line of its own, or the end).
   */
  flush(all = false): void {
    if (this.head === this.queued.length || (this.waitingDrain && !all)) return;
    const res = this.res;
    const sock = res.socket;
    if (res.writableEnded || sock?.destroyed) return this.drop();
    if (!sock || !res.headersSent || !res.chunkedEncoding || res.req.method === 'HEAD' || res.writableLength !== sock.writableLength) {
      while (this.head < this.queued.length) res.write(this.take().body);
      return this.drop();
    }
    if (!sock.writable) return this.drop();
    if (!all && sock.writableNeedDrain) return this.awaitDrain(sock);
    let bytes = 0;
    const many = this.queued.length - this.head > 1;
    if (many) sock.cork(); // one writev: one TLS write and one send for the lot
    while (this.head < this.queued.length && (all || bytes < BATCH_BYTES)) {
      const w = this.take();
      bytes += w.chunk.length;
      sock.write(w.chunk);
    }
    if (many) sock.uncork();
    if (this.head === this.queued.length) this.drop();
    else if (sock.writableNeedDrain) this.awaitDrain(sock);
    else this.schedule(); // a socket with a high-water mark above BATCH_BYTES: no 'drain' will come
  }

  private schedule(): void {
    due.push(this);
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flushDue);
    }
  }

  private take(): WireLine {
    const w = this.queued[this.head++];
    this.queuedBytes -= w.chunk.length;
    return w;
  }

  private drop(): void {
    this.queued = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  private awaitDrain(sock: NonNullable<Response['socket']>): void {
    if (this.waitingDrain) return;
    // what was sent is no longer referenced
    if (this.head) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
    this.waitingDrain = true;
    sock.once('drain', () => {
      this.waitingDrain = false;
      this.flush();
    });
  }
}
