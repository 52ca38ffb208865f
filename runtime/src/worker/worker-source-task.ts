// Source loop (Kafka's WorkerSourceTask): poll, transform, convert, produce,
// and commit source offsets only for records Kafka acknowledged.
import type { Producer, Message } from 'kafkajs';
import type { SourceOffset, SourcePartition, SourceRecord, SourceTask, Header } from '../sdk/index.js';
import type { OffsetStore } from '../storage/offset-store.js';
import { canonicalJson } from '../util/json.js';
import type { Logger } from '../util/logging.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import type { ConverterSet } from './converters.js';
import { ErrorHandler, SKIPPED } from './error-handler.js';
import type { TaskId, TaskStatusListener, TaskTargetState } from './task-status.js';
import type { TransformationChain } from './transformation-chain.js';
import { WorkerTask } from './worker-task.js';

export interface SourceTaskDeps {
  readonly id: TaskId;
  readonly initialState: TaskTargetState;
  readonly task: SourceTask;
  readonly taskConfig: Record<string, string>;
  readonly producer: Producer;
  readonly offsets: OffsetStore;
  readonly converters: ConverterSet;
  readonly transforms: TransformationChain;
  readonly errors: ErrorHandler;
  readonly metrics: TaskMetrics;
  readonly status: TaskStatusListener;
  readonly log: Logger;
  readonly offsetFlushIntervalMs: number;
  /** topics this task wrote to (topic tracking) */
  readonly onTopicUsed?: (topic: string) => void;
}

export class WorkerSourceTask extends WorkerTask {
  /** acknowledged offsets not yet written to the store, by canonical partition */
  private pending = new Map<string, { partition: SourcePartition; offset: SourceOffset }>();
  private lastFlush = Date.now();
  private readonly topicsSeen = new Set<string>();

  constructor(private readonly deps: SourceTaskDeps) {
    super(deps.id, deps.initialState, deps.status, deps.log);
  }

  protected async initializeAndStart(): Promise<void> {
    const { offsets, id } = this.deps;
    await this.deps.producer.connect();
    await this.deps.task.start(this.deps.taskConfig, {
      configs: this.deps.taskConfig,
      offsetStorageReader: {
        offset: async (partition) => (await offsets.get(id.connector, [partition]))[0] ?? null,
        offsets: async (partitions) => {
          const values = await offsets.get(id.connector, partitions);
          return new Map(partitions.map((p, i) => [p, values[i] ?? null]));
        },
      },
    });
  }

  protected async execute(): Promise<void> {
    while (!this.stopping) {
      if (this.paused) {
        await this.flushOffsets();
        this.status.paused();
        if (!(await this.awaitUnpause())) break;
        this.status.resumed();
        continue;
      }
      if (Date.now() - this.lastFlush >= this.deps.offsetFlushIntervalMs) await this.flushOffsets();
      const records = await this.deps.errors.execute(
        { stage: 'TASK_POLL', className: this.deps.task.constructor.name },
        () => this.deps.task.poll(),
      );
      if (records === SKIPPED || !records || records.length === 0) {
        // Let timers and I/O run even if a task returns empty polls in a tight loop.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await this.sendRecords(records);
    }
  }

  private async sendRecords(records: SourceRecord[]): Promise<void> {
    const { metrics, transforms, errors } = this.deps;
    metrics.pollTotal += records.length;
    metrics.pollRate.record(records.length);
    metrics.batch(records.length);
    const byTopic = new Map<string, Message[]>();
    const kept: SourceRecord[] = [];
    const dropped: SourceRecord[] = [];
    for (const original of records) {
      const transformed =
        transforms.size === 0
          ? original
          : await errors.executeSync(
              { stage: 'TRANSFORMATION', className: 'TransformationChain', record: original },
              () => transforms.apply(original),
            );
      if (transformed === null || transformed === SKIPPED) {
        dropped.push(original);
        continue;
      }
      const message = await this.convert(transformed);
      if (message === SKIPPED) {
        dropped.push(original);
        continue;
      }
      let list = byTopic.get(transformed.topic);
      if (!list) byTopic.set(transformed.topic, (list = []));
      list.push(message);
      kept.push(original);
    }
    if (byTopic.size > 0) {
      await errors.execute({ stage: 'KAFKA_PRODUCE', className: 'Producer' }, () =>
        this.deps.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        }),
      );
      for (const topic of byTopic.keys()) {
        if (!this.topicsSeen.has(topic)) {
          this.topicsSeen.add(topic);
          this.deps.onTopicUsed?.(topic);
        }
      }
    }
    metrics.writeTotal += kept.length;
    metrics.writeRate.record(kept.length);
    // Everything in this batch is acknowledged (or deliberately skipped): its offsets may be committed.
    for (const r of records) {
      if (r.sourcePartition && r.sourceOffset) {
        this.pending.set(canonicalJson(r.sourcePartition), { partition: r.sourcePartition, offset: r.sourceOffset });
      }
    }
    const task = this.deps.task;
    if (task.commitRecord) {
      for (const r of kept) await task.commitRecord(r, null);
      for (const r of dropped) await task.commitRecord(r, null);
    }
  }

  private async convert(record: SourceRecord): Promise<Message | typeof SKIPPED> {
    const { converters, errors } = this.deps;
    const topic = record.topic;
    const key = await errors.executeSync({ stage: 'KEY_CONVERTER', className: converters.keyClass, record }, () =>
      converters.key.fromConnectData(topic, record.keySchema, record.key, record.headers),
    );
    if (key === SKIPPED) return SKIPPED;
    const value = await errors.executeSync({ stage: 'VALUE_CONVERTER', className: converters.valueClass, record }, () =>
      converters.value.fromConnectData(topic, record.valueSchema, record.value, record.headers),
    );
    if (value === SKIPPED) return SKIPPED;
    let headers: Record<string, Buffer> | undefined;
    if (record.headers && record.headers.length > 0) {
      const converted = await errors.executeSync(
        { stage: 'HEADER_CONVERTER', className: converters.headerClass, record },
        () => convertHeaders(this.deps.converters, topic, record.headers!),
      );
      if (converted === SKIPPED) return SKIPPED;
      headers = converted;
    }
    return {
      key,
      value,
      headers,
      partition: record.kafkaPartition ?? undefined,
      timestamp: record.timestamp != null ? String(record.timestamp) : undefined,
    };
  }

  /** Writes acknowledged offsets to the store, then tells the task (Kafka's commitOffsets). */
  async flushOffsets(): Promise<void> {
    this.lastFlush = Date.now();
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const started = Date.now();
    try {
      await this.deps.offsets.set(this.deps.id.connector, batch);
      this.deps.metrics.offsetCommit(Date.now() - started, true);
      await this.deps.task.commit?.();
    } catch (err) {
      this.deps.metrics.offsetCommit(Date.now() - started, false);
      // Put them back (newer offsets win) so the next flush retries.
      for (const e of batch) {
        const k = canonicalJson(e.partition);
        if (!this.pending.has(k)) this.pending.set(k, e);
      }
      this.log.error('Failed to commit source offsets', { error: (err as Error).message });
    }
  }

  protected async close(): Promise<void> {
    try {
      await this.deps.task.stop();
    } finally {
      await this.flushOffsets();
      this.deps.transforms.close();
      await this.deps.producer.disconnect().catch(() => undefined);
    }
  }
}

function convertHeaders(converters: ConverterSet, topic: string, headers: readonly Header[]): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const h of headers) {
    const bytes = converters.header.fromConnectHeader(topic, h.key, h.schema, h.value);
    if (bytes) out[h.key] = bytes;
  }
  return out;
}
