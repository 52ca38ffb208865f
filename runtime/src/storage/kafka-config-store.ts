// Connector configs, target states and task configs in the compacted,
// single-partition config.storage.topic, in Kafka Connect's format
// (KafkaConfigBackingStore):
//   connector-<c>      {"properties":{...}}            null = connector deleted
//   task-<c>-<n>       {"properties":{...}}            buffered until the commit
//   commit-<c>         {"tasks":N}                     applies the buffered task configs
//   target-state-<c>   {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}
//   tasks-fencing-<c>  {"task-count":N}                the generation of N tasks whose predecessor was
//                                                      fenced (exactly-once source; written, not read)
// Other keys (session-key, restart-connector-*,
// logger-cluster-*) are read past and ignored.
import type { Kafka } from 'kafkajs';
import type { ConnectorConfig, TargetState } from '../vocabulary/connector.js';
import type { ConfigStore, StoredConnector } from './config-store.js';
import { parseTaskKey, taskKey } from '../vocabulary/task-id.js';
import { KafkaBasedLog } from './kafka-based-log.js';
import type { Logger } from '../util/logging.js';

export const connectorKey = (c: string): string => `connector-${c}`;
export const taskConfigKey = (c: string, task: number): string => `task-${taskKey({ connector: c, task })}`;
export const commitKey = (c: string): string => `commit-${c}`;
export const targetStateKey = (c: string): string => `target-state-${c}`;
export const taskCountKey = (c: string): string => `tasks-fencing-${c}`;

export type ConfigKey =
  | { kind: 'connector'; connector: string }
  | { kind: 'task'; connector: string; task: number }
  | { kind: 'commit'; connector: string }
  | { kind: 'target-state'; connector: string };

/** Parses a config topic key; undefined for keys this store does not use. */
export function parseConfigKey(key: string): ConfigKey | undefined {
  // target-state- first: "target-state-x" must not be taken for anything else.
  if (key.startsWith('target-state-')) return { kind: 'target-state', connector: key.slice('target-state-'.length) };
  if (key.startsWith('connector-')) return { kind: 'connector', connector: key.slice('connector-'.length) };
  if (key.startsWith('commit-')) return { kind: 'commit', connector: key.slice('commit-'.length) };
  if (key.startsWith('task-')) {
    const id = parseTaskKey(key.slice('task-'.length));
    return id && { kind: 'task', ...id };
  }
  return undefined;
}

export const encodeProperties = (config: ConnectorConfig): string => JSON.stringify({ properties: config });
export const encodeCommit = (tasks: number): string => JSON.stringify({ tasks });
/** Apache writes both fields; STOPPED is PAUSED to workers that only know `state`. */
export const encodeTargetState = (state: TargetState): string =>
  JSON.stringify({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state });

const TARGET_STATES: readonly TargetState[] = ['STARTED', 'PAUSED', 'STOPPED'];

/** `state.v2` when it is valid, else `state` (as Apache reads it). */
export function decodeTargetState(value: string): TargetState | undefined {
  const v = parseObject(value);
  if (!v) return undefined;
  for (const field of ['state.v2', 'state']) {
    const s = v[field];
    if (typeof s === 'string' && TARGET_STATES.includes(s as TargetState)) return s as TargetState;
  }
  return undefined;
}

export function decodeProperties(value: string): ConnectorConfig | undefined {
  const props = parseObject(value)?.properties;
  if (!props || typeof props !== 'object' || Array.isArray(props)) return undefined;
  const out: ConnectorConfig = {};
  for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

export function decodeCommit(value: string): number | undefined {
  const tasks = parseObject(value)?.tasks;
  return typeof tasks === 'number' && Number.isInteger(tasks) && tasks >= 0 ? tasks : undefined;
}

function parseObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** task-<c>-0..N-1 then commit-<c> {"tasks":N}: the commit makes the task configs visible. */
const taskConfigRecords = (name: string, configs: readonly ConnectorConfig[]) => [
  ...configs.map((c, i) => ({ key: taskConfigKey(name, i), value: encodeProperties(c) })),
  { key: commitKey(name), value: encodeCommit(configs.length) },
];

export interface ConfigSnapshot {
  /** connectors with a config; task configs only as of their last complete commit */
  readonly connectors: Map<string, StoredConnector>;
  /** the next offset of the config topic after the last record applied; -1 before any */
  readonly offset: bigint;
  /** connectors whose last commit did not find all its task configs (Apache's "inconsistent") */
  readonly inconsistent: string[];
}

/** The config topic's state, record by record (pure: no Kafka). Mirrors KafkaConfigBackingStore. */
export class ConfigState {
  private readonly configs = new Map<string, ConnectorConfig>();
  private readonly targetStates = new Map<string, TargetState>();
  private readonly taskConfigs = new Map<string, Map<number, ConnectorConfig>>();
  private readonly taskCounts = new Map<string, number>();
  private readonly deferred = new Map<string, Map<number, ConnectorConfig>>();
  private readonly inconsistent = new Set<string>();
  private offset = -1n;

  constructor(private readonly logger?: Logger) {}

  /** Applies one record; returns the connector whose visible state changed, if any. */
  apply(key: string, value: string | null, offset: bigint): string | undefined {
    if (offset + 1n > this.offset) this.offset = offset + 1n;
    const parsed = parseConfigKey(key);
    if (!parsed) return undefined;
    const c = parsed.connector;
    switch (parsed.kind) {
      case 'connector': {
        if (value === null) {
          const had = this.configs.delete(c);
          this.targetStates.delete(c);
          this.taskConfigs.delete(c);
          this.taskCounts.delete(c);
          this.deferred.delete(c);
          this.inconsistent.delete(c);
          return had ? c : undefined;
        }
        const config = decodeProperties(value);
        if (!config) return this.bad(key);
        this.configs.set(c, config);
        return c;
      }
      case 'target-state': {
        if (value === null) return this.targetStates.delete(c) ? c : undefined;
        const state = decodeTargetState(value);
        if (!state) return this.bad(key);
        this.targetStates.set(c, state);
        return c;
      }
      case 'task': {
        if (value === null) return undefined; // Apache ignores task tombstones
        const config = decodeProperties(value);
        if (!config) return this.bad(key);
        let d = this.deferred.get(c);
        if (!d) this.deferred.set(c, (d = new Map()));
        d.set(parsed.task, config);
        return undefined; // visible only with the commit
      }
      case 'commit': {
        if (value === null) return undefined;
        const count = decodeCommit(value);
        if (count === undefined) return this.bad(key);
        const d = this.deferred.get(c) ?? new Map<number, ConnectorConfig>();
        // Apache: the deferred set must hold every task 0..N-1 (extra ones from an earlier attempt are fine).
        let complete = true;
        for (let i = 0; i < count; i++) if (!d.has(i)) complete = false;
        if (!complete) {
          this.logger?.warn('Task configs of a commit are missing; connector is inconsistent until the next commit', {
            connector: c,
            tasks: count,
          });
          this.inconsistent.add(c);
        } else {
          let committed = this.taskConfigs.get(c);
          if (!committed) this.taskConfigs.set(c, (committed = new Map()));
          for (const [id, config] of d) committed.set(id, config);
          for (const id of [...committed.keys()]) if (id >= count) committed.delete(id);
          this.inconsistent.delete(c);
        }
        this.deferred.delete(c);
        this.taskCounts.set(c, count);
        return c;
      }
    }
  }

  private bad(key: string): undefined {
    this.logger?.warn('Ignoring a config topic record with an unexpected value', { key });
    return undefined;
  }

  get(name: string): StoredConnector | undefined {
    const config = this.configs.get(name);
    if (!config) return undefined;
    const count = this.inconsistent.has(name) ? 0 : (this.taskCounts.get(name) ?? 0);
    const committed = this.taskConfigs.get(name);
    const taskConfigs: ConnectorConfig[] = [];
    for (let i = 0; i < count; i++) {
      const t = committed?.get(i);
      if (t) taskConfigs.push({ ...t });
    }
    return { config: { ...config }, targetState: this.targetStates.get(name) ?? 'STARTED', taskConfigs };
  }

  snapshot(): ConfigSnapshot {
    const connectors = new Map<string, StoredConnector>();
    for (const name of [...this.configs.keys()].sort()) connectors.set(name, this.get(name)!);
    return { connectors, offset: this.offset, inconsistent: [...this.inconsistent].sort() };
  }
}

export interface KafkaConfigStoreOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** `config.storage.replication.factor`; -1 = the broker's default */
  readonly replicationFactor?: number;
  readonly logger: Logger;
}

export type ConfigChangeListener = (connectors: string[]) => void;

/** A request written to the config topic for every worker to act on (not part of the config state). */
export type ControlRecord =
  | { kind: 'restart'; connector: string; includeTasks: boolean; onlyFailed: boolean }
  | { kind: 'logger'; namespace: string; level: string };

export const restartKey = (c: string): string => `restart-connector-${c}`;
export const loggerKey = (namespace: string): string => `logger-cluster-${namespace}`;

/** Parses `restart-connector-<c>` and `logger-cluster-<ns>` records (Apache's formats). */
export function parseControlRecord(key: string, value: string | null): ControlRecord | undefined {
  if (value === null) return undefined;
  const v = parseObject(value);
  if (!v) return undefined;
  if (key.startsWith('restart-connector-'))
    return {
      kind: 'restart',
      connector: key.slice('restart-connector-'.length),
      includeTasks: v['include-tasks'] === true,
      onlyFailed: v['only-failed'] === true,
    };
  if (key.startsWith('logger-cluster-') && typeof v.level === 'string')
    return { kind: 'logger', namespace: key.slice('logger-cluster-'.length), level: v.level };
  return undefined;
}

/** The config store of a distributed cluster: the config topic, which every worker reads in the same order. */
export class KafkaConfigStore implements ConfigStore {
  private readonly state: ConfigState;
  private readonly log: KafkaBasedLog;
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly controlListeners = new Set<(record: ControlRecord) => void>();
  /** Control records are requests of the moment: those read while starting up are history. */
  private live = false;

  constructor(options: KafkaConfigStoreOptions) {
    this.state = new ConfigState(options.logger);
    this.log = new KafkaBasedLog({
      kafka: options.kafka,
      topic: options.topic,
      setting: 'config.storage.topic',
      partitions: 1,
      requireSinglePartition: true,
      replicationFactor: options.replicationFactor ?? -1,
      logger: options.logger,
      onRecord: (r) => {
        if (r.key === null) return;
        if (this.live && this.controlListeners.size > 0) {
          const control = parseControlRecord(r.key, r.value === null ? null : r.value.toString('utf8'));
          if (control)
            for (const l of this.controlListeners) {
              try {
                l(control);
              } catch (err) {
                options.logger.error('Config control listener failed', { error: (err as Error).message });
              }
            }
        }
        const changed = this.state.apply(r.key, r.value === null ? null : r.value.toString('utf8'), r.offset);
        if (changed === undefined) return;
        for (const l of this.listeners) {
          try {
            l([changed]);
          } catch (err) {
            options.logger.error('Config change listener failed', { error: (err as Error).message });
          }
        }
      },
    });
  }

  /** Creates/checks the topic and reads it to its end. */
  async start(): Promise<void> {
    await this.log.startAndReadToEnd();
    this.live = true;
  }

  async stop(): Promise<void> {
    await this.log.stop();
  }

  /** Reads the topic to its current end (a herder's "catch up" before acting). */
  async refresh(): Promise<void> {
    await this.log.readToEnd();
  }

  snapshot(): ConfigSnapshot {
    return this.state.snapshot();
  }

  get(name: string): StoredConnector | undefined {
    return this.state.get(name);
  }

  names(): string[] {
    return [...this.snapshot().connectors.keys()];
  }

  /** Called with the names of connectors whose config, target state or task configs changed. */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called for restart requests and cluster logger levels written after this store started. */
  onControl(listener: (record: ControlRecord) => void): () => void {
    this.controlListeners.add(listener);
    return () => this.controlListeners.delete(listener);
  }

  /** `restart-connector-<c>`: every worker restarts what it runs of the connector. */
  async putRestartRequest(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<void> {
    await this.log.send(restartKey(name), JSON.stringify({ 'include-tasks': includeTasks, 'only-failed': onlyFailed }));
  }

  /** `logger-cluster-<ns>`: every worker sets the level. */
  async putLoggerLevel(namespace: string, level: string): Promise<void> {
    await this.log.send(loggerKey(namespace), JSON.stringify({ level }));
  }

  /** Writes the connector config (and, first, its target state when given); resolves once read back. */
  async putConnectorConfig(name: string, config: ConnectorConfig, targetState?: TargetState): Promise<void> {
    const records: Array<{ key: string; value: string }> = [];
    if (targetState) records.push({ key: targetStateKey(name), value: encodeTargetState(targetState) });
    records.push({ key: connectorKey(name), value: encodeProperties(config) });
    await this.log.sendAll(records);
    await this.log.readToEnd();
  }

  /** target-state-<c>, connector-<c>, task-<c>-0..N-1 and commit-<c> in one ordered request; resolves once read back. */
  async put(name: string, stored: StoredConnector): Promise<void> {
    await this.log.sendAll([
      { key: targetStateKey(name), value: encodeTargetState(stored.targetState) },
      { key: connectorKey(name), value: encodeProperties(stored.config) },
      ...taskConfigRecords(name, stored.taskConfigs),
    ]);
    await this.log.readToEnd();
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.log.send(targetStateKey(name), encodeTargetState(state));
    await this.log.readToEnd();
  }

  /** Writes task-<c>-0..N-1 then commit-<c> {"tasks":N} in one ordered request; resolves once read back. */
  async putTaskConfigs(name: string, configs: readonly ConnectorConfig[]): Promise<void> {
    await this.log.sendAll(taskConfigRecords(name, configs));
    await this.log.readToEnd();
  }

  /**
   * `tasks-fencing-<c>` {"task-count":N} (Apache's task count record): the
   * transactional ids of the connector's previous task generation were fenced
   * before its N new task configs were written.
   */
  async putTaskCount(name: string, count: number): Promise<void> {
    await this.log.send(taskCountKey(name), JSON.stringify({ 'task-count': count }));
  }

  /** Tombstones for connector-<c> and target-state-<c> (as Apache deletes); resolves once read back. */
  async removeConnector(name: string): Promise<void> {
    await this.log.sendAll([
      { key: connectorKey(name), value: null },
      { key: targetStateKey(name), value: null },
    ]);
    await this.log.readToEnd();
  }
}
