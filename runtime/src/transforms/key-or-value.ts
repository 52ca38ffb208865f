// Kafka's field-level transforms come as `$Key` and `$Value` pairs that differ
// only in which half of the record they read and rewrite; this keeps that
// split in one place so each transform is written once.
import { newRecord, type ConnectRecord, type Schema } from '../sdk/index.js';

export type Side = 'key' | 'value';

export function operatingSchema(record: ConnectRecord, side: Side): Schema | null {
  return (side === 'key' ? record.keySchema : record.valueSchema) ?? null;
}

export function operatingValue(record: ConnectRecord, side: Side): unknown {
  return side === 'key' ? record.key : record.value;
}

export function withOperating<R extends ConnectRecord>(
  record: R,
  side: Side,
  schema: Schema | null,
  value: unknown,
): R {
  return side === 'key'
    ? newRecord(record, { keySchema: schema, key: value })
    : newRecord(record, { valueSchema: schema, value });
}
