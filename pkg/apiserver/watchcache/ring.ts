// A fixed-capacity ring of events in revision order (oldest evicted first).
export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private start = 0;
  private len = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array(capacity);
  }

  get size(): number {
    return this.len;
  }

  /** Appends; returns the evicted element when full. */
  push(v: T): T | undefined {
    let evicted: T | undefined;
    if (this.len === this.capacity) {
      evicted = this.buf[this.start];
      this.buf[this.start] = v;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.buf[(this.start + this.len) % this.capacity] = v;
      this.len++;
    }
    return evicted;
  }

  at(i: number): T {
    return this.buf[(this.start + i) % this.capacity] as T;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.start = 0;
    this.len = 0;
  }
}
