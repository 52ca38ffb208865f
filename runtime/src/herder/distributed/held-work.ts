// The held-work bookkeeping of a distributed worker: which connectors and
// tasks the group gave it (what its metadata reports), what each was
// started with (to tell which config changes concern it), and how often
// each task was started here (GET /admin/assignment: proves that a
// rebalance left a task alone). It starts and stops that work on the
// worker, and writes the task configs of the connectors it holds.
import type { KafkaConfigStore } from '../../storage/kafka-config-store.js';
import { canonicalJson } from '../../util/json.js';
import type { Logger } from '../../util/logging.js';
import type { ConnectorConfig, TargetState } from '../../vocabulary/connector.js';
import { compareTaskIds, taskKey, type TaskId } from '../../vocabulary/task-id.js';
import type { Worker } from '../../worker/worker.js';

export interface HeldWorkDeps {
  readonly worker: Worker;
  readonly configs: KafkaConfigStore;
  readonly log: Logger;
  /** The connector asked for new task configs (it found new tables or files). */
  readonly reconfigure: (connector: string) => void;
}

export interface HeldWorkView {
  connectors: string[];
  tasks: TaskId[];
  taskStarts: Record<string, number>;
}

export class HeldWork {
  private readonly connectors = new Set<string>();
  private readonly tasks = new Map<string, TaskId>();
  private readonly connectorStartedWith = new Map<string, { config: string; target: TargetState }>();
  private readonly taskStartedWith = new Map<string, string>();
  private readonly taskStarts = new Map<string, number>();

  constructor(private readonly deps: HeldWorkDeps) {}

  get connectorCount(): number {
    return this.connectors.size;
  }

  get taskCount(): number {
    return this.tasks.size;
  }

  holdsConnector(name: string): boolean {
    return this.connectors.has(name);
  }

  holdsTask(id: TaskId): boolean {
    return this.tasks.has(taskKey(id));
  }

  connectorNames(): string[] {
    return [...this.connectors];
  }

  /** The tasks held, of one connector or of all. */
  taskIds(connector?: string): TaskId[] {
    const all = [...this.tasks.values()];
    return connector === undefined ? all : all.filter((t) => t.connector === connector);
  }

  /** What the connector was started with here (undefined when it is not running here). */
  startedWith(name: string): { config: string; target: TargetState } | undefined {
    return this.connectorStartedWith.get(name);
  }

  /** The running connector follows a new target state (set on the worker by the caller). */
  targetChanged(name: string, target: TargetState): void {
    const started = this.connectorStartedWith.get(name);
    if (started) this.connectorStartedWith.set(name, { ...started, target });
  }

  /** Whether the task runs with another config than `config`. */
  taskConfigChanged(id: TaskId, config: ConnectorConfig): boolean {
    return this.taskStartedWith.get(taskKey(id)) !== JSON.stringify(config);
  }

  view(): HeldWorkView {
    return {
      connectors: [...this.connectors].sort(),
      tasks: this.taskIds().sort(compareTaskIds),
      taskStarts: Object.fromEntries(this.taskStarts),
    };
  }

  isSource(connector: string): boolean {
    const s = this.deps.configs.get(connector);
    return s ? this.deps.worker.connectorType(s.config) === 'source' : false;
  }

  /** Takes a connector the leader assigned and starts it. */
  async takeConnector(name: string): Promise<void> {
    this.connectors.add(name);
    await this.startConnector(name);
  }

  /** Takes the tasks the leader assigned; returns those not held before (the caller starts them). */
  takeTasks(ids: readonly TaskId[]): TaskId[] {
    const added = ids.filter((t) => !this.holdsTask(t));
    for (const t of added) this.tasks.set(taskKey(t), t);
    return added;
  }

  /** (Re)starts a held connector from its stored config; its task configs are written when they changed. */
  async startConnector(name: string): Promise<void> {
    const s = this.deps.configs.get(name);
    if (!s) return; // deleted meanwhile: the leader revokes it
    try {
      await this.deps.worker.startConnector(name, s.config, s.targetState, () => this.deps.reconfigure(name));
    } catch (err) {
      // The worker reports a connector that cannot start as FAILED; nothing it throws may stop the herder.
      this.deps.log.error('Failed to start connector', { connector: name, error: (err as Error).message });
    }
    this.connectorStartedWith.set(name, { config: JSON.stringify(s.config), target: s.targetState });
    if (s.targetState === 'STARTED') await this.generateTaskConfigs(name);
  }

  async releaseConnector(name: string): Promise<void> {
    this.connectors.delete(name);
    this.connectorStartedWith.delete(name);
    await this.deps.worker.stopConnector(name);
  }

  /** (Re)starts a held task from its committed config; without one it starts once it is committed. */
  async startTask(t: TaskId): Promise<void> {
    const s = this.deps.configs.get(t.connector);
    const config = s?.taskConfigs[t.task];
    if (!s || !config) {
      this.taskStartedWith.delete(taskKey(t));
      return;
    }
    this.taskStartedWith.set(taskKey(t), JSON.stringify(config));
    this.taskStarts.set(taskKey(t), (this.taskStarts.get(taskKey(t)) ?? 0) + 1);
    await this.deps.worker.startTask(t, s.config, config, s.targetState);
  }

  async releaseTasks(ids: readonly TaskId[]): Promise<void> {
    for (const t of ids) {
      this.tasks.delete(taskKey(t));
      this.taskStartedWith.delete(taskKey(t));
    }
    await this.deps.worker.stopTasks(ids);
  }

  /** Stops everything (tasks commit their offsets) and holds nothing. */
  async releaseAll(): Promise<void> {
    await this.deps.worker.stop();
    this.connectors.clear();
    this.tasks.clear();
  }

  /** The connector's owner writes its task configs when they changed. */
  async generateTaskConfigs(name: string): Promise<void> {
    const { worker, configs, log } = this.deps;
    const s = configs.get(name);
    if (!s || s.targetState !== 'STARTED' || !worker.isConnectorRunning(name)) return;
    let next: ConnectorConfig[];
    try {
      next = await worker.connectorTaskConfigs(name, s.config);
    } catch (err) {
      log.error('Connector failed to generate task configs', { connector: name, error: (err as Error).message });
      return;
    }
    // Canonical: configs another runtime wrote (Apache's HashMap order) are the same configs.
    if (canonicalJson(next) === canonicalJson(s.taskConfigs)) return;
    log.info('Writing new task configs', { connector: name, tasks: next.length });
    // Exactly-once source: fence the tasks of the generation being replaced first (KIP-618).
    let fenced: boolean;
    try {
      fenced = await worker.fenceSourceTasks(name, s.config, s.taskConfigs, next);
    } catch (err) {
      log.error('Failed to fence the previous task generation; task configs not written', {
        connector: name,
        error: (err as Error).message,
      });
      return;
    }
    await configs.putTaskConfigs(name, next);
    if (fenced) await configs.putTaskCount(name, next.length);
  }
}
