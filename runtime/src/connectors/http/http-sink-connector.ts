// The HTTP sink connector: validates its settings and hands every task the
// same config (the tasks split the topic partitions through the consumer group).
import type { ConfigDef, ConnectorProps, SinkTaskClass } from '../../sdk/index.js';
import { UniformSinkConnector } from '../uniform-sink-connector.js';
import { httpSinkConfigDef, parseHttpSinkConfig } from './http-sink-config.js';
import { HttpSinkTask } from './http-sink-task.js';

export class HttpSinkConnector extends UniformSinkConnector {
  config(): ConfigDef {
    return httpSinkConfigDef();
  }

  /** Cross-key checks: the headers' format, credentials for the auth type. */
  protected parse(props: ConnectorProps): unknown {
    return parseHttpSinkConfig(props);
  }

  taskClass(): SinkTaskClass {
    return HttpSinkTask;
  }
}
