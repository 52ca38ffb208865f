// The HTTP sink connector: validates its settings and hands every task the
// same config (the tasks split the topic partitions through the consumer group).
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
import { httpSinkConfigDef, parseHttpSinkConfig } from './http-sink-config.js';
import { HttpSinkTask } from './http-sink-task.js';

export class HttpSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private props: ConnectorProps | null = null;

  version(): string {
    return CONNECTORS_VERSION;
  }

  config(): ConfigDef {
    return httpSinkConfigDef();
  }

  /** The ConfigDef's checks plus the cross-key ones (headers format, credentials for auth.type). */
  validate(props: ConnectorProps): ConfigValue[] {
    return httpSinkConfigDef().validateWithParser(props, parseHttpSinkConfig);
  }

  start(props: ConnectorProps, _context?: ConnectorContext): void {
    parseHttpSinkConfig(props);
    this.props = props;
  }

  taskClass(): SinkTaskClass {
    return HttpSinkTask;
  }

  taskConfigs(maxTasks: number): ConnectorProps[] {
    if (!this.props) throw new ConnectError('HttpSinkConnector has not been started');
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.props! }));
  }

  stop(): void {
    this.props = null;
  }

  /** The sink keeps no offsets of its own: the framework's consumer offsets are all. */
  alterOffsets(): boolean {
    return true;
  }
}
