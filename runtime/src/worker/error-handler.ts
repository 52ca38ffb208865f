// KIP-298 error handling: retries with backoff for retriable failures,
// tolerance (skip) for bad records, logging, and the dead letter queue.
import type { ConnectRecord } from '../sdk/index.js';
import type { Logger } from '../util/logging.js';
import { ToleranceExceededError } from '../errors.js';

export type Stage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_POLL'
  | 'TASK_PUT'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

/** Stages where any error is a record problem rather than a task problem. */
const TOLERATES_ANY = new Set<Stage>(['KEY_CONVERTER', 'VALUE_CONVERTER', 'HEADER_CONVERTER', 'TRANSFORMATION']);

export interface ErrorContext {
  readonly stage: Stage;
  /** class name of the plugin at that stage */
  readonly className: string;
  readonly record?: ConnectRecord;
  /** original consumed record (sink), for the DLQ */
  readonly consumed?: {
    topic: string;
    partition: number;
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, Buffer | string | undefined>;
  };
}

export interface ErrorReporter {
  report(context: ErrorContext, error: Error): Promise<void>;
}

export interface ErrorHandlerOptions {
  readonly retryTimeoutMs: number;
  readonly retryDelayMaxMs: number;
  readonly toleranceAll: boolean;
  readonly logEnable: boolean;
  readonly logIncludeMessages: boolean;
  readonly logger: Logger;
  readonly reporters?: readonly ErrorReporter[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly onError?: (kind: 'failure' | 'skipped' | 'retry' | 'logged') => void;
}

export const SKIPPED: unique symbol = Symbol('skipped');

export class ErrorHandler {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly opts: ErrorHandlerOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  static fromConfig(
    config: Record<string, unknown>,
    logger: Logger,
    reporters: ErrorReporter[] = [],
    onError?: ErrorHandlerOptions['onError'],
  ): ErrorHandler {
    return new ErrorHandler({
      retryTimeoutMs: Number(config['errors.retry.timeout'] ?? 0),
      retryDelayMaxMs: Number(config['errors.retry.delay.max.ms'] ?? 60000),
      toleranceAll: config['errors.tolerance'] === 'all',
      logEnable: config['errors.log.enable'] === true,
      logIncludeMessages: config['errors.log.include.messages'] === true,
      logger,
      reporters,
      onError,
    });
  }

  get toleratesAll(): boolean {
    return this.opts.toleranceAll;
  }

  /**
   * Runs `op`. Retriable errors are retried with backoff until
   * errors.retry.timeout; what still fails is skipped (returns SKIPPED) when
   * tolerated, or thrown as ToleranceExceededError.
   */
  async execute<T>(context: ErrorContext, op: () => T | Promise<T>): Promise<T | typeof SKIPPED> {
    const deadline = this.opts.retryTimeoutMs < 0 ? Infinity : this.now() + this.opts.retryTimeoutMs;
    let delay = 300;
    for (;;) {
      try {
        return await op();
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable && !TOLERATES_ANY.has(context.stage)) throw error;
        if (retriable && this.now() + delay <= deadline) {
          this.opts.onError?.('retry');
          await this.sleep(delay);
          delay = Math.min(delay * 2, this.opts.retryDelayMaxMs);
          continue;
        }
        return this.fail(context, error);
      }
    }
  }

  /** Synchronous variant for the per-record hot path (converters, transforms): no retries. */
  executeSync<T>(context: ErrorContext, op: () => T): T | typeof SKIPPED | Promise<typeof SKIPPED> {
    try {
      return op();
    } catch (err) {
      return this.fail(context, err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Handles an error a task reported for one record (KIP-610): skipped if tolerated, else thrown. */
  async tolerate(context: ErrorContext, error: Error): Promise<void> {
    await this.fail(context, error);
  }

  private async fail(context: ErrorContext, error: Error): Promise<typeof SKIPPED> {
    this.opts.onError?.('failure');
    if (this.opts.logEnable) {
      this.opts.onError?.('logged');
      this.opts.logger.error('Error encountered in task', {
        stage: context.stage,
        class: context.className,
        error: error.message,
        ...(this.opts.logIncludeMessages && context.record ? { record: describe(context.record) } : {}),
      });
    }
    if (!this.opts.toleranceAll) throw new ToleranceExceededError(context.stage, error);
    for (const r of this.opts.reporters ?? []) await r.report(context, error);
    this.opts.onError?.('skipped');
    return SKIPPED;
  }
}

function describe(record: ConnectRecord): string {
  return `topic='${record.topic}', partition=${record.kafkaPartition ?? null}`;
}
