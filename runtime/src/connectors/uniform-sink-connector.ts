// A sink connector whose tasks all get the connector's own config (the HTTP and PostgreSQL sinks):
// the tasks share the topic partitions through the consumer group, so the connector only checks
// the settings. Its subclasses say which settings and which task.
import {
  ConnectError,
  type ConfigDef,
  type ConfigValue,
  type ConnectorContext,
  type ConnectorProps,
  type SinkConnector,
  type SinkTaskClass,
} from '../sdk/index.js';
import { CONNECTORS_VERSION } from './version.js';

export abstract class UniformSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private props: ConnectorProps | null = null;

  abstract config(): ConfigDef;
  /** Parses the settings, throwing ConfigError for checks that span keys. */
  protected abstract parse(props: ConnectorProps): unknown;
  abstract taskClass(): SinkTaskClass;

  version(): string {
    return CONNECTORS_VERSION;
  }

  validate(props: ConnectorProps): ConfigValue[] {
    return this.config().validateWithParser(props, () => this.parse(props));
  }

  start(props: ConnectorProps, _context?: ConnectorContext): void {
    this.parse(props);
    this.props = props;
  }

  taskConfigs(maxTasks: number): ConnectorProps[] {
    const props = this.props;
    if (!props) throw new ConnectError(`${this.constructor.name} has not been started`);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...props }));
  }

  stop(): void {
    this.props = null;
  }

  /** The sink keeps no offsets of its own: the framework's consumer offsets are all. */
  alterOffsets(): boolean {
    return true;
  }
}
