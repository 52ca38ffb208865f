// How a source task's batches reach Kafka and when their source offsets
// count as committed: the one thing that differs between at-least-once
// delivery (at-least-once-delivery.ts) and exactly-once delivery
// (transactional-delivery.ts, KIP-618). The source loop
// (worker-source-task.ts) polls, prepares and paces the batches; it calls
// these methods at fixed points and knows nothing of offsets or
// transactions.
import type { Producer } from 'kafkajs';
import type { SourceTask } from '../sdk/index.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import type { Logger } from '../util/logging.js';
import type { PreparedBatch } from './source-batch.js';
import type { TaskId } from '../vocabulary/task-id.js';

export interface SourceDelivery {
  /** Once the producer is connected, before the plugin task starts. */
  open(): Promise<void>;
  /**
   * Delivers one prepared batch. The loop has at most one in flight: the
   * next is sent only once this one resolved.
   */
  send(batch: PreparedBatch): Promise<void>;
  /** Before each poll: commit if a time boundary was reached. `sent` waits for the batch in flight. */
  beforePoll(sent: () => Promise<void>): Promise<void>;
  /** After a poll's records were all handed to send. `sent` waits for the batch in flight. */
  afterPoll(sent: () => Promise<void>): Promise<void>;
  /** Makes everything sent so far committed; nothing is in flight (the task is pausing). */
  commit(): Promise<void>;
  /** The loop ended without an error and nothing is in flight. */
  finish(): Promise<void>;
  /** After the plugin task stopped, whatever happened: settle what is left. Never used again. */
  close(): Promise<void>;
}

/** What both deliveries work with. */
export interface SourceDeliveryDeps {
  readonly id: TaskId;
  /** the plugin task: its commitRecord and commit hooks run once offsets are committed */
  readonly task: SourceTask;
  readonly producer: Producer;
  readonly metrics: TaskMetrics;
  readonly log: Logger;
  /** counts a batch Kafka took (or that was deliberately skipped), and tracks its topics */
  readonly written: (batch: PreparedBatch) => void;
}
