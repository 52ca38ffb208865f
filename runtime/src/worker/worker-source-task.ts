// Source loop (Kafka's WorkerSourceTask): poll, transform, convert, produce,
// and commit source offsets only for records Kafka acknowledged. With
// exactly-once support (Kafka's ExactlyOnceWorkerSourceTask, KIP-618) the
// records and their source offsets go to Kafka in one transaction instead.
// A Kafka outage never fails the task: the batch in flight is sent again
// until Kafka is back (outage-retry.ts); errors.tolerance decides only for
// records Kafka refuses. Offsets are written in the background, so a slow
// or failing offset store never holds up the records.
import type { Producer, Message, Transaction } from 'kafkajs';
import type { SourceOffset, SourcePartition, SourceRecord, SourceTask, Header } from '../sdk/index.js';
import { offsetKey, offsetValue, type OffsetStore } from '../storage/offset-store.js';
import { canonicalJson } from '../util/json.js';
import type { Logger } from '../util/logging.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import type { ConverterSet } from './converters.js';
import { ErrorHandler, SKIPPED } from './error-handler.js';
import { produceChunks } from './produce-chunks.js';
import type { TaskId, TaskStatusListener, TaskTargetState } from './task-status.js';
import type { TransformationChain } from './transformation-chain.js';
import { OutageRetry, StoppedDuringOutageError } from './outage-retry.js';
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
  /** exactly-once delivery: `producer` is transactional and the offsets go into its transactions */
  readonly transactions?: SourceTaskTransactions;
}

/** How an exactly-once source task commits (KIP-618). */
export interface SourceTaskTransactions {
  /** the producer's transactional.id, `<group.id>-<connector>-<task>` */
  readonly transactionalId: string;
  /** the topic the offsets are written to (the worker's offset.storage.topic), in the offset store's format */
  readonly offsetsTopic: string;
  /** `transaction.boundary`: commit after every poll, or every `intervalMs` */
  readonly boundary: 'poll' | 'interval';
  readonly intervalMs: number;
  /**
   * Reads the offset topic to its end. Called once the producer has fenced
   * out older instances of the task, so that what they committed before is
   * what this instance starts from.
   */
  readonly readOffsetsToEnd: () => Promise<void>;
}

/** Kafka's answer to a producer whose transactional id a newer instance took over (or whose transaction timed out). */
export function isFencedError(err: unknown): boolean {
  const e = err as { type?: string; code?: number } | undefined;
  // INVALID_PRODUCER_EPOCH (47) for the request versions kafkajs speaks; PRODUCER_FENCED (90) for newer ones.
  return e?.type === 'INVALID_PRODUCER_EPOCH' || e?.type === 'PRODUCER_FENCED' || e?.code === 47 || e?.code === 90;
}

/** A task instance that lost its transactional id to a newer one: it must stop and never write again. */
export class ProducerFencedError extends Error {
  constructor(id: TaskId, transactionalId: string, cause: unknown) {
    super(
      `Task ${id.connector}-${id.task} was fenced out: transactional id '${transactionalId}' was taken over by a ` +
        `newer instance of the task or by the fencing of its task generation (or its transaction timed out); ` +
        `its open transaction is discarded`,
      { cause },
    );
    this.name = 'ProducerFencedException';
  }
}

/**
 * At most this many records go in one produce request; a bigger poll is sent
 * in parts. kafkajs holds a request's messages and its encoded copies until
 * the ack, so its size is what stays alive (and gets promoted by the GC): with
 * 1000 instead of FileStreamSource's 2000 the source's peak RSS fell from
 * ~210 to ~130 MB, and it was faster.
 */
const MAX_RECORDS_PER_SEND = 1000;

/** Records of one poll (or part of one), converted and ready to produce. */
interface PreparedBatch {
  readonly byTopic: Map<string, Message[]>;
  /** the newest offset of each source partition in the batch, by canonical partition */
  readonly offsets: Map<string, PendingOffset>;
  readonly keptCount: number;
  /** the records produced and those skipped: only filled for a task with commitRecord */
  readonly kept: SourceRecord[];
  readonly dropped: SourceRecord[];
}

interface PendingOffset {
  readonly partition: SourcePartition;
  readonly offset: SourceOffset;
}

export class WorkerSourceTask extends WorkerTask {
  /** acknowledged offsets not yet written to the store, by canonical partition */
  private pending = new Map<string, PendingOffset>();
  private lastFlush = Date.now();
  private readonly topicsSeen = new Set<string>();
  /** exactly-once: the open transaction, the offsets and records it covers */
  private txn: Transaction | undefined;
  private txnOffsets = new Map<string, PendingOffset>();
  private txnRecords: SourceRecord[] = [];
  private txnStartedAt = 0;
  private txnHasData = false;
  private fenced = false;
  /** the offset write in progress, if any (at most one at a time) */
  private flushing: Promise<void> | undefined;
  private readonly outage: OutageRetry;

  constructor(private readonly deps: SourceTaskDeps) {
    super(deps.id, deps.initialState, deps.status, deps.log);
    this.outage = new OutageRetry({ log: deps.log, stopping: () => this.stopping, sleep: (ms) => this.sleep(ms) });
  }

  /** Outages this task rode out (a new one starts when a send fails after a success). */
  get outagesRiddenOut(): number {
    return this.outage.outages;
  }

  protected async initializeAndStart(): Promise<void> {
    const { offsets, id, transactions } = this.deps;
    await this.outage.run('connect the producer', () => this.deps.producer.connect());
    if (transactions) {
      // The first transaction initialises the transactional id (InitProducerId): that bumps its
      // epoch, so an older instance still running elsewhere can no longer write or commit, and
      // the coordinator aborts whatever transaction it left open. Only then are the offsets read.
      this.txn = await this.transactional(() => this.deps.producer.transaction());
      await transactions.readOffsetsToEnd();
    }
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
    if (this.deps.transactions) return this.executeTransactional(this.deps.transactions);
    // The batch being produced. The next one is polled and converted while it
    // is in flight, but sent only once it is acknowledged: one produce request
    // at a time, as Kafka Connect's max.in.flight.requests.per.connection=1,
    // so a retried request can never land after a later one.
    let inFlight: Promise<void> | null = null;
    try {
      while (!this.stopping) {
        if (this.paused) {
          await inFlight;
          inFlight = null;
          await this.flushing;
          await this.flushOffsets();
          this.status.paused();
          if (!(await this.awaitUnpause())) break;
          this.status.resumed();
          continue;
        }
        if (Date.now() - this.lastFlush >= this.deps.offsetFlushIntervalMs) void this.flushOffsets();
        const records = await this.deps.errors.execute(
          { stage: 'TASK_POLL', className: this.deps.task.constructor.name },
          () => this.deps.task.poll(),
        );
        if (records === SKIPPED || !records || records.length === 0) {
          // Let timers and I/O run even if a task returns empty polls in a tight loop.
          await new Promise((r) => setImmediate(r));
          continue;
        }
        const { metrics } = this.deps;
        metrics.pollTotal += records.length;
        metrics.pollRate.record(records.length);
        metrics.batch(records.length);
        for (let i = 0; i < records.length; i += MAX_RECORDS_PER_SEND) {
          const batch = await this.prepare(records.slice(i, i + MAX_RECORDS_PER_SEND));
          await inFlight;
          inFlight = this.send(batch);
          // Marks the rejection handled while we prepare and poll; the `await` above still throws it.
          inFlight.catch(() => undefined);
        }
      }
    } catch (err) {
      // Still wait for the batch in flight, so that close() can commit its offsets.
      await inFlight?.catch(() => undefined);
      // Stopped while Kafka was away: what was not acknowledged is sent again by the next start.
      if (err instanceof StoppedDuringOutageError) return;
      throw err;
    }
    try {
      await inFlight;
    } catch (err) {
      if (!(err instanceof StoppedDuringOutageError)) throw err;
    }
  }

  /** Transforms and converts one poll's records, grouping the messages by topic. */
  private async prepare(records: SourceRecord[]): Promise<PreparedBatch> {
    const { transforms, errors } = this.deps;
    const byTopic = new Map<string, Message[]>();
    // Only a task with commitRecord needs the records back after the ack; else
    // they are let go here, young, rather than held while the batch is in flight.
    const commitRecords = this.deps.task.commitRecord !== undefined;
    const kept: SourceRecord[] = [];
    const dropped: SourceRecord[] = [];
    let keptCount = 0;
    for (const original of records) {
      // executeSync returns a Promise only while handling a failure: awaiting
      // just then spares the happy path a microtask per record.
      let transformed =
        transforms.size === 0
          ? original
          : errors.executeSync({ stage: 'TRANSFORMATION', className: 'TransformationChain', record: original }, () =>
              transforms.apply(original),
            );
      if (transformed instanceof Promise) transformed = await transformed;
      if (transformed === null || transformed === SKIPPED) {
        if (commitRecords) dropped.push(original);
        continue;
      }
      let message = this.convert(transformed);
      if (message instanceof Promise) message = await message;
      if (message === SKIPPED) {
        if (commitRecords) dropped.push(original);
        continue;
      }
      let list = byTopic.get(transformed.topic);
      if (!list) byTopic.set(transformed.topic, (list = []));
      list.push(message);
      keptCount++;
      if (commitRecords) kept.push(original);
    }
    return { byTopic, offsets: latestOffsets(records), keptCount, kept, dropped };
  }

  /** Produces a prepared batch; once Kafka acknowledged it, its offsets become committable. */
  private async send({ byTopic, offsets, keptCount, kept, dropped }: PreparedBatch): Promise<void> {
    const { metrics, errors } = this.deps;
    if (byTopic.size > 0) {
      // Several requests when the records are large (the broker refuses batches over message.max.bytes);
      // a retry resumes at the first request not acknowledged.
      const chunks = produceChunks(byTopic);
      let done = 0;
      // While Kafka is away the same batch is sent again (never skipped, never a task failure);
      // what Kafka refuses is for errors.tolerance.
      const sent = await errors.execute({ stage: 'KAFKA_PRODUCE', className: 'Producer' }, () =>
        this.outage.run('acknowledge records', async () => {
          for (; done < chunks.length; done++)
            await this.deps.producer.sendBatch({ acks: -1, topicMessages: chunks[done]! });
        }),
      );
      if (sent === SKIPPED)
        this.log.warn('Records Kafka refused were skipped (errors.tolerance=all)', { records: keptCount });
      for (const topic of byTopic.keys()) {
        if (!this.topicsSeen.has(topic)) {
          this.topicsSeen.add(topic);
          this.deps.onTopicUsed?.(topic);
        }
      }
    }
    metrics.writeTotal += keptCount;
    metrics.writeRate.record(keptCount);
    // Everything in this batch is acknowledged (or deliberately skipped): its offsets may be committed.
    for (const [key, entry] of offsets) this.pending.set(key, entry);
    const task = this.deps.task;
    if (task.commitRecord) {
      for (const r of kept) await task.commitRecord(r, null);
      for (const r of dropped) await task.commitRecord(r, null);
    }
  }

  /**
   * The exactly-once loop: poll, convert, send inside the open transaction;
   * at each boundary write the offsets of what was sent into the same
   * transaction and commit. As in the at-least-once loop, the next batch is
   * polled and converted while one is in flight (one produce request at a
   * time); a commit waits for the batch in flight, since a transaction's
   * records and offsets must all be sent before it commits.
   */
  private async executeTransactional(transactions: SourceTaskTransactions): Promise<void> {
    const { metrics } = this.deps;
    let inFlight: Promise<void> | null = null;
    const commit = async () => {
      await inFlight;
      inFlight = null;
      await this.commitTransaction();
    };
    try {
      while (!this.stopping) {
        if (this.paused) {
          await commit();
          this.status.paused();
          if (!(await this.awaitUnpause())) break;
          this.status.resumed();
          continue;
        }
        if (transactions.boundary === 'interval' && this.txnDue(transactions)) await commit();
        const records = await this.deps.errors.execute(
          { stage: 'TASK_POLL', className: this.deps.task.constructor.name },
          () => this.deps.task.poll(),
        );
        if (records === SKIPPED || !records || records.length === 0) {
          await new Promise((r) => setImmediate(r));
          continue;
        }
        metrics.pollTotal += records.length;
        metrics.pollRate.record(records.length);
        metrics.batch(records.length);
        for (let i = 0; i < records.length; i += MAX_RECORDS_PER_SEND) {
          const batch = await this.prepare(records.slice(i, i + MAX_RECORDS_PER_SEND));
          await inFlight;
          inFlight = this.sendInTransaction(batch);
          // Marks the rejection handled while we prepare and poll; the `await` above still throws it.
          inFlight.catch(() => undefined);
        }
        if (transactions.boundary === 'poll') await commit();
      }
      // A graceful stop: everything sent is whole polls, commit it rather than send it again.
      await commit();
    } catch (err) {
      // The open transaction is aborted in close(), once nothing is in flight any more.
      await (inFlight as Promise<void> | null)?.catch(() => undefined);
      throw err;
    }
  }

  private txnDue(transactions: SourceTaskTransactions): boolean {
    return this.txnHasData && Date.now() - this.txnStartedAt >= transactions.intervalMs;
  }

  /** Sends a prepared batch in the open transaction (beginning one if needed); its offsets join the transaction. */
  private async sendInTransaction({ byTopic, offsets, keptCount, kept, dropped }: PreparedBatch): Promise<void> {
    const { metrics } = this.deps;
    const txn = (this.txn ??= await this.transactional(() => this.deps.producer.transaction()));
    if (!this.txnHasData) {
      this.txnHasData = true;
      this.txnStartedAt = Date.now();
    }
    if (byTopic.size > 0) {
      await this.transactional(() =>
        (async () => {
          for (const topicMessages of produceChunks(byTopic)) await txn.sendBatch({ acks: -1, topicMessages });
        })(),
      );
      for (const topic of byTopic.keys()) {
        if (!this.topicsSeen.has(topic)) {
          this.topicsSeen.add(topic);
          this.deps.onTopicUsed?.(topic);
        }
      }
    }
    metrics.writeTotal += keptCount;
    metrics.writeRate.record(keptCount);
    for (const [key, entry] of offsets) this.txnOffsets.set(key, entry);
    if (this.deps.task.commitRecord) this.txnRecords.push(...kept, ...dropped);
  }

  /**
   * Writes the offsets of the open transaction to the offset topic (the same
   * key and value bytes as KafkaOffsetStore) inside it, and commits: records
   * and offsets become visible together, or not at all.
   */
  private async commitTransaction(): Promise<void> {
    const txn = this.txn;
    const transactions = this.deps.transactions;
    if (!txn || !transactions || !this.txnHasData) return;
    const started = Date.now();
    const offsets = [...this.txnOffsets.values()];
    try {
      if (offsets.length > 0)
        await this.transactional(() =>
          txn.send({
            topic: transactions.offsetsTopic,
            acks: -1,
            messages: offsets.map((e) => ({
              key: offsetKey(this.deps.id.connector, e.partition),
              value: offsetValue(e.offset),
            })),
          }),
        );
      await this.transactional(() => txn.commit());
    } catch (err) {
      this.deps.metrics.offsetCommit(Date.now() - started, false);
      throw err;
    }
    this.txn = undefined;
    this.txnHasData = false;
    this.txnOffsets = new Map();
    const records = this.txnRecords;
    this.txnRecords = [];
    this.deps.metrics.offsetCommit(Date.now() - started, true);
    const task = this.deps.task;
    if (task.commitRecord) for (const r of records) await task.commitRecord(r, null);
    await task.commit?.();
  }

  /** Runs a transactional producer call; a fenced producer becomes a ProducerFencedError and is never used again. */
  private async transactional<T>(fn: () => Promise<T>): Promise<T> {
    if (this.fenced) throw new Error(`Task ${this.deps.id.connector}-${this.deps.id.task} was fenced out`);
    try {
      return await fn();
    } catch (err) {
      if (isFencedError(err)) {
        this.fenced = true;
        throw new ProducerFencedError(this.deps.id, this.deps.transactions!.transactionalId, err);
      }
      throw err;
    }
  }

  /** After a failure: abort the open transaction, so its records are never read; the next start re-sends them. */
  private async abortTransaction(): Promise<void> {
    const txn = this.txn;
    this.txn = undefined;
    this.txnHasData = false;
    this.txnOffsets = new Map();
    this.txnRecords = [];
    if (!txn || this.fenced || !txn.isActive()) return;
    try {
      await txn.abort();
    } catch (err) {
      // The coordinator aborts it anyway when the transaction times out or the task starts again.
      this.log.warn('Failed to abort the transaction', { error: (err as Error).message });
    }
  }

  /** A record as a Kafka message; a Promise only when a failure is being handled (it resolves to SKIPPED). */
  private convert(record: SourceRecord): Message | typeof SKIPPED | Promise<typeof SKIPPED> {
    const { converters, errors } = this.deps;
    const topic = record.topic;
    const key = errors.executeSync({ stage: 'KEY_CONVERTER', className: converters.keyClass, record }, () =>
      converters.key.fromConnectData(topic, record.keySchema, record.key, record.headers),
    );
    if (key === SKIPPED || key instanceof Promise) return key;
    const value = errors.executeSync({ stage: 'VALUE_CONVERTER', className: converters.valueClass, record }, () =>
      converters.value.fromConnectData(topic, record.valueSchema, record.value, record.headers),
    );
    if (value === SKIPPED || value instanceof Promise) return value;
    let headers: Record<string, Buffer> | undefined;
    if (record.headers && record.headers.length > 0) {
      const converted = errors.executeSync(
        { stage: 'HEADER_CONVERTER', className: converters.headerClass, record },
        () => convertHeaders(this.deps.converters, topic, record.headers!),
      );
      if (converted === SKIPPED || converted instanceof Promise) return converted;
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

  /**
   * Starts writing the acknowledged offsets to the store, in the background
   * (Kafka's commitOffsets), then tells the task. At most one write runs at a
   * time; offsets acknowledged meanwhile wait for the next one. Resolves when
   * the write it started (or the one running) is done; never rejects: a
   * failed write puts its offsets back for the next flush.
   */
  flushOffsets(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.lastFlush = Date.now();
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.writeOffsets(batch).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async writeOffsets(batch: PendingOffset[]): Promise<void> {
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
      // Exactly-once: a transaction still open here belongs to a failed loop (a graceful one committed).
      if (this.deps.transactions) await this.abortTransaction();
      else {
        // The write in progress, then one for what was acknowledged since.
        await this.flushing;
        await this.flushOffsets();
      }
      this.deps.transforms.close();
      await this.deps.producer.disconnect().catch(() => undefined);
    }
  }
}

/** The newest offset per source partition, in the order the partitions first appear. */
function latestOffsets(records: readonly SourceRecord[]): Map<string, PendingOffset> {
  const offsets = new Map<string, PendingOffset>();
  // Records of one partition usually share one object: its canonical key is computed once per run.
  let lastPartition: SourcePartition | null = null;
  let lastKey = '';
  let last: SourceRecord | null = null;
  for (const r of records) {
    if (!r.sourcePartition || !r.sourceOffset) continue;
    if (r.sourcePartition !== lastPartition) {
      if (last) offsets.set(lastKey, { partition: last.sourcePartition!, offset: last.sourceOffset! });
      lastPartition = r.sourcePartition;
      lastKey = canonicalJson(lastPartition);
    }
    last = r;
  }
  if (last) offsets.set(lastKey, { partition: last.sourcePartition!, offset: last.sourceOffset! });
  return offsets;
}

function convertHeaders(converters: ConverterSet, topic: string, headers: readonly Header[]): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const h of headers) {
    const bytes = converters.header.fromConnectHeader(topic, h.key, h.schema, h.value);
    if (bytes) out[h.key] = bytes;
  }
  return out;
}
