// Kafka's transforms/util/Requirements: type checks that turn a record that
// does not fit a transform into a DataError (which error tolerance can skip)
// rather than a TypeError deep inside the transform.
import { DataError, type ConnectRecord, type Schema, type SinkRecord } from '../sdk/index.js';

/** A schemaless map value: a plain object, or a Map when keys are not all strings. */
export type MapValue = Record<string, unknown> | Map<unknown, unknown>;
/** A struct value: a plain object keyed by field name. */
export type StructValue = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isMapValue(value: unknown): value is MapValue {
  return value instanceof Map || isPlainObject(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (Array.isArray(value)) return 'Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'Object';
  return typeof value;
}

export function requireMap(value: unknown, purpose: string): MapValue {
  if (!isMapValue(value))
    throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${describe(value)}`);
  return value;
}

export function requireMapOrNull(value: unknown, purpose: string): MapValue | null {
  return value == null ? null : requireMap(value, purpose);
}

export function requireStruct(value: unknown, purpose: string): StructValue {
  if (!isPlainObject(value))
    throw new DataError(`Only Struct objects supported for [${purpose}], found: ${describe(value)}`);
  return value;
}

export function requireStructOrNull(value: unknown, purpose: string): StructValue | null {
  return value == null ? null : requireStruct(value, purpose);
}

export function requireStructSchema(
  schema: Schema,
  purpose: string,
): Schema & { fields: NonNullable<Schema['fields']> } {
  if (schema.type !== 'struct' || !schema.fields)
    throw new DataError(`Only Struct objects supported for [${purpose}], found schema of type ${schema.type}`);
  return schema as Schema & { fields: NonNullable<Schema['fields']> };
}

export function requireSchema(schema: Schema | null | undefined, purpose: string): Schema {
  if (schema == null) throw new DataError(`Schema required for [${purpose}]`);
  return schema;
}

export function isSinkRecord(record: ConnectRecord): record is SinkRecord {
  return typeof (record as Partial<SinkRecord>).kafkaOffset === 'number';
}

export function requireSinkRecord(record: ConnectRecord, purpose: string): SinkRecord {
  if (!isSinkRecord(record)) throw new DataError(`Only SinkRecord supported for [${purpose}], found: source record`);
  return record;
}

// Maps may arrive as plain objects or as Maps; these read and rebuild them
// without changing which of the two the caller handed us.

export function mapGet(map: MapValue, key: string): unknown {
  return map instanceof Map ? map.get(key) : map[key];
}

export function mapEntries(map: MapValue): [string, unknown][] {
  return map instanceof Map ? [...map.entries()].map(([k, v]) => [String(k), v]) : Object.entries(map);
}

export function mapLike(original: MapValue, entries: Iterable<[string, unknown]>): MapValue {
  return original instanceof Map ? new Map<unknown, unknown>(entries) : Object.fromEntries(entries);
}
