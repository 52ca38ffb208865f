// Retry delays for the work queue, as client-go's DefaultControllerRateLimiter:
// a per-key exponential backoff (a failing key slows down on its own) combined
// with an overall token bucket (many failing keys together cannot hammer the
// apiserver). The delay for a retry is the larger of the two.
import { systemClock, type Clock } from './clock.js';

export interface RateLimiter {
  /** How long to wait before `key` may be processed again; counts a requeue. */
  when(key: string): number;
  /** Clears the per-key history (call after a success). */
  forget(key: string): void;
  numRequeues(key: string): number;
}

/** base * 2^failures, capped at max; 5 ms → 1000 s by default. */
export class ExponentialBackoffRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long before it matters; min() still caps it.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface TokenBucketOptions {
  qps?: number;
  burst?: number;
  clock?: Clock;
}

/**
 * Overall token bucket: each retry reserves a token; when the bucket is empty
 * the reservation is in the future and its distance is the delay (like
 * golang.org/x/time/rate Reserve). It has no per-key state.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor({ qps = 10, burst = 100, clock = systemClock }: TokenBucketOptions = {}) {
    this.qps = qps;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The worst (longest) delay of several limiters. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];
  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must see the request (each one records it), so no short-circuit.
    return this.limiters.map((l) => l.when(key)).reduce((a, b) => Math.max(a, b), 0);
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiters.map((l) => l.numRequeues(key)).reduce((a, b) => Math.max(a, b), 0);
  }
}

/** client-go's defaults: 5 ms → 1000 s per key, 10 qps / burst 100 overall. */
export function defaultControllerRateLimiter(clock: Clock = systemClock): RateLimiter {
  return new MaxOfRateLimiter(new ExponentialBackoffRateLimiter(5, 1_000_000), new TokenBucketRateLimiter({ clock }));
}
