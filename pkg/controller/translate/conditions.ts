// metav1.Condition helpers: a condition keeps its lastTransitionTime while its status is unchanged,
// so recomputing an unchanged status yields identical bytes (and no write).
import type { Condition } from '../../../apis/meta/v1/types';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function setConditions(previous: Condition[] | undefined, next: ConditionInput[], now: string): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
    return { type: c.type, status: c.status, observedGeneration: c.observedGeneration, lastTransitionTime, reason: c.reason, message: c.message };
  });
}
