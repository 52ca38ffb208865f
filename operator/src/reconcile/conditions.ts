// Conditions: computed from the world each pass; lastTransitionTime only
// moves when the status actually changes.
import type { Condition } from '../api/v1alpha1/index.js';

export function setCondition(
  previous: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition[] {
  const old = previous?.find((c) => c.type === next.type);
  const lastTransitionTime =
    old && old.status === next.status ? (old.lastTransitionTime ?? now.toISOString()) : now.toISOString();
  return [...(previous ?? []).filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}

export const readyCondition = (status: boolean, reason: string, message: string, observedGeneration?: number) => ({
  type: 'Ready',
  status: status ? ('True' as const) : ('False' as const),
  reason,
  message,
  ...(observedGeneration !== undefined ? { observedGeneration } : {}),
});
