// Retries of Connect REST calls within one reconcile. The decision comes
// from the error alone (errors.ts): a rebalance (409), a 5xx or a refused
// connection is tried again after an exponential, jittered backoff; a 4xx
// never. A request that timed out is not tried again in the same pass: it
// has already held the reconcile for a whole timeout, and the work queue
// retries the key later without holding a worker meanwhile. A time budget
// bounds how long one call may keep a reconcile busy in all.
import { ErrorCodes, OperatorError, isRetriable } from '../errors.js';

export interface RetryOptions {
  /** Tries in all, the first included; default 6. */
  readonly attempts?: number;
  /** Delay before the second try; doubles each time; default 200 ms. */
  readonly initialMs?: number;
  /** Longest single delay; default 5 s. */
  readonly maxDelayMs?: number;
  /** No further try once this much time has passed since the first began; default 15 s. */
  readonly budgetMs?: number;
  /** Source of jitter in [0, 1); default Math.random. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * The delay before the next try after try number `attempt` (1-based) failed
 * with `err`, `elapsedMs` after the first began; undefined: give up (rethrow).
 * "Equal jitter": half the backoff fixed, half random, so the callers of one
 * cluster that failed together do not come back together.
 */
export function nextRetryDelay(
  err: unknown,
  attempt: number,
  elapsedMs: number,
  o: RetryOptions = {},
): number | undefined {
  if (!isRetriable(err)) return undefined;
  if (err instanceof OperatorError && err.code === ErrorCodes.CONNECT_TIMEOUT) return undefined;
  if (attempt >= (o.attempts ?? 6)) return undefined;
  const backoff = Math.min((o.initialMs ?? 200) * 2 ** (attempt - 1), o.maxDelayMs ?? 5_000);
  const delay = Math.round(backoff / 2 + (backoff / 2) * (o.random ?? Math.random)());
  if (elapsedMs + delay > (o.budgetMs ?? 15_000)) return undefined;
  return delay;
}

/** Runs `op`, trying again while nextRetryDelay says so; rethrows the last error. */
export async function withConnectRetry<T>(op: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const delay = nextRetryDelay(err, attempt, now() - started, o);
      if (delay === undefined) throw err;
      await sleep(delay);
    }
  }
}
