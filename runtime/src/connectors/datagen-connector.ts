// A source that generates records, for demos and benchmarks: no external
// system, a known rate and a known total, reproducible with a seed.
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
  SEQ_FIELD,
  TASK_COUNT_CONFIG,
  TASK_FIELD,
  TASK_ID_CONFIG,
  dataGenConfigDef,
  parseDataGenConfig,
} from './datagen-config.js';
import { DataGenTask } from './datagen-task.js';
import { CONNECTORS_VERSION } from './version.js';

export class DataGenConnector implements SourceConnector {
  readonly type = 'source' as const;
  private props: ConnectorProps | null = null;

  version(): string {
    return CONNECTORS_VERSION;
  }

  config(): ConfigDef {
    return dataGenConfigDef();
  }

  start(props: ConnectorProps, _context?: ConnectorContext): void {
    parseDataGenConfig(props);
    this.props = props;
  }

  taskClass(): SourceTaskClass {
    return DataGenTask;
  }

  /**
   * One config per task, numbered: each task generates its own sequence in
   * its own source partition, and ids interleave (task + seq * tasks) so
   * they are unique across tasks.
   */
  taskConfigs(maxTasks: number): ConnectorProps[] {
    const props = this.props;
    if (!props) throw new ConnectError('DataGenConnector has not been started');
    const count = Math.max(1, maxTasks);
    return Array.from({ length: count }, (_, id) => ({
      ...props,
      [TASK_ID_CONFIG]: String(id),
      [TASK_COUNT_CONFIG]: String(count),
    }));
  }

  stop(): void {
    this.props = null;
  }

  /** Offsets are sequence numbers, so resuming anywhere is well defined. */
  exactlyOnceSupport(): 'SUPPORTED' {
    return 'SUPPORTED';
  }

  /**
   * Offsets written through the REST API must be ones a task can resume
   * from: `{"task": n}` -> `{"seq": next sequence number}`, or null to reset.
   */
  alterOffsets(_props: ConnectorProps, offsets: Map<SourcePartition, SourceOffset | null>): boolean {
    for (const [partition, offset] of offsets) {
      const task = partition?.[TASK_FIELD];
      if (typeof task !== 'number' || !Number.isSafeInteger(task) || task < 0) {
        throw new ConnectError(`Partition objects must contain a non-negative integer '${TASK_FIELD}'`);
      }
      if (offset === null || offset === undefined) continue;
      const seq = offset[SEQ_FIELD];
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
        throw new ConnectError(`Offset objects should either be null or contain a non-negative integer '${SEQ_FIELD}'`);
      }
    }
    return true;
  }
}
