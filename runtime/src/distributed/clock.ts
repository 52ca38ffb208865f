// Time as the group membership sees it: injectable so that tests can drive
// heartbeats and backoff without real waiting.
import { sleep } from '../connectors/sleep.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

/** Exponential backoff for finding the coordinator again: initial, doubled up to max. */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  next(): number {
    const ms = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return ms;
  }

  reset(): void {
    this.attempts = 0;
  }
}
