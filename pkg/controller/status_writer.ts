// Writes status through the /status subresource, only when it differs from what the object
// carries, as a JSON patch (client-node's default patch type). A failed write is retried with a
// capped backoff; a newer desired status replaces a queued one (level-based). Writes go out in
// batches (at most `batchSize` per round, `concurrency` in flight, the event loop free between
// rounds), so 10k new Backends are written in bounded steps, not 10k requests at once.
import type { ClientNode } from '../util/esm';
import { canonicalJSON } from '../util/canonical_json';

export interface StatusTarget {
  group: string;
  version: string;
  plural: string;
  name: string;
  /** set for namespaced kinds (gateway.networking.k8s.io Gateways and HTTPRoutes) */
  namespace?: string;
}

/** what the controller needs of a status writer */
export interface StatusSink {
  /** queue a write unless current equals desired; answers whether it already did */
  ensure(target: StatusTarget, current: unknown, desired: unknown): boolean;
  stop(): void;
  readonly pending: number;
  readonly writes: number;
}

export class StatusWriter implements StatusSink {
  private readonly api: InstanceType<ClientNode['CustomObjectsApi']>;
  private readonly queue = new Map<string, { target: StatusTarget; status: unknown; attempt: number }>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly batchSize: number;
  private readonly concurrency: number;
  writes = 0;
  /** rounds drained (a round writes at most batchSize statuses) */
  batches = 0;

  constructor(
    k8s: ClientNode,
    kc: InstanceType<ClientNode['KubeConfig']>,
    private readonly onError: (target: StatusTarget, err: unknown) => void = () => undefined,
    opts: { batchSize?: number; concurrency?: number } = {},
  ) {
    this.api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.batchSize = opts.batchSize ?? 100;
    this.concurrency = opts.concurrency ?? 4;
  }

  /** statuses waiting to be written */
  get pending(): number {
    return this.queue.size;
  }

  /** Queue a write unless `current` already equals `desired` (then answer true). */
  ensure(target: StatusTarget, current: unknown, desired: unknown): boolean {
    const key = `${target.group}/${target.plural}/${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
    if (canonicalJSON(current ?? null) === canonicalJSON(desired ?? null)) {
      this.queue.delete(key);
      return true;
    }
    this.queue.set(key, { target, status: desired, attempt: this.queue.get(key)?.attempt ?? 0 });
    this.kick(0);
    return false;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.clear();
  }

  private kick(delayMs: number): void {
    if (this.stopped || this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    this.running = true;
    this.batches++;
    let retryIn = 0;
    const batch = [...this.queue].slice(0, this.batchSize);
    let next = 0;
    const worker = async () => {
      while (next < batch.length && !this.stopped) {
        const [key, item] = batch[next++]!;
        if (this.queue.get(key) !== item) continue;
        const wait = await this.write(key, item);
        retryIn = Math.max(retryIn, wait);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batch.length) }, worker));
    this.running = false;
    // a full batch written: go on at once (after I/O); only failures wait
    if (this.queue.size) this.kick(retryIn || (batch.length === this.batchSize ? 0 : 10));
  }

  /** one write; answers how long to wait before retrying it (0: done) */
  private async write(key: string, item: { target: StatusTarget; status: unknown; attempt: number }): Promise<number> {
    try {
      const body = [{ op: 'add', path: '/status', value: item.status }];
      const t = item.target;
      if (t.namespace) await this.api.patchNamespacedCustomObjectStatus({ group: t.group, version: t.version, namespace: t.namespace, plural: t.plural, name: t.name, body });
      else await this.api.patchClusterCustomObjectStatus({ group: t.group, version: t.version, plural: t.plural, name: t.name, body });
      this.writes++;
      if (this.queue.get(key) === item) this.queue.delete(key);
      return 0;
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 404) {
        if (this.queue.get(key) === item) this.queue.delete(key); // gone: nothing to report on
        return 0;
      }
      item.attempt++;
      this.onError(item.target, err);
      return Math.min(50 * 2 ** item.attempt, 5000);
    }
  }
}
