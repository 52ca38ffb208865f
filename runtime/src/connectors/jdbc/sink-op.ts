// What one record asks of the database (pure): upsert a row, delete a row by
// key, truncate a table, or nothing. Reads Debezium change events natively
// (a value schema named *.Envelope, or an op field with before/after) and
// flat records (e.g. after ExtractNewRecordState), with or without schemas.
import { DataError, type Schema, type SinkRecord } from '../../sdk/index.js';
import type { JdbcSinkConfig } from './jdbc-sink-config.js';

export interface TableId {
  /** null: the connection's current schema */
  readonly schema: string | null;
  readonly name: string;
}

/** A column of a row: its name, its Connect schema (null: schemaless, typed from the value) and value. */
export interface Cell {
  readonly name: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

export type SinkOp =
  | { readonly kind: 'upsert'; readonly table: TableId; readonly cells: Cell[]; readonly key: string[] }
  | { readonly kind: 'delete'; readonly table: TableId; readonly keyCells: Cell[] }
  | { readonly kind: 'truncate'; readonly table: TableId }
  | { readonly kind: 'skip' };

const SKIP: SinkOp = { kind: 'skip' };
const KAFKA_KEY = ['__connect_topic', '__connect_partition', '__connect_offset'];

type Envelope = { op: string; before: unknown; after: unknown; source: unknown; rowSchema: Schema | null };

export function toSinkOp(record: SinkRecord, config: JdbcSinkConfig): SinkOp {
  const { value, valueSchema } = record;
  if (value === null || value === undefined) {
    // A tombstone: the delete's second half (or a delete of a flat stream).
    if (!config.deleteEnabled) return SKIP;
    // A tombstone has no source block to name the table from; the 'd' event before it did the delete.
    if (config.collectionNameFormat.includes('${source.')) return SKIP;
    return deleteOp(record, config, tableOf(record, config, null));
  }
  const envelope = asEnvelope(value, valueSchema ?? null);
  if (!envelope) {
    if (!isObject(value)) throw new DataError(`${where(record)}: the value is not a struct or object, so it is no row`);
    return upsertOp(record, config, tableOf(record, config, null), value, valueSchema ?? null);
  }
  const table = () => tableOf(record, config, envelope.source);
  switch (envelope.op) {
    case 'c':
    case 'r':
    case 'u':
      if (!isObject(envelope.after)) throw new DataError(`${where(record)}: a '${envelope.op}' event without 'after'`);
      return upsertOp(record, config, table(), envelope.after, envelope.rowSchema);
    case 'd':
      return config.deleteEnabled ? deleteOp(record, config, table()) : SKIP;
    case 't':
      return config.truncateEnabled ? { kind: 'truncate', table: table() } : SKIP;
    default:
      return SKIP; // 'm' (logical decoding messages) and anything newer
  }
}

function asEnvelope(value: unknown, schema: Schema | null): Envelope | undefined {
  if (!isObject(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (schema) {
    if (schema.type !== 'struct') return undefined;
    const isEnvelope =
      schema.name?.endsWith('.Envelope') || (!schema.name && schema.fields?.some((f) => f.name === 'op'));
    if (!isEnvelope) return undefined;
    const rowSchema = schema.fields?.find((f) => f.name === 'after' || f.name === 'before')?.schema ?? null;
    return { op: String(v['op']), before: v['before'], after: v['after'], source: v['source'], rowSchema };
  }
  if (typeof v['op'] !== 'string' || !('after' in v || 'before' in v)) return undefined;
  return { op: v['op'], before: v['before'], after: v['after'], source: v['source'], rowSchema: null };
}

function upsertOp(
  record: SinkRecord,
  config: JdbcSinkConfig,
  table: TableId,
  row: unknown,
  rowSchema: Schema | null,
): SinkOp {
  const cells = cellsOf(row as Record<string, unknown>, rowSchema, config);
  let key: string[] = [];
  switch (config.primaryKeyMode) {
    case 'none':
      break;
    case 'kafka':
      cells.push(
        { name: fold(KAFKA_KEY[0]!, config), schema: { type: 'string', optional: false }, value: record.topic },
        { name: fold(KAFKA_KEY[1]!, config), schema: { type: 'int32', optional: false }, value: record.kafkaPartition },
        { name: fold(KAFKA_KEY[2]!, config), schema: { type: 'int64', optional: false }, value: record.kafkaOffset },
      );
      key = KAFKA_KEY.map((k) => fold(k, config));
      break;
    case 'record_key': {
      const keyCells = keyCellsOf(record, config);
      for (const kc of keyCells) {
        const i = cells.findIndex((c) => c.name === kc.name);
        if (i >= 0) cells[i] = kc;
        else cells.push(kc);
      }
      key = keyCells.map((c) => c.name);
      break;
    }
    case 'record_value': {
      const wanted = config.primaryKeyFields.map((f) => fold(f, config));
      key = wanted.length > 0 ? wanted : cells.map((c) => c.name);
      for (const k of key)
        if (!cells.some((c) => c.name === k))
          throw new DataError(`${where(record)}: the value has no key field '${k}'`);
      break;
    }
  }
  return { kind: 'upsert', table, cells, key };
}

function deleteOp(record: SinkRecord, config: JdbcSinkConfig, table: TableId): SinkOp {
  return { kind: 'delete', table, keyCells: keyCellsOf(record, config) };
}

/** The key columns of a record's key (primary.key.mode=record_key). */
function keyCellsOf(record: SinkRecord, config: JdbcSinkConfig): Cell[] {
  const { key, keySchema } = record;
  if (key === null || key === undefined)
    throw new DataError(`${where(record)}: primary.key.mode=record_key but the key is null`);
  if (isObject(key) && (!keySchema || keySchema.type === 'struct')) {
    let cells = cellsOf(key as Record<string, unknown>, keySchema ?? null, config);
    if (config.primaryKeyFields.length > 0) {
      const wanted = config.primaryKeyFields.map((f) => fold(f, config));
      cells = cells.filter((c) => wanted.includes(c.name));
    }
    if (cells.length === 0) throw new DataError(`${where(record)}: the key has no primary key fields`);
    return cells;
  }
  const name = config.primaryKeyFields[0];
  if (!name) throw new DataError(`${where(record)}: a primitive key needs primary.key.fields to name its column`);
  return [{ name: fold(name, config), schema: keySchema ?? null, value: key }];
}

function cellsOf(row: Record<string, unknown>, schema: Schema | null, config: JdbcSinkConfig): Cell[] {
  if (schema?.type === 'struct' && schema.fields)
    return schema.fields.map((f) => ({ name: fold(f.name, config), schema: f.schema, value: row[f.name] ?? null }));
  return Object.keys(row)
    .filter((k) => row[k] !== undefined)
    .map((k) => ({ name: fold(k, config), schema: null, value: row[k] }));
}

/** The target table from collection.name.format. */
export function tableOf(record: SinkRecord, config: JdbcSinkConfig, source: unknown): TableId {
  const src = isObject(source) ? (source as Record<string, unknown>) : {};
  const name = config.collectionNameFormat
    .replace(/\$\{topic\}/g, record.topic.replace(/\./g, '_'))
    .replace(/\$\{source\.([A-Za-z0-9_]+)\}/g, (_, field: string) => {
      const v = src[field];
      if (v === null || v === undefined || v === '')
        throw new DataError(`${where(record)}: collection.name.format uses \${source.${field}} but the event has none`);
      return String(v);
    });
  const dot = name.indexOf('.');
  const id = dot < 0 ? { schema: null, name } : { schema: name.slice(0, dot), name: name.slice(dot + 1) };
  return { schema: id.schema === null ? null : fold(id.schema, config), name: fold(id.name, config) };
}

/** Without quote.identifiers, names fold to lower case as unquoted names do in PostgreSQL. */
function fold(name: string, config: JdbcSinkConfig): string {
  return config.quoteIdentifiers ? name : name.toLowerCase();
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);
}

export function where(record: SinkRecord): string {
  return `record ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}`;
}
