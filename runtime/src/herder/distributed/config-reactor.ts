// How a distributed worker reacts to what it reads on the config topic, for
// the work it holds: a deleted connector stops, a new config restarts the
// connector, a new target state pauses, resumes or stops it, new task
// configs restart the tasks they changed; restart requests and cluster
// logger levels (control records) are carried out here. The leader asks for
// a rebalance when the set of connectors or tasks changed.
import type { ControlRecord, KafkaConfigStore } from '../../storage/kafka-config-store.js';
import type { StatusStore } from '../../storage/status-store.js';
import type { LogRegistry, Logger } from '../../util/logging.js';
import type { Worker } from '../../worker/worker.js';
import type { HeldWork } from './held-work.js';
import type { Leader } from './leader.js';

export interface ConfigReactorDeps {
  readonly configs: KafkaConfigStore;
  readonly worker: Worker;
  readonly statuses: StatusStore;
  readonly logs: LogRegistry;
  readonly log: Logger;
  readonly held: HeldWork;
  readonly leader: Leader;
  readonly rejoin: (reason: string) => void;
  /** Forgets the topics a deleted connector used. */
  readonly forgetTopics: (connector: string) => void;
}

export class ConfigReactor {
  constructor(private readonly deps: ConfigReactorDeps) {}

  /** Connectors whose config, target state or task configs changed. */
  async onConfigChange(names: readonly string[]): Promise<void> {
    for (const name of names) await this.onConnectorChange(name);
    if (this.deps.leader.workChanged()) this.deps.rejoin('config changed');
  }

  private async onConnectorChange(name: string): Promise<void> {
    const { configs, worker, statuses, held } = this.deps;
    const s = configs.get(name);
    if (!s) {
      await held.releaseTasks(held.taskIds(name));
      if (held.holdsConnector(name)) {
        await held.releaseConnector(name);
        statuses.remove(name);
      }
      this.deps.forgetTopics(name);
      return;
    }
    const started = held.startedWith(name);
    if (held.holdsConnector(name) && started) {
      if (started.config !== JSON.stringify(s.config)) {
        await held.startConnector(name); // a new config: restart, and new task configs
      } else if (started.target !== s.targetState) {
        held.targetChanged(name, s.targetState);
        if (started.target === 'STOPPED') await held.startConnector(name);
        else {
          await worker.setConnectorTargetState(name, s.targetState);
          // A connector created paused has no task configs yet: generate them now.
          if (s.targetState === 'STARTED') await held.generateTaskConfigs(name);
        }
      }
    }
    for (const t of held.taskIds(name)) {
      const config = s.taskConfigs[t.task];
      if (!config) {
        await held.releaseTasks([t]); // the leader revokes it too
        continue;
      }
      if (held.taskConfigChanged(t, config)) await held.startTask(t);
      else worker.setTaskTargetState(t, s.targetState);
    }
  }

  /** A restart request or a cluster logger level written after this worker started. */
  async onControl(record: ControlRecord): Promise<void> {
    const { configs, statuses, held, log } = this.deps;
    if (record.kind === 'logger') {
      try {
        this.deps.logs.setLevel(record.namespace, record.level);
      } catch (err) {
        log.warn('Ignoring a cluster logger level', { namespace: record.namespace, error: (err as Error).message });
      }
      return;
    }
    const { connector, includeTasks, onlyFailed } = record;
    if (!configs.get(connector)) return;
    const failed = (state: string | undefined) => state === 'FAILED';
    if (held.holdsConnector(connector)) {
      const state = statuses.getConnector(connector)?.state;
      if (!onlyFailed || failed(state)) {
        log.info('Restarting connector on request', { connector });
        await held.startConnector(connector);
      }
    }
    if (!includeTasks) return;
    const tasks = statuses.getTasks(connector);
    for (const t of held.taskIds(connector)) {
      if (!onlyFailed || failed(tasks.get(t.task)?.state)) {
        log.info('Restarting task on request', { connector, task: t.task });
        await held.startTask(t);
      }
    }
  }
}
