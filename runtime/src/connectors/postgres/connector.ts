// The PostgreSQL CDC source connector (Debezium's PostgresConnector
// drop-in): always one task, as Debezium (one slot has one reader). Starting
// checks the connection and the server's prerequisites so a wrong password,
// a missing REPLICATION attribute or wal_level != logical fail the connector
// with a clear error before any task runs; PUT .../config/validate makes the
// same check (validateConnection) and reports it on database.hostname.
import pg from 'pg';
import {
  ConnectError,
  type ConfigDef,
  type ConfigValue,
  type ConnectorContext,
  type ConnectorProps,
  type SourceConnector,
  type SourceOffset,
  type SourcePartition,
  type SourceTaskClass,
} from '../../sdk/index.js';
import { CONNECTORS_VERSION } from '../version.js';
import { SESSION_OPTIONS } from './catalog.js';
import { parsePostgresConfig, postgresConfigDef, type PostgresConfig } from './config.js';
import { PostgresCdcError, describePgError } from './errors.js';
import { PostgresSourceTask } from './task.js';

/** The keys Debezium checks for errors before it tries the connection. */
const CONNECTION_KEYS = ['database.hostname', 'database.port', 'database.user', 'database.password', 'database.dbname'];

export class PostgresConnector implements SourceConnector {
  readonly type = 'source' as const;
  private props: ConnectorProps | null = null;

  version(): string {
    return CONNECTORS_VERSION;
  }

  config(): ConfigDef {
    return postgresConfigDef();
  }

  /** The ConfigDef's checks plus the cross-field ones (include and exclude lists of one kind are exclusive). */
  validate(props: ConnectorProps): ConfigValue[] {
    return postgresConfigDef().validateWithParser(props, parsePostgresConfig);
  }

  /**
   * As Debezium's validateConnection: when the database.* keys themselves are
   * valid, connect once and report what fails (unreachable, wrong password,
   * wal_level, no REPLICATION) on database.hostname, Debezium's messages first.
   */
  async validateConnection(props: ConnectorProps, values: ConfigValue[]): Promise<void> {
    if (values.some((v) => CONNECTION_KEYS.includes(v.name) && v.errors.length > 0)) return;
    const target = values.find((v) => v.name === 'database.hostname') ?? values[0];
    if (!target) return;
    let cfg: PostgresConfig;
    try {
      cfg = parsePostgresConfig(props);
    } catch {
      return;
    }
    try {
      await checkConnection(cfg);
    } catch (err) {
      const e = err as ConnectError;
      target.errors.push(
        e.code === 'PG_PRIVILEGE'
          ? `Postgres roles LOGIN and REPLICATION are not assigned to user: ${cfg.user} (${e.message})`
          : `Error while validating connector config: ${e.message}`,
      );
    }
  }

  async start(props: ConnectorProps, _context?: ConnectorContext): Promise<void> {
    const cfg = parsePostgresConfig(props);
    await checkConnection(cfg);
    this.props = { ...props };
  }

  taskClass(): SourceTaskClass {
    return PostgresSourceTask;
  }

  taskConfigs(_maxTasks: number): ConnectorProps[] {
    if (!this.props) throw new ConnectError('PostgresConnector has not been started');
    return [{ ...this.props }];
  }

  stop(): void {
    this.props = null;
  }

  /** Offsets written through the REST API must look like Debezium's: `{server}` → `{lsn, ...}`. */
  alterOffsets(_props: ConnectorProps, offsets: Map<SourcePartition, SourceOffset | null>): boolean {
    for (const [partition, offset] of offsets) {
      if (!partition || typeof partition.server !== 'string')
        throw new ConnectError("Partition objects should contain the key 'server' (the topic.prefix)");
      if (offset == null) continue;
      const lsn = offset.lsn ?? offset.lsn_commit ?? offset.lsn_proc;
      if (typeof lsn !== 'number' && typeof lsn !== 'bigint')
        throw new ConnectError("Offset objects should either be null or contain a numeric 'lsn'");
    }
    return true;
  }
}

/** Connects once and checks wal_level and the REPLICATION attribute. */
export async function checkConnection(cfg: PostgresConfig): Promise<void> {
  const where = `${cfg.host}:${cfg.port}/${cfg.database}`;
  const client = new pg.Client({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password ?? undefined,
    database: cfg.database,
    options: SESSION_OPTIONS,
    connectionTimeoutMillis: 15_000,
    ssl: ['require', 'verify-ca', 'verify-full'].includes(cfg.sslmode)
      ? { rejectUnauthorized: cfg.sslmode !== 'require' }
      : false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const wal = (await client.query('SHOW wal_level')).rows[0].wal_level;
    if (wal !== 'logical')
      throw new PostgresCdcError(
        'PG_WAL_LEVEL',
        `PostgreSQL at ${where} has wal_level=${wal}: logical decoding needs wal_level=logical (set it and restart the server)`,
      );
    const role = (await client.query('SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user'))
      .rows[0];
    if (!role?.rolreplication && !role?.rolsuper)
      throw new PostgresCdcError(
        'PG_PRIVILEGE',
        `User '${cfg.user}' has no REPLICATION privilege at ${where} (ALTER ROLE ${cfg.user} REPLICATION)`,
      );
  } catch (err) {
    throw describePgError(err, { user: cfg.user, where });
  } finally {
    await client.end().catch(() => undefined);
  }
}
