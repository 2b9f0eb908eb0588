// One in-process watcher of the SQLite driver: history first, then live batches, delivered off the
// commit path (setImmediate) in revision order. Events for other prefixes are skipped here.
import type { DriverEvent, DriverWatch, WatchSink } from '../driver';

export class Subscriber implements DriverWatch {
  private queue: DriverEvent[] = [];
  /** highest committed revision seen, for progress notifications when nothing matched */
  private progressRev = 0;
  private scheduled = false;
  private done = false;

  constructor(
    private readonly prefix: string,
    private readonly sink: WatchSink,
    private readonly detach: () => void,
    private readonly currentRevision: () => number = () => 0,
  ) {}

  /** a progress notification at the committed revision, after everything queued before it */
  requestProgress(): boolean {
    if (this.done) return false;
    this.progressRev = Math.max(this.progressRev, this.currentRevision());
    this.schedule();
    return true;
  }

  /** history rows, already filtered by prefix */
  push(events: DriverEvent[]): void {
    for (const ev of events) this.queue.push(ev);
    this.schedule();
  }

  /** a committed batch, any prefix, ending at `revision` */
  offer(events: DriverEvent[], revision: number): void {
    if (this.done) return;
    for (const ev of events) {
      if (ev.kv.key.startsWith(this.prefix)) this.queue.push(ev);
    }
    this.progressRev = revision;
    this.schedule();
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.detach();
    setImmediate(() => this.sink.onError(err));
  }

  cancel(): void {
    this.done = true;
    this.queue = [];
    this.detach();
  }

  private schedule(): void {
    if (this.scheduled || this.done) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.done) return;
      const batch = this.queue;
      const progress = this.progressRev;
      this.queue = [];
      this.progressRev = 0;
      if (batch.length) this.sink.onEvents(batch);
      if (progress && !this.done && (!batch.length || batch[batch.length - 1].kv.modRevision < progress)) {
        this.sink.onProgress?.(progress);
      }
    });
  }
}
