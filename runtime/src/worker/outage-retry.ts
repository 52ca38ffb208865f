// Rides out Kafka outages for a task: an operation that fails because Kafka
// is unavailable (kafka/errors.ts) is tried again with backoff, for as long
// as it takes, until it succeeds or the task is stopped. The task is never
// FAILED for an outage (Apache's producer keeps retrying too); any other
// error goes to the caller unchanged.
import { isKafkaOutage } from '../kafka/errors.js';
import type { Logger } from '../util/logging.js';
import { StoppedDuringOutageError } from '../errors.js';

export interface OutageRetryOptions {
  readonly log: Logger;
  /** true once the task must stop retrying */
  readonly stopping: () => boolean;
  /** a sleep the task's stop() wakes */
  readonly sleep: (ms: number) => Promise<void>;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly now?: () => number;
}

export class OutageRetry {
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  /** total outages ridden out (for tests and metrics) */
  outages = 0;

  constructor(private readonly opts: OutageRetryOptions) {
    this.minDelayMs = opts.minDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /** Runs `op`, retrying it while Kafka is unavailable. `what` completes "waiting for Kafka to ...". */
  async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    let delay = this.minDelayMs;
    let since: number | undefined;
    for (;;) {
      try {
        const result = await op();
        if (since !== undefined)
          this.opts.log.info('Kafka is available again; carrying on', {
            operation: what,
            outageMs: this.now() - since,
          });
        return result;
      } catch (err) {
        if (!isKafkaOutage(err)) throw err;
        if (this.opts.stopping()) throw new StoppedDuringOutageError(what, err);
        if (since === undefined) {
          since = this.now();
          this.outages++;
          this.opts.log.warn('Kafka is unavailable; retrying until it is back', {
            operation: what,
            error: (err as Error).message,
          });
        }
        await this.opts.sleep(delay);
        delay = Math.min(delay * 2, this.maxDelayMs);
        if (this.opts.stopping()) throw new StoppedDuringOutageError(what, err);
      }
    }
  }
}
