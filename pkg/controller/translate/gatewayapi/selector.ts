// metav1.LabelSelector against a label map (matchLabels AND matchExpressions; an empty selector
// matches everything). Pure.
import type { LabelSelector } from './types';

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  const get = (k: string) => (Object.hasOwn(l, k) ? l[k] : undefined);
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (get(k) !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const v = get(e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && (v === undefined || !values.includes(v))) return false;
    if (e.operator === 'NotIn' && v !== undefined && values.includes(v)) return false;
    if (e.operator === 'Exists' && v === undefined) return false;
    if (e.operator === 'DoesNotExist' && v !== undefined) return false;
  }
  return true;
}
