// Record builders shared by the transform tests.
import type { ConnectRecord, Schema, SinkRecord, Transformation } from '../sdk/index.js';

export function sourceRecord(changes: Partial<ConnectRecord> = {}): ConnectRecord {
  return { topic: 'orders', kafkaPartition: 0, timestamp: 1_700_000_000_000, headers: [], ...changes };
}

export function sinkRecord(changes: Partial<SinkRecord> = {}): SinkRecord {
  return { topic: 'orders', kafkaPartition: 2, kafkaOffset: 42, timestamp: 1_700_000_000_000, headers: [], ...changes };
}

export function valueRecord(schema: Schema | null, value: unknown): ConnectRecord {
  return sourceRecord({ valueSchema: schema, value });
}

export function keyRecord(schema: Schema | null, key: unknown): ConnectRecord {
  return sourceRecord({ keySchema: schema, key });
}

export function configured<T extends Transformation>(transform: T, props: Record<string, string>): T {
  transform.configure(props);
  return transform;
}
