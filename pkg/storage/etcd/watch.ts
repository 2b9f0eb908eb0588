// A watch on the raw etcd watch stream (not etcd3's Watcher, which resumes from the response
// header's revision and drops the compact revision). It resumes after a dropped stream from the
// last delivered event's revision + 1, so nothing is lost or repeated, and reports a compacted
// start as Expired.
import type { IWatchRequest, IWatchResponse, WatchClient } from 'etcd3/lib/rpc';
import type { DriverWatch, WatchSink } from '../driver';
import { prefixEnd } from '../driver';
import { StorageError } from '../errors';
import { toEvent } from './convert';

interface Duplex {
  on(ev: 'data', fn: (res: IWatchResponse) => void): Duplex;
  on(ev: 'error' | 'end', fn: (err?: Error) => void): Duplex;
  write(req: IWatchRequest): void;
  cancel?(): void;
  end?(): void;
}

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;

export class EtcdWatch implements DriverWatch {
  private next: number;
  private stream: Duplex | undefined;
  private stopped = false;
  private backoff = BACKOFF_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  /** the stream whose create response has arrived */
  private created: Duplex | undefined;
  /**
   * etcd 3.4 (before 3.4.25) answers a progress request with its current revision even while
   * this watcher is still catching up on history (it was created at a start revision the store
   * had already passed): such an answer would claim events not yet sent. Until the watch is
   * known to be caught up, requestProgress declines.
   */
  private caughtUp = false;
  /** the store revision when this stream's watch was created; an event at or past it proves catch-up */
  private catchUpTo = 0;

  constructor(
    private readonly client: WatchClient,
    private readonly prefix: string,
    fromRevision: number,
    private readonly sink: WatchSink,
  ) {
    this.next = fromRevision;
    this.connect();
  }

  /**
   * etcd's WatchProgressRequest (3.4+): the stream answers with a progress notification at the
   * current revision. Sent only once the watch exists on this stream (an answer before the
   * create response would claim progress for a watch not yet started). etcd before 3.4.25/3.5.8
   * may send it ahead of queued events (etcd#15220); the watch cache accepts a progress
   * revision only once a later notification follows it.
   */
  requestProgress(): boolean {
    if (this.stopped || !this.stream || this.created !== this.stream || !this.caughtUp) return false;
    try {
      this.stream.write({ progress_request: {} });
      return true;
    } catch {
      return false; // the stream is closing; the reconnect path takes over
    }
  }

  cancel(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.closeStream();
  }

  private connect(): void {
    if (this.stopped) return;
    this.client.watch().then(
      (s) => {
        const stream = s as unknown as Duplex;
        if (this.stopped) {
          try {
            stream.cancel?.();
          } catch {
            /* already closed */
          }
          return;
        }
        this.stream = stream;
        stream.on('data', (res) => this.onResponse(stream, res));
        stream.on('error', () => this.onBroken(stream));
        stream.on('end', () => this.onBroken(stream));
        stream.write({
          create_request: {
            key: Buffer.from(this.prefix, 'utf8'),
            range_end: Buffer.from(prefixEnd(this.prefix), 'utf8'),
            start_revision: this.next > 0 ? this.next : undefined,
            prev_kv: true,
            progress_notify: true,
          },
        });
      },
      () => this.retryLater(),
    );
  }

  private onResponse(stream: Duplex, res: IWatchResponse): void {
    if (this.stopped || stream !== this.stream) return;
    if (res.canceled) {
      const compact = Number(res.compact_revision ?? 0);
      if (compact > 0) {
        this.stopped = true;
        this.closeStream();
        this.sink.onError(StorageError.expired(this.next - 1, compact));
        return;
      }
      this.onBroken(stream);
      return;
    }
    this.backoff = BACKOFF_MIN_MS;
    const events = res.events ?? [];
    const headerRev = Number(res.header?.revision ?? 0);
    if (res.created) {
      this.created = stream;
      // etcd syncs a watcher at creation when its start revision is past the store's (or "now")
      this.caughtUp = this.next <= 0 || headerRev < this.next;
      this.catchUpTo = headerRev;
      // A watch "from now" is pinned at creation, so a reconnect cannot skip what came between.
      if (this.next <= 0) this.next = headerRev + 1;
      return;
    }
    if (events.length === 0) {
      // Progress notification: nothing for this prefix is pending at or below headerRev. An
      // answer to requestProgress (watch_id -1) never moves the resume point: etcd#15220.
      const requested = String(res.watch_id) === '-1';
      if (!requested && headerRev + 1 > this.next) this.next = headerRev + 1;
      if (!requested) this.caughtUp = true; // timed notifications go to synced watchers only
      this.sink.onProgress?.(headerRev);
      return;
    }
    const out = events.map(toEvent);
    this.next = out[out.length - 1].kv.modRevision + 1;
    if (this.next > this.catchUpTo) this.caughtUp = true;
    this.sink.onEvents(out);
  }

  private onBroken(stream: Duplex): void {
    if (this.stopped || stream !== this.stream) return;
    this.closeStream();
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private closeStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (!s) return;
    try {
      s.cancel?.();
    } catch {
      /* already closed */
    }
  }
}
