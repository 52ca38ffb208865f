// Drained scale-down of a distributed cluster: before the StatefulSet loses
// its highest ordinals, each departing worker is asked to hand its work to
// the others (POST /admin/drain), so no task waits for a dead worker's
// session to expire and for the rebalance delay. The StatefulSet keeps its
// size until every departing worker says it is drained (or a deadline passes).
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import type { ConnectApi } from '../connect/connect-client.js';
import type { Logger } from '../kube/index.js';

/** How long a scale-down waits for departing workers before it goes ahead anyway. */
export const DRAIN_TIMEOUT_MS = 5 * 60_000;
export const DRAIN_RECHECK_MS = 2_000;

/** The ordinals a StatefulSet loses when it goes from `current` to `desired` replicas. */
export function departingOrdinals(current: number, desired: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, desired); i < current; i++) out.push(i);
  return out;
}

export type DrainProgress =
  | { phase: 'none' }
  | { phase: 'draining'; waitingFor: number[] }
  | { phase: 'drained'; ordinals: number[] }
  | { phase: 'timed-out'; waitingFor: number[] };

/**
 * Asks each departing worker to drain (idempotent) and reports whether all
 * are done. A worker that cannot be reached holds no work anyone waits for
 * (its pod is not running), so it counts as drained.
 */
export async function drainDeparting(
  kc: KafkaConnect,
  ordinals: readonly number[],
  workerFor: (kc: KafkaConnect, ordinal: number) => ConnectApi,
  startedAt: number,
  now: number,
  logger: Logger,
): Promise<DrainProgress> {
  if (ordinals.length === 0) return { phase: 'none' };
  const waitingFor: number[] = [];
  for (const ordinal of ordinals) {
    try {
      const status = await workerFor(kc, ordinal).drain();
      if (!status.drained) waitingFor.push(ordinal);
    } catch (err) {
      logger.debug('Departing worker not reachable: nothing to drain', {
        cluster: kc.metadata.name,
        ordinal,
        error: (err as Error).message,
      });
    }
  }
  if (waitingFor.length === 0) return { phase: 'drained', ordinals: [...ordinals] };
  if (now - startedAt >= DRAIN_TIMEOUT_MS) return { phase: 'timed-out', waitingFor };
  return { phase: 'draining', waitingFor };
}
