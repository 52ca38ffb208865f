// The PostgreSQL sink connector, configured as the Debezium JDBC sink
// (io.debezium.connector.jdbc.JdbcSinkConnector is an alias): checks the
// settings and gives every task the same config.
import type { ConfigDef, ConnectorProps, SinkTaskClass } from '../../sdk/index.js';
import { UniformSinkConnector } from '../uniform-sink-connector.js';
import { jdbcSinkConfigDef, parseJdbcSinkConfig } from './jdbc-sink-config.js';
import { JdbcSinkTask } from './jdbc-sink-task.js';

export class JdbcSinkConnector extends UniformSinkConnector {
  config(): ConfigDef {
    return jdbcSinkConfigDef();
  }

  /** Cross-key checks: upsert and delete need a primary key mode. */
  protected parse(props: ConnectorProps): unknown {
    return parseJdbcSinkConfig(props);
  }

  taskClass(): SinkTaskClass {
    return JdbcSinkTask;
  }
}
