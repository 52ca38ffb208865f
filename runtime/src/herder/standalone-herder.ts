// Standalone mode: one worker owns every connector; configs and target states
// live in a file beside the offset file, so everything created over REST
// comes back after a restart.
import type { FileConfigStore, StoredConnector } from '../storage/config-store.js';
import type { Logger } from '../util/logging.js';
import { AbstractHerder, targetFromInitial, type HerderDeps } from './abstract-herder.js';
import { AlreadyExistsError, NotFoundError } from './errors.js';
import type {
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  InitialState,
  RestartRequest,
  TargetState,
} from './types.js';

export class StandaloneHerder extends AbstractHerder {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    deps: HerderDeps,
    private readonly configs: FileConfigStore,
  ) {
    super(deps);
    this.log = deps.logs.logger('sluice.herder.StandaloneHerder');
  }

  protected stored(name: string): StoredConnector | undefined {
    return this.configs.get(name);
  }

  protected storedNames(): string[] {
    return this.configs.names();
  }

  /** Loads persisted connectors and starts them in their target states. */
  async start(): Promise<void> {
    const all = await this.configs.start();
    for (const name of all.keys()) await this.serialized(() => this.startConnectorAndTasks(name));
    this.ready = true;
    this.log.info('Standalone herder started', { connectors: all.size });
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.serialized(() => this.deps.worker.stop());
  }

  /** Runs state changes one at a time, in arrival order. */
  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async putConnectorConfig(
    name: string,
    config: ConnectorConfig,
    { allowReplace, initialState }: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    const full = { ...config, name };
    this.checkConfig(full);
    return this.serialized(async () => {
      const existing = this.configs.get(name);
      if (existing && !allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
      if (existing) await this.stopConnectorAndTasks(name);
      const targetState = existing?.targetState ?? targetFromInitial(initialState);
      await this.configs.put(name, { config: full, targetState, taskConfigs: existing?.taskConfigs ?? [] });
      await this.startConnectorAndTasks(name);
      return { created: !existing, info: this.info(name, this.configs.get(name)!) };
    });
  }

  async deleteConnector(name: string): Promise<void> {
    await this.serialized(async () => {
      this.require(name);
      await this.stopConnectorAndTasks(name);
      await this.configs.remove(name);
      this.deps.statuses.remove(name);
      this.activeTopics.delete(name);
    });
  }

  async pauseConnector(name: string): Promise<void> {
    await this.serialized(async () => {
      const s = this.require(name);
      if (s.targetState === 'PAUSED') return;
      if (s.targetState === 'STOPPED') {
        await this.setTarget(name, 'PAUSED');
        await this.startConnectorAndTasks(name);
        return;
      }
      await this.setTarget(name, 'PAUSED');
      await this.deps.worker.setConnectorTargetState(name, 'PAUSED');
    });
  }

  async resumeConnector(name: string): Promise<void> {
    await this.serialized(async () => {
      const s = this.require(name);
      if (s.targetState === 'STARTED') return;
      const wasStopped = s.targetState === 'STOPPED';
      await this.setTarget(name, 'STARTED');
      if (wasStopped) await this.startConnectorAndTasks(name);
      else {
        await this.deps.worker.setConnectorTargetState(name, 'STARTED');
        // A connector created paused has no task configs yet: generate them now.
        await this.reconfigureNow(name);
      }
    });
  }

  async stopConnector(name: string): Promise<void> {
    await this.serialized(async () => {
      const s = this.require(name);
      await this.stopConnectorAndTasks(name);
      await this.configs.put(name, { ...s, targetState: 'STOPPED', taskConfigs: [] });
      this.deps.statuses.dropTasks(name);
      this.deps.statuses.connector(name, { state: 'STOPPED', workerId: this.deps.worker.workerId, generation: 0 });
    });
  }

  async restartConnector(
    name: string,
    { includeTasks, onlyFailed }: RestartRequest,
  ): Promise<ConnectorStateInfo | null> {
    this.require(name);
    if (!includeTasks && !onlyFailed) {
      await this.serialized(() => this.restartConnectorOnly(name));
      return null;
    }
    const before = await this.connectorStatus(name);
    const restartConnector = !onlyFailed || before.connector.state === 'FAILED';
    const tasks = includeTasks ? before.tasks.filter((t) => !onlyFailed || t.state === 'FAILED').map((t) => t.id) : [];
    const snapshot: ConnectorStateInfo = {
      ...before,
      connector: restartConnector ? { ...before.connector, state: 'RESTARTING' } : before.connector,
      tasks: before.tasks.map((t) => (tasks.includes(t.id) ? { ...t, state: 'RESTARTING' } : t)),
    };
    await this.serialized(async () => {
      if (restartConnector) await this.restartConnectorOnly(name);
      await this.restartTasks(name, tasks);
    });
    return snapshot;
  }

  async restartTask(name: string, task: number): Promise<void> {
    const s = this.require(name);
    if (task < 0 || task >= s.taskConfigs.length) throw new NotFoundError(`Task ${name}-${task} not found`);
    await this.serialized(() => this.restartTasks(name, [task]));
  }

  async alterConnectorOffsets(name: string, body: ConnectorOffsets): Promise<string> {
    return this.serialized(async () => {
      const s = this.requireStopped(name);
      await this.writeOffsets(name, s, body);
      return 'The offsets for this connector have been altered successfully';
    });
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    return this.serialized(async () => {
      await this.clearOffsets(name, this.requireStopped(name));
      return 'The offsets for this connector have been reset successfully';
    });
  }

  async setClusterLoggerLevel(namespace: string, level: string): Promise<void> {
    // One worker is the whole cluster in standalone mode.
    await this.setWorkerLoggerLevel(namespace, level);
  }

  // ---- internals ------------------------------------------------------------

  private async setTarget(name: string, targetState: TargetState): Promise<void> {
    const s = this.require(name);
    await this.configs.put(name, { ...s, targetState });
  }

  private async restartConnectorOnly(name: string): Promise<void> {
    const s = this.require(name);
    await this.deps.worker.stopConnector(name);
    await this.deps.worker.startConnector(name, s.config, s.targetState, () => void this.reconfigure(name));
  }

  private async restartTasks(name: string, tasks: number[]): Promise<void> {
    const s = this.require(name);
    const ids = tasks.map((task) => ({ connector: name, task }));
    await this.deps.worker.stopTasks(ids);
    if (s.targetState === 'STOPPED') return;
    for (const id of ids) {
      const taskConfig = s.taskConfigs[id.task];
      if (taskConfig) await this.deps.worker.startTask(id, s.config, taskConfig, s.targetState);
    }
  }

  private async startConnectorAndTasks(name: string): Promise<void> {
    const s = this.require(name);
    await this.deps.worker.startConnector(name, s.config, s.targetState, () => void this.reconfigure(name));
    if (s.targetState === 'STOPPED') return;
    let taskConfigs: ConnectorConfig[];
    try {
      taskConfigs = await this.deps.worker.connectorTaskConfigs(name, s.config);
    } catch (err) {
      this.log.error('Connector failed to generate task configs', { connector: name, error: (err as Error).message });
      return;
    }
    if (!this.deps.worker.isConnectorRunning(name) && s.targetState === 'STARTED') return;
    // A paused connector keeps its last task configs (it is not running to generate new ones).
    if (this.deps.worker.isConnectorRunning(name)) {
      this.deps.statuses.dropTasks(name, taskConfigs.length);
      await this.configs.put(name, { ...s, taskConfigs });
    }
    const current = this.require(name);
    for (let task = 0; task < current.taskConfigs.length; task++) {
      await this.deps.worker.startTask(
        { connector: name, task },
        current.config,
        current.taskConfigs[task]!,
        current.targetState,
      );
    }
  }

  private async stopConnectorAndTasks(name: string): Promise<void> {
    await this.deps.worker.stopTasks(this.deps.worker.taskIds(name));
    await this.deps.worker.stopConnector(name);
  }

  /** The connector asked for new task configs: restart tasks only if they changed. */
  private reconfigure(name: string): Promise<void> {
    return this.serialized(() => this.reconfigureNow(name)).catch((err: unknown) =>
      this.log.error('Task reconfiguration failed', { connector: name, error: (err as Error).message }),
    );
  }

  private async reconfigureNow(name: string): Promise<void> {
    const s = this.configs.get(name);
    if (!s || s.targetState !== 'STARTED' || !this.deps.worker.isConnectorRunning(name)) return;
    const next = await this.deps.worker.connectorTaskConfigs(name, s.config);
    const running = this.deps.worker.taskIds(name).length;
    if (JSON.stringify(next) === JSON.stringify(s.taskConfigs) && running === next.length) return;
    await this.deps.worker.stopTasks(this.deps.worker.taskIds(name));
    this.deps.statuses.dropTasks(name, next.length);
    await this.configs.put(name, { ...s, taskConfigs: next });
    for (let task = 0; task < next.length; task++)
      await this.deps.worker.startTask({ connector: name, task }, s.config, next[task]!, s.targetState);
  }
}
