// The built-in connectors, announced the way any plugin module announces
// itself: they use nothing but the plugin SDK.
import type { PluginDescriptor } from '../sdk/index.js';
import { DataGenConnector } from './datagen-connector.js';
import { FileStreamSinkConnector } from './file-stream-sink-connector.js';
import { FileStreamSourceConnector } from './file-stream-source-connector.js';
import { HttpSinkConnector } from './http/http-sink-connector.js';
import { JdbcSinkConnector } from './jdbc/jdbc-sink-connector.js';
import { PostgresConnector } from './postgres/connector.js';
import { CONNECTORS_VERSION } from './version.js';

export { DataGenConnector } from './datagen-connector.js';
export { DataGenTask } from './datagen-task.js';
export { FileStreamSinkConnector } from './file-stream-sink-connector.js';
export { FileStreamSinkTask } from './file-stream-sink-task.js';
export { FileStreamSourceConnector } from './file-stream-source-connector.js';
export { FileStreamSourceTask } from './file-stream-source-task.js';
export { HttpSinkConnector } from './http/http-sink-connector.js';
export { HttpSinkTask } from './http/http-sink-task.js';
export { JdbcSinkConnector } from './jdbc/jdbc-sink-connector.js';
export { JdbcSinkTask } from './jdbc/jdbc-sink-task.js';
export { PostgresConnector } from './postgres/connector.js';
export { PostgresSourceTask } from './postgres/task.js';

export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    aliases: ['FileStreamSourceConnector', 'FileStreamSource'],
    version: CONNECTORS_VERSION,
    create: FileStreamSourceConnector,
  },
  {
    type: 'sink',
    class: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    aliases: ['FileStreamSinkConnector', 'FileStreamSink'],
    version: CONNECTORS_VERSION,
    create: FileStreamSinkConnector,
  },
  {
    type: 'source',
    class: 'dev.sluice.connect.datagen.DataGenConnector',
    aliases: ['DataGenConnector', 'DataGen'],
    version: CONNECTORS_VERSION,
    create: DataGenConnector,
  },
  {
    type: 'sink',
    class: 'dev.sluice.connect.http.HttpSinkConnector',
    aliases: ['HttpSinkConnector', 'HttpSink'],
    version: CONNECTORS_VERSION,
    create: HttpSinkConnector,
  },
  {
    type: 'sink',
    class: 'io.debezium.connector.jdbc.JdbcSinkConnector',
    aliases: ['JdbcSinkConnector', 'JdbcSink', 'dev.sluice.connect.jdbc.PostgresSinkConnector', 'PostgresSink'],
    version: CONNECTORS_VERSION,
    create: JdbcSinkConnector,
  },
  {
    type: 'source',
    class: 'io.debezium.connector.postgresql.PostgresConnector',
    aliases: ['PostgresConnector', 'Postgres', 'dev.sluice.connect.postgres.PostgresConnector'],
    version: CONNECTORS_VERSION,
    create: PostgresConnector,
    // Debezium's task class, written as task.class (an Apache worker taking over instantiates it).
    taskClass: 'io.debezium.connector.postgresql.PostgresConnectorTask',
  },
];
