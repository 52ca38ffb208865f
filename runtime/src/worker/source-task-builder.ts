// Builds a source task: its producer (transactional with its own
// transactional id when the worker offers exactly-once delivery, KIP-618),
// how its transactions commit, and the WorkerSourceTask around the plugin's
// task.
import { ConfigError, type SourceTask } from '../sdk/index.js';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka } from '../kafka/client.js';
import type { OffsetStore } from '../storage/offset-store.js';
import { instrumentClient } from './client-instrumentation.js';
import { TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED } from './connector-config.js';
import { safeVersion } from './plugin-version.js';
import type { BuiltTask, TaskBase, TaskBuildContext } from './task-base.js';
import { buildTaskErrorHandling } from './task-errors.js';
import type { TaskId } from '../vocabulary/task-id.js';
import { taskTransactionalId, type SourceTaskTransactions } from './transactional-delivery.js';
import { WorkerSourceTask } from './worker-source-task.js';

/** The worker's exactly-once source support, as its source tasks use it (see ExactlyOnceSourceOptions). */
export interface SourceExactlyOnce {
  /** the worker's group.id: the prefix of every task's transactional id */
  readonly groupId: string;
  /** the worker's offset.storage.topic */
  readonly offsetsTopic: string;
  readonly readOffsetsToEnd: () => Promise<void>;
}

export interface SourceTaskOptions {
  readonly offsets: OffsetStore;
  /** set when the worker's exactly.once.source.support is `enabled` */
  readonly exactlyOnce?: SourceExactlyOnce;
}

export function buildSourceTask(ctx: TaskBuildContext, base: TaskBase, opts: SourceTaskOptions): BuiltTask {
  const producerProps = ctx.clientProps('producer');
  const kafka = createKafka({ clientId: base.clientId, props: producerProps, logger: ctx.log });
  const task = new (ctx.connector.taskClass())() as SourceTask;
  const { errors } = buildTaskErrorHandling(ctx, base);
  const transactions =
    opts.exactlyOnce && sourceTransactions(opts.exactlyOnce, ctx.id, base.parsed, ctx.offsetFlushIntervalMs);
  const producer = sourceProducer(kafka, producerProps, transactions);
  instrumentClient(producer, base.metrics);
  const wt = new WorkerSourceTask({
    ...base.deps,
    task,
    producer,
    ...(transactions ? { transactions } : {}),
    offsets: opts.offsets,
    errors,
  });
  return { task: wt, metrics: base.metrics, cleanup: async () => undefined, version: safeVersion(task) };
}

/**
 * Exactly-once: Kafka Connect's task producer settings (idempotent, one
 * request in flight) with the task's own transactional id.
 */
function sourceProducer(
  kafka: Kafka,
  producerProps: Record<string, string>,
  transactions: SourceTaskTransactions | undefined,
): Producer {
  if (!transactions) return kafka.producer({ allowAutoTopicCreation: true });
  return kafka.producer({
    allowAutoTopicCreation: true,
    transactionalId: transactions.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: Number(producerProps['transaction.timeout.ms'] ?? 60000),
  });
}

/** How an exactly-once source task commits, from its connector's config. */
function sourceTransactions(
  eos: SourceExactlyOnce,
  id: TaskId,
  parsed: Record<string, unknown>,
  offsetFlushIntervalMs: number,
): SourceTaskTransactions {
  const boundary = String(parsed['transaction.boundary'] ?? 'poll').toLowerCase();
  if (boundary !== 'poll' && boundary !== 'interval')
    throw new ConfigError('transaction.boundary', TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED);
  const interval = parsed['transaction.boundary.interval.ms'];
  return {
    transactionalId: taskTransactionalId(eos.groupId, id.connector, id.task),
    offsetsTopic: eos.offsetsTopic,
    boundary,
    // Apache's default for the interval boundary is the worker's offset flush interval.
    intervalMs: interval === null || interval === undefined ? offsetFlushIntervalMs : Number(interval),
    readOffsetsToEnd: eos.readOffsetsToEnd,
  };
}
