import { RebalanceInProgressError } from '../../errors.js';
// What REST writes on a distributed worker need beyond the config topic:
// the rule that writes wait for a stable group (409 while it rebalances, as
// Kafka Connect answers), and a task restart forwarded to the worker that
// runs the task (its worker_id in the status topic).

/** Kafka Connect's message for requests that meet a rebalance (ConnectRestException 409). */
export const REBALANCE_MESSAGE = 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)';

/** Throws RebalanceInProgressError unless the worker is ready and its group stable. */
export function checkWritable(state: { ready: boolean; rebalancing: boolean; membershipStable: boolean }): void {
  if (!state.ready || state.rebalancing || !state.membershipStable)
    throw new RebalanceInProgressError(REBALANCE_MESSAGE);
}

export interface ForwardOptions {
  /** The task's worker (`host:port` from the status topic), if known. */
  readonly owner: string | undefined;
  readonly self: string;
  readonly connector: string;
  readonly task: number;
  readonly scheme: 'http' | 'https';
  readonly fetch: typeof fetch;
}

/** Asks the task's worker to restart it; a rebalance error when there is no other owner or it does not answer. */
export async function forwardTaskRestart(o: ForwardOptions): Promise<void> {
  if (!o.owner || o.owner === o.self) throw new RebalanceInProgressError(REBALANCE_MESSAGE);
  const url = `${o.scheme}://${o.owner}/connectors/${encodeURIComponent(o.connector)}/tasks/${o.task}/restart`;
  let res: Response;
  try {
    res = await o.fetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  } catch {
    throw new RebalanceInProgressError(REBALANCE_MESSAGE);
  }
  if (res.status >= 300) throw new RebalanceInProgressError(REBALANCE_MESSAGE);
}
