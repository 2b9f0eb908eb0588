// Periodic compaction, as kube-apiserver does it: each tick compacts to the revision seen at the
// previous tick, so at least one interval of history always stays for watchers to resume from.
import type { Store } from './interface';

export interface Compactor {
  stop(): void;
  /** one tick, for tests */
  tick(): Promise<void>;
}

export function startCompactor(store: Store, intervalMs: number, onError?: (err: Error) => void): Compactor {
  let previous = 0;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const current = await store.currentRevision();
      if (previous > 0) await store.compact(previous);
      previous = current;
    } catch (err) {
      onError?.(err as Error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
