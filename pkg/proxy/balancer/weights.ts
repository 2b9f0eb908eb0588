// Weighted choice between the Backends of one rule (Gateway API backendRefs[].weight): traffic is
// split in proportion to the weights, a weight of 0 never receives any, and all-zero refs (or none)
// have nothing to pick. Prefix sums are computed once per rule; pick() is a binary search.
import type { BackendRefIR } from '../ir';

export interface WeightedPicker {
  /** index into the refs, or null when every weight is 0 (Gateway API: the rule answers 500) */
  pick(): number | null;
  /** the sum of the weights */
  readonly total: number;
}

const NONE: WeightedPicker = Object.freeze({ pick: () => null, total: 0 });

export function createWeightedPicker(refs: readonly Pick<BackendRefIR, 'weight'>[], rand: () => number): WeightedPicker {
  const n = refs.length;
  const cum = new Float64Array(n);
  let total = 0;
  let only = -1;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const wi = refs[i]!.weight;
    if (wi > 0 && Number.isFinite(wi)) {
      total += wi;
      only = i;
      positives++;
    }
    cum[i] = total;
  }
  if (positives === 0) return NONE;
  if (positives === 1) {
    const idx = only;
    return { pick: () => idx, total };
  }
  const last = only;
  return {
    total,
    pick(): number {
      const r = rand() * total;
      if (r >= total) return last; // rounding at rand() ≈ 1: never land on a trailing zero weight
      // first i with cum[i] > r: zero-weight refs share their predecessor's sum and are never first
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}

/**
 * Failover between refs: a weighted choice among the refs not marked in `skip` (refs whose
 * Backend has no healthy endpoint, or that were already tried), so a ref that is all unhealthy
 * counts as weight 0 and its share goes to the others in proportion to their weights. null when
 * no ref with weight > 0 is left.
 */
export function pickExcept(refs: readonly Pick<BackendRefIR, 'weight'>[], skip: readonly boolean[], rand: () => number): number | null {
  let total = 0;
  let last = -1;
  for (let i = 0; i < refs.length; i++) {
    const wi = refs[i]!.weight;
    if (skip[i] || !(wi > 0 && Number.isFinite(wi))) continue;
    total += wi;
    last = i;
  }
  if (last < 0) return null;
  let r = rand() * total;
  for (let i = 0; i < refs.length; i++) {
    const wi = refs[i]!.weight;
    if (skip[i] || !(wi > 0 && Number.isFinite(wi))) continue;
    r -= wi;
    if (r < 0) return i;
  }
  return last;
}
