// Snapshot changes shipped to proxy workers as deltas (pure: no I/O). The controller hands over the
// very same immutable RuleIR/BackendIR objects for what did not change (translate/incremental.ts),
// so the main tells changed from unchanged by identity against the last snapshot it shipped. A
// worker patches its previous snapshot into a new one that reuses its unchanged objects (new arrays
// and records, same elements), so its data plane keeps reusing compiled rules and backend runtimes
// by identity (dataplane.ts, router/compile.ts, runtime.ts) as the in-process proxy does.
import type { BackendIR, ListenerIR, RuleIR, Snapshot } from '../ir';

export interface SnapshotDelta {
  /** the sequence number of the snapshot this delta applies to */
  base: number;
  /** the sequence number of the snapshot it makes */
  seq: number;
  generation: number;
  /** small: sent whole */
  listeners: ListenerIR[];
  /** rules changed or added (whole objects) */
  rules: RuleIR[];
  removedRules: string[];
  /** every rule id in the new order (the router's tiebreak is input order); absent: the same ids in the same order */
  order?: string[];
  /** backends changed or added, by record key */
  backends: Array<[string, BackendIR]>;
  removedBackends: string[];
}

/** what the main remembers of the last snapshot it shipped */
export interface Shipped {
  seq: number;
  snapshot: Snapshot;
  /** rule id → rule; undefined when ids repeat (such a snapshot is never diffed against) */
  rules: Map<string, RuleIR> | undefined;
}

/** rule id → rule, or undefined when two rules share an id (then only full snapshots are shipped) */
export function indexRules(rules: readonly RuleIR[]): Map<string, RuleIR> | undefined {
  const m = new Map<string, RuleIR>();
  for (const r of rules) {
    if (m.has(r.id)) return undefined;
    m.set(r.id, r);
  }
  return m;
}

/**
 * The delta from `prev` to `next`, or undefined when a full snapshot is the better (or only safe)
 * thing to ship: duplicate rule ids, or most of the snapshot changed.
 */
export function computeDelta(prev: Shipped, next: Snapshot, seq: number, nextRules = indexRules(next.rules)): SnapshotDelta | undefined {
  if (!nextRules || !prev.rules) return undefined;
  const rules: RuleIR[] = [];
  let sameOrder = prev.snapshot.rules.length === next.rules.length;
  for (let i = 0; i < next.rules.length; i++) {
    const r = next.rules[i]!;
    if (prev.rules.get(r.id) !== r) rules.push(r);
    if (sameOrder && prev.snapshot.rules[i]!.id !== r.id) sameOrder = false;
  }
  const removedRules: string[] = [];
  for (const id of prev.rules.keys()) if (!nextRules.has(id)) removedRules.push(id);
  const backends: Array<[string, BackendIR]> = [];
  const prevBackends = prev.snapshot.backends;
  let backendCount = 0;
  for (const name in next.backends) {
    backendCount++;
    const b = next.backends[name]!;
    if (!Object.prototype.hasOwnProperty.call(prevBackends, name) || prevBackends[name] !== b) backends.push([name, b]);
  }
  const removedBackends: string[] = [];
  for (const name in prevBackends) if (!Object.prototype.hasOwnProperty.call(next.backends, name)) removedBackends.push(name);
  // more than half changed: the full snapshot is about as big and needs no patching
  if (rules.length + backends.length > (next.rules.length + backendCount) / 2 && rules.length + backends.length > 8) return undefined;
  return {
    base: prev.seq,
    seq,
    generation: next.generation,
    listeners: next.listeners,
    rules,
    removedRules,
    order: sameOrder ? undefined : next.rules.map((r) => r.id),
    backends,
    removedBackends,
  };
}

/**
 * The snapshot `d` makes of `prev` (whose sequence number is `prevSeq`), reusing prev's unchanged
 * rule and backend objects; undefined when `d` does not apply to it (a gap: ask for a full
 * snapshot) or is inconsistent with it.
 */
export function applyDelta(prev: Snapshot | undefined, prevSeq: number, d: SnapshotDelta): Snapshot | undefined {
  if (!prev || d.base !== prevSeq) return undefined;
  const changed = new Map<string, RuleIR>();
  for (const r of d.rules) changed.set(r.id, r);
  let rules: RuleIR[];
  if (d.order) {
    const byId = new Map<string, RuleIR>();
    for (const r of prev.rules) byId.set(r.id, r);
    for (const id of d.removedRules) byId.delete(id);
    rules = new Array<RuleIR>(d.order.length);
    for (let i = 0; i < d.order.length; i++) {
      const id = d.order[i]!;
      const r = changed.get(id) ?? byId.get(id);
      if (!r) return undefined;
      rules[i] = r;
    }
  } else {
    if (d.removedRules.length > 0) return undefined;
    rules = prev.rules.map((r) => changed.get(r.id) ?? r);
    if (changed.size > 0) {
      // every changed rule must be one already there (same ids, same order)
      let seen = 0;
      for (const r of prev.rules) if (changed.has(r.id)) seen++;
      if (seen !== changed.size) return undefined;
    }
  }
  const backends: Record<string, BackendIR> = { ...prev.backends };
  for (const name of d.removedBackends) delete backends[name];
  for (const [name, b] of d.backends) backends[name] = b;
  return { generation: d.generation, listeners: d.listeners, rules, backends };
}
