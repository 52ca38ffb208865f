// The PostgreSQL CDC connector's settings: Debezium's PostgresConnector keys
// with Debezium's defaults (except plugin.name: only pgoutput is spoken, so
// it is the default), so that an existing Debezium config runs unchanged.
import { ConfigDef, ConfigError, NO_DEFAULT, Validators, type RawConfig } from '../../sdk/index.js';
import { UNAVAILABLE_VALUE, placeholderBytes } from './toast.js';
import type { BinaryMode, DecimalMode, IntervalMode, TimePrecisionMode, TypeModes } from './types.js';

export type SnapshotMode = 'initial' | 'no_data' | 'always' | 'initial_only' | 'when_needed';
export type AutocreateMode = 'all_tables' | 'filtered' | 'no_tables' | 'disabled';

const G_CONN = 'Connection';
const G_REPL = 'Replication';
const G_FILTER = 'Filters';
const G_EVENTS = 'Events';

export function postgresConfigDef(): ConfigDef {
  let order = 0;
  const def = new ConfigDef();
  const key = (
    name: string,
    type: 'STRING' | 'INT' | 'LONG' | 'BOOLEAN' | 'PASSWORD' | 'LIST',
    defaultValue: unknown,
    group: string,
    documentation: string,
    validator?: (n: string, v: unknown) => void,
  ) =>
    def.define({
      name,
      type,
      defaultValue,
      importance: defaultValue === NO_DEFAULT ? 'HIGH' : 'MEDIUM',
      group,
      orderInGroup: ++order,
      documentation,
      validator,
    });
  key('database.hostname', 'STRING', NO_DEFAULT, G_CONN, 'Resolvable hostname or IP address of the database server.');
  key('database.port', 'INT', 5432, G_CONN, 'Port of the database server.', Validators.between(1, 65535));
  key('database.user', 'STRING', NO_DEFAULT, G_CONN, 'Name of the database user (needs REPLICATION and SELECT).');
  key('database.password', 'PASSWORD', null, G_CONN, 'Password of the database user.');
  key('database.dbname', 'STRING', NO_DEFAULT, G_CONN, 'The name of the database to capture changes from.');
  key(
    'database.sslmode',
    'STRING',
    'prefer',
    G_CONN,
    'disable, prefer (treated as disable: no TLS attempt), require (TLS without certificate checks), verify-ca, verify-full.',
    Validators.oneOf('disable', 'prefer', 'allow', 'require', 'verify-ca', 'verify-full'),
  );
  key(
    'topic.prefix',
    'STRING',
    NO_DEFAULT,
    G_CONN,
    'Prefix of every topic name, and the source partition of the offsets ({"server": prefix}): never change it.',
    Validators.nonEmptyString(),
  );
  key(
    'plugin.name',
    'STRING',
    'pgoutput',
    G_REPL,
    'Logical decoding plugin: only pgoutput (built into PostgreSQL 10+).',
    (n, v) => {
      if (String(v) !== 'pgoutput')
        throw new ConfigError(
          n,
          `only 'pgoutput' is supported (got '${String(v)}'); decoderbufs needs a server plugin`,
        );
    },
  );
  key('slot.name', 'STRING', 'debezium', G_REPL, 'Replication slot name ([a-z0-9_], unique per connector).', (n, v) => {
    if (!/^[a-z0-9_]{1,63}$/.test(String(v)))
      throw new ConfigError(n, 'must be 1-63 characters of lower-case letters, digits and underscores');
  });
  key('slot.drop.on.stop', 'BOOLEAN', false, G_REPL, 'Drop the slot when the task stops (development only).');
  key('publication.name', 'STRING', 'dbz_publication', G_REPL, 'Publication pgoutput streams.', (n, v) => {
    if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(String(v))) throw new ConfigError(n, 'not a valid identifier');
  });
  key(
    'publication.autocreate.mode',
    'STRING',
    'all_tables',
    G_REPL,
    'all_tables: create FOR ALL TABLES if missing; filtered: create/alter FOR TABLE <captured tables>; no_tables; disabled: must exist.',
    Validators.oneOf('all_tables', 'filtered', 'no_tables', 'disabled'),
  );
  key(
    'snapshot.mode',
    'STRING',
    'initial',
    G_REPL,
    'initial, no_data (never), always, initial_only, when_needed.',
    Validators.oneOf('initial', 'no_data', 'never', 'always', 'initial_only', 'when_needed'),
  );
  key(
    'snapshot.fetch.size',
    'INT',
    10240,
    G_REPL,
    'Rows fetched per round trip while snapshotting.',
    Validators.atLeast(1),
  );
  key(
    'status.update.interval.ms',
    'INT',
    10000,
    G_REPL,
    'How often the slot hears our position.',
    Validators.atLeast(100),
  );
  key(
    'heartbeat.interval.ms',
    'INT',
    0,
    G_EVENTS,
    'Heartbeat records every this many ms (0: off); they move the slot.',
    Validators.atLeast(0),
  );
  key(
    'topic.heartbeat.prefix',
    'STRING',
    '__debezium-heartbeat',
    G_EVENTS,
    'Heartbeat topic: <prefix>.<topic.prefix>.',
  );
  key('schema.include.list', 'STRING', null, G_FILTER, 'Regexes (comma-separated) of schemas to capture.');
  key('schema.exclude.list', 'STRING', null, G_FILTER, 'Regexes of schemas not to capture.');
  key('table.include.list', 'STRING', null, G_FILTER, 'Regexes of schema.table to capture.');
  key('table.exclude.list', 'STRING', null, G_FILTER, 'Regexes of schema.table not to capture.');
  key('column.include.list', 'STRING', null, G_FILTER, 'Regexes of schema.table.column to include.');
  key('column.exclude.list', 'STRING', null, G_FILTER, 'Regexes of schema.table.column to leave out.');
  key('tombstones.on.delete', 'BOOLEAN', true, G_EVENTS, 'Follow each delete event with a tombstone (null value).');
  key(
    'decimal.handling.mode',
    'STRING',
    'precise',
    G_EVENTS,
    'numeric/decimal/money as precise (Decimal bytes), double or string.',
    Validators.oneOf('precise', 'double', 'string'),
  );
  key(
    'binary.handling.mode',
    'STRING',
    'bytes',
    G_EVENTS,
    'bytea as bytes, base64, base64-url-safe or hex.',
    Validators.oneOf('bytes', 'base64', 'base64-url-safe', 'hex'),
  );
  key(
    'time.precision.mode',
    'STRING',
    'adaptive',
    G_EVENTS,
    'adaptive (column precision), adaptive_time_microseconds, connect (Kafka Connect Date/Time/Timestamp, ms).',
    Validators.oneOf('adaptive', 'adaptive_time_microseconds', 'connect'),
  );
  key(
    'interval.handling.mode',
    'STRING',
    'numeric',
    G_EVENTS,
    'interval as numeric (MicroDuration µs) or string (ISO-8601).',
    Validators.oneOf('numeric', 'string'),
  );
  key(
    'unavailable.value.placeholder',
    'STRING',
    UNAVAILABLE_VALUE,
    G_EVENTS,
    "Value of unchanged TOASTed columns (typed for arrays, see the docs); 'hex:' then hex octets for bytes.",
    (n, v) => {
      if (String(v).startsWith('hex:') && !/^([0-9a-fA-F]{2})*$/.test(String(v).slice(4)))
        throw new ConfigError(n, 'hex: must be followed by pairs of hex digits');
    },
  );
  key(
    'skipped.operations',
    'STRING',
    't',
    G_EVENTS,
    'Operations not emitted: c, u, d, t (comma-separated) or none.',
    (n, v) => {
      for (const op of String(v)
        .split(',')
        .map((s) => s.trim()))
        if (op !== '' && !['c', 'u', 'd', 't', 'none'].includes(op))
          throw new ConfigError(n, `unknown operation '${op}'`);
    },
  );
  key(
    'provide.transaction.metadata',
    'BOOLEAN',
    false,
    G_EVENTS,
    'BEGIN/END records on <prefix>.transaction and the envelope transaction block.',
  );
  key('max.batch.size', 'INT', 2048, G_EVENTS, 'Most records returned by one poll.', Validators.atLeast(1));
  key(
    'max.queue.size',
    'INT',
    8192,
    G_EVENTS,
    'Records buffered ahead of poll (reading pauses when full).',
    Validators.atLeast(1),
  );
  key('poll.interval.ms', 'INT', 500, G_EVENTS, 'How long poll waits for changes.', Validators.atLeast(1));
  return def;
}

export interface PostgresConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly database: string;
  readonly sslmode: string;
  readonly prefix: string;
  readonly slot: string;
  readonly slotDropOnStop: boolean;
  readonly publication: string;
  readonly autocreate: AutocreateMode;
  readonly snapshotMode: SnapshotMode;
  readonly fetchSize: number;
  readonly statusIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTopic: string;
  readonly filters: Filters;
  readonly tombstones: boolean;
  readonly modes: TypeModes;
  readonly skipped: ReadonlySet<string>;
  readonly transactionMetadata: boolean;
  readonly maxBatchSize: number;
  readonly maxQueueSize: number;
  readonly pollIntervalMs: number;
}

export interface Filters {
  readonly schemaInclude: RegExp[] | null;
  readonly schemaExclude: RegExp[] | null;
  readonly tableInclude: RegExp[] | null;
  readonly tableExclude: RegExp[] | null;
  readonly columnInclude: RegExp[] | null;
  readonly columnExclude: RegExp[] | null;
}

function regexList(name: string, value: unknown): RegExp[] | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return new RegExp(`^(?:${s})$`, 'i');
      } catch (err) {
        throw new ConfigError(name, `invalid regular expression '${s}': ${(err as Error).message}`);
      }
    });
}

/** Parses and validates; throws ConfigError on the first problem. */
export function parsePostgresConfig(props: RawConfig): PostgresConfig {
  const p = postgresConfigDef().parse(props);
  const both = (a: string, b: string) => {
    if (p[a] && p[b]) throw new ConfigError(b, `set either ${a} or ${b}, not both`);
  };
  both('schema.include.list', 'schema.exclude.list');
  both('table.include.list', 'table.exclude.list');
  both('column.include.list', 'column.exclude.list');
  const mode = String(p['snapshot.mode']).toLowerCase();
  const skipped = new Set(
    String(p['skipped.operations'])
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== 'none'),
  );
  return {
    host: p['database.hostname'] as string,
    port: p['database.port'] as number,
    user: p['database.user'] as string,
    password: (p['database.password'] as string | null) ?? null,
    database: p['database.dbname'] as string,
    sslmode: String(p['database.sslmode']),
    prefix: p['topic.prefix'] as string,
    slot: p['slot.name'] as string,
    slotDropOnStop: p['slot.drop.on.stop'] as boolean,
    publication: p['publication.name'] as string,
    autocreate: String(p['publication.autocreate.mode']).toLowerCase() as AutocreateMode,
    snapshotMode: (mode === 'never' ? 'no_data' : mode) as SnapshotMode,
    fetchSize: p['snapshot.fetch.size'] as number,
    statusIntervalMs: p['status.update.interval.ms'] as number,
    heartbeatIntervalMs: p['heartbeat.interval.ms'] as number,
    heartbeatTopic: `${p['topic.heartbeat.prefix']}.${p['topic.prefix']}`,
    filters: {
      schemaInclude: regexList('schema.include.list', p['schema.include.list']),
      schemaExclude: regexList('schema.exclude.list', p['schema.exclude.list']),
      tableInclude: regexList('table.include.list', p['table.include.list']),
      tableExclude: regexList('table.exclude.list', p['table.exclude.list']),
      columnInclude: regexList('column.include.list', p['column.include.list']),
      columnExclude: regexList('column.exclude.list', p['column.exclude.list']),
    },
    tombstones: p['tombstones.on.delete'] as boolean,
    modes: {
      decimal: String(p['decimal.handling.mode']).toLowerCase() as DecimalMode,
      binary: String(p['binary.handling.mode']).toLowerCase() as BinaryMode,
      time: String(p['time.precision.mode']).toLowerCase() as TimePrecisionMode,
      interval: String(p['interval.handling.mode']).toLowerCase() as IntervalMode,
      unavailable: placeholderBytes(String(p['unavailable.value.placeholder'])),
    },
    skipped,
    transactionMetadata: p['provide.transaction.metadata'] as boolean,
    maxBatchSize: p['max.batch.size'] as number,
    maxQueueSize: p['max.queue.size'] as number,
    pollIntervalMs: p['poll.interval.ms'] as number,
  };
}

const matches = (list: RegExp[] | null, name: string) => list != null && list.some((r) => r.test(name));

/** Whether schema.table is captured. */
export function tableCaptured(f: Filters, schema: string, table: string): boolean {
  if (f.schemaInclude && !matches(f.schemaInclude, schema)) return false;
  if (matches(f.schemaExclude, schema)) return false;
  const name = `${schema}.${table}`;
  if (f.tableInclude && !matches(f.tableInclude, name)) return false;
  if (matches(f.tableExclude, name)) return false;
  return true;
}

/** Whether schema.table.column is emitted (key columns always are). */
export function columnCaptured(f: Filters, schema: string, table: string, column: string): boolean {
  const name = `${schema}.${table}.${column}`;
  if (f.columnInclude && !matches(f.columnInclude, name)) return false;
  return !matches(f.columnExclude, name);
}
