// Debezium's change event shapes for one captured table: topic name, key and
// value schemas (`<prefix>.<schema>.<table>.Key/.Value/.Envelope`), the
// `source` block (io.debezium.connector.postgresql.Source), heartbeats and
// the envelope values. Pure functions: the task supplies rows as text.
import { primitiveSchema, structSchema, type Schema } from '../../sdk/index.js';
import { columnCaptured, type Filters } from './config.js';
import type { TableInfo } from './catalog.js';
import type { RelationColumn, TupleValue } from './pgoutput.js';
import { UNCHANGED_TOAST } from './pgoutput.js';
import { NO_PLACEHOLDER, UNAVAILABLE_VALUE, unchangedToastValue } from './toast.js';
import { columnMapping, type ColumnInfo, type ColumnMapping, type TypeModes } from './types.js';

export const SOURCE_CONNECTOR = 'postgresql';

const optionalString = primitiveSchema('string', { optional: true });
const optionalInt64 = primitiveSchema('int64', { optional: true });

export const SOURCE_SCHEMA: Schema = structSchema(
  [
    ['version', primitiveSchema('string')],
    ['connector', primitiveSchema('string')],
    ['name', primitiveSchema('string')],
    ['ts_ms', primitiveSchema('int64')],
    [
      'snapshot',
      primitiveSchema('string', {
        optional: true,
        name: 'io.debezium.data.Enum',
        version: 1,
        parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' },
        defaultValue: 'false',
      }),
    ],
    ['db', primitiveSchema('string')],
    ['sequence', optionalString],
    ['ts_us', optionalInt64],
    ['ts_ns', optionalInt64],
    ['schema', primitiveSchema('string')],
    ['table', primitiveSchema('string')],
    ['txId', optionalInt64],
    ['lsn', optionalInt64],
    ['xmin', optionalInt64],
    ['origin', optionalString],
    ['origin_lsn', optionalInt64],
  ],
  { name: 'io.debezium.connector.postgresql.Source', version: 1 },
);

export const TRANSACTION_SCHEMA: Schema = structSchema(
  [
    ['id', primitiveSchema('string')],
    ['total_order', primitiveSchema('int64')],
    ['data_collection_order', primitiveSchema('int64')],
  ],
  { name: 'event.block', version: 1, optional: true },
);

export const HEARTBEAT_KEY_SCHEMA: Schema = structSchema([['serverName', primitiveSchema('string')]], {
  name: 'io.debezium.connector.common.ServerNameKey',
});
export const HEARTBEAT_VALUE_SCHEMA: Schema = structSchema([['ts_ms', primitiveSchema('int64')]], {
  name: 'io.debezium.connector.common.Heartbeat',
});

/** Debezium replaces characters Kafka does not allow in topic names with `_`. */
export function topicName(prefix: string, schema: string, table: string): string {
  return `${prefix}.${schema}.${table}`.replace(/[^a-zA-Z0-9._-]/g, '_');
}

interface ModelColumn {
  readonly name: string;
  readonly mapping: ColumnMapping;
  /** position in the row as it arrives (the relation's or the snapshot's column list) */
  readonly position: number;
  /** a new value for each unchanged TOASTed column (toast.ts), or NO_PLACEHOLDER */
  readonly unchangedToast: () => unknown;
}

/** Everything needed to turn one table's rows into records. */
export interface TableModel {
  readonly schema: string;
  readonly table: string;
  readonly topic: string;
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema;
  readonly envelopeSchema: Schema;
  readonly valueColumns: readonly ModelColumn[];
  readonly keyColumns: readonly ModelColumn[];
}

/**
 * The model of a table whose rows arrive with `layout` (column names in row
 * order: the pgoutput Relation's columns, or the snapshot's SELECT list).
 * Types come from the layout when it has them (the relation's OIDs are those
 * of the change), the rest (NOT NULL, defaults, key) from the catalog.
 */
export function tableModel(
  prefix: string,
  info: TableInfo,
  layout: ReadonlyArray<string | RelationColumn>,
  modes: TypeModes,
  filters: Filters,
  typeOf: (c: RelationColumn) => ColumnInfo['type'] | undefined,
): TableModel {
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  const placeholder = modes.unavailable ?? Buffer.from(UNAVAILABLE_VALUE);
  const cols: ModelColumn[] = [];
  layout.forEach((entry, position) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const catalog = byName.get(name);
    const relType = typeof entry === 'string' ? undefined : typeOf(entry);
    const col: ColumnInfo | undefined =
      typeof entry === 'string'
        ? catalog
        : {
            name,
            type: relType ?? catalog?.type ?? { oid: entry.typeOid, name: `oid${entry.typeOid}`, kind: 'b' },
            typeMod: entry.typeMod,
            notNull: catalog?.notNull ?? false,
            defaultExpr: catalog?.defaultExpr ?? null,
          };
    if (!col) return;
    const mapping = columnMapping(col, modes);
    if (!mapping) return; // a type Debezium does not know is left out, as with include.unknown.datatypes=false
    const unchangedToast = () => unchangedToastValue(col.type, mapping.schema, placeholder);
    cols.push({ name, mapping, position, unchangedToast });
  });
  const keyColumns = info.primaryKey
    .map((k) => cols.find((c) => c.name === k))
    .filter((c): c is ModelColumn => c !== undefined);
  const valueColumns = cols.filter(
    (c) => info.primaryKey.includes(c.name) || columnCaptured(filters, info.schema, info.table, c.name),
  );
  const base = `${prefix}.${info.schema}.${info.table}`;
  const keySchema =
    keyColumns.length > 0
      ? structSchema(
          keyColumns.map((c) => [c.name, c.mapping.schema]),
          { name: `${base}.Key` },
        )
      : null;
  const valueSchema = structSchema(
    valueColumns.map((c) => [c.name, c.mapping.schema]),
    { name: `${base}.Value`, optional: true },
  );
  const envelopeSchema = structSchema(
    [
      ['before', valueSchema],
      ['after', valueSchema],
      ['source', SOURCE_SCHEMA],
      ['transaction', TRANSACTION_SCHEMA],
      ['op', primitiveSchema('string')],
      ['ts_ms', optionalInt64],
      ['ts_us', optionalInt64],
      ['ts_ns', optionalInt64],
    ],
    { name: `${base}.Envelope`, version: 2 },
  );
  return {
    schema: info.schema,
    table: info.table,
    topic: topicName(prefix, info.schema, info.table),
    keySchema,
    valueSchema,
    envelopeSchema,
    valueColumns,
    keyColumns,
  };
}

/**
 * A value for a required field that the change did not carry (e.g. non-key
 * columns of a DEFAULT-identity delete), or for an unchanged TOASTed value
 * with no placeholder its schema accepts (null when optional, as Debezium).
 */
function filler(schema: Schema): unknown {
  if (schema.optional) return null;
  if (schema.defaultValue !== undefined) return schema.defaultValue;
  if (schema.name === 'org.apache.kafka.connect.data.Decimal')
    return { unscaled: 0n, scale: Number(schema.parameters?.scale ?? 0) };
  switch (schema.type) {
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'struct':
      return { scale: 0, value: Buffer.alloc(1) };
    default:
      return 0;
  }
}

function convert(col: ModelColumn, text: TupleValue | undefined): unknown {
  if (text === undefined) return filler(col.mapping.schema);
  if (text === null) return col.mapping.schema.optional ? null : filler(col.mapping.schema);
  if (text === UNCHANGED_TOAST) {
    const placeholder = col.unchangedToast();
    return placeholder === NO_PLACEHOLDER ? filler(col.mapping.schema) : placeholder;
  }
  return col.mapping.convert(text);
}

/**
 * The new row of an UPDATE with its unchanged TOASTed columns taken from the
 * old row where that has them (REPLICA IDENTITY FULL, or a key column), as
 * Debezium's PostgresChangeRecordEmitter does; the columns the old row does
 * not carry (DEFAULT identity: no old row, or nulls outside the key) keep the
 * placeholder.
 */
export function withOldToastedValues(newRow: TupleValue[], oldRow: readonly TupleValue[] | null): TupleValue[] {
  // Runs for every streamed update: no copy when there is nothing to fill (the usual case).
  if (!oldRow || !newRow.includes(UNCHANGED_TOAST)) return newRow;
  return newRow.map((v, i) => {
    const old = oldRow?.[i];
    return v === UNCHANGED_TOAST && old !== undefined && old !== null ? old : v;
  });
}

/** The Value struct of a row (texts in the model's row order). */
export function rowValue(model: TableModel, row: readonly TupleValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of model.valueColumns) out[c.name] = convert(c, row[c.position]);
  return out;
}

/** The Key struct of a row, or null for a table without a primary key. */
export function rowKey(model: TableModel, row: readonly TupleValue[]): Record<string, unknown> | null {
  if (!model.keySchema) return null;
  const out: Record<string, unknown> = {};
  for (const c of model.keyColumns) out[c.name] = convert(c, row[c.position]);
  return out;
}

export type SnapshotMarker = 'first' | 'first_in_data_collection' | 'last_in_data_collection' | 'last' | 'true';

export interface SourceInfo {
  readonly version: string;
  readonly name: string;
  readonly db: string;
  readonly schema: string;
  readonly table: string;
  /** commit (streaming) or read (snapshot) time, µs since the epoch */
  readonly tsMicros: bigint;
  readonly snapshot: SnapshotMarker | 'false';
  readonly lastCommitLsn: number | null;
  readonly lsn: number | null;
  readonly txId: number | null;
  readonly origin?: string | null;
  readonly originLsn?: number | null;
}

export function sourceValue(s: SourceInfo): Record<string, unknown> {
  const ms = Number(s.tsMicros / 1000n);
  return {
    version: s.version,
    connector: SOURCE_CONNECTOR,
    name: s.name,
    ts_ms: ms,
    snapshot: s.snapshot,
    db: s.db,
    sequence: JSON.stringify([
      s.lastCommitLsn === null ? null : String(s.lastCommitLsn),
      s.lsn === null ? null : String(s.lsn),
    ]),
    ts_us: Number(s.tsMicros),
    ts_ns: s.tsMicros * 1000n,
    schema: s.schema,
    table: s.table,
    txId: s.txId,
    lsn: s.lsn,
    xmin: null,
    origin: s.origin ?? null,
    origin_lsn: s.originLsn ?? null,
  };
}

export type Op = 'c' | 'u' | 'd' | 'r' | 't';

/** The envelope value; ts_* are the time the connector processed the event. */
export function envelope(
  op: Op,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  source: Record<string, unknown>,
  transaction: Record<string, unknown> | null = null,
): Record<string, unknown> {
  const nowMicros = BigInt(Date.now()) * 1000n + BigInt(Math.floor(performance.now() * 1000) % 1000);
  return {
    before,
    after,
    source,
    transaction,
    op,
    ts_ms: Number(nowMicros / 1000n),
    ts_us: Number(nowMicros),
    ts_ns: nowMicros * 1000n,
  };
}
