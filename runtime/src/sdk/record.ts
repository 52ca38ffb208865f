// Records as connectors, transforms and converters see them.
import type { Schema } from './schema.js';

export interface Header {
  readonly key: string;
  readonly value: unknown;
  readonly schema?: Schema | null;
}

export interface ConnectRecord {
  readonly topic: string;
  readonly kafkaPartition?: number | null;
  readonly keySchema?: Schema | null;
  readonly key?: unknown;
  readonly valueSchema?: Schema | null;
  readonly value?: unknown;
  /** milliseconds since the epoch */
  readonly timestamp?: number | null;
  readonly headers?: readonly Header[];
}

export type SourcePartition = Record<string, unknown>;
export type SourceOffset = Record<string, unknown>;

export interface SourceRecord extends ConnectRecord {
  readonly sourcePartition?: SourcePartition | null;
  readonly sourceOffset?: SourceOffset | null;
}

export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
  readonly timestampType?: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  /** topic/partition/offset before transforms changed them (KIP-793) */
  readonly originalTopic?: string;
  readonly originalKafkaPartition?: number;
  readonly originalKafkaOffset?: number;
}

/**
 * A copy of `record` with some fields replaced: what Kafka's
 * `ConnectRecord.newRecord(...)` does, keeping the record's own kind
 * (source fields or sink fields) intact.
 */
export function newRecord<R extends ConnectRecord>(record: R, changes: Partial<ConnectRecord>): R {
  return { ...record, ...changes };
}
