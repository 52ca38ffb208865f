// The lifecycle every task shares (Kafka's WorkerTask): wait while paused,
// start, run the loop until stopped, always close, report each step.
import type { TaskMetrics } from '../metrics/task-metrics.js';
import type { Logger } from '../util/logging.js';
import type { ConverterSet } from './converters.js';
import type { ErrorHandler } from './error-handler.js';
import type { TaskStatusListener, TaskTargetState } from './task-status.js';
import type { TaskId } from '../vocabulary/task-id.js';
import type { TransformationChain } from './transformation-chain.js';

/** What every task is built with (worker/task-parts.ts), source or sink. */
export interface TaskDeps {
  readonly id: TaskId;
  readonly initialState: TaskTargetState;
  readonly taskConfig: Record<string, string>;
  readonly converters: ConverterSet;
  readonly transforms: TransformationChain;
  readonly errors: ErrorHandler;
  readonly metrics: TaskMetrics;
  readonly status: TaskStatusListener;
  readonly log: Logger;
  readonly offsetFlushIntervalMs: number;
  /** topics this task wrote to or read from (topic tracking) */
  readonly onTopicUsed?: (topic: string) => void;
}

export abstract class WorkerTask {
  private target: TaskTargetState;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;
  private finished: Promise<void> | undefined;
  /** milliseconds since the epoch when start() returned, for start counts in tests and metrics */
  startedAt: number | undefined;

  constructor(
    readonly id: TaskId,
    initialState: TaskTargetState,
    protected readonly status: TaskStatusListener,
    protected readonly log: Logger,
  ) {
    this.target = initialState;
  }

  /** Starts the task's run loop; resolves when the task has stopped (or failed). */
  run(): Promise<void> {
    this.finished ??= this.doRun();
    return this.finished;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  get paused(): boolean {
    return this.target === 'PAUSED';
  }

  setTargetState(state: TaskTargetState): void {
    if (state === this.target) return;
    this.target = state;
    this.onTargetStateChange(state);
    this.wake();
  }

  /** Asks the loop to stop; see awaitStop. */
  stop(): void {
    this.stopRequested = true;
    this.onStopRequested();
    this.wake();
  }

  /** Waits for the task to stop; false when it did not within the timeout. */
  async awaitStop(timeoutMs: number): Promise<boolean> {
    if (!this.finished) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const done = this.finished.then(() => true);
    const result = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** Sleeps until woken by a state change or stop, or `ms` elapse. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }

  /** Blocks while paused; returns false when the task was stopped instead. */
  protected async awaitUnpause(): Promise<boolean> {
    while (this.paused && !this.stopRequested) await this.sleep(60_000);
    return !this.stopRequested;
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private async doRun(): Promise<void> {
    let failed = false;
    try {
      if (this.paused) {
        this.status.paused();
        if (!(await this.awaitUnpause())) return;
      }
      await this.initializeAndStart();
      this.startedAt = Date.now();
      this.status.running();
      await this.execute();
    } catch (err) {
      failed = true;
      this.log.error(
        'Task threw an uncaught and unrecoverable exception; it will not recover until manually restarted',
        {
          error: err instanceof Error ? err.message : String(err),
        },
      );
      this.status.failed(err);
    } finally {
      try {
        await this.close();
      } catch (err) {
        this.log.warn('Error while closing task', { error: (err as Error).message });
      }
      if (!failed) this.status.stopped();
    }
  }

  /** Start the plugin task and its clients. */
  protected abstract initializeAndStart(): Promise<void>;
  /** The main loop: return when `stopping` becomes true. */
  protected abstract execute(): Promise<void>;
  /** Release everything; called exactly once, whatever happened. */
  protected abstract close(): Promise<void>;
  protected onTargetStateChange(_state: TaskTargetState): void {}
  protected onStopRequested(): void {}
}
