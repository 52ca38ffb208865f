// The herder's contract: the only way to read or change connector state.
// Shapes are Kafka Connect's REST entities, so the REST layer stays a thin
// wrapper that serialises them as they are.

import type { ConnectorConfig, ConnectorState, ConnectorType } from '../vocabulary/connector.js';
import type { TaskId } from '../vocabulary/task-id.js';

export type { ConnectorConfig, ConnectorState, ConnectorType, TargetState } from '../vocabulary/connector.js';
export type { TaskId } from '../vocabulary/task-id.js';

/** `initial_state` of POST /connectors */
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

export interface ConnectorInfo {
  name: string;
  config: ConnectorConfig;
  tasks: TaskId[];
  type: ConnectorType;
}

export interface StateInfo {
  state: ConnectorState;
  worker_id: string;
  trace?: string;
  /** the connector's or task's version (Kafka 4.1+); null when its status record has none */
  version?: string | null;
}

export interface TaskStateInfo extends StateInfo {
  id: number;
}

export interface ConnectorStateInfo {
  name: string;
  connector: StateInfo;
  tasks: TaskStateInfo[];
  type: ConnectorType;
}

export interface TaskInfo {
  id: TaskId;
  config: ConnectorConfig;
}

export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface ConnectorOffsets {
  offsets: ConnectorOffset[];
}

export interface PluginInfo {
  class: string;
  type: string;
  version: string;
}

/** One entry of GET /connector-plugins/{p}/config */
export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  order_in_group: number;
  width: string;
  display_name: string;
  dependents: string[];
}

/** PUT /connector-plugins/{p}/config/validate */
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: Array<{
    definition: ConfigKeyInfo;
    value: { name: string; value: string | null; recommended_values: string[]; errors: string[]; visible: boolean };
  }>;
}

export interface RestartRequest {
  includeTasks: boolean;
  onlyFailed: boolean;
}

export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}

export interface ServerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string | null;
}

export type HealthState = 'healthy' | 'starting' | 'unhealthy';

export interface Herder {
  health(): Promise<{ status: HealthState; message: string }>;
  serverInfo(): Promise<ServerInfo>;

  connectors(): Promise<string[]>;
  connectorInfo(name: string): Promise<ConnectorInfo>;
  connectorConfig(name: string): Promise<ConnectorConfig>;
  connectorStatus(name: string): Promise<ConnectorStateInfo>;
  taskStatus(name: string, task: number): Promise<TaskStateInfo>;
  taskConfigs(name: string): Promise<TaskInfo[]>;

  /**
   * Creates or replaces a connector. Throws AlreadyExistsError when it exists
   * and `allowReplace` is false; BadRequestError (with Kafka Connect's message)
   * when the config does not validate.
   */
  putConnectorConfig(
    name: string,
    config: ConnectorConfig,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  /** Merges `patch` into the config; a null value removes that key. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;

  /** Returns the status with affected instances RESTARTING, or null when only the connector restarted (204). */
  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null>;
  restartTask(name: string, task: number): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;

  connectorOffsets(name: string): Promise<ConnectorOffsets>;
  /** Only while STOPPED; returns the REST message. */
  alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<string>;
  resetConnectorOffsets(name: string): Promise<string>;

  connectorActiveTopics(name: string): Promise<string[]>;
  resetConnectorActiveTopics(name: string): Promise<void>;

  plugins(connectorsOnly: boolean): Promise<PluginInfo[]>;
  pluginConfig(pluginName: string): Promise<ConfigKeyInfo[]>;
  validateConnectorConfig(config: ConnectorConfig): Promise<ConfigInfos>;

  loggers(): Promise<Record<string, LoggerLevel>>;
  logger(name: string): Promise<LoggerLevel>;
  /** Returns the names of the loggers changed. */
  setWorkerLoggerLevel(namespace: string, level: string): Promise<string[]>;
  setClusterLoggerLevel(namespace: string, level: string): Promise<void>;
}
