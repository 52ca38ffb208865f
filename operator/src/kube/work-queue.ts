// A de-duplicating, delaying, rate-limited work queue with client-go's
// semantics, so reconciles are level-triggered and never concurrent per key:
//  - `dirty` holds keys that need processing; adding a dirty key is a no-op,
//    so bursts of events for one object collapse into one reconcile;
//  - `processing` holds keys handed out by get() and not yet done(); a key
//    added while processing stays dirty and is queued again by done(), so no
//    two workers ever hold the same key, and no change is lost.
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions {
  clock?: Clock;
  rateLimiter?: RateLimiter;
  /** Called with the number of keys waiting (not processing) whenever it changes. */
  onDepth?: (depth: number) => void;
  /** Called on every addRateLimited (a retry). */
  onRetry?: (key: string) => void;
}

interface Delayed {
  readyAt: number;
  timer: TimerHandle;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  private readonly onDepth: (depth: number) => void;
  private readonly onRetry: (key: string) => void;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.onDepth = options.onDepth ?? (() => undefined);
    this.onRetry = options.onRetry ?? (() => undefined);
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() queues it again
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds `key` after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.readyAt <= readyAt) return;
      this.clock.clearTimeout(pending.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds `key` after the rate limiter's delay (a retry after a failure). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.onRetry(key);
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets `key`'s backoff; call when it was processed successfully. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process, waiting for one; undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.push(key);
      this.dispatch();
    }
  }

  /** Keys waiting to be processed (not counting delayed or processing ones). */
  len(): number {
    return this.queue.length;
  }

  /**
   * Stops handing out work: pending and future get() calls resolve undefined,
   * delayed adds are cancelled, queued keys are dropped (a restarted
   * controller relists everything anyway).
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.onDepth(0);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.processing.add(key);
    this.dirty.delete(key);
    this.onDepth(this.queue.length);
    return key;
  }

  /** Hands queued keys to waiting get() calls, oldest first. */
  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift();
      waiter?.(this.take());
    }
    this.onDepth(this.queue.length);
  }
}
