// Source loop (Kafka's WorkerSourceTask): poll, transform, convert, and hand
// the batches to the task's delivery, one produce request at a time. How
// batches reach Kafka and when their source offsets commit is the
// delivery's business: at-least-once (at-least-once-delivery.ts) or, with
// exactly-once support (KIP-618), in transactions with the offsets
// (transactional-delivery.ts). The loop is the same for both.
import type { Producer } from 'kafkajs';
import type { SourceTask } from '../sdk/index.js';
import type { OffsetStore } from '../storage/offset-store.js';
import { AtLeastOnceDelivery } from './at-least-once-delivery.js';
import { SKIPPED } from './error-handler.js';
import { OutageRetry } from './outage-retry.js';
import { MAX_RECORDS_PER_SEND, prepareBatch, type PreparedBatch } from './source-batch.js';
import type { SourceDelivery, SourceDeliveryDeps } from './source-delivery.js';
import { TransactionalDelivery, type SourceTaskTransactions } from './transactional-delivery.js';
import { WorkerTask, type TaskDeps } from './worker-task.js';
import { StoppedDuringOutageError } from '../errors.js';

export interface SourceTaskDeps extends TaskDeps {
  readonly task: SourceTask;
  readonly producer: Producer;
  readonly offsets: OffsetStore;
  /** exactly-once delivery: `producer` is transactional and the offsets go into its transactions */
  readonly transactions?: SourceTaskTransactions;
}

export class WorkerSourceTask extends WorkerTask {
  private readonly topicsSeen = new Set<string>();
  private readonly outage: OutageRetry;
  private readonly delivery: SourceDelivery;
  /** The batch being delivered; see execute(). */
  private readonly inFlight = new OneInFlight();

  constructor(private readonly deps: SourceTaskDeps) {
    super(deps.id, deps.initialState, deps.status, deps.log);
    this.outage = new OutageRetry({ log: deps.log, stopping: () => this.stopping, sleep: (ms) => this.sleep(ms) });
    const common: SourceDeliveryDeps = {
      id: deps.id,
      task: deps.task,
      producer: deps.producer,
      metrics: deps.metrics,
      log: deps.log,
      written: (batch) => this.written(batch),
    };
    this.delivery = deps.transactions
      ? new TransactionalDelivery({ ...common, transactions: deps.transactions })
      : new AtLeastOnceDelivery({
          ...common,
          offsets: deps.offsets,
          errors: deps.errors,
          outage: this.outage,
          flushIntervalMs: deps.offsetFlushIntervalMs,
        });
  }

  /** Outages this task rode out (a new one starts when a send fails after a success). */
  get outagesRiddenOut(): number {
    return this.outage.outages;
  }

  protected async initializeAndStart(): Promise<void> {
    const { offsets, id } = this.deps;
    await this.outage.run('connect the producer', () => this.deps.producer.connect());
    await this.delivery.open();
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

  /**
   * Poll, prepare, deliver. The next batch is polled and converted while one
   * is in flight, but sent only once that one is delivered: one produce
   * request at a time, as Kafka Connect's max.in.flight.requests.per.connection=1,
   * so a retried request can never land after a later one.
   */
  protected async execute(): Promise<void> {
    const { delivery, inFlight } = this;
    const sent = () => inFlight.drain();
    try {
      while (!this.stopping) {
        if (this.paused) {
          await inFlight.drain();
          await delivery.commit();
          this.status.paused();
          if (!(await this.awaitUnpause())) break;
          this.status.resumed();
          continue;
        }
        await delivery.beforePoll(sent);
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
        const commitRecords = this.deps.task.commitRecord !== undefined;
        for (let i = 0; i < records.length; i += MAX_RECORDS_PER_SEND) {
          const batch = await prepareBatch(records.slice(i, i + MAX_RECORDS_PER_SEND), this.deps, commitRecords);
          await inFlight.next(() => delivery.send(batch));
        }
        await delivery.afterPoll(sent);
      }
      await inFlight.drain();
      await delivery.finish();
    } catch (err) {
      // Still wait for the batch in flight, so that close() can commit its offsets.
      await inFlight.settled();
      // Stopped while Kafka was away: what was not acknowledged is sent again by the next start.
      if (err instanceof StoppedDuringOutageError) return;
      throw err;
    }
  }

  /** A batch Kafka took (or that was deliberately skipped): count it, and report topics written to first. */
  private written({ byTopic, keptCount }: PreparedBatch): void {
    for (const topic of byTopic.keys()) {
      if (!this.topicsSeen.has(topic)) {
        this.topicsSeen.add(topic);
        this.deps.onTopicUsed?.(topic);
      }
    }
    const { metrics } = this.deps;
    metrics.writeTotal += keptCount;
    metrics.writeRate.record(keptCount);
  }

  protected async close(): Promise<void> {
    try {
      await this.deps.task.stop();
    } finally {
      await this.delivery.close();
      this.deps.transforms.close();
      await this.deps.producer.disconnect().catch(() => undefined);
    }
  }
}

/** At most one delivery in flight; its failure is thrown to whoever waits for it next. */
class OneInFlight {
  private current: Promise<void> | null = null;

  /** Waits for the delivery in flight, then starts `send` without waiting for it. */
  async next(send: () => Promise<void>): Promise<void> {
    await this.current;
    this.current = send();
    // Marks the rejection handled while the loop prepares and polls; the next wait still throws it.
    this.current.catch(() => undefined);
  }

  /** Waits for the delivery in flight; throws its error. */
  async drain(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current;
  }

  /** Waits for the delivery in flight to end, whichever way. */
  async settled(): Promise<void> {
    await this.current?.catch(() => undefined);
  }
}
