// The PostgreSQL sink's settings: the Debezium JDBC sink's keys and defaults
// (io.debezium.connector.jdbc.JdbcSinkConnectorConfig), so its configs run
// here unchanged, with its cross-key checks.
import { ConfigDef, ConfigError, Validators, type RawConfig } from '../../sdk/index.js';
import { parseJdbcUrl, type PgConnection } from './jdbc-url.js';

export type InsertMode = 'insert' | 'upsert' | 'update';
export type PrimaryKeyMode = 'none' | 'kafka' | 'record_key' | 'record_value';

export interface JdbcSinkConfig {
  readonly connection: PgConnection;
  readonly insertMode: InsertMode;
  readonly deleteEnabled: boolean;
  readonly truncateEnabled: boolean;
  readonly primaryKeyMode: PrimaryKeyMode;
  readonly primaryKeyFields: readonly string[];
  readonly schemaEvolution: 'none' | 'basic';
  readonly collectionNameFormat: string;
  readonly quoteIdentifiers: boolean;
  readonly batchSize: number;
  readonly flushMaxRetries: number;
  readonly flushRetryDelayMs: number;
}

const CONNECTION = 'Connection';
const WRITES = 'Writes';

export function jdbcSinkConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({
      name: 'connection.url',
      type: 'STRING',
      defaultValue: undefined,
      importance: 'HIGH',
      group: CONNECTION,
      documentation:
        'The JDBC URL of the target database, jdbc:postgresql://host[:port]/database[?sslmode=...&sslrootcert=...]. ' +
        'Only PostgreSQL is supported.',
      validator: (name, value) => {
        if (typeof value === 'string') parseJdbcUrl(name, value);
      },
    })
    .define({
      name: 'connection.username',
      type: 'STRING',
      defaultValue: null,
      importance: 'HIGH',
      group: CONNECTION,
      documentation: 'The database user.',
    })
    .define({
      name: 'connection.password',
      type: 'PASSWORD',
      defaultValue: null,
      importance: 'HIGH',
      group: CONNECTION,
      documentation: 'The database password; use a config provider placeholder.',
    })
    .define({
      name: 'insert.mode',
      type: 'STRING',
      defaultValue: 'insert',
      importance: 'HIGH',
      group: WRITES,
      documentation:
        'insert: plain INSERT; upsert: INSERT ... ON CONFLICT (primary key) DO UPDATE (idempotent: replays converge); ' +
        'update: UPDATE ... WHERE primary key.',
      validator: Validators.oneOf('insert', 'upsert', 'update'),
    })
    .define({
      name: 'delete.enabled',
      type: 'BOOLEAN',
      defaultValue: false,
      importance: 'MEDIUM',
      group: WRITES,
      documentation:
        'Delete events (op d) and tombstones delete the row by primary key. Needs primary.key.mode=record_key.',
    })
    .define({
      name: 'truncate.enabled',
      type: 'BOOLEAN',
      defaultValue: false,
      importance: 'MEDIUM',
      group: WRITES,
      documentation: 'Truncate events (op t) truncate the table.',
    })
    .define({
      name: 'primary.key.mode',
      type: 'STRING',
      defaultValue: 'none',
      importance: 'HIGH',
      group: WRITES,
      documentation:
        'Where the primary key comes from: none; kafka (columns __connect_topic, __connect_partition, ' +
        '__connect_offset); record_key (the key fields, or primary.key.fields[0] for a primitive key); ' +
        'record_value (primary.key.fields of the value, all of its fields when empty).',
      validator: Validators.oneOf('none', 'kafka', 'record_key', 'record_value'),
    })
    .define({
      name: 'primary.key.fields',
      type: 'LIST',
      defaultValue: [],
      importance: 'MEDIUM',
      group: WRITES,
      documentation:
        'A comma list of the fields that make the primary key (a subset; or the column name of a primitive key).',
    })
    .define({
      name: 'schema.evolution',
      type: 'STRING',
      defaultValue: 'none',
      importance: 'MEDIUM',
      group: WRITES,
      documentation:
        'none: tables and columns must exist; basic: a missing table is created from the key and value schemas and ' +
        'new fields are added as columns (never dropped, retyped or re-keyed).',
      validator: Validators.oneOf('none', 'basic'),
    })
    .define({
      name: 'collection.name.format',
      type: 'STRING',
      defaultValue: '${topic}',
      importance: 'MEDIUM',
      group: WRITES,
      documentation:
        'The target table: ${topic} (dots become underscores) and ${source.<field>} of a Debezium event are ' +
        'replaced; "a.b" means table b in schema a.',
    })
    .define({
      name: 'table.name.format',
      type: 'STRING',
      defaultValue: null,
      importance: 'LOW',
      group: WRITES,
      documentation: 'The deprecated name of collection.name.format (used when that key is not set).',
    })
    .define({
      name: 'quote.identifiers',
      type: 'BOOLEAN',
      defaultValue: false,
      importance: 'LOW',
      group: WRITES,
      documentation:
        'true: table and column names keep their case; false: they are lower-cased as PostgreSQL does with unquoted names.',
    })
    .define({
      name: 'batch.size',
      type: 'INT',
      defaultValue: 500,
      importance: 'MEDIUM',
      group: WRITES,
      documentation: 'The most rows in one multi-row statement.',
      validator: Validators.atLeast(1),
    })
    .define({
      name: 'flush.max.retries',
      type: 'INT',
      defaultValue: 5,
      importance: 'LOW',
      group: CONNECTION,
      documentation: 'How often a batch is retried when the database cannot be reached before the task fails.',
      validator: Validators.atLeast(0),
    })
    .define({
      name: 'flush.retry.delay.ms',
      type: 'LONG',
      defaultValue: 1000,
      importance: 'LOW',
      group: CONNECTION,
      documentation: 'The wait between those retries.',
      validator: Validators.atLeast(0),
    });
}

export function parseJdbcSinkConfig(props: RawConfig): JdbcSinkConfig {
  const p = jdbcSinkConfigDef().parse(props);
  const fromUrl = parseJdbcUrl('connection.url', p['connection.url'] as string);
  const user = (p['connection.username'] as string | null) ?? fromUrl.user;
  const password = (p['connection.password'] as string | null) ?? fromUrl.password;
  const insertMode = String(p['insert.mode']).toLowerCase() as InsertMode;
  const primaryKeyMode = String(p['primary.key.mode']).toLowerCase() as PrimaryKeyMode;
  const deleteEnabled = p['delete.enabled'] as boolean;
  if (insertMode !== 'insert' && primaryKeyMode === 'none')
    throw new ConfigError('primary.key.mode', `insert.mode=${insertMode} needs a primary key: set primary.key.mode`);
  if (deleteEnabled && primaryKeyMode !== 'record_key')
    throw new ConfigError('delete.enabled', 'delete.enabled=true needs primary.key.mode=record_key');
  return {
    connection: { ...fromUrl, ...(user ? { user } : {}), ...(password ? { password } : {}) },
    insertMode,
    deleteEnabled,
    truncateEnabled: p['truncate.enabled'] as boolean,
    primaryKeyMode,
    primaryKeyFields: p['primary.key.fields'] as string[],
    schemaEvolution: String(p['schema.evolution']).toLowerCase() as 'none' | 'basic',
    collectionNameFormat:
      props['collection.name.format'] === undefined && p['table.name.format']
        ? (p['table.name.format'] as string)
        : (p['collection.name.format'] as string),
    quoteIdentifiers: p['quote.identifiers'] as boolean,
    batchSize: p['batch.size'] as number,
    flushMaxRetries: p['flush.max.retries'] as number,
    flushRetryDelayMs: p['flush.retry.delay.ms'] as number,
  };
}
