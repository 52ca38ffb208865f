// Kafka's KafkaBasedLog: tails every partition of a compacted internal topic
// from offset 0 and hands each record to a callback, in order per partition;
// readToEnd() is the barrier the stores use ("everything written before this
// call has been delivered"). kafkajs has no manual partition assignment, so
// the reader uses kafkajs's broker layer (see distributed/kafkajs-internals.ts)
// instead of a consumer group: nothing is ever committed, and every worker
// reads the whole topic.
//
// It reads with READ_COMMITTED isolation, as Apache's KafkaBasedLog does when
// exactly-once source support is on: a source task writes its offsets into the
// offset topic inside its own transactions, and the offsets of an aborted
// transaction must never be applied. The ends readToEnd() waits for are the
// last stable offsets, so an open transaction does not hold it up. Topics
// without transactions read exactly as before (their last stable offset is the
// high watermark).
import type { Admin, Kafka, Producer } from 'kafkajs';
import {
  kafkaJsLogCluster,
  type FetchedRecord,
  type LogBroker,
  type LogCluster,
} from '../distributed/kafkajs-internals.js';
import { isKafkaOutage } from '../kafka/errors.js';
import { abortedRecordFilter, type AbortedTransaction } from '../kafka/client.js';
import { createTopicsAndWait } from '../kafka/topics.js';
import { RESEND_WARNING, sendAcknowledged } from '../kafka/acknowledged-send.js';
import type { Logger } from '../util/logging.js';

export interface LogRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: bigint;
}

export interface KafkaBasedLogOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** the worker setting naming the topic (for error messages), e.g. `config.storage.topic` */
  readonly setting: string;
  /** partitions when the log creates the topic */
  readonly partitions: number;
  /** replication factor when the log creates the topic; -1 = the broker's default */
  readonly replicationFactor: number;
  /** an existing topic must have exactly one partition (the config topic) */
  readonly requireSinglePartition?: boolean;
  /** extra topic configs when creating it */
  readonly topicConfig?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** called for every record, in offset order per partition */
  readonly onRecord: (record: LogRecord) => void;
  /** long-poll time of one fetch (ms) */
  readonly maxWaitMs?: number;
}

const READ_COMMITTED = 1;
const LATEST = -1;
const EARLIEST = -2;
const PARTITION_MAX_BYTES = 1 << 20;
const FETCH_MAX_BYTES = 16 << 20;
const MAX_BACKOFF_MS = 5000;
const TOPIC_RESOURCE = 2;

interface EndWaiter {
  readonly ends: Map<number, bigint>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Error name/type helpers for kafkajs errors (matched by name: they are kafkajs values). */
const errorType = (err: unknown): string | undefined => (err as { type?: string } | undefined)?.type;
const errorName = (err: unknown): string | undefined => (err as { name?: string } | undefined)?.name;

/** Checks an existing topic the way Apache's TopicAdmin does; returns the problem or undefined. */
export function topicProblem(
  topic: string,
  setting: string,
  cleanupPolicy: string | undefined,
  partitions: number,
  requireSinglePartition: boolean,
): string | undefined {
  const policies = (cleanupPolicy ?? 'delete')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (policies.length !== 1 || policies[0] !== 'compact')
    return (
      `Topic '${topic}' supplied via the '${setting}' property is required to have 'cleanup.policy=compact' ` +
      `to guarantee consistency and durability of the data Connect stores in it, but found the topic currently ` +
      `has 'cleanup.policy=${policies.join(',')}'. Change the '${setting}' property in the worker configuration ` +
      `to use a topic with 'cleanup.policy=compact', or change the topic's policy`
    );
  if (requireSinglePartition && partitions !== 1)
    return (
      `Topic '${topic}' supplied via the '${setting}' property is required to have a single partition in order ` +
      `to guarantee consistency of connector configurations, but found ${partitions} partitions`
    );
  return undefined;
}

export class KafkaBasedLog {
  private readonly positions = new Map<number, bigint>();
  private readonly waiters: EndWaiter[] = [];
  private cluster: LogCluster | undefined;
  private producer: Producer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly maxWaitMs: number;

  constructor(private readonly options: KafkaBasedLogOptions) {
    this.maxWaitMs = options.maxWaitMs ?? 500;
  }

  get topic(): string {
    return this.options.topic;
  }

  /** The next offset to read, per partition. */
  position(partition: number): bigint {
    return this.positions.get(partition) ?? 0n;
  }

  partitions(): number[] {
    return [...this.positions.keys()].sort((a, b) => a - b);
  }

  /** Creates or checks the topic, connects, and starts tailing from offset 0. */
  async start(): Promise<void> {
    if (this.running) return;
    // createTopicsAndWait waits through the answers a topic just created gets; this retry covers a broker
    // that is away or moving while the worker starts.
    await retryWhileRetriable(
      () => this.ensureTopic(),
      (err) =>
        this.options.logger.debug('Retrying the internal topic check', {
          topic: this.options.topic,
          error: (err as Error).message,
        }),
    );
    const { kafka, topic } = this.options;
    const cluster = kafkaJsLogCluster(kafka);
    const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    try {
      await cluster.connect();
      // A topic just created may not be in every broker's metadata yet (UNKNOWN_TOPIC_OR_PARTITION,
      // LEADER_NOT_AVAILABLE, more so on a loaded machine): wait for it rather than fail the worker's start.
      await retryWhileRetriable(
        () => cluster.addTargetTopic(topic),
        (err) =>
          this.options.logger.debug('Waiting for the internal topic in the metadata', {
            topic,
            error: (err as Error).message,
          }),
      );
      await producer.connect();
    } catch (err) {
      await Promise.allSettled([cluster.disconnect(), producer.disconnect()]);
      throw err;
    }
    this.cluster = cluster;
    this.producer = producer;
    this.positions.clear();
    for (const p of cluster.findTopicPartitionMetadata(topic)) this.positions.set(p.partitionId, 0n);
    if (this.positions.size === 0) throw new Error(`Topic '${topic}' has no partitions in the cluster metadata`);
    this.running = true;
    this.loop = this.run();
  }

  /** start(), then readToEnd(): what every store does first; a failed read stops the log again. */
  async startAndReadToEnd(): Promise<void> {
    await this.start();
    try {
      await this.readToEnd();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.loop;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`log of topic '${this.topic}' stopped`));
    await Promise.allSettled([this.producer?.disconnect(), this.cluster?.disconnect()]);
    this.producer = undefined;
    this.cluster = undefined;
  }

  /** Resolves once every record written before this call (the current end offsets) has been delivered. */
  async readToEnd(): Promise<void> {
    if (!this.running) throw new Error(`log of topic '${this.topic}' is not running`);
    const ends = await this.withRetries('list end offsets', () => this.listOffsets(LATEST));
    return new Promise<void>((resolve, reject) => {
      const waiter = { ends, resolve, reject };
      if (this.reached(ends)) resolve();
      else this.waiters.push(waiter);
    });
  }

  /** Writes one record (acks=all); resolves with its partition and offset once acknowledged. */
  async send(key: string, value: string | Buffer | null): Promise<{ partition: number; offset: bigint }> {
    const [first] = await this.sendAll([{ key, value }]);
    return first!;
  }

  /** Writes records in one request (in order), resolving when all are acknowledged. */
  async sendAll(
    records: ReadonlyArray<{ key: string; value: string | Buffer | null }>,
  ): Promise<Array<{ partition: number; offset: bigint }>> {
    const producer = this.producer;
    if (!producer || !this.running) throw new Error(`log of topic '${this.topic}' is not running`);
    // An offset flush spans partitions: those kafkajs left out are written again (kafka/acknowledged-send.ts).
    const result = await sendAcknowledged(
      (topicMessages) => producer.sendBatch({ acks: -1, topicMessages }),
      [{ topic: this.topic, messages: records.map((r) => ({ key: r.key, value: r.value })) }],
      { onResend: (_, count) => this.options.logger.warn(RESEND_WARNING, { topic: this.topic, records: count }) },
    );
    return result.map((r) => ({ partition: r.partition, offset: BigInt(r.baseOffset ?? r.offset ?? '-1') }));
  }

  private reached(ends: Map<number, bigint>): boolean {
    for (const [p, end] of ends) if (this.position(p) < end) return false;
    return true;
  }

  private releaseWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.reached(w.ends)) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private async ensureTopic(): Promise<void> {
    const { kafka, topic, setting, partitions, replicationFactor, requireSinglePartition, topicConfig } = this.options;
    const admin: Admin = kafka.admin();
    await admin.connect();
    try {
      const created = await createTopicsAndWait(admin, [
        {
          topic,
          numPartitions: requireSinglePartition ? 1 : partitions,
          replicationFactor,
          configEntries: Object.entries({ ...topicConfig, 'cleanup.policy': 'compact' }).map(([name, value]) => ({
            name,
            value,
          })),
        },
      ]);
      if (created) {
        this.options.logger.info('Created internal topic', { topic, partitions, replicationFactor });
        return;
      }
      // It existed: check it as Apache does.
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = meta.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['cleanup.policy'] }],
      });
      const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
      const problem = topicProblem(topic, setting, policy, count, requireSinglePartition ?? false);
      if (problem) throw new Error(problem);
    } finally {
      await admin.disconnect();
    }
  }

  /** Leader broker id -> partitions, from the cached metadata. */
  private leaders(partitions: Iterable<number>): Map<number, number[]> {
    const meta = this.cluster!.findTopicPartitionMetadata(this.topic);
    const out = new Map<number, number[]>();
    for (const p of partitions) {
      const leader = meta.find((m) => m.partitionId === p)?.leader;
      if (leader === null || leader === undefined || leader < 0) {
        throw Object.assign(new Error(`no leader for ${this.topic}-${p}`), { type: 'LEADER_NOT_AVAILABLE' });
      }
      let list = out.get(leader);
      if (!list) out.set(leader, (list = []));
      list.push(p);
    }
    return out;
  }

  private async listOffsets(timestamp: number, partitions: Iterable<number> = this.positions.keys()) {
    const out = new Map<number, bigint>();
    const byLeader = this.leaders(partitions);
    await Promise.all(
      [...byLeader].map(async ([nodeId, ps]) => {
        const broker = await this.cluster!.findBroker({ nodeId });
        const { responses } = await broker.listOffsets({
          replicaId: -1,
          isolationLevel: READ_COMMITTED,
          topics: [{ topic: this.topic, partitions: ps.map((partition) => ({ partition, timestamp })) }],
        });
        for (const r of responses)
          for (const p of r.partitions) if (r.topic === this.topic) out.set(p.partition, BigInt(p.offset));
      }),
    );
    return out;
  }

  /** Runs `fn`, refreshing metadata and backing off between attempts, while the log runs. */
  private async withRetries<T>(what: string, fn: () => Promise<T>, attempts = 10): Promise<T> {
    let backoff = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= attempts || !this.running) throw err;
        this.options.logger.debug(`Retrying: ${what}`, { topic: this.topic, error: (err as Error).message });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        await this.cluster?.refreshMetadata().catch(() => undefined);
      }
    }
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        const byLeader = this.leaders(this.positions.keys());
        // Every leader's fetch settles before the next round, so one partition is never fetched twice at once.
        const results = await Promise.allSettled([...byLeader].map(([nodeId, ps]) => this.fetchFrom(nodeId, ps)));
        this.releaseWaiters();
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        backoff = 100;
      } catch (err) {
        if (!this.running) break;
        if (errorName(err) === 'KafkaJSOffsetOutOfRange') {
          const partition = (err as { partition?: number }).partition;
          await this.resetOutOfRange(partition).catch(() => undefined);
        } else {
          const level = errorName(err) === 'KafkaJSProtocolError' || errorType(err) ? 'debug' : 'warn';
          this.options.logger[level]('Reading internal topic failed; retrying', {
            topic: this.topic,
            error: (err as Error).message,
            type: errorType(err),
          });
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        await this.cluster?.refreshMetadata().catch(() => undefined);
      }
    }
  }

  /** OFFSET_OUT_OF_RANGE: the data at our position is gone (deleted records): restart from the log start. */
  private async resetOutOfRange(partition: number | undefined): Promise<void> {
    const ps = partition === undefined ? [...this.positions.keys()] : [partition];
    const starts = await this.listOffsets(EARLIEST, ps);
    const ends = await this.listOffsets(LATEST, ps);
    for (const p of ps) {
      const pos = this.position(p);
      const start = starts.get(p) ?? 0n;
      const end = ends.get(p) ?? pos;
      const next = pos < start ? start : pos > end ? end : pos;
      if (next !== pos) {
        this.options.logger.warn('Offset out of range on internal topic; moving position', {
          topic: this.topic,
          partition: p,
          from: pos.toString(),
          to: next.toString(),
        });
        this.positions.set(p, next);
      }
    }
  }

  private async fetchFrom(nodeId: number, partitions: number[]): Promise<void> {
    const broker: LogBroker = await this.cluster!.findBroker({ nodeId });
    const { responses } = await broker.fetch({
      replicaId: -1,
      isolationLevel: READ_COMMITTED,
      maxWaitTime: this.maxWaitMs,
      minBytes: 1,
      maxBytes: FETCH_MAX_BYTES,
      topics: [
        {
          topic: this.topic,
          partitions: partitions.map((partition) => ({
            partition,
            fetchOffset: this.position(partition).toString(),
            maxBytes: PARTITION_MAX_BYTES,
          })),
        },
      ],
    });
    if (!this.running) return;
    for (const r of responses) {
      if (r.topicName !== this.topic) continue;
      for (const p of r.partitions)
        this.deliver(
          p.partition,
          p.messages,
          (p as { abortedTransactions?: AbortedTransaction[] }).abortedTransactions,
        );
    }
  }

  private deliver(
    partition: number,
    records: readonly FetchedRecord[],
    abortedTransactions: readonly AbortedTransaction[] | undefined,
  ): void {
    let batchEnd = -1n;
    const aborted = abortedRecordFilter(abortedTransactions);
    for (const record of records) {
      // Every record goes through the filter (it tracks ABORT markers), even one delivered before.
      const skip = aborted(record);
      const offset = BigInt(record.offset);
      batchEnd = BigInt(record.batchContext.firstOffset) + BigInt(record.batchContext.lastOffsetDelta) + 1n;
      // A fetch returns whole batches: skip what was already delivered.
      if (offset < this.position(partition)) continue;
      if (!record.isControlRecord && !skip) {
        try {
          this.options.onRecord({
            key: record.key ? record.key.toString('utf8') : null,
            value: record.value ?? null,
            partition,
            offset,
          });
        } catch (err) {
          this.options.logger.error('Failed to apply a record of an internal topic', {
            topic: this.topic,
            partition,
            offset: offset.toString(),
            error: (err as Error).message,
          });
        }
      }
      this.positions.set(partition, offset + 1n);
    }
    // Batches arrive whole: the next position is past the last batch, even when
    // compaction removed its last records.
    if (batchEnd > this.position(partition)) this.positions.set(partition, batchEnd);
  }
}

/** Runs `fn` again (backoff 100 ms doubling to 2 s, for up to ~30 s) while it fails with a retriable error. */
async function retryWhileRetriable<T>(fn: () => Promise<T>, onRetry: (err: unknown) => void): Promise<T> {
  const deadline = Date.now() + 30_000;
  let backoff = 100;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true || isKafkaOutage(err);
      if (!retriable || Date.now() + backoff > deadline) throw err;
      onRetry(err);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2000);
    }
  }
}
