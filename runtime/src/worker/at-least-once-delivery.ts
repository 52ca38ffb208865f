// At-least-once source delivery (Kafka's WorkerSourceTask): a batch is
// produced with acks=all, and only once Kafka acknowledged it do its source
// offsets become committable. They are written to the offset store every
// offset.flush.interval.ms, on pause and on close, in the background, so a
// slow or failing offset store never holds up the records. A Kafka outage
// never fails the task: the batch is sent again until Kafka is back
// (outage-retry.ts); errors.tolerance decides only for records Kafka refuses.
import { RESEND_WARNING, sendAcknowledged } from '../kafka/acknowledged-send.js';
import type { OffsetStore } from '../storage/offset-store.js';
import { canonicalJson } from '../util/json.js';
import { SKIPPED, type ErrorHandler } from './error-handler.js';
import type { OutageRetry } from './outage-retry.js';
import { produceChunks } from './produce-chunks.js';
import type { PendingOffset, PreparedBatch } from './source-batch.js';
import type { SourceDelivery, SourceDeliveryDeps } from './source-delivery.js';

export interface AtLeastOnceDeps extends SourceDeliveryDeps {
  readonly offsets: OffsetStore;
  readonly errors: ErrorHandler;
  /** the task's outage rider (its stop() ends the waiting) */
  readonly outage: OutageRetry;
  /** offset.flush.interval.ms */
  readonly flushIntervalMs: number;
}

export class AtLeastOnceDelivery implements SourceDelivery {
  /** acknowledged offsets not yet written to the store, by canonical partition */
  private pending = new Map<string, PendingOffset>();
  private lastFlush = Date.now();
  /** the offset write in progress, if any (at most one at a time) */
  private flushing: Promise<void> | undefined;

  constructor(private readonly deps: AtLeastOnceDeps) {}

  async open(): Promise<void> {}

  /** Produces a prepared batch; once Kafka acknowledged it, its offsets become committable. */
  async send(batch: PreparedBatch): Promise<void> {
    const { byTopic, offsets, keptCount, kept, dropped } = batch;
    const { errors, producer } = this.deps;
    if (byTopic.size > 0) {
      // Several requests when the records are large (the broker refuses batches over message.max.bytes);
      // a retry resumes at the first request not acknowledged.
      const chunks = produceChunks(byTopic);
      let done = 0;
      // While Kafka is away the same batch is sent again (never skipped, never a task failure);
      // what Kafka refuses is for errors.tolerance.
      const sent = await errors.execute({ stage: 'KAFKA_PRODUCE', className: 'Producer' }, () =>
        this.deps.outage.run('acknowledge records', async () => {
          for (; done < chunks.length; done++) {
            // Partitions kafkajs left out are sent again a few times at once, then it is an outage:
            // backoff, and an end when the task stops (a send that never acknowledges must not spin).
            // A retry after an outage resumes with what was left out.
            await sendAcknowledged((topicMessages) => producer.sendBatch({ acks: -1, topicMessages }), chunks[done]!, {
              onResend: (missed, records) => {
                chunks[done] = missed;
                this.deps.log.warn(RESEND_WARNING, { records });
              },
            });
          }
        }),
      );
      if (sent === SKIPPED)
        this.deps.log.warn('Records Kafka refused were skipped (errors.tolerance=all)', { records: keptCount });
    }
    this.deps.written(batch);
    // Everything in this batch is acknowledged (or deliberately skipped): its offsets may be committed.
    for (const [key, entry] of offsets) this.pending.set(key, entry);
    const task = this.deps.task;
    if (task.commitRecord) {
      for (const r of kept) await task.commitRecord(r, null);
      for (const r of dropped) await task.commitRecord(r, null);
    }
  }

  /** Starts a background offset write every offset.flush.interval.ms; it never waits for the batch in flight. */
  async beforePoll(): Promise<void> {
    if (Date.now() - this.lastFlush >= this.deps.flushIntervalMs) void this.flush();
  }

  async afterPoll(): Promise<void> {}

  /** The write in progress, then one for everything acknowledged since. */
  async commit(): Promise<void> {
    await this.flushing;
    await this.flush();
  }

  /** Offsets acknowledged up to the stop are written by close(), after the task stopped. */
  async finish(): Promise<void> {}

  close(): Promise<void> {
    return this.commit();
  }

  /**
   * Starts writing the acknowledged offsets to the store, in the background
   * (Kafka's commitOffsets), then tells the task. At most one write runs at a
   * time; offsets acknowledged meanwhile wait for the next one. Resolves when
   * the write it started (or the one running) is done; never rejects: a
   * failed write puts its offsets back for the next flush.
   */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.lastFlush = Date.now();
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(batch: PendingOffset[]): Promise<void> {
    const { offsets, id, metrics, task } = this.deps;
    const started = Date.now();
    try {
      await offsets.set(id.connector, batch);
      metrics.offsetCommit(Date.now() - started, true);
      await task.commit?.();
    } catch (err) {
      metrics.offsetCommit(Date.now() - started, false);
      // Put them back (newer offsets win) so the next flush retries.
      for (const e of batch) {
        const k = canonicalJson(e.partition);
        if (!this.pending.has(k)) this.pending.set(k, e);
      }
      this.deps.log.error('Failed to commit source offsets', { error: (err as Error).message });
    }
  }
}
