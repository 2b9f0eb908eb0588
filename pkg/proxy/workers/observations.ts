// A worker's finished requests, batched column-wise and sent to the main process every so often
// (and when the main asks: a scrape, a console report), where they feed the one ProxyStats and the
// one set of prom-client metrics of the process.
import type { ObservationBatch } from './messages';

export class ObservationBuffer {
  private batch: ObservationBatch = empty();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (batch: ObservationBatch) => void,
    private readonly everyMs = 250,
  ) {}

  add(route: string, backend: string, status: number, ms: number, at: number): void {
    const b = this.batch;
    b.routes.push(route);
    b.backends.push(backend);
    b.status.push(status);
    b.ms.push(ms);
    b.at.push(at);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.everyMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.routes.length === 0) return;
    const b = this.batch;
    this.batch = empty();
    this.send(b);
  }
}

function empty(): ObservationBatch {
  return { routes: [], backends: [], status: [], ms: [], at: [] };
}
