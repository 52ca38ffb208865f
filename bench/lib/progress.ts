// Watches a run make progress by sampling a counter (topic end offset, output
// file size) every ~20 ms, and timestamps the first unit and the last one.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Admin } from 'kafkajs';

export interface Progress {
  /** performance.now() when the first unit was seen. */
  readonly firstAt: number;
  /** performance.now() when the target was reached. */
  readonly doneAt: number;
}

export interface TrackOptions {
  /** Units done so far. */
  readonly sample: () => Promise<number>;
  readonly target: number;
  /** Throws when the measured process died, so a crash fails the run at once. */
  readonly assertAlive: () => void;
  readonly intervalMs?: number;
  /** Startup (JVM, connections, connector start) may take a while, but not forever. */
  readonly firstTimeoutMs?: number;
  /** A run that stops moving is broken, however slow it is allowed to be. */
  readonly stallTimeoutMs?: number;
}

export async function trackProgress(opts: TrackOptions): Promise<Progress> {
  const { intervalMs = 20, firstTimeoutMs = 120_000, stallTimeoutMs = 60_000 } = opts;
  const begin = performance.now();
  let firstAt: number | undefined;
  let last = 0;
  let lastMoveAt = begin;
  for (;;) {
    opts.assertAlive();
    const value = await opts.sample();
    // Stamped after the sample returns: the unit was there by then at the latest.
    const now = performance.now();
    if (value > last) {
      last = value;
      lastMoveAt = now;
      firstAt ??= now;
    }
    if (value >= opts.target) return { firstAt: firstAt ?? now, doneAt: now };
    if (firstAt === undefined && now - begin > firstTimeoutMs)
      throw new Error(`nothing arrived within ${firstTimeoutMs} ms`);
    if (firstAt !== undefined && now - lastMoveAt > stallTimeoutMs)
      throw new Error(`stalled at ${last}/${opts.target} for ${stallTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Sum of the end offsets of a topic's partitions: records written, without transactions. */
export function topicEndOffset(admin: Admin, topic: string): () => Promise<number> {
  return async () => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  };
}

/** A file's size in bytes, 0 while it does not exist yet. */
export function fileSize(file: string): () => Promise<number> {
  return async () => {
    try {
      return (await stat(file)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  };
}

export interface PollOptions {
  /** Throws when a measured process died, so a crash fails the run at once. */
  readonly assertAlive?: () => void;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Polls `check` until it returns true; resolves with performance.now() taken
 * right after the successful check returned (the condition held by then at the latest).
 * A check that throws counts as false (a worker not listening yet, a REST call during a rebalance).
 */
export async function pollUntil(what: string, check: () => Promise<boolean>, opts: PollOptions = {}): Promise<number> {
  const { intervalMs = 50, timeoutMs = 120_000 } = opts;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    opts.assertAlive?.();
    let ok = false;
    try {
      ok = await check();
    } catch (err) {
      lastError = err;
    }
    const now = performance.now();
    if (ok) return now;
    if (now > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
