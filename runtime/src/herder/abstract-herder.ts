// What standalone and distributed herders share: reads of configs and
// status, validation, plugin listings, loggers, offsets reads. Writes are
// mode-specific (a file vs. the config topic and the group leader).
import type { Admin } from 'kafkajs';
import type { PluginRegistry } from '../plugins/registry.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { StoredConnector } from '../storage/config-store.js';
import type { Status, StatusStore } from '../storage/status-store.js';
import type { SourcePartition } from '../sdk/index.js';
import type { LogRegistry } from '../util/logging.js';
import type { Worker } from '../worker/worker.js';
import { connectorConfigDef } from '../worker/connector-config.js';
import {
  configKeyInfo,
  invalidConfigMessage,
  validateConnectorConfig,
  validateConnectorConfigOnline,
} from './validation.js';
import { connectorNameError } from '../worker/connector-limits.js';
import { maskSecrets } from '../util/secret-mask.js';
import { sinkGroupId } from '../vocabulary/connector.js';
import { taskKey } from '../vocabulary/task-id.js';
import type {
  ConfigInfos,
  ConfigKeyInfo,
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  HealthState,
  Herder,
  InitialState,
  LoggerLevel,
  PluginInfo,
  RestartRequest,
  ServerInfo,
  TargetState,
  TaskInfo,
  TaskStateInfo,
} from './types.js';
import { BadRequestError, ForbiddenError, NotFoundError, connectorNotFound } from '../errors.js';

export const RUNTIME_VERSION = '0.1.0';

export interface HerderDeps {
  readonly worker: Worker;
  readonly plugins: PluginRegistry;
  readonly offsets: OffsetStore;
  readonly statuses: StatusStore;
  readonly logs: LogRegistry;
  readonly admin: Admin;
  readonly topicTracking: { enabled: boolean; allowReset: boolean };
}

export abstract class AbstractHerder implements Herder {
  protected readonly activeTopics = new Map<string, Set<string>>();
  private clusterId: string | null = null;
  protected ready = false;

  constructor(protected readonly deps: HerderDeps) {}

  protected abstract stored(name: string): StoredConnector | undefined;
  protected abstract storedNames(): string[];

  abstract putConnectorConfig(
    name: string,
    config: ConnectorConfig,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  abstract deleteConnector(name: string): Promise<void>;
  abstract restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null>;
  abstract restartTask(name: string, task: number): Promise<void>;
  abstract pauseConnector(name: string): Promise<void>;
  abstract resumeConnector(name: string): Promise<void>;
  abstract stopConnector(name: string): Promise<void>;
  abstract alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<string>;
  abstract resetConnectorOffsets(name: string): Promise<string>;
  abstract setClusterLoggerLevel(namespace: string, level: string): Promise<void>;

  protected require(name: string): StoredConnector {
    const s = this.stored(name);
    if (!s) throw connectorNotFound(name);
    return s;
  }

  async health(): Promise<{ status: HealthState; message: string }> {
    return this.ready
      ? { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }
      : { status: 'starting', message: 'Worker is still starting up.' };
  }

  async serverInfo(): Promise<ServerInfo> {
    if (this.clusterId === null) {
      try {
        this.clusterId = (await this.deps.admin.describeCluster()).clusterId;
      } catch {
        // Kafka unreachable right now: report null rather than failing GET /.
      }
    }
    return { version: RUNTIME_VERSION, commit: 'sluice', kafka_cluster_id: this.clusterId };
  }

  async connectors(): Promise<string[]> {
    return this.storedNames();
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    const s = this.require(name);
    return this.info(name, s);
  }

  protected info(name: string, s: StoredConnector): ConnectorInfo {
    return {
      name,
      config: { ...s.config },
      tasks: s.taskConfigs.map((_, task) => ({ connector: name, task })),
      type: this.deps.worker.connectorType(s.config),
    };
  }

  async connectorConfig(name: string): Promise<ConnectorConfig> {
    return { ...this.require(name).config };
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    return this.require(name).taskConfigs.map((config, task) => ({
      id: { connector: name, task },
      config: { ...config },
    }));
  }

  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    const s = this.require(name);
    const status = this.deps.statuses.getConnector(name);
    const tasks = this.deps.statuses.getTasks(name);
    return {
      name,
      connector: toStateInfo(status, defaultConnectorState(s.targetState)),
      tasks: s.taskConfigs.map((_, id) => ({ id, ...toStateInfo(tasks.get(id), 'UNASSIGNED') })),
      type: this.deps.worker.connectorType(s.config),
    };
  }

  async taskStatus(name: string, task: number): Promise<TaskStateInfo> {
    const s = this.require(name);
    if (task < 0 || task >= s.taskConfigs.length)
      throw new NotFoundError(`Task ${taskKey({ connector: name, task })} not found`);
    return { id: task, ...toStateInfo(this.deps.statuses.getTasks(name).get(task), 'UNASSIGNED') };
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const current = this.require(name).config;
    const next: ConnectorConfig = { ...current };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    return (await this.putConnectorConfig(name, next, { allowReplace: true })).info;
  }

  /** Validates a config for create/update; BadRequestError with Kafka's message when invalid. */
  protected checkConfig(config: ConnectorConfig): void {
    const nameError = connectorNameError(config['name'] ?? '');
    if (nameError) throw new BadRequestError(nameError);
    const infos = validateConnectorConfig(config, this.deps.plugins, this.deps.worker.limits);
    if (infos.error_count > 0) throw new BadRequestError(invalidConfigMessage(infos));
  }

  async validateConnectorConfig(config: ConnectorConfig): Promise<ConfigInfos> {
    return validateConnectorConfigOnline(config, this.deps.plugins, this.deps.worker.limits);
  }

  async plugins(connectorsOnly: boolean): Promise<PluginInfo[]> {
    const seen = new Set<string>();
    const out: PluginInfo[] = [];
    for (const d of this.deps.plugins.list()) {
      if (connectorsOnly && d.type !== 'source' && d.type !== 'sink') continue;
      const key = `${d.class}/${d.type}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ class: d.class, type: d.type, version: d.version });
    }
    return out;
  }

  /**
   * Apache's connectorPluginConfig: the plugin's own keys, then (for
   * connectors) the framework's connector keys not already listed, with
   * connector.plugin.version defaulting to the plugin's version.
   */
  async pluginConfig(pluginName: string): Promise<ConfigKeyInfo[]> {
    const d = this.deps.plugins.find(pluginName)[0];
    if (!d) throw new NotFoundError(`Unknown plugin ${pluginName}.`);
    const instance = new d.create() as { config?(): { keys(): Parameters<typeof configKeyInfo>[0][] } };
    const keys = new Map((instance.config?.().keys() ?? []).map((key) => [key.name, configKeyInfo(key)] as const));
    if (d.type === 'source' || d.type === 'sink') {
      for (const key of connectorConfigDef(d.type).keys()) {
        if (keys.has(key.name)) continue;
        const info = configKeyInfo(key);
        keys.set(key.name, key.name === 'connector.plugin.version' ? { ...info, default_value: d.version } : info);
      }
    }
    return [...keys.values()];
  }

  async loggers(): Promise<Record<string, LoggerLevel>> {
    return this.deps.logs.all();
  }

  async logger(name: string): Promise<LoggerLevel> {
    const l = this.deps.logs.get(name);
    if (!l) throw new NotFoundError(`Logger ${name} not found.`);
    return l;
  }

  async setWorkerLoggerLevel(namespace: string, level: string): Promise<string[]> {
    try {
      return this.deps.logs.setLevel(namespace, level);
    } catch (err) {
      throw new BadRequestError((err as Error).message);
    }
  }

  async connectorActiveTopics(name: string): Promise<string[]> {
    this.require(name);
    if (!this.deps.topicTracking.enabled) throw new ForbiddenError('Topic tracking is disabled.');
    return [...(this.activeTopics.get(name) ?? [])].sort();
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    this.require(name);
    if (!this.deps.topicTracking.enabled) throw new ForbiddenError('Topic tracking is disabled.');
    if (!this.deps.topicTracking.allowReset) throw new ForbiddenError('Topic tracking reset is disabled.');
    this.activeTopics.delete(name);
  }

  /** Called by the worker when a task first uses a topic. */
  recordActiveTopic(connector: string, topic: string): void {
    if (!this.deps.topicTracking.enabled) return;
    let set = this.activeTopics.get(connector);
    if (!set) this.activeTopics.set(connector, (set = new Set()));
    set.add(topic);
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    const s = this.require(name);
    if (this.deps.worker.connectorType(s.config) === 'sink') {
      const groupId = sinkGroupId(name, s.config);
      const fetched = await this.deps.admin.fetchOffsets({ groupId });
      const offsets = fetched.flatMap((t) =>
        t.partitions
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => ({
            partition: { kafka_topic: t.topic, kafka_partition: p.partition },
            offset: { kafka_offset: Number(p.offset) },
          })),
      );
      return { offsets };
    }
    const entries = await this.deps.offsets.connectorOffsets(name);
    return { offsets: entries.map((e) => ({ partition: e.partition, offset: e.offset })) };
  }

  /** Applies an offsets PATCH body (the connector must be stopped). */
  protected async writeOffsets(name: string, s: StoredConnector, body: ConnectorOffsets): Promise<void> {
    if (!body || !Array.isArray(body.offsets) || body.offsets.length === 0)
      throw new BadRequestError('The offsets to alter must be a non-empty list');
    const type = this.deps.worker.connectorType(s.config);
    const connector = this.deps.worker.newConnector(s.config);
    if (type === 'sink') {
      const entries = body.offsets.map((o) => parseSinkOffset(o.partition, o.offset));
      if (connector.type === 'sink' && connector.alterOffsets) {
        await connector.alterOffsets(
          s.config,
          new Map(entries.map((e) => [{ topic: e.topic, partition: e.partition }, e.offset])),
        );
      }
      const groupId = sinkGroupId(name, s.config);
      for (const e of entries) {
        if (e.offset === null) await this.deps.admin.resetOffsets({ groupId, topic: e.topic, earliest: true });
        else
          await this.deps.admin.setOffsets({
            groupId,
            topic: e.topic,
            partitions: [{ partition: e.partition, offset: String(e.offset) }],
          });
      }
      return;
    }
    for (const o of body.offsets) {
      if (!o.partition || typeof o.partition !== 'object')
        throw new BadRequestError('Source partitions must be JSON objects');
      if (o.offset !== null && typeof o.offset !== 'object')
        throw new BadRequestError('Source offsets must be JSON objects or null');
    }
    if (connector.type === 'source' && connector.alterOffsets) {
      try {
        await connector.alterOffsets(
          s.config,
          new Map(body.offsets.map((o) => [o.partition as SourcePartition, o.offset])),
        );
      } catch (err) {
        throw new BadRequestError(`Failed to alter offsets: ${(err as Error).message}`);
      }
    }
    await this.deps.offsets.set(
      name,
      body.offsets.map((o) => ({ partition: o.partition, offset: o.offset })),
    );
  }

  /** Resets every offset of a stopped connector (sink: deletes its consumer group). */
  protected async clearOffsets(name: string, s: StoredConnector): Promise<void> {
    if (this.deps.worker.connectorType(s.config) === 'sink') {
      const groupId = sinkGroupId(name, s.config);
      const groups = await this.deps.admin.listGroups();
      if (groups.groups.some((g) => g.groupId === groupId)) await this.deps.admin.deleteGroups([groupId]);
      return;
    }
    const current = await this.deps.offsets.connectorOffsets(name);
    await this.deps.offsets.set(
      name,
      current.map((e) => ({ partition: e.partition, offset: null })),
    );
  }

  /** Whether the connector still has tasks (standalone: running here; distributed: configured anywhere). */
  protected hasTasks(name: string, _s: StoredConnector): boolean {
    return this.deps.worker.taskIds(name).length > 0;
  }

  /** Offsets may only change while the connector is STOPPED with no tasks (KIP-875). */
  protected requireStopped(name: string): StoredConnector {
    const s = this.require(name);
    if (s.targetState !== 'STOPPED' || this.hasTasks(name, s)) {
      throw new BadRequestError(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
    return s;
  }
}

function defaultConnectorState(target: TargetState): Status['state'] {
  return target === 'STOPPED' ? 'STOPPED' : target === 'PAUSED' ? 'PAUSED' : 'UNASSIGNED';
}

function toStateInfo(status: Status | undefined, fallback: Status['state']) {
  if (!status) return { state: fallback, worker_id: '' };
  // Apache's ConnectorStateInfo: trace only when non-empty, version always (null when the record has none).
  // The trace is masked again on the way out (one another worker or an older version stored).
  return {
    state: status.state,
    worker_id: status.workerId,
    ...(status.trace ? { trace: maskSecrets(status.trace) } : {}),
    version: status.version ?? null,
  };
}

export const targetFromInitial = (initial: InitialState | undefined): TargetState =>
  initial === 'PAUSED' ? 'PAUSED' : initial === 'STOPPED' ? 'STOPPED' : 'STARTED';

function parseSinkOffset(
  partition: Record<string, unknown>,
  offset: Record<string, unknown> | null,
): { topic: string; partition: number; offset: number | null } {
  const topic = partition?.['kafka_topic'];
  const p = partition?.['kafka_partition'];
  if (typeof topic !== 'string' || typeof p !== 'number' || !Number.isInteger(p)) {
    throw new BadRequestError(
      'Sink connector partitions must have a string "kafka_topic" and an integer "kafka_partition"',
    );
  }
  if (offset === null) return { topic, partition: p, offset: null };
  const o = offset?.['kafka_offset'];
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0)
    throw new BadRequestError('Sink connector offsets must have a non-negative integer "kafka_offset"');
  return { topic, partition: p, offset: o };
}
