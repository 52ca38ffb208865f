// Distributed mode: a group of workers shares connector configs, offsets and
// status through three compacted topics, and Kafka's group coordinator picks
// a leader that decides who runs what (docs/distributed-protocol.md).
//
// Writes go through the config topic, which every worker reads in the same
// order: REST calls on any worker write connector configs, target states and
// restart requests there; the worker that runs a connector writes its task
// configs. The herder composes one module per role (herder/distributed/):
// the leader assigns work, the member applies what it is assigned, the
// config reactor reacts to the config topic for the work held, held-work
// keeps the books of that work, drain hands it all away, and rest-writes
// holds the rules of REST writes. Membership callbacks, config reactions and
// REST task restarts run one at a time (`queue`).
import type { GroupMember, AssignContext, GroupMembership } from '../distributed/group-membership.js';
import type { KafkaConfigStore } from '../storage/kafka-config-store.js';
import type { StoredConnector } from '../storage/config-store.js';
import type { KafkaOffsetStore } from '../storage/kafka-offset-store.js';
import type { Logger } from '../util/logging.js';
import type { RebalanceMetrics } from '../metrics/prometheus.js';
import { taskKey, type TaskId } from '../vocabulary/task-id.js';
import { AbstractHerder, targetFromInitial, type HerderDeps } from './abstract-herder.js';
import { ConfigReactor } from './distributed/config-reactor.js';
import { Drain, type DrainStatus } from './distributed/drain.js';
import { HeldWork } from './distributed/held-work.js';
import { Leader } from './distributed/leader.js';
import { Member } from './distributed/member.js';
import { checkWritable, forwardTaskRestart } from './distributed/rest-writes.js';
import { SerialQueue } from './serial-queue.js';
import type {
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  HealthState,
  InitialState,
  RestartRequest,
} from './types.js';
import { AlreadyExistsError, NotFoundError } from '../errors.js';

export type { DrainStatus } from './distributed/drain.js';
export { REBALANCE_MESSAGE } from './distributed/rest-writes.js';

export interface MembershipCallbacks {
  metadata(): Buffer;
  assign(members: GroupMember[], context: AssignContext): Promise<Map<string, Buffer>>;
  onAssign(assignment: Buffer, generationId: number, isLeader: boolean): Promise<void>;
  onFatalError(err: unknown): void;
}

export interface DistributedHerderOptions {
  readonly configs: KafkaConfigStore;
  readonly offsets: KafkaOffsetStore;
  /** This worker's REST URL as the others reach it (rest.advertised.*). */
  readonly url: string;
  readonly scheduledRebalanceMaxDelayMs: number;
  readonly membership: (callbacks: MembershipCallbacks) => GroupMembership;
  /** Called when group membership fails for good (the process should exit). */
  readonly onFatalError?: (err: unknown) => void;
  readonly now?: () => number;
  /** Reaches another worker's REST API (task restarts go to the task's worker). */
  readonly fetch?: typeof fetch;
  /** How other workers are reached: the scheme of the advertised listener. Default http. */
  readonly restScheme?: 'http' | 'https';
}

export class DistributedHerder extends AbstractHerder {
  private readonly log: Logger;
  private readonly queue = new SerialQueue();
  private membership?: GroupMembership;
  private stopping = false;
  private readonly held: HeldWork;
  private readonly leader: Leader;
  private readonly member: Member;
  private readonly drainer: Drain;
  private readonly reactor: ConfigReactor;

  constructor(
    deps: HerderDeps,
    private readonly options: DistributedHerderOptions,
  ) {
    super(deps);
    const log = (this.log = deps.logs.logger('sluice.herder.DistributedHerder'));
    const { configs, offsets, url } = options;
    const rejoin = (reason: string) => this.membership?.requestRejoin(reason);
    this.held = new HeldWork({ worker: deps.worker, configs, log, reconfigure: (name) => void this.reconfigure(name) });
    this.leader = new Leader({
      configs,
      log,
      url,
      scheduledRebalanceMaxDelayMs: options.scheduledRebalanceMaxDelayMs,
      now: options.now ?? Date.now,
    });
    this.drainer = new Drain(log, rejoin);
    const { held, leader } = this;
    const { worker } = deps;
    this.member = new Member({
      configs,
      offsets,
      url,
      held,
      leader,
      rejoin,
      log,
      worker,
      draining: () => this.drainer.draining,
    });
    this.reactor = new ConfigReactor({
      configs,
      held,
      leader,
      rejoin,
      log,
      worker,
      statuses: deps.statuses,
      logs: deps.logs,
      forgetTopics: (name) => this.activeTopics.delete(name),
    });
  }

  protected stored(name: string): StoredConnector | undefined {
    return this.options.configs.get(name);
  }

  protected storedNames(): string[] {
    return this.options.configs.names();
  }

  /** Joins the group; resolves after the first assignment was applied. */
  async start(): Promise<void> {
    const { configs } = this.options;
    const unlessStopping = (op: () => Promise<void>) => () => (this.stopping ? Promise.resolve() : op());
    configs.onChange(
      (names) =>
        void this.queue.run(unlessStopping(() => this.reactor.onConfigChange(names))).catch((e) => this.fail(e)),
    );
    configs.onControl(
      (record) => void this.queue.run(unlessStopping(() => this.reactor.onControl(record))).catch((e) => this.fail(e)),
    );
    this.membership = this.options.membership({
      metadata: () => this.member.metadata(),
      assign: (members, context) => this.leader.assign(members, context),
      onAssign: (assignment, generation, isLeader) =>
        this.queue.run(unlessStopping(() => this.member.onAssign(assignment, generation, isLeader))),
      onFatalError: (err) => {
        this.ready = false;
        this.log.error('Group membership failed', { error: (err as Error).message });
        this.options.onFatalError?.(err);
      },
    });
    await this.membership.start();
    this.ready = true;
    this.log.info('Distributed herder started', { url: this.options.url, generation: this.member.state.generation });
  }

  /** Stops all work (tasks commit their offsets), then leaves the group at once. */
  async stop(): Promise<void> {
    this.ready = false;
    this.stopping = true;
    this.member.stop();
    await this.queue.run(() => this.held.releaseAll());
    // Not inside the queue: the membership may be waiting for an onAssign queued behind us.
    await this.membership?.stop();
  }

  override async health(): Promise<{ status: HealthState; message: string }> {
    if (this.membership?.state === 'failed')
      return { status: 'unhealthy', message: 'Worker lost its group membership.' };
    return super.health();
  }

  // ---- drain and what this worker holds --------------------------------------

  /** Hands this worker's work to the others: the leader gives a draining worker nothing. */
  drain(): DrainStatus {
    this.drainer.start();
    return this.drainStatus();
  }

  /** Takes work again after a drain. */
  undrain(): DrainStatus {
    this.drainer.cancel();
    return this.drainStatus();
  }

  drainStatus(): DrainStatus {
    return this.drainer.status(
      { connectors: this.held.connectorCount, tasks: this.held.taskCount },
      this.member.state.rebalancing,
    );
  }

  /** Kafka's connect-worker-rebalance-metrics and connect-coordinator-metrics of this worker. */
  rebalanceMetrics(): RebalanceMetrics {
    return this.member.rebalanceMetrics();
  }

  /** What this worker holds, for tests and the drain endpoint. */
  heldWork(): {
    connectors: string[];
    tasks: TaskId[];
    generation: number;
    leaderUrl: string;
    taskStarts: Record<string, number>;
  } {
    const { connectors, tasks, taskStarts } = this.held.view();
    return {
      connectors,
      tasks,
      generation: this.member.state.generation,
      leaderUrl: this.member.state.leaderUrl,
      taskStarts,
    };
  }

  /** The connector asked for new task configs (e.g. it found new tables or files). */
  private reconfigure(name: string): Promise<void> {
    return this.queue
      .run(async () => {
        if (this.held.holdsConnector(name)) await this.held.generateTaskConfigs(name);
      })
      .catch((err: unknown) =>
        this.log.error('Task reconfiguration failed', { connector: name, error: (err as Error).message }),
      );
  }

  // ---- REST writes ------------------------------------------------------------

  /** Writes are refused (409) while the group rebalances, as Kafka Connect does. */
  private checkWritable(): void {
    checkWritable({
      ready: this.ready,
      rebalancing: this.member.state.rebalancing,
      membershipStable: this.membership?.state === 'stable',
    });
  }

  async putConnectorConfig(
    name: string,
    config: ConnectorConfig,
    { allowReplace, initialState }: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    this.checkWritable();
    const full = { ...config, name };
    this.checkConfig(full);
    await this.options.configs.refresh();
    const existing = this.options.configs.get(name);
    if (existing && !allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
    await this.options.configs.putConnectorConfig(name, full, existing ? undefined : targetFromInitial(initialState));
    return { created: !existing, info: this.info(name, this.require(name)) };
  }

  async deleteConnector(name: string): Promise<void> {
    this.checkWritable();
    await this.options.configs.refresh();
    this.require(name);
    await this.options.configs.removeConnector(name);
    this.deps.statuses.remove(name);
  }

  async pauseConnector(name: string): Promise<void> {
    const s = this.require(name);
    if (s.targetState !== 'PAUSED') await this.options.configs.putTargetState(name, 'PAUSED');
  }

  async resumeConnector(name: string): Promise<void> {
    const s = this.require(name);
    if (s.targetState !== 'STARTED') await this.options.configs.putTargetState(name, 'STARTED');
  }

  /** STOPPED target state, then an empty set of task configs (as Kafka Connect does). */
  async stopConnector(name: string): Promise<void> {
    this.checkWritable();
    this.require(name);
    await this.options.configs.putTargetState(name, 'STOPPED');
    await this.options.configs.putTaskConfigs(name, []);
  }

  async restartConnector(
    name: string,
    { includeTasks, onlyFailed }: RestartRequest,
  ): Promise<ConnectorStateInfo | null> {
    this.checkWritable();
    this.require(name);
    const before = await this.connectorStatus(name);
    await this.options.configs.putRestartRequest(name, includeTasks, onlyFailed);
    if (!includeTasks && !onlyFailed) return null;
    const restartConnector = !onlyFailed || before.connector.state === 'FAILED';
    const restarts = (state: string) => includeTasks && (!onlyFailed || state === 'FAILED');
    return {
      ...before,
      connector: restartConnector ? { ...before.connector, state: 'RESTARTING' } : before.connector,
      tasks: before.tasks.map((t) => (restarts(t.state) ? { ...t, state: 'RESTARTING' } : t)),
    };
  }

  /** Restarts the task where it runs: here, or by asking its worker over REST. */
  async restartTask(name: string, task: number): Promise<void> {
    this.checkWritable();
    const s = this.require(name);
    if (task < 0 || task >= s.taskConfigs.length)
      throw new NotFoundError(`Task ${taskKey({ connector: name, task })} not found`);
    const id = { connector: name, task };
    if (this.held.holdsTask(id)) {
      await this.queue.run(() => this.held.startTask(id));
      return;
    }
    await forwardTaskRestart({
      owner: this.deps.statuses.getTasks(name).get(task)?.workerId,
      self: this.deps.worker.workerId,
      connector: name,
      task,
      scheme: this.options.restScheme ?? 'http',
      fetch: this.options.fetch ?? fetch,
    });
  }

  async alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<string> {
    this.checkWritable();
    const s = this.requireStopped(name);
    await this.writeOffsets(name, s, offsets);
    return 'The offsets for this connector have been altered successfully';
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    this.checkWritable();
    await this.clearOffsets(name, this.requireStopped(name));
    return 'The offsets for this connector have been reset successfully';
  }

  /**
   * As Kafka Connect lists tasks from the status topic, tasks that are no
   * longer configured but still report RUNNING or PAUSED are listed too: a
   * stopped connector shows no tasks only once they all stopped (and
   * committed their offsets), which is what a caller waiting for a stop needs.
   */
  override async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    const status = await super.connectorStatus(name);
    const configured = status.tasks.length;
    const stopping = [...this.deps.statuses.getTasks(name)]
      .filter(([id, s]) => id >= configured && (s.state === 'RUNNING' || s.state === 'PAUSED'))
      .map(([id, s]) => ({ id, state: s.state, worker_id: s.workerId, version: s.version ?? null }))
      .sort((a, b) => a.id - b.id);
    return stopping.length === 0 ? status : { ...status, tasks: [...status.tasks, ...stopping] };
  }

  override async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    await this.options.offsets.refresh();
    return super.connectorOffsets(name);
  }

  protected override hasTasks(name: string, s: StoredConnector): boolean {
    return s.taskConfigs.length > 0 || super.hasTasks(name, s);
  }

  async setClusterLoggerLevel(namespace: string, level: string): Promise<void> {
    await this.setWorkerLoggerLevel(namespace, level);
    await this.options.configs.putLoggerLevel(namespace, level);
  }

  private fail(err: unknown): void {
    this.log.error('Reacting to the config topic failed', { error: (err as Error).message });
  }
}
