// An abortable sleep: tasks wait inside poll() (for a file to appear, for a
// file to grow, for the rate limit), and stop() must be able to cut the wait
// short instead of leaving the worker waiting for a timer.
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  }
}
