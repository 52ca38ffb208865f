// An in-memory Herder for the REST tests: just enough behaviour to give every
// route a realistic answer, plus a call log and hooks to make calls fail or hang.
import type {
  ConfigInfos,
  ConfigKeyInfo,
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorState,
  ConnectorStateInfo,
  HealthState,
  Herder,
  InitialState,
  LoggerLevel,
  PluginInfo,
  RestartRequest,
  ServerInfo,
  TaskInfo,
  TaskStateInfo,
} from '../herder/types.js';
import { AlreadyExistsError, BadRequestError, NotFoundError, connectorNotFound } from '../errors.js';

interface FakeConnector {
  config: ConnectorConfig;
  state: ConnectorState;
  tasks: number;
  taskStates: ConnectorState[];
  offsets: ConnectorOffsets;
  topics: string[];
}

export const WORKER_ID = '127.0.0.1:8083';
const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

export class FakeHerder implements Herder {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly store = new Map<string, FakeConnector>();
  healthState: { status: HealthState; message: string } = {
    status: 'healthy',
    message: 'Worker has completed startup and is ready to handle requests.',
  };
  loggerLevels: Record<string, LoggerLevel> = {
    root: { level: 'INFO', last_modified: null },
    'org.apache.kafka.connect': { level: 'DEBUG', last_modified: 1700000000000 },
  };

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** Calls of one method, in order. */
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Adds a connector directly, bypassing REST. */
  seed(name: string, config: ConnectorConfig = {}, tasks = 1, state: ConnectorState = 'RUNNING'): void {
    this.store.set(name, {
      config: { name, 'connector.class': FILE_SOURCE, 'tasks.max': String(tasks), ...config },
      state,
      tasks,
      taskStates: Array.from({ length: tasks }, () => state),
      offsets: { offsets: [{ partition: { filename: '/tmp/in.txt' }, offset: { position: 42 } }] },
      topics: ['topic-a'],
    });
  }

  private get(name: string): FakeConnector {
    const c = this.store.get(name);
    if (!c) throw connectorNotFound(name);
    return c;
  }

  private info(name: string): ConnectorInfo {
    const c = this.get(name);
    return {
      name,
      config: { ...c.config },
      tasks: Array.from({ length: c.tasks }, (_, task) => ({ connector: name, task })),
      type: 'source',
    };
  }

  private status(name: string): ConnectorStateInfo {
    const c = this.get(name);
    return {
      name,
      connector: { state: c.state, worker_id: WORKER_ID },
      tasks: c.taskStates.map((state, id) => ({ id, state, worker_id: WORKER_ID })),
      type: 'source',
    };
  }

  async health() {
    this.record('health');
    return this.healthState;
  }

  async serverInfo(): Promise<ServerInfo> {
    this.record('serverInfo');
    return { version: '4.0.0-sluice', commit: 'abc123', kafka_cluster_id: 'cluster-1' };
  }

  async connectors(): Promise<string[]> {
    this.record('connectors');
    return [...this.store.keys()];
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    this.record('connectorInfo', name);
    return this.info(name);
  }

  async connectorConfig(name: string): Promise<ConnectorConfig> {
    this.record('connectorConfig', name);
    return { ...this.get(name).config };
  }

  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    this.record('connectorStatus', name);
    return this.status(name);
  }

  async taskStatus(name: string, task: number): Promise<TaskStateInfo> {
    this.record('taskStatus', name, task);
    const t = this.status(name).tasks[task];
    if (!t) throw new NotFoundError(`No status found for task ${name}-${task}`);
    return t;
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    this.record('taskConfigs', name);
    const c = this.get(name);
    return Array.from({ length: c.tasks }, (_, task) => ({
      id: { connector: name, task },
      config: { 'task.class': 'FileStreamSourceTask', file: c.config['file'] ?? '' },
    }));
  }

  async putConnectorConfig(
    name: string,
    config: ConnectorConfig,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    this.record('putConnectorConfig', name, config, options);
    const existing = this.store.get(name);
    if (existing && !options.allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
    if (!config['connector.class']) {
      throw new BadRequestError(
        'Connector configuration is invalid and contains the following 1 error(s):\n' +
          'Missing required configuration "connector.class" which has no default value.',
      );
    }
    const tasks = Number(config['tasks.max'] ?? '1') || 1;
    const state: ConnectorState =
      options.initialState === 'PAUSED' ? 'PAUSED' : options.initialState === 'STOPPED' ? 'STOPPED' : 'RUNNING';
    this.seed(name, config, state === 'STOPPED' ? 0 : tasks, existing?.state ?? state);
    return { created: !existing, info: this.info(name) };
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    this.record('patchConnectorConfig', name, patch);
    const c = this.get(name);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete c.config[k];
      else c.config[k] = v;
    }
    return this.info(name);
  }

  async deleteConnector(name: string): Promise<void> {
    this.record('deleteConnector', name);
    this.get(name);
    this.store.delete(name);
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    this.record('restartConnector', name, request);
    this.get(name);
    if (!request.includeTasks && !request.onlyFailed) return null;
    const s = this.status(name);
    s.connector.state = 'RESTARTING';
    if (request.includeTasks) for (const t of s.tasks) t.state = 'RESTARTING';
    return s;
  }

  async restartTask(name: string, task: number): Promise<void> {
    this.record('restartTask', name, task);
    if (task >= this.get(name).tasks) throw new NotFoundError(`Task ${name}-${task} not found`);
  }

  async pauseConnector(name: string): Promise<void> {
    this.record('pauseConnector', name);
    this.get(name).state = 'PAUSED';
  }

  async resumeConnector(name: string): Promise<void> {
    this.record('resumeConnector', name);
    this.get(name).state = 'RUNNING';
  }

  async stopConnector(name: string): Promise<void> {
    this.record('stopConnector', name);
    const c = this.get(name);
    c.state = 'STOPPED';
    c.tasks = 0;
    c.taskStates = [];
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    this.record('connectorOffsets', name);
    return this.get(name).offsets;
  }

  async alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<string> {
    this.record('alterConnectorOffsets', name, offsets);
    const c = this.get(name);
    if (c.state !== 'STOPPED') {
      throw new BadRequestError('Connectors must be in the STOPPED state before their offsets can be modified.');
    }
    c.offsets = offsets;
    return 'The offsets for this connector have been altered successfully';
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    this.record('resetConnectorOffsets', name);
    this.get(name).offsets = { offsets: [] };
    return 'The offsets for this connector have been reset successfully';
  }

  async connectorActiveTopics(name: string): Promise<string[]> {
    this.record('connectorActiveTopics', name);
    return this.get(name).topics;
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    this.record('resetConnectorActiveTopics', name);
    this.get(name).topics = [];
  }

  async plugins(connectorsOnly: boolean): Promise<PluginInfo[]> {
    this.record('plugins', connectorsOnly);
    const connectors: PluginInfo[] = [{ class: FILE_SOURCE, type: 'source', version: '4.0.0' }];
    if (connectorsOnly) return connectors;
    return [
      ...connectors,
      { class: 'org.apache.kafka.connect.transforms.InsertField$Value', type: 'transformation', version: '4.0.0' },
    ];
  }

  async pluginConfig(pluginName: string): Promise<ConfigKeyInfo[]> {
    this.record('pluginConfig', pluginName);
    if (!FILE_SOURCE.endsWith(pluginName)) throw new NotFoundError(`Unknown plugin ${pluginName}.`);
    return [configKey('file')];
  }

  async validateConnectorConfig(config: ConnectorConfig): Promise<ConfigInfos> {
    this.record('validateConnectorConfig', config);
    return {
      name: config['connector.class'] ?? '',
      error_count: 0,
      groups: ['Common'],
      configs: [
        {
          definition: configKey('file'),
          value: { name: 'file', value: config['file'] ?? null, recommended_values: [], errors: [], visible: true },
        },
      ],
    };
  }

  async loggers(): Promise<Record<string, LoggerLevel>> {
    this.record('loggers');
    return this.loggerLevels;
  }

  async logger(name: string): Promise<LoggerLevel> {
    this.record('logger', name);
    const level = this.loggerLevels[name];
    if (!level) throw new NotFoundError(`Logger ${name} not found.`);
    return level;
  }

  async setWorkerLoggerLevel(namespace: string, level: string): Promise<string[]> {
    this.record('setWorkerLoggerLevel', namespace, level);
    const changed = Object.keys(this.loggerLevels).filter((l) => l === namespace || l.startsWith(`${namespace}.`));
    for (const l of changed) this.loggerLevels[l] = { level: level.toUpperCase(), last_modified: Date.now() };
    return changed.length > 0 ? changed : [namespace];
  }

  async setClusterLoggerLevel(namespace: string, level: string): Promise<void> {
    this.record('setClusterLoggerLevel', namespace, level);
  }
}

function configKey(name: string): ConfigKeyInfo {
  return {
    name,
    type: 'STRING',
    required: false,
    default_value: null,
    importance: 'HIGH',
    documentation: 'Source filename.',
    group: null,
    order_in_group: -1,
    width: 'NONE',
    display_name: name,
    dependents: [],
  };
}
