// A ring of events in revision order, bounded by count and by bytes (oldest evicted first). Each
// element is pushed with its cost in bytes; the newest element is always kept, even alone over
// the byte bound.
export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private readonly cost: number[];
  private start = 0;
  private len = 0;
  private total = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.buf = new Array(capacity);
    this.cost = new Array(capacity).fill(0);
  }

  get size(): number {
    return this.len;
  }

  /** the summed cost of the elements held */
  get bytes(): number {
    return this.total;
  }

  /** Appends; returns the elements evicted to make room (oldest first). */
  push(v: T, bytes = 0): T[] {
    const evicted: T[] = [];
    if (this.len === this.capacity) evicted.push(this.shift());
    const i = (this.start + this.len) % this.capacity;
    this.buf[i] = v;
    this.cost[i] = bytes;
    this.len++;
    this.total += bytes;
    while (this.total > this.maxBytes && this.len > 1) evicted.push(this.shift());
    return evicted;
  }

  at(i: number): T {
    return this.buf[(this.start + i) % this.capacity] as T;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.cost.fill(0);
    this.start = 0;
    this.len = 0;
    this.total = 0;
  }

  private shift(): T {
    const v = this.buf[this.start] as T;
    this.total -= this.cost[this.start];
    this.buf[this.start] = undefined;
    this.cost[this.start] = 0;
    this.start = (this.start + 1) % this.capacity;
    this.len--;
    return v;
  }
}
