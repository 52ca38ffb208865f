// A task's error handling (KIP-298) from its connector config: the
// ErrorHandler with its retries and tolerance, and for a sink that names
// errors.deadletterqueue.topic.name the dead letter queue it reports to.
// Source tasks have no dead letter queue, as in Apache Kafka Connect.
import { createKafka } from '../kafka/client.js';
import { DeadLetterQueueReporter } from './dead-letter-queue.js';
import { ErrorHandler, type ErrorReporter } from './error-handler.js';
import type { TaskBase, TaskBuildContext } from './task-base.js';

export interface TaskErrorHandling {
  readonly errors: ErrorHandler;
  /** closes the dead letter queue's producer, if there is one */
  readonly close: () => Promise<void>;
}

export function buildTaskErrorHandling(ctx: TaskBuildContext, base: TaskBase): TaskErrorHandling {
  const { parsed, metrics } = base;
  const { log } = ctx;
  const reporters: ErrorReporter[] = [];
  let dlq: DeadLetterQueueReporter | undefined;
  const dlqTopic =
    ctx.connector.type === 'sink' ? String(parsed['errors.deadletterqueue.topic.name'] ?? '').trim() : '';
  if (dlqTopic) {
    const kafka = createKafka({ clientId: `${base.clientId}-dlq`, props: ctx.clientProps('producer'), logger: log });
    dlq = new DeadLetterQueueReporter({
      topic: dlqTopic,
      replicationFactor: Number(parsed['errors.deadletterqueue.topic.replication.factor']),
      contextHeaders: parsed['errors.deadletterqueue.context.headers.enable'] === true,
      producer: kafka.producer(),
      admin: kafka.admin(),
      id: ctx.id,
      metrics,
    });
    reporters.push(dlq);
  }
  return {
    errors: ErrorHandler.fromConfig(parsed, log, reporters, (k) => metrics.error(k)),
    close: async () => dlq?.close(),
  };
}
