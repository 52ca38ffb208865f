// Kafka's FileStreamSinkConnector: appends every record's value, one per
// line, to a file (or stdout).
import {
  ConnectError,
  type ConfigDef,
  type ConnectorContext,
  type ConnectorProps,
  type SinkConnector,
  type SinkTaskClass,
} from '../sdk/index.js';
import { SINK_FILE_CONFIG, fileStreamSinkConfigDef, parseFileStreamSinkConfig } from './file-stream-sink-config.js';
import { FileStreamSinkTask } from './file-stream-sink-task.js';
import { CONNECTORS_VERSION } from './version.js';

/** The framework's sink subscription keys (Kafka's SinkTask.TOPICS_CONFIG / TOPICS_REGEX_CONFIG). */
const FRAMEWORK_SINK_KEYS = ['topics', 'topics.regex'] as const;

export class FileStreamSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private props: ConnectorProps | null = null;
  private file: string | null = null;

  version(): string {
    return CONNECTORS_VERSION;
  }

  config(): ConfigDef {
    return fileStreamSinkConfigDef();
  }

  start(props: ConnectorProps, _context?: ConnectorContext): void {
    this.file = parseFileStreamSinkConfig(props).file;
    this.props = props;
  }

  taskClass(): SinkTaskClass {
    return FileStreamSinkTask;
  }

  /**
   * `tasks.max` identical tasks: every task appends to the same file, as in
   * Kafka. Kafka's worker adds topics/topics.regex to each task config
   * itself; they are copied here too so that a worker which does not still
   * hands the task its subscription (the values are the same either way).
   */
  taskConfigs(maxTasks: number): ConnectorProps[] {
    const props = this.props;
    if (!props) throw new ConnectError('FileStreamSinkConnector has not been started');
    const task: ConnectorProps = {};
    if (this.file !== null) task[SINK_FILE_CONFIG] = this.file;
    for (const key of FRAMEWORK_SINK_KEYS) if (props[key] !== undefined) task[key] = props[key];
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...task }));
  }

  stop(): void {
    this.props = null;
  }

  /** Nothing to check or do: the sink keeps no offsets of its own, the framework's consumer offsets are all. */
  alterOffsets(): boolean {
    return true;
  }
}
