// What the worker hands to the task builders (source-task-builder.ts,
// sink-task-builder.ts), and the parts every task is built from whatever
// its kind: the parsed connector config, the converters, the transforms with
// their predicates, the metrics and the client id.
import type { AnyConnector } from '../sdk/index.js';
import type { ConnectorConfig } from '../vocabulary/connector.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { TaskMetrics } from '../metrics/task-metrics.js';
import type { Logger } from '../util/logging.js';
import { connectorConfigDef } from './connector-config.js';
import { buildConverters } from './converters.js';
import type { TaskStatusListener, TaskTargetState } from './task-status.js';
import { taskKey, type TaskId } from '../vocabulary/task-id.js';
import { buildTransformationChain } from './transformation-chain.js';
import type { TaskDeps, WorkerTask } from './worker-task.js';

export interface TaskBuildContext {
  readonly id: TaskId;
  /** a new instance of the connector class: its type and task class */
  readonly connector: AnyConnector;
  /** the connector config, placeholders resolved */
  readonly config: ConnectorConfig;
  /** the task config, placeholders resolved */
  readonly taskConfig: ConnectorConfig;
  readonly initialState: TaskTargetState;
  readonly status: TaskStatusListener;
  readonly log: Logger;
  /** worker.properties as given (the worker's converters) */
  readonly workerProps: Readonly<Record<string, string>>;
  readonly plugins: PluginRegistry;
  readonly offsetFlushIntervalMs: number;
  readonly onTopicUsed: (topic: string) => void;
  /** a client's settings for this connector; ConnectError when its overrides break the worker's policy */
  readonly clientProps: (kind: 'producer' | 'consumer') => Record<string, string>;
}

/** A task ready to run, with what the worker keeps of it. */
export interface BuiltTask {
  readonly task: WorkerTask;
  readonly metrics: TaskMetrics;
  /** releases what outlives the task's own close (a sink's dead letter queue producer) */
  readonly cleanup: () => Promise<void>;
  readonly version?: string;
}

export interface TaskBase {
  /** the connector config parsed by its kind's definition (errors.*, transaction.boundary, topics.regex, ...) */
  readonly parsed: Record<string, unknown>;
  /** `connector-producer-<connector>-<task>` or `connector-consumer-<connector>-<task>`, as Apache names them */
  readonly clientId: string;
  readonly metrics: TaskMetrics;
  /** every task's dependencies but its error handler (see task-errors.ts) */
  readonly deps: Omit<TaskDeps, 'errors'>;
}

export function buildTaskBase(ctx: TaskBuildContext): TaskBase {
  const { id, connector, config } = ctx;
  const parsed = connectorConfigDef(connector.type).parse(config);
  const converters = buildConverters(ctx.workerProps, config, ctx.plugins);
  const transforms = buildTransformationChain(config, ctx.plugins);
  const clientId = `connector-${connector.type === 'source' ? 'producer' : 'consumer'}-${taskKey(id)}`;
  const metrics = new TaskMetrics(id.connector, id.task, connector.type, clientId);
  return {
    parsed,
    clientId,
    metrics,
    deps: {
      id,
      initialState: ctx.initialState,
      taskConfig: ctx.taskConfig,
      converters,
      transforms,
      metrics,
      status: ctx.status,
      log: ctx.log,
      offsetFlushIntervalMs: ctx.offsetFlushIntervalMs,
      onTopicUsed: ctx.onTopicUsed,
    },
  };
}
