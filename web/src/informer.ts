// One list + watch per kind, shared by every view (kubectl's informer, in the browser): the list
// gives a resourceVersion, the watch stream (newline-delimited JSON over fetch, with the bearer
// token) carries every change from there. A 410 Expired relists; a dropped stream re-watches from
// the last resourceVersion seen. Changes are applied at once and announced once per animation
// frame, so a burst of a thousand events costs one render.
import { ApiError, call, headers, type KObject } from './api';
import { collectionPath, type Kind } from './kinds';

export interface ChangeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  at: number;
  resourceVersion: string;
  generation?: number;
  summary: string;
}

type Listener = () => void;

const MAX_EVENTS_PER_OBJECT = 20;

export class Informer {
  readonly items = new Map<string, KObject>();
  /** the last changes of each object seen by this tab (since it opened) */
  readonly events = new Map<string, ChangeEvent[]>();
  resourceVersion = '';
  synced = false;
  error = '';
  /** bumps on every announced change (views memoize on it) */
  version = 0;
  /** changes applied in total (benchmarks read it) */
  applied = 0;
  private listeners = new Set<Listener>();
  private abort: AbortController | null = null;
  private scheduled = false;
  private stopped = true;
  /** bumps per start(): a loop from before a stop/start pair ends instead of running twice */
  private runs = 0;

  constructor(readonly kind: Kind) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run(++this.runs);
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.abort = null;
  }

  list(): KObject[] {
    return [...this.items.values()];
  }

  private notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = () => {
      this.scheduled = false;
      this.version++;
      for (const l of [...this.listeners]) l();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else setTimeout(flush, 16);
  }

  private async run(run: number): Promise<void> {
    let backoff = 500;
    // restarted after a stop: resume the watch from the last resourceVersion (a 410 relists)
    let needList = !this.synced;
    while (!this.stopped && run === this.runs) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watch();
        backoff = 500;
      } catch (err) {
        if (this.stopped || run !== this.runs) return;
        this.abort?.abort();
        if (err instanceof ApiError && err.code === 410) {
          needList = true;
          continue;
        }
        if (err instanceof ApiError && (err.code === 401 || err.code === 403)) {
          this.error = err.message;
          this.notify();
          window.dispatchEvent(new CustomEvent('switchyard:unauthorized'));
          return;
        }
        this.error = (err as Error).message || String(err);
        this.notify();
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await call<{ items: KObject[]; metadata: { resourceVersion: string } }>('GET', collectionPath(this.kind));
    const seen = new Set<string>();
    for (const o of list.items ?? []) {
      seen.add(o.metadata.name);
      const prev = this.items.get(o.metadata.name);
      if (!prev || prev.metadata.resourceVersion !== o.metadata.resourceVersion) this.record(prev ? 'MODIFIED' : 'ADDED', o, prev);
      this.items.set(o.metadata.name, o);
    }
    for (const [name, o] of this.items) if (!seen.has(name)) this.delete(o);
    this.resourceVersion = list.metadata.resourceVersion;
    this.synced = true;
    this.error = '';
    this.notify();
  }

  private async watch(): Promise<void> {
    this.abort = new AbortController();
    const url = `${collectionPath(this.kind)}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    const res = await fetch(url, { headers: headers(), signal: this.abort.signal });
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      let st = null;
      try {
        st = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      throw new ApiError(res.status, st, st?.message ?? `watch answered ${res.status}`);
    }
    this.error = '';
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return; // the server ended the watch: re-watch from resourceVersion
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.onEvent(JSON.parse(line));
      }
    }
  }

  private onEvent(ev: { type: string; object: KObject & { code?: number; message?: string } }): void {
    const o = ev.object;
    switch (ev.type) {
      case 'BOOKMARK':
        this.resourceVersion = o.metadata?.resourceVersion ?? this.resourceVersion;
        return;
      case 'ERROR': {
        const code = o.code ?? 500;
        throw new ApiError(code, o as never, o.message ?? 'watch error');
      }
      case 'ADDED':
      case 'MODIFIED': {
        const prev = this.items.get(o.metadata.name);
        this.items.set(o.metadata.name, o);
        this.record(ev.type, o, prev);
        break;
      }
      case 'DELETED':
        this.delete(o);
        break;
      default:
        return;
    }
    this.applied++;
    if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
    this.notify();
  }

  private delete(o: KObject): void {
    this.items.delete(o.metadata.name);
    this.record('DELETED', o, undefined);
  }

  private record(type: ChangeEvent['type'], o: KObject, prev: KObject | undefined): void {
    const list = this.events.get(o.metadata.name) ?? [];
    list.unshift({ type, at: Date.now(), resourceVersion: o.metadata.resourceVersion ?? '', generation: o.metadata.generation, summary: summarize(type, o, prev) });
    if (list.length > MAX_EVENTS_PER_OBJECT) list.length = MAX_EVENTS_PER_OBJECT;
    this.events.set(o.metadata.name, list);
  }
}

/** What changed, in a few words: spec (generation), conditions, labels, or metadata. */
function summarize(type: ChangeEvent['type'], o: KObject, prev: KObject | undefined): string {
  if (type === 'ADDED') return prev === undefined ? 'seen' : 'added';
  if (type === 'DELETED') return 'deleted';
  if (!prev) return 'changed';
  const parts: string[] = [];
  if (prev.metadata.generation !== o.metadata.generation) parts.push(`spec (generation ${prev.metadata.generation ?? '?'} → ${o.metadata.generation ?? '?'})`);
  const conds = (x: KObject) => JSON.stringify(conditionsOf(x).map((c) => [c.type, c.status, c.reason]));
  if (conds(prev) !== conds(o)) {
    const now = conditionsOf(o).map((c) => `${c.type}=${c.status}`).join(', ');
    parts.push(`status: ${now || 'no conditions'}`);
  }
  if (JSON.stringify(prev.metadata.labels ?? {}) !== JSON.stringify(o.metadata.labels ?? {})) parts.push('labels');
  if (JSON.stringify(prev.metadata.annotations ?? {}) !== JSON.stringify(o.metadata.annotations ?? {})) parts.push('annotations');
  return parts.join('; ') || 'metadata';
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  /** for route conditions: the parent they are reported under */
  parent?: string;
}

/** Every condition of an object: status.conditions, plus HTTPRoute parents' and Gateway listeners'. */
export function conditionsOf(o: KObject): Condition[] {
  const st = o.status ?? {};
  const out: Condition[] = [...(Array.isArray(st.conditions) ? st.conditions : [])];
  if (Array.isArray(st.parents)) {
    for (const p of st.parents) for (const c of p.conditions ?? []) out.push({ ...c, parent: p.parentRef?.name });
  }
  return out;
}

const informers = new Map<string, Informer>();

export function informerFor(kind: Kind): Informer {
  let i = informers.get(kind.plural);
  if (!i) {
    i = new Informer(kind);
    informers.set(kind.plural, i);
  }
  return i;
}

// for debugging and the benchmarks: window.switchyard.informers.backends.stop() / .start()
(window as unknown as { switchyard: unknown }).switchyard = { informers };

export function stopAll(): void {
  for (const i of informers.values()) i.stop();
  informers.clear();
}
