// Hand-written fakes for the unit tests of the distributed herder's role
// modules: a config topic held in memory and a worker that records what it
// was asked to do. Each has only the methods the role modules call; the
// casts at the bottom hand them over where the real classes are expected.
import type { ConfigSnapshot, KafkaConfigStore } from '../../storage/kafka-config-store.js';
import type { StoredConnector } from '../../storage/config-store.js';
import type { Logger } from '../../util/logging.js';
import type { ConnectorConfig, TargetState } from '../../vocabulary/connector.js';
import { taskKey, type TaskId } from '../../vocabulary/task-id.js';
import type { Worker } from '../../worker/worker.js';

export const silentLog: Logger = { error() {}, warn() {}, info() {}, debug() {}, child: () => silentLog };

/** The config topic as the role modules read it: connectors, an offset, and the writes made. */
export class FakeConfigStore {
  readonly connectors = new Map<string, StoredConnector>();
  offset = 0n;
  refreshes = 0;
  /** Runs on each refresh (a record read meanwhile, the topic's end moving). */
  onRefresh: () => void = () => undefined;
  readonly writes: Array<{ method: 'putTaskConfigs' | 'putTaskCount'; name: string; value: unknown }> = [];

  /** Adds or replaces a connector (a record read from the topic). */
  set(
    name: string,
    config: ConnectorConfig,
    targetState: TargetState = 'STARTED',
    taskConfigs: ConnectorConfig[] = [],
  ) {
    this.connectors.set(name, { config, targetState, taskConfigs });
    return this;
  }

  get(name: string): StoredConnector | undefined {
    const s = this.connectors.get(name);
    return (
      s && { config: { ...s.config }, targetState: s.targetState, taskConfigs: s.taskConfigs.map((c) => ({ ...c })) }
    );
  }

  names(): string[] {
    return [...this.connectors.keys()].sort();
  }

  snapshot(): ConfigSnapshot {
    const connectors = new Map<string, StoredConnector>();
    for (const name of this.names()) connectors.set(name, this.get(name)!);
    return { connectors, offset: this.offset, inconsistent: [] };
  }

  async refresh(): Promise<void> {
    this.refreshes++;
    this.onRefresh();
  }

  async putTaskConfigs(name: string, configs: readonly ConnectorConfig[]): Promise<void> {
    this.writes.push({ method: 'putTaskConfigs', name, value: configs.map((c) => ({ ...c })) });
  }

  async putTaskCount(name: string, count: number): Promise<void> {
    this.writes.push({ method: 'putTaskCount', name, value: count });
  }
}

/** A worker that records its calls; connectors run once started, unless told to fail. */
export class FakeWorker {
  readonly workerId = 'self:8083';
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly running = new Set<string>();
  /** What connectorTaskConfigs returns, per connector (an Error is thrown). */
  readonly generated = new Map<string, ConnectorConfig[] | Error>();
  /** What fenceSourceTasks returns (an Error is thrown). */
  fence: boolean | Error = false;
  /** Connectors whose start throws (the real worker reports them FAILED). */
  readonly failingStarts = new Set<string>();
  /** The callback each connector got to ask for new task configs. */
  readonly reconfigureCallbacks = new Map<string, () => void>();

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** The calls of one method, in order. */
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** The method names called, in order (to check what happened before what). */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  connectorType(config: ConnectorConfig): 'source' | 'sink' | 'unknown' {
    const cls = config['connector.class'] ?? '';
    return cls.endsWith('SourceConnector') ? 'source' : cls.endsWith('SinkConnector') ? 'sink' : 'unknown';
  }

  async startConnector(name: string, config: ConnectorConfig, target: TargetState, reconfigure: () => void) {
    this.record('startConnector', name, config, target);
    this.reconfigureCallbacks.set(name, reconfigure);
    if (this.failingStarts.has(name)) throw new Error(`cannot start ${name}`);
    this.running.add(name);
  }

  async stopConnector(name: string): Promise<void> {
    this.record('stopConnector', name);
    this.running.delete(name);
  }

  isConnectorRunning(name: string): boolean {
    return this.running.has(name);
  }

  async connectorTaskConfigs(name: string, config: ConnectorConfig): Promise<ConnectorConfig[]> {
    this.record('connectorTaskConfigs', name, config);
    const out = this.generated.get(name) ?? [];
    if (out instanceof Error) throw out;
    return out;
  }

  async fenceSourceTasks(
    name: string,
    config: ConnectorConfig,
    previous: readonly ConnectorConfig[],
    next: readonly ConnectorConfig[],
  ): Promise<boolean> {
    this.record('fenceSourceTasks', name, config, previous, next);
    if (this.fence instanceof Error) throw this.fence;
    return this.fence;
  }

  async setConnectorTargetState(name: string, state: TargetState): Promise<void> {
    this.record('setConnectorTargetState', name, state);
  }

  async startTask(id: TaskId, config: ConnectorConfig, taskConfig: ConnectorConfig, target: TargetState) {
    this.record('startTask', taskKey(id), config, taskConfig, target);
  }

  setTaskTargetState(id: TaskId, state: TargetState): void {
    this.record('setTaskTargetState', taskKey(id), state);
  }

  async stopTasks(ids: readonly TaskId[]): Promise<void> {
    this.record('stopTasks', ids.map(taskKey));
  }

  setGeneration(generation: number): void {
    this.record('setGeneration', generation);
  }

  async stop(): Promise<void> {
    this.record('stop');
    this.running.clear();
  }
}

/** Collects the reasons a module asked the group to rebalance. */
export function rejoins(): { reasons: string[]; rejoin: (reason: string) => void } {
  const reasons: string[] = [];
  return { reasons, rejoin: (reason) => reasons.push(reason) };
}

export const asWorker = (w: FakeWorker): Worker => w as unknown as Worker;
export const asConfigs = (c: FakeConfigStore): KafkaConfigStore => c as unknown as KafkaConfigStore;

export const SOURCE = 'org.example.FileSourceConnector';
export const SINK = 'org.example.FileSinkConnector';
export const task = (connector: string, n: number): TaskId => ({ connector, task: n });
