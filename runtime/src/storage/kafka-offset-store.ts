// Source offsets in the compacted offset.storage.topic, as Kafka Connect keeps
// them: key `["<connector>",{partition}]`, value the offset JSON, a null value
// resets the partition. Every worker reads the whole topic into memory.
import type { Kafka } from 'kafkajs';
import { KafkaBasedLog } from './kafka-based-log.js';
import { MemoryOffsetStore, offsetKey, offsetValue, type OffsetEntry } from './offset-store.js';
import type { Logger } from '../util/logging.js';

export interface KafkaOffsetStoreOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** `offset.storage.partitions` (Apache's default: 25) */
  readonly partitions?: number;
  /** `offset.storage.replication.factor`; -1 = the broker's default */
  readonly replicationFactor?: number;
  readonly logger: Logger;
}

export class KafkaOffsetStore extends MemoryOffsetStore {
  private readonly log: KafkaBasedLog;

  constructor(options: KafkaOffsetStoreOptions) {
    super();
    this.log = new KafkaBasedLog({
      kafka: options.kafka,
      topic: options.topic,
      setting: 'offset.storage.topic',
      partitions: options.partitions ?? 25,
      replicationFactor: options.replicationFactor ?? -1,
      logger: options.logger,
      onRecord: (r) => {
        if (r.key !== null) this.apply(r.key, r.value === null ? null : r.value.toString('utf8'));
      },
    });
  }

  /** Creates/checks the topic and reads it to its end. */
  override async start(): Promise<void> {
    await this.log.startAndReadToEnd();
  }

  override async stop(): Promise<void> {
    await this.log.stop();
  }

  /** Catches up with offsets other workers wrote. */
  async refresh(): Promise<void> {
    await this.log.readToEnd();
  }

  /** Sends the records and resolves once the broker acknowledged them all; then serves them locally. */
  override async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.log.sendAll(
      entries.map((e) => ({
        key: offsetKey(connector, e.partition),
        value: e.offset === null ? null : offsetValue(e.offset),
      })),
    );
    await super.set(connector, entries);
  }
}
