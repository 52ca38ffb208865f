// Sink loop (Kafka's WorkerSinkTask): fetch, convert, transform, put; commit
// consumer offsets only for what the task has flushed (at-least-once). A
// Kafka outage is not a task failure: kafkajs's consumer reconnects by
// itself, and a commit that fails for it is tried again at the next flush.
import type { Consumer, EachBatchPayload, KafkaMessage, IHeaders } from 'kafkajs';
import type { Header, SchemaAndValue, SinkRecord, SinkTask, TopicPartition } from '../sdk/index.js';
import type { ConverterSet } from './converters.js';
import type { TaskTargetState } from './task-status.js';
import { SKIPPED, type ErrorContext, type Stage } from './error-handler.js';
import { isKafkaOutage } from '../kafka/errors.js';
import { OutageRetry } from './outage-retry.js';
import { WorkerTask, type TaskDeps } from './worker-task.js';

export interface SinkTaskDeps extends TaskDeps {
  readonly task: SinkTask;
  readonly consumer: Consumer;
  /** explicit topics, or a regex (kafkajs matches it against existing topics at subscribe time) */
  readonly topics: string[] | RegExp;
  /**
   * Removes members from the task's consumer group: those of a dead earlier
   * instance of this task (same client id) when called without ids, else the
   * given member ids. Returns the ids removed. See kafka/group-members.ts.
   */
  readonly removeGroupMembers?: (memberIds?: readonly string[]) => Promise<string[]>;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * The sink's consumer group is rebalancing (another task of the connector
 * joined or left): a matter for the consumer, not a task failure. kafkajs
 * rejoins when such an error leaves eachBatch; a commit refused for it is
 * retried at the next flush (or the records are read again: at least once).
 */
const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  // kafkajs's names for Kafka's NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE and
  // COORDINATOR_LOAD_IN_PROGRESS (codes 16, 15, 14): the coordinator moved, e.g. its broker restarted.
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
]);
export function isGroupRebalance(err: unknown): boolean {
  // kafkajs's retrier wraps what it gives up on (KafkaJSNonRetriableError,
  // KafkaJSNumberOfRetriesExceeded) with the broker's error as the cause: a
  // commit refused with UNKNOWN_MEMBER_ID after a partition arrives wrapped.
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (REBALANCE_ERRORS.has(String((e as { type?: unknown }).type ?? ''))) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/**
 * The group's coordinator moved (its broker restarted or lost leadership of
 * the group's __consumer_offsets partition). kafkajs 2.2.4 keeps the
 * coordinator it found at the last join for its commits: they are refused
 * with NOT_COORDINATOR_FOR_GROUP until the consumer joins again, and its own
 * rejoin was seen to take minutes (the chaos run). The task restarts its
 * consumer instead, which finds the coordinator afresh.
 */
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE']);
export function isCoordinatorMoved(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (COORDINATOR_MOVED.has(String((e as { type?: unknown }).type ?? ''))) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

export class WorkerSinkTask extends WorkerTask {
  /** next offset to consume per partition, for what put() has received */
  private readonly current = new Map<string, { tp: TopicPartition; offset: number }>();
  private readonly committed = new Map<string, number>();
  private lastCommit = Date.now();
  private fatal: unknown;
  private lock: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;
  private commitRequested = false;
  private retryAfterMs = 0;
  private assignment: TopicPartition[] = [];
  private readonly topicsSeen = new Set<string>();
  private stopSignal: (() => void) | undefined;
  /** the member id of the consumer's last join, left behind when kafkajs restarts the consumer */
  private memberId: string | undefined;
  /** set while the consumer is restarted after its coordinator moved */
  private consumerRestart: Promise<void> | undefined;

  constructor(private readonly deps: SinkTaskDeps) {
    super(deps.id, deps.initialState, deps.status, deps.log);
  }

  protected async initializeAndStart(): Promise<void> {
    const { consumer, task, taskConfig } = this.deps;
    const outage = new OutageRetry({ log: this.log, stopping: () => this.stopping, sleep: (ms) => this.sleep(ms) });
    await outage.run('connect the consumer', () => consumer.connect());
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.memberId = e.payload.memberId;
      void this.onAssignment(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) return this.fail(e.payload.error);
      // kafkajs rejoins under a new member id: take the old one out, or the join waits for its session to end.
      const previous = this.memberId;
      this.memberId = undefined;
      if (previous) void this.removeMembers([previous]);
    });
    await task.start(taskConfig, {
      configs: taskConfig,
      offset: (offsets) => {
        for (const [tp, offset] of offsets)
          consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
      },
      timeout: (ms) => (this.retryAfterMs = ms),
      assignment: () => [...this.assignment],
      pause: (...tps) => consumer.pause(groupByTopic(tps)),
      resume: (...tps) => consumer.resume(groupByTopic(tps)),
      requestCommit: () => (this.commitRequested = true),
      errantRecordReporter: async (record, error) => {
        await this.deps.errors.tolerate(
          { stage: 'TASK_PUT', className: task.constructor.name, record, consumed: this.consumedOf(record) },
          error,
        );
      },
    });
  }

  protected async execute(): Promise<void> {
    if (!(await this.subscribe())) return;
    // A dead earlier instance of this task (SIGKILL, lost pod) would hold up our join for its session timeout.
    await this.removeMembers();
    await this.runConsumer();
    this.commitTimer = setInterval(
      () => {
        if (this.commitRequested || Date.now() - this.lastCommit >= this.deps.offsetFlushIntervalMs) {
          void this.withLock(() => this.commit()).catch((err: unknown) => this.fail(err));
        }
      },
      Math.min(1000, this.deps.offsetFlushIntervalMs),
    );
    await new Promise<void>((resolve) => {
      this.stopSignal = resolve;
      if (this.stopping || this.fatal) resolve();
    });
    if (this.fatal) throw this.fatal;
  }

  private async runConsumer(): Promise<void> {
    await this.deps.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.withLock(() => this.onBatch(payload)),
    });
    if (this.paused) this.onTargetStateChange('PAUSED');
  }

  /**
   * Stops the consumer and runs it again (isCoordinatorMoved): it joins at
   * the group's new coordinator and goes on from the committed offsets (the
   * records delivered since come again: at least once). Not under the lock:
   * stopping waits for the batch in progress, which may wait for the lock.
   */
  private restartConsumer(err: unknown): void {
    if (this.consumerRestart || this.stopping || this.fatal) return;
    this.log.warn("The consumer group's coordinator moved; restarting the consumer", {
      error: (err as Error).message,
    });
    this.consumerRestart = (async () => {
      const previous = this.memberId;
      this.memberId = undefined;
      await this.deps.consumer.stop();
      if (this.stopping) return;
      // Our old member would hold up the join at the new coordinator until its session ends.
      if (previous) await this.removeMembers([previous]);
      if (this.stopping) return;
      await this.runConsumer();
    })()
      .catch((e: unknown) => this.fail(e))
      .finally(() => (this.consumerRestart = undefined));
  }

  /**
   * Subscribes, waiting for topics that do not exist yet (a sink is often
   * created before its source): Kafka's consumer waits the same way.
   * Returns false when the task was stopped while waiting.
   */
  private async subscribe(): Promise<boolean> {
    const topics = Array.isArray(this.deps.topics) ? this.deps.topics : [this.deps.topics];
    let delay = 250;
    for (;;) {
      try {
        await this.deps.consumer.subscribe({ topics, fromBeginning: true });
        return true;
      } catch (err) {
        if (
          (err as { retriable?: boolean }).retriable !== true &&
          (err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION'
        )
          throw err;
        if (this.stopping) return false;
        this.log.debug('Waiting for topics to exist', { topics: topics.map(String), error: (err as Error).message });
        await this.sleep(delay);
        delay = Math.min(delay * 2, 5000);
        if (this.stopping) return false;
      }
    }
  }

  /**
   * Removes stale members from the group (best effort: a failure only means
   * the join waits for their sessions to end, as without this). Retried while
   * Kafka is away, e.g. right after a crash of the consumer.
   */
  private async removeMembers(memberIds?: readonly string[]): Promise<void> {
    const remove = this.deps.removeGroupMembers;
    if (!remove) return;
    const outage = new OutageRetry({ log: this.log, stopping: () => this.stopping, sleep: (ms) => this.sleep(ms) });
    try {
      const removed = await outage.run('remove stale group members', () => remove(memberIds));
      if (removed.length > 0) this.log.info('Removed stale members from the consumer group', { members: removed });
    } catch (err) {
      this.log.warn('Could not remove stale consumer group members', { error: (err as Error).message });
    }
  }

  protected override onTargetStateChange(state: TaskTargetState): void {
    const topics = this.subscribedTopics().map((topic) => ({ topic }));
    if (topics.length === 0) return;
    if (state === 'PAUSED') {
      this.deps.consumer.pause(topics);
      this.status.paused();
    } else {
      this.deps.consumer.resume(topics);
      this.status.resumed();
    }
  }

  protected override onStopRequested(): void {
    this.stopSignal?.();
  }

  private fail(err: unknown): void {
    this.fatal ??= err;
    this.stopSignal?.();
  }

  private subscribedTopics(): string[] {
    if (Array.isArray(this.deps.topics)) return this.deps.topics;
    return [...new Set(this.assignment.map((tp) => tp.topic))];
  }

  private withLock<T>(op: () => Promise<T>): Promise<T> {
    const run = this.lock.then(op);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Errors never escape to kafkajs: it would retry the batch and restart the
   * consumer, while Kafka Connect fails the task and keeps its last commit.
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    try {
      await this.processBatch(payload);
    } catch (err) {
      if (this.stopping) return this.fail(err);
      // The coordinator moved: the consumer starts again (the batch comes again from the last commit).
      if (isCoordinatorMoved(err)) return this.restartConsumer(err);
      // A rebalance of the sink's group, or Kafka away (a heartbeat to a broker that restarted), goes
      // back to kafkajs, which rejoins or restarts the consumer; the records not committed come again
      // (at least once). Only other errors fail the task.
      if (isGroupRebalance(err) || isKafkaOutage(err)) throw err;
      this.fail(err);
    }
  }

  private async processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.fatal || this.stopping || !isRunning() || isStale()) return;
    const { metrics } = this.deps;
    const records: SinkRecord[] = [];
    for (const message of batch.messages) {
      let record = this.toSinkRecord(batch.topic, batch.partition, message);
      // A Promise only while a failure is being handled: the happy path costs no microtask per record.
      if (record instanceof Promise) record = await record;
      if (record !== SKIPPED && record !== null) records.push(record);
    }
    metrics.readTotal += batch.messages.length;
    metrics.clientBytes += batchBytes(batch.messages);
    metrics.readRate.record(batch.messages.length);
    if (!this.topicsSeen.has(batch.topic)) {
      this.topicsSeen.add(batch.topic);
      this.deps.onTopicUsed?.(batch.topic);
    }
    await this.put(records);
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      resolveOffset(last.offset);
      this.current.set(tpKey(batch.topic, batch.partition), {
        tp: { topic: batch.topic, partition: batch.partition },
        offset: Number(last.offset) + 1,
      });
    }
    metrics.sendTotal += records.length;
    metrics.sendRate.record(records.length);
    metrics.batch(records.length);
    await heartbeat();
    if (this.commitRequested || Date.now() - this.lastCommit >= this.deps.offsetFlushIntervalMs) await this.commit();
  }

  /** put(), retrying the same batch while the task asks for it with a RetriableError. */
  private async put(records: SinkRecord[]): Promise<void> {
    for (;;) {
      try {
        await this.deps.task.put(records);
        return;
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true || this.stopping) throw err;
        this.deps.metrics.retries++;
        this.log.warn('RetriableError from put(); will retry the same records', { error: (err as Error).message });
        await this.sleep(this.retryAfterMs || 300);
        this.retryAfterMs = 0;
      }
    }
  }

  /** The Connect form of a consumed message; a Promise only when a failure is being handled (it resolves to SKIPPED). */
  private toSinkRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): SinkRecord | null | typeof SKIPPED | Promise<typeof SKIPPED> {
    const { converters, errors, transforms } = this.deps;
    // The happy path allocates no error contexts or closures: they are built only when a stage throws.
    const failed = (stage: Stage, className: string, err: unknown, record?: SinkRecord) =>
      errors.executeSync({ stage, className, record, consumed: consumedMessage(topic, partition, message) }, () => {
        throw err;
      });
    let key: SchemaAndValue;
    try {
      key = converters.key.toConnectData(topic, message.key);
    } catch (err) {
      return failed('KEY_CONVERTER', converters.keyClass, err);
    }
    let value: SchemaAndValue;
    try {
      value = converters.value.toConnectData(topic, message.value);
    } catch (err) {
      return failed('VALUE_CONVERTER', converters.valueClass, err);
    }
    let headers: Header[] | undefined;
    if (message.headers && hasKeys(message.headers)) {
      try {
        headers = toConnectHeaders(converters, topic, message.headers);
      } catch (err) {
        return failed('HEADER_CONVERTER', converters.headerClass, err);
      }
    }
    const offset = Number(message.offset);
    const record: SinkRecord = {
      topic,
      kafkaPartition: partition,
      kafkaOffset: offset,
      keySchema: key.schema,
      key: key.value,
      valueSchema: value.schema,
      value: value.value,
      timestamp: Number(message.timestamp),
      timestampType: 'CreateTime',
      headers,
      originalTopic: topic,
      originalKafkaPartition: partition,
      originalKafkaOffset: offset,
    };
    if (transforms.size === 0) return record;
    try {
      return transforms.apply(record);
    } catch (err) {
      return failed('TRANSFORMATION', 'TransformationChain', err, record);
    }
  }

  /** The original consumed bytes of a record, re-encoded for the DLQ (the task only has the Connect form). */
  private consumedOf(record: SinkRecord): ErrorContext['consumed'] {
    const { converters } = this.deps;
    const topic = record.originalTopic ?? record.topic;
    return {
      topic,
      partition: record.originalKafkaPartition ?? record.kafkaPartition,
      offset: String(record.originalKafkaOffset ?? record.kafkaOffset),
      key: safe(() => converters.key.fromConnectData(topic, record.keySchema, record.key)),
      value: safe(() => converters.value.fromConnectData(topic, record.valueSchema, record.value)),
    };
  }

  /** preCommit (default: flush) then commit what the task says is safe. */
  private async commit(): Promise<void> {
    this.lastCommit = Date.now();
    this.commitRequested = false;
    const offsets = new Map<TopicPartition, number>();
    for (const { tp, offset } of this.current.values()) offsets.set(tp, offset);
    if (offsets.size === 0) return;
    const started = Date.now();
    const { task, consumer, metrics } = this.deps;
    let toCommit: Map<TopicPartition, number>;
    try {
      if (task.preCommit) toCommit = await task.preCommit(offsets);
      else {
        await task.flush?.(offsets);
        toCommit = offsets;
      }
    } catch (err) {
      metrics.offsetCommit(Date.now() - started, false);
      this.log.error('Commit of offsets threw an unexpected exception', { error: (err as Error).message });
      return;
    }
    const changed = [...toCommit].filter(
      ([tp, offset]) => this.committed.get(tpKey(tp.topic, tp.partition)) !== offset,
    );
    if (changed.length === 0) {
      metrics.offsetCommitSkipTotal++;
      return;
    }
    try {
      await consumer.commitOffsets(
        changed.map(([tp, offset]) => ({ topic: tp.topic, partition: tp.partition, offset: String(offset) })),
      );
    } catch (err) {
      if (!isGroupRebalance(err) && !isKafkaOutage(err)) throw err;
      if (isCoordinatorMoved(err)) this.restartConsumer(err);
      metrics.offsetCommit(Date.now() - started, false);
      this.log.debug('Offset commit refused during a group rebalance or a Kafka outage; retried at the next flush', {
        error: (err as Error).message,
      });
      this.commitRequested = true;
      return;
    }
    for (const [tp, offset] of changed) this.committed.set(tpKey(tp.topic, tp.partition), offset);
    metrics.offsetCommitSeqNo++;
    metrics.offsetCommitCompletionTotal++;
    metrics.offsetCommit(Date.now() - started, true);
  }

  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    const next: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) next.push({ topic, partition });
    const has = (list: TopicPartition[], tp: TopicPartition) =>
      list.some((x) => x.topic === tp.topic && x.partition === tp.partition);
    const revoked = this.assignment.filter((tp) => !has(next, tp));
    const added = next.filter((tp) => !has(this.assignment, tp));
    this.assignment = next;
    this.deps.metrics.partitionCount = next.length;
    await this.withLock(async () => {
      if (revoked.length) {
        for (const tp of revoked) this.current.delete(tpKey(tp.topic, tp.partition));
        await this.deps.task.close?.(revoked);
      }
      if (added.length) await this.deps.task.open?.(added);
      if (this.paused) this.onTargetStateChange('PAUSED');
    }).catch((err: unknown) => this.fail(err));
  }

  protected async close(): Promise<void> {
    clearInterval(this.commitTimer);
    const { consumer, task } = this.deps;
    try {
      // Commit while the consumer still runs (a stopped kafkajs consumer
      // cannot commit); `stopping` already keeps new batches out.
      await this.consumerRestart; // a restart in progress ends first (it stops at `stopping`)
      if (!this.fatal)
        await this.withLock(() => this.commit()).catch((err: unknown) =>
          this.log.warn('Final commit failed', { error: (err as Error).message }),
        );
      await consumer.stop();
      await task.close?.(this.assignment);
      await task.stop();
    } finally {
      this.deps.transforms.close();
      await consumer.disconnect().catch(() => undefined);
    }
  }
}

function safe(op: () => Buffer | null): Buffer | null {
  try {
    return op();
  } catch {
    return null;
  }
}

function groupByTopic(tps: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const m = new Map<string, number[]>();
  for (const tp of tps) m.set(tp.topic, [...(m.get(tp.topic) ?? []), tp.partition]);
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}

function consumedMessage(topic: string, partition: number, message: KafkaMessage): ErrorContext['consumed'] {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: flatHeaders(message.headers),
  };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function flatHeaders(headers: IHeaders | undefined): Record<string, Buffer | string | undefined> | undefined {
  if (!headers) return undefined;
  const out: Record<string, Buffer | string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}

function toConnectHeaders(converters: ConverterSet, topic: string, headers: IHeaders): Header[] {
  const out: Header[] = [];
  for (const [key, raw] of Object.entries(headers)) {
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      const bytes = v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
      const { schema, value } = converters.header.toConnectHeader(topic, key, bytes);
      out.push({ key, schema, value });
    }
  }
  return out;
}

/** Bytes of the records' keys, values and headers (kafka_consumer_incoming_byte_total's stand-in). */
function batchBytes(messages: readonly KafkaMessage[]): number {
  let n = 0;
  for (const m of messages) {
    n += (m.key?.length ?? 0) + (m.value?.length ?? 0);
    if (m.headers) for (const [k, v] of Object.entries(m.headers)) n += k.length + (v ? String(v).length : 0);
  }
  return n;
}
