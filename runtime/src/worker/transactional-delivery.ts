// Exactly-once source delivery (Kafka's ExactlyOnceWorkerSourceTask,
// KIP-618): batches are sent inside the task producer's open transaction; at
// each transaction boundary (every poll, or every interval) the newest
// source offsets of what was sent go to the offset topic in the same
// transaction, which then commits, so records and offsets become visible
// together or not at all. A fenced producer (a newer instance of the task
// took over its transactional id) stops the task for good.
import type { Transaction } from 'kafkajs';
import { offsetKey, offsetValue } from '../storage/offset-store.js';
import type { SourceRecord } from '../sdk/index.js';
import { RESEND_WARNING, sendAcknowledged } from '../kafka/acknowledged-send.js';
import { produceChunks } from './produce-chunks.js';
import type { PendingOffset, PreparedBatch } from './source-batch.js';
import type { SourceDelivery, SourceDeliveryDeps } from './source-delivery.js';
import { taskKey } from '../vocabulary/task-id.js';
import { ProducerFencedError } from '../errors.js';

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

export interface TransactionalDeps extends SourceDeliveryDeps {
  /** `producer` is transactional (its transactionalId is `transactions.transactionalId`) */
  readonly transactions: SourceTaskTransactions;
}

/** Apache's Worker.taskTransactionalId: the transactional.id of one source task's producer. */
export const taskTransactionalId = (groupId: string, connector: string, task: number): string =>
  `${groupId}-${taskKey({ connector, task })}`;

/** Kafka's answer to a producer whose transactional id a newer instance took over (or whose transaction timed out). */
export function isFencedError(err: unknown): boolean {
  const e = err as { type?: string; code?: number } | undefined;
  // INVALID_PRODUCER_EPOCH (47) for the request versions kafkajs speaks; PRODUCER_FENCED (90) for newer ones.
  return e?.type === 'INVALID_PRODUCER_EPOCH' || e?.type === 'PRODUCER_FENCED' || e?.code === 47 || e?.code === 90;
}

export class TransactionalDelivery implements SourceDelivery {
  /** the open transaction, the offsets and records it covers */
  private txn: Transaction | undefined;
  private txnOffsets = new Map<string, PendingOffset>();
  private txnRecords: SourceRecord[] = [];
  private txnStartedAt = 0;
  private txnHasData = false;
  private fenced = false;

  constructor(private readonly deps: TransactionalDeps) {}

  /**
   * The first transaction initialises the transactional id (InitProducerId):
   * that bumps its epoch, so an older instance still running elsewhere can no
   * longer write or commit, and the coordinator aborts whatever transaction
   * it left open. Only then are the offsets read.
   */
  async open(): Promise<void> {
    this.txn = await this.transactional(() => this.deps.producer.transaction());
    await this.deps.transactions.readOffsetsToEnd();
  }

  /** Sends a prepared batch in the open transaction (beginning one if needed); its offsets join the transaction. */
  async send(batch: PreparedBatch): Promise<void> {
    const { byTopic, offsets, kept, dropped } = batch;
    const txn = (this.txn ??= await this.transactional(() => this.deps.producer.transaction()));
    if (!this.txnHasData) {
      this.txnHasData = true;
      this.txnStartedAt = Date.now();
    }
    if (byTopic.size > 0)
      await this.transactional(async () => {
        // Partitions kafkajs left out are sent again in the same transaction (kafka/acknowledged-send.ts).
        for (const chunk of produceChunks(byTopic))
          await sendAcknowledged((topicMessages) => txn.sendBatch({ acks: -1, topicMessages }), chunk, {
            onResend: (_, records) => this.deps.log.warn(RESEND_WARNING, { records }),
          });
      });
    this.deps.written(batch);
    for (const [key, entry] of offsets) this.txnOffsets.set(key, entry);
    if (this.deps.task.commitRecord) this.txnRecords.push(...kept, ...dropped);
  }

  /** transaction.boundary=interval: commit once the open transaction is old enough. */
  async beforePoll(sent: () => Promise<void>): Promise<void> {
    const { boundary, intervalMs } = this.deps.transactions;
    if (boundary === 'interval' && this.txnHasData && Date.now() - this.txnStartedAt >= intervalMs) {
      await sent();
      await this.commit();
    }
  }

  /** transaction.boundary=poll: one transaction per poll. */
  async afterPoll(sent: () => Promise<void>): Promise<void> {
    if (this.deps.transactions.boundary !== 'poll') return;
    await sent();
    await this.commit();
  }

  /**
   * Writes the offsets of the open transaction to the offset topic (the same
   * key and value bytes as KafkaOffsetStore) inside it, and commits: records
   * and offsets become visible together, or not at all.
   */
  async commit(): Promise<void> {
    const txn = this.txn;
    if (!txn || !this.txnHasData) return;
    const { id, metrics, task, transactions } = this.deps;
    const started = Date.now();
    const offsets = [...this.txnOffsets.values()];
    try {
      if (offsets.length > 0)
        await this.transactional(() =>
          // The offset topic has many partitions: one left out would commit the records without their offsets.
          sendAcknowledged(
            (topicMessages) => txn.sendBatch({ acks: -1, topicMessages }),
            [
              {
                topic: transactions.offsetsTopic,
                messages: offsets.map((e) => ({
                  key: offsetKey(id.connector, e.partition),
                  value: offsetValue(e.offset),
                })),
              },
            ],
            { onResend: (_, records) => this.deps.log.warn(RESEND_WARNING, { records }) },
          ),
        );
      await this.transactional(() => txn.commit());
    } catch (err) {
      metrics.offsetCommit(Date.now() - started, false);
      throw err;
    }
    this.txn = undefined;
    this.txnHasData = false;
    this.txnOffsets = new Map();
    const records = this.txnRecords;
    this.txnRecords = [];
    metrics.offsetCommit(Date.now() - started, true);
    if (task.commitRecord) for (const r of records) await task.commitRecord(r, null);
    await task.commit?.();
  }

  /** A graceful stop: everything sent is whole polls, commit it rather than send it again. */
  finish(): Promise<void> {
    return this.commit();
  }

  /**
   * A transaction still open here belongs to a failed loop (a graceful one
   * committed): abort it, so its records are never read; the next start
   * re-sends them.
   */
  async close(): Promise<void> {
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
      this.deps.log.warn('Failed to abort the transaction', { error: (err as Error).message });
    }
  }

  /** Runs a transactional producer call; a fenced producer becomes a ProducerFencedError and is never used again. */
  private async transactional<T>(fn: () => Promise<T>): Promise<T> {
    const { id, transactions } = this.deps;
    if (this.fenced) throw new Error(`Task ${taskKey(id)} was fenced out`);
    try {
      return await fn();
    } catch (err) {
      if (isFencedError(err)) {
        this.fenced = true;
        throw new ProducerFencedError(id, transactions.transactionalId, err);
      }
      throw err;
    }
  }
}
