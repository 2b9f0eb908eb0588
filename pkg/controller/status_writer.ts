// Writes status through the /status subresource, only when it differs from what the object
// carries, as a JSON patch (client-node's default patch type). A failed write is retried with a
// capped backoff; a newer desired status replaces a queued one (level-based).
import type { ClientNode } from '../util/esm';
import { canonicalJSON } from '../storage/codec';

export interface StatusTarget {
  group: string;
  version: string;
  plural: string;
  name: string;
}

export class StatusWriter {
  private readonly api: InstanceType<ClientNode['CustomObjectsApi']>;
  private readonly queue = new Map<string, { target: StatusTarget; status: unknown; attempt: number }>();
  private running = false;
  private timer?: NodeJS.Timeout;
  writes = 0;

  constructor(
    k8s: ClientNode,
    kc: InstanceType<ClientNode['KubeConfig']>,
    private readonly onError: (target: StatusTarget, err: unknown) => void = () => undefined,
  ) {
    this.api = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  /** Queue a write unless `current` already equals `desired`. */
  ensure(target: StatusTarget, current: unknown, desired: unknown): void {
    const key = `${target.group}/${target.plural}/${target.name}`;
    if (canonicalJSON(current ?? null) === canonicalJSON(desired ?? null)) {
      this.queue.delete(key);
      return;
    }
    this.queue.set(key, { target, status: desired, attempt: this.queue.get(key)?.attempt ?? 0 });
    this.kick(0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue.clear();
  }

  private kick(delayMs: number): void {
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    this.running = true;
    let retryIn = 0;
    for (const [key, item] of [...this.queue]) {
      if (this.queue.get(key) !== item) continue;
      try {
        await this.api.patchClusterCustomObjectStatus({
          group: item.target.group,
          version: item.target.version,
          plural: item.target.plural,
          name: item.target.name,
          body: [{ op: 'add', path: '/status', value: item.status }],
        });
        this.writes++;
        if (this.queue.get(key) === item) this.queue.delete(key);
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) {
          this.queue.delete(key); // gone: nothing to report on
          continue;
        }
        item.attempt++;
        retryIn = Math.max(retryIn, Math.min(50 * 2 ** item.attempt, 5000));
        this.onError(item.target, err);
      }
    }
    this.running = false;
    if (this.queue.size) this.kick(retryIn || 10);
  }
}
