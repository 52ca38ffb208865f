// provide.transaction.metadata: Debezium's BEGIN/END records on
// `<prefix>.transaction` and the `transaction` block of each change event.
import { arraySchema, primitiveSchema, structSchema, type Schema } from '../../sdk/index.js';

export const TX_KEY_SCHEMA: Schema = structSchema([['id', primitiveSchema('string')]], {
  name: 'io.debezium.connector.common.TransactionMetadataKey',
});

export const TX_VALUE_SCHEMA: Schema = structSchema(
  [
    ['status', primitiveSchema('string')],
    ['id', primitiveSchema('string')],
    ['event_count', primitiveSchema('int64', { optional: true })],
    [
      'data_collections',
      arraySchema(
        structSchema([
          ['data_collection', primitiveSchema('string')],
          ['event_count', primitiveSchema('int64')],
        ]),
        { optional: true },
      ),
    ],
    ['ts_ms', primitiveSchema('int64')],
  ],
  { name: 'io.debezium.connector.common.TransactionMetadataValue' },
);

/** Counts of one open transaction. */
export class TransactionTracker {
  total = 0;
  private readonly perTable = new Map<string, number>();
  constructor(readonly id: string) {}

  /** Counts one event of `collection` (schema.table); returns the transaction block for it. */
  next(collection: string): Record<string, unknown> {
    this.total++;
    const n = (this.perTable.get(collection) ?? 0) + 1;
    this.perTable.set(collection, n);
    return { id: this.id, total_order: this.total, data_collection_order: n };
  }

  begin(tsMs: number): Record<string, unknown> {
    return { status: 'BEGIN', id: this.id, event_count: null, data_collections: null, ts_ms: tsMs };
  }

  end(tsMs: number): Record<string, unknown> {
    return {
      status: 'END',
      id: this.id,
      event_count: this.total,
      data_collections: [...this.perTable].map(([data_collection, event_count]) => ({ data_collection, event_count })),
      ts_ms: tsMs,
    };
  }
}
