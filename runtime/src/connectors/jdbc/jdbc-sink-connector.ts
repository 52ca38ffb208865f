// The PostgreSQL sink connector, configured as the Debezium JDBC sink
// (io.debezium.connector.jdbc.JdbcSinkConnector is an alias): checks the
// settings and gives every task the same config.
import {
  ConnectError,
  type ConfigDef,
  type ConfigValue,
  type ConnectorContext,
  type ConnectorProps,
  type SinkConnector,
  type SinkTaskClass,
} from '../../sdk/index.js';
import { CONNECTORS_VERSION } from '../version.js';
import { jdbcSinkConfigDef, parseJdbcSinkConfig } from './jdbc-sink-config.js';
import { JdbcSinkTask } from './jdbc-sink-task.js';

export class JdbcSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private props: ConnectorProps | null = null;

  version(): string {
    return CONNECTORS_VERSION;
  }

  config(): ConfigDef {
    return jdbcSinkConfigDef();
  }

  /** The ConfigDef's checks plus the cross-key ones (upsert and delete need a primary key mode). */
  validate(props: ConnectorProps): ConfigValue[] {
    return jdbcSinkConfigDef().validateWithParser(props, parseJdbcSinkConfig);
  }

  start(props: ConnectorProps, _context?: ConnectorContext): void {
    parseJdbcSinkConfig(props);
    this.props = props;
  }

  taskClass(): SinkTaskClass {
    return JdbcSinkTask;
  }

  taskConfigs(maxTasks: number): ConnectorProps[] {
    if (!this.props) throw new ConnectError('JdbcSinkConnector has not been started');
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.props! }));
  }

  stop(): void {
    this.props = null;
  }

  alterOffsets(): boolean {
    return true;
  }
}
