// Kafka's FileStreamSourceConnector: streams the lines of one file (or
// stdin) to one topic.
import {
  ConnectError,
  type ConfigDef,
  type ConnectorContext,
  type ConnectorProps,
  type SourceConnector,
  type SourceOffset,
  type SourcePartition,
  type SourceTaskClass,
} from '../sdk/index.js';
import {
  BATCH_SIZE_CONFIG,
  FILENAME_FIELD,
  FILE_CONFIG,
  POSITION_FIELD,
  TOPIC_CONFIG,
  fileOrNull,
  fileStreamSourceConfigDef,
  parseFileStreamSourceConfig,
  type FileStreamSourceConfig,
} from './file-stream-source-config.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';
import { CONNECTORS_VERSION } from './version.js';

export class FileStreamSourceConnector implements SourceConnector {
  readonly type = 'source' as const;
  private settings: FileStreamSourceConfig | null = null;

  version(): string {
    return CONNECTORS_VERSION;
  }

  config(): ConfigDef {
    return fileStreamSourceConfigDef();
  }

  start(props: ConnectorProps, _context?: ConnectorContext): void {
    this.settings = parseFileStreamSourceConfig(props);
  }

  taskClass(): SourceTaskClass {
    return FileStreamSourceTask;
  }

  /** Always one task, whatever tasks.max says: one file has one reader. */
  taskConfigs(_maxTasks: number): ConnectorProps[] {
    const config = this.settings;
    if (!config) throw new ConnectError('FileStreamSourceConnector has not been started');
    const task: ConnectorProps = { [TOPIC_CONFIG]: config.topic, [BATCH_SIZE_CONFIG]: String(config.batchSize) };
    if (config.file !== null) task[FILE_CONFIG] = config.file;
    return [task];
  }

  stop(): void {
    this.settings = null;
  }

  /**
   * Exactly-once needs offsets to resume from; stdin has none. (A file must
   * also only ever be appended to, which nothing can check up front.)
   */
  exactlyOnceSupport(props: ConnectorProps): 'SUPPORTED' | 'UNSUPPORTED' {
    return fileOrNull(props[FILE_CONFIG]) !== null ? 'SUPPORTED' : 'UNSUPPORTED';
  }

  /**
   * Checks offsets written through the REST API the way Kafka's connector
   * does: null (reset) is always fine, so stale partitions can be cleaned
   * up; anything else needs a non-negative integer `position`. Whether the
   * position fits the file is left to the task when it starts.
   */
  alterOffsets(props: ConnectorProps, offsets: Map<SourcePartition, SourceOffset | null>): boolean {
    if (fileOrNull(props[FILE_CONFIG]) === null) {
      throw new ConnectError(
        `Offsets cannot be modified if the '${FILE_CONFIG}' configuration is unspecified. ` +
          'This is because stdin is used for input and offsets are not tracked.',
      );
    }
    for (const [partition, offset] of offsets) {
      if (offset === null || offset === undefined) continue;
      if (!(POSITION_FIELD in offset)) {
        throw new ConnectError(`Offset objects should either be null or contain the key '${POSITION_FIELD}'`);
      }
      const position = offset[POSITION_FIELD];
      if (!isInteger(position)) {
        throw new ConnectError(
          `The value for the '${POSITION_FIELD}' key in the offset is expected to be an integer (Long) value, ` +
            `got ${JSON.stringify(typeof position === 'bigint' ? String(position) : position)}`,
        );
      }
      if (position < 0) {
        throw new ConnectError(
          `The value for the '${POSITION_FIELD}' key in the offset should be a non-negative value`,
        );
      }
      if (partition === null || partition === undefined) throw new ConnectError('Partition objects cannot be null');
      if (!(FILENAME_FIELD in partition)) {
        throw new ConnectError(`Partition objects should contain the key '${FILENAME_FIELD}'`);
      }
    }
    return true;
  }
}

function isInteger(value: unknown): value is number | bigint {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
}
