// The sink dead letter queue (KIP-298): failed records' original bytes go to
// a topic, with __connect.errors.* headers describing the failure if enabled.
import { maskSecrets } from '../util/secret-mask.js';
import type { Admin, Producer } from 'kafkajs';
import type { ErrorContext, ErrorReporter } from './error-handler.js';
import type { TaskId } from '../vocabulary/task-id.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import { createTopicsAndWait } from '../kafka/topics.js';

export interface DeadLetterQueueOptions {
  readonly topic: string;
  readonly replicationFactor: number;
  readonly contextHeaders: boolean;
  readonly producer: Producer;
  readonly admin: Admin;
  readonly id: TaskId;
  readonly metrics: TaskMetrics;
}

const PREFIX = '__connect.errors.';

export class DeadLetterQueueReporter implements ErrorReporter {
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: DeadLetterQueueOptions) {}

  async report(context: ErrorContext, error: Error): Promise<void> {
    const consumed = context.consumed;
    if (!consumed) return; // only records read from Kafka have bytes to dead-letter
    this.ready ??= this.prepare();
    await this.ready;
    const headers: Record<string, Buffer | string> = {};
    for (const [k, v] of Object.entries(consumed.headers ?? {})) if (v !== undefined) headers[k] = v;
    if (this.opts.contextHeaders) {
      Object.assign(headers, {
        [`${PREFIX}topic`]: consumed.topic,
        [`${PREFIX}partition`]: String(consumed.partition),
        [`${PREFIX}offset`]: consumed.offset,
        [`${PREFIX}connector.name`]: this.opts.id.connector,
        [`${PREFIX}task.id`]: String(this.opts.id.task),
        [`${PREFIX}stage`]: context.stage,
        [`${PREFIX}class.name`]: context.className,
        [`${PREFIX}exception.class.name`]: error.name,
        [`${PREFIX}exception.message`]: maskSecrets(error.message),
        [`${PREFIX}exception.stacktrace`]: maskSecrets(error.stack ?? error.message),
      });
    }
    // What the task said about the refusal (RecordRejectedError), e.g. an HTTP status and body.
    const described = (error as { deadLetterHeaders?: unknown }).deadLetterHeaders;
    if (described && typeof described === 'object')
      for (const [k, v] of Object.entries(described)) if (typeof v === 'string') headers[k] = v;
    this.opts.metrics.dlqRequests++;
    try {
      await this.opts.producer.send({
        topic: this.opts.topic,
        acks: -1,
        messages: [{ key: consumed.key, value: consumed.value, headers }],
      });
    } catch (err) {
      this.opts.metrics.dlqFailures++;
      throw err;
    }
  }

  private async prepare(): Promise<void> {
    await this.opts.producer.connect();
    await this.opts.admin.connect();
    try {
      const existing = await this.opts.admin.listTopics();
      if (!existing.includes(this.opts.topic)) {
        await createTopicsAndWait(this.opts.admin, [
          { topic: this.opts.topic, numPartitions: 1, replicationFactor: this.opts.replicationFactor },
        ]);
      }
    } finally {
      await this.opts.admin.disconnect();
    }
  }

  async close(): Promise<void> {
    if (this.ready) await this.opts.producer.disconnect().catch(() => undefined);
  }
}
