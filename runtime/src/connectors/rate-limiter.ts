// Paces the data generator: permit k is due `k / rate` seconds after the
// start, so the long-run rate is exact whatever the batch sizes, and a
// permit is handed out only once it is due (no initial burst beyond one).
import { sleep } from './sleep.js';

/** The most a single acquire() waits, so poll() returns in about a second even at very low rates. */
export const MAX_ACQUIRE_WAIT_MS = 1000;

export class RateLimiter {
  private t0: number;
  private granted = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`rate must be positive, got ${perSecond}`);
    this.t0 = now();
  }

  /**
   * Waits until at least one permit is due and takes up to `max` of them.
   * Returns 0 when none became due within MAX_ACQUIRE_WAIT_MS or when
   * `signal` aborted.
   */
  async acquire(max: number, signal?: AbortSignal): Promise<number> {
    if (max <= 0) return 0;
    const deadline = this.now() + MAX_ACQUIRE_WAIT_MS;
    for (;;) {
      const now = this.now();
      let available = this.dueBy(now) - this.granted;
      // After a long pause (task paused, slow downstream) do not catch up
      // in one burst: forget the backlog beyond a second's worth.
      const cap = Math.max(1, Math.ceil(this.perSecond));
      if (available > cap) {
        this.t0 = now;
        this.granted = 0;
        available = 1;
      }
      if (available >= 1) {
        const take = Math.min(max, available);
        this.granted += take;
        return take;
      }
      if (signal?.aborted || now >= deadline) return 0;
      const nextDue = this.t0 + (this.granted * 1000) / this.perSecond;
      await sleep(Math.max(1, Math.min(nextDue - now, deadline - now)), signal);
    }
  }

  /** How many permits are due by `now`: permit 0 at t0, permit k at t0 + k/rate. */
  private dueBy(now: number): number {
    return Math.floor(((now - this.t0) * this.perSecond) / 1000) + 1;
  }
}
