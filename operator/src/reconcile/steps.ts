// A reconcile pass as a fixed list of named steps, the way a controller-
// runtime reconciler reads: each step gets the pass's context and says
// whether the pass goes on, ends (done), or ends and looks again after a
// while. The list is the whole story of a pass, in order, in one place.
import type { ReconcileResult } from '../kube/index.js';

export type StepResult =
  { readonly then: 'continue' } | { readonly then: 'done' } | { readonly then: 'requeue'; readonly afterMs: number };

/** Go on with the next step. */
export const proceed: StepResult = { then: 'continue' };
/** End the pass; the object is reconciled again on its next event or resync. */
export const done: StepResult = { then: 'done' };
/** End the pass and reconcile the object again after `afterMs`. */
export const requeueAfter = (afterMs: number): StepResult => ({ then: 'requeue', afterMs });

export interface Step<C> {
  /** what the step is for, in a word or two (for the docs, logs and tests) */
  readonly name: string;
  run(ctx: C): Promise<StepResult>;
}

/** Runs the steps in order until one ends the pass; a pass all of whose steps continue is done. */
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C): Promise<ReconcileResult> {
  for (const step of steps) {
    const result = await step.run(ctx);
    if (result.then === 'done') return undefined;
    if (result.then === 'requeue') return { requeueAfter: result.afterMs };
  }
  return undefined;
}

/** A value an earlier step of the pass set; its absence is a mistake in the step list, not in the world. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`reconcile step order: ${what} is not set yet`);
  return value;
}
