// The watch cache's keyed state: the current object per name, as of one revision, kept in step with
// the event stream. Objects are the decoded, frozen ones the events carry (stored once, shared).
// Key order is computed lazily: creates and deletes invalidate it, modifications do not.
import type { KObject } from '../../../apis/meta/v1/types';
import type { WatchEventType } from '../../storage/interface';
import { compareKeys } from './keyorder';

export class KeyedState {
  private readonly objects = new Map<string, KObject>();
  private sorted: string[] | null = [];

  get size(): number {
    return this.objects.size;
  }

  get(name: string): KObject | undefined {
    return this.objects.get(name);
  }

  /** Replaces everything (the list the cache starts from). */
  replace(items: Iterable<KObject>): void {
    this.objects.clear();
    for (const o of items) this.objects.set(nameOf(o), o);
    this.sorted = null;
  }

  clear(): void {
    this.objects.clear();
    this.sorted = [];
  }

  /** Applies one event; returns the object the key held before (undefined if none). */
  apply(type: WatchEventType, obj: KObject): KObject | undefined {
    const name = nameOf(obj);
    const prev = this.objects.get(name);
    if (type === 'DELETED') {
      if (prev) {
        this.objects.delete(name);
        this.sorted = null;
      }
      return prev;
    }
    this.objects.set(name, obj);
    if (!prev) this.sorted = null;
    return prev;
  }

  /** Objects in key order, filtered by `predicate` when given. */
  list(predicate?: (o: KObject) => boolean): KObject[] {
    const keys = (this.sorted ??= [...this.objects.keys()].sort(compareKeys));
    const out: KObject[] = [];
    for (const k of keys) {
      const o = this.objects.get(k)!;
      if (!predicate || predicate(o)) out.push(o);
    }
    return out;
  }
}

function nameOf(o: KObject): string {
  const n = o.metadata?.name;
  if (!n) throw new Error('watch cache: an object without metadata.name');
  return n;
}
