// Standalone mode: one worker owns every connector; configs and target states
// live in a file beside the offset file, so everything created over REST
// comes back after a restart. Every change is written before it takes
// effect: when the volume cannot be written (StoreUnavailableError, HTTP 503)
// the running connectors stay as they were and nothing phantom is listed.
import type { ConfigStore, StoredConnector } from '../storage/config-store.js';
import { canonicalJson } from '../util/json.js';
import type { Logger } from '../util/logging.js';
import { AbstractHerder, targetFromInitial, type HerderDeps } from './abstract-herder.js';
import { SerialQueue } from './serial-queue.js';
import { taskKey } from '../vocabulary/task-id.js';
import type {
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  InitialState,
  RestartRequest,
  TargetState,
} from './types.js';
import { AlreadyExistsError, NotFoundError } from '../errors.js';

/** How long a reconfiguration whose task configs could not be stored waits before it is tried again. */
const RECONFIGURE_RETRY_MS = 5000;

export class StandaloneHerder extends AbstractHerder {
  private readonly queue = new SerialQueue();
  private readonly log: Logger;

  constructor(
    deps: HerderDeps,
    private readonly configs: ConfigStore,
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
    await this.configs.start();
    const names = this.configs.names();
    for (const name of names)
      await this.queue
        .run(() => this.startConnectorAndTasks(name))
        .catch((err: unknown) =>
          this.log.error('Connector failed to start', { connector: name, error: (err as Error).message }),
        );
    this.ready = true;
    this.log.info('Standalone herder started', { connectors: names.length });
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.queue.run(() => this.deps.worker.stop());
  }

  async putConnectorConfig(
    name: string,
    config: ConnectorConfig,
    { allowReplace, initialState }: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    const full = { ...config, name };
    this.checkConfig(full);
    return this.queue.run(async () => {
      const existing = this.configs.get(name);
      if (existing && !allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
      if (existing) await this.stopConnectorAndTasks(name);
      const targetState = existing?.targetState ?? targetFromInitial(initialState);
      try {
        // The config is written together with the task configs it generates: one write, all or nothing.
        await this.startConnectorAndTasks(name, {
          config: full,
          targetState,
          taskConfigs: existing?.taskConfigs ?? [],
        });
      } catch (err) {
        // Not stored: the old config (still stored) runs again, or a new connector leaves no trace.
        if (existing)
          await this.startConnectorAndTasks(name).catch((e: unknown) =>
            this.log.error('Connector failed to restart', { connector: name, error: (e as Error).message }),
          );
        else {
          await this.stopConnectorAndTasks(name);
          this.deps.statuses.remove(name);
        }
        throw err;
      }
      return { created: !existing, info: this.info(name, this.configs.get(name)!) };
    });
  }

  async deleteConnector(name: string): Promise<void> {
    await this.queue.run(async () => {
      this.require(name);
      await this.configs.removeConnector(name);
      await this.stopConnectorAndTasks(name);
      this.deps.statuses.remove(name);
      this.activeTopics.delete(name);
    });
  }

  async pauseConnector(name: string): Promise<void> {
    await this.queue.run(async () => {
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
    await this.queue.run(async () => {
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
    await this.queue.run(async () => {
      const s = this.require(name);
      await this.configs.put(name, { ...s, targetState: 'STOPPED', taskConfigs: [] });
      await this.stopConnectorAndTasks(name);
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
      await this.queue.run(() => this.restartConnectorOnly(name));
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
    await this.queue.run(async () => {
      if (restartConnector) await this.restartConnectorOnly(name);
      await this.restartTasks(name, tasks);
    });
    return snapshot;
  }

  async restartTask(name: string, task: number): Promise<void> {
    const s = this.require(name);
    if (task < 0 || task >= s.taskConfigs.length)
      throw new NotFoundError(`Task ${taskKey({ connector: name, task })} not found`);
    await this.queue.run(() => this.restartTasks(name, [task]));
  }

  async alterConnectorOffsets(name: string, body: ConnectorOffsets): Promise<string> {
    return this.queue.run(async () => {
      const s = this.requireStopped(name);
      await this.writeOffsets(name, s, body);
      return 'The offsets for this connector have been altered successfully';
    });
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    return this.queue.run(async () => {
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
    this.require(name);
    await this.configs.putTargetState(name, targetState);
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

  /**
   * Starts a connector (from `s`, else as stored) and its tasks. `s` and the
   * task configs the connector generates are written, once, before any task
   * starts; when that write fails the connector is stopped again and the
   * StoreUnavailableError thrown: the store, and what runs, are unchanged.
   */
  private async startConnectorAndTasks(name: string, s: StoredConnector = this.require(name)): Promise<void> {
    const { worker, statuses } = this.deps;
    await worker.startConnector(name, s.config, s.targetState, () => void this.reconfigure(name));
    let next = s;
    let startTasks = s.targetState !== 'STOPPED';
    if (startTasks) {
      try {
        const taskConfigs = await worker.connectorTaskConfigs(name, s.config);
        // A paused connector keeps its last task configs (it is not running to generate new ones).
        if (worker.isConnectorRunning(name)) next = { ...s, taskConfigs };
        else if (s.targetState === 'STARTED') startTasks = false;
      } catch (err) {
        this.log.error('Connector failed to generate task configs', { connector: name, error: (err as Error).message });
        startTasks = false;
      }
    }
    const stored = this.configs.get(name);
    if (!stored || canonicalJson(stored) !== canonicalJson(next)) {
      try {
        await this.configs.put(name, next);
      } catch (err) {
        await worker.stopConnector(name);
        throw err;
      }
    }
    if (!startTasks) return;
    if (worker.isConnectorRunning(name)) statuses.dropTasks(name, next.taskConfigs.length);
    for (let task = 0; task < next.taskConfigs.length; task++)
      await worker.startTask({ connector: name, task }, next.config, next.taskConfigs[task]!, next.targetState);
  }

  private async stopConnectorAndTasks(name: string): Promise<void> {
    await this.deps.worker.stopTasks(this.deps.worker.taskIds(name));
    await this.deps.worker.stopConnector(name);
  }

  /**
   * The connector asked for new task configs: restart tasks only if they
   * changed. When they cannot be stored, the tasks keep running with the
   * old ones and the reconfiguration is tried again a little later.
   */
  private reconfigure(name: string): Promise<void> {
    return this.queue
      .run(() => this.reconfigureNow(name))
      .catch((err: unknown) => {
        this.log.error('Task reconfiguration failed', { connector: name, error: (err as Error).message });
        if ((err as { retriable?: boolean }).retriable === true && this.ready)
          setTimeout(() => void this.reconfigure(name), RECONFIGURE_RETRY_MS).unref();
      });
  }

  private async reconfigureNow(name: string): Promise<void> {
    const s = this.configs.get(name);
    if (!s || s.targetState !== 'STARTED' || !this.deps.worker.isConnectorRunning(name)) return;
    const next = await this.deps.worker.connectorTaskConfigs(name, s.config);
    const running = this.deps.worker.taskIds(name).length;
    if (JSON.stringify(next) === JSON.stringify(s.taskConfigs) && running === next.length) return;
    await this.configs.put(name, { ...s, taskConfigs: next });
    await this.deps.worker.stopTasks(this.deps.worker.taskIds(name));
    this.deps.statuses.dropTasks(name, next.length);
    for (let task = 0; task < next.length; task++)
      await this.deps.worker.startTask({ connector: name, task }, s.config, next[task]!, s.targetState);
  }
}
