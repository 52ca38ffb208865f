// Distributed mode: a group of workers shares connector configs, offsets and
// status through three compacted topics, and Kafka's group coordinator picks
// a leader that decides who runs what (docs/distributed-protocol.md).
//
// Writes go through the config topic, which every worker reads in the same
// order: REST calls on any worker write connector configs, target states and
// restart requests there; the worker that runs a connector writes its task
// configs. Each worker reacts to what it reads for the work it holds, and
// the leader starts a rebalance when the set of connectors or tasks changed.
// Membership callbacks and config reactions run one at a time (`serialized`).
import {
  ASSIGNMENT_CONFIG_MISMATCH,
  ASSIGNMENT_NO_ERROR,
  CONNECT_PROTOCOL_V2,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  groupByConnector,
  splitConnectorTasks,
  type ConnectAssignment,
} from '../distributed/connect-protocol.js';
import { compareTaskIds, taskKey, type TaskId } from '../vocabulary/task-id.js';
import { IncrementalCooperativeAssignor, type ConfiguredWork } from '../distributed/assignor.js';
import type { AssignContext, GroupMember, GroupMembership } from '../distributed/group-membership.js';
import type { ConfigSnapshot, ControlRecord, KafkaConfigStore } from '../storage/kafka-config-store.js';
import type { StoredConnector } from '../storage/config-store.js';
import type { KafkaOffsetStore } from '../storage/kafka-offset-store.js';
import type { Logger } from '../util/logging.js';
import { canonicalJson } from '../util/json.js';
import type { RebalanceMetrics } from '../metrics/prometheus.js';
import { AbstractHerder, targetFromInitial, type HerderDeps } from './abstract-herder.js';
import { AlreadyExistsError, NotFoundError, RebalanceInProgressError } from './errors.js';
import type {
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  HealthState,
  InitialState,
  RestartRequest,
  TargetState,
} from './types.js';

/** Kafka Connect's message for requests that meet a rebalance (ConnectRestException 409). */
export const REBALANCE_MESSAGE = 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)';

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

export interface DrainStatus {
  draining: boolean;
  /** true once a draining worker holds no work and no rebalance is under way */
  drained: boolean;
  connectors: number;
  tasks: number;
}

export class DistributedHerder extends AbstractHerder {
  private readonly log: Logger;
  private readonly assignor: IncrementalCooperativeAssignor;
  private membership?: GroupMembership;
  private queue: Promise<unknown> = Promise.resolve();

  /** The work this worker holds (what its metadata reports). */
  private readonly connectorsHeld = new Set<string>();
  private readonly tasksHeld = new Map<string, TaskId>();
  /** What each held unit was started with, to tell which config changes concern it. */
  private readonly connectorStartedWith = new Map<string, { config: string; target: TargetState }>();
  private readonly taskStartedWith = new Map<string, string>();
  /** How often each task was started here (GET /admin/assignment): proves that a rebalance left a task alone. */
  private readonly taskStarts = new Map<string, number>();

  private leaderId = '';
  private leaderUrl = '';
  private generation = -1;
  private rebalancing = true;
  /** connect-worker-rebalance-metrics: completed rebalances, their durations, when the last one ended */
  private readonly rebalanceStats = { completed: 0, startedAt: Date.now(), totalMs: 0, maxMs: 0, endedAt: 0 };
  private draining = false;
  private stopping = false;
  private wasLeader = false;
  /** The leader's view of the work when it last assigned, to notice config changes that need a rebalance. */
  private assignedWork = '';
  private delayTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    deps: HerderDeps,
    private readonly options: DistributedHerderOptions,
  ) {
    super(deps);
    this.log = deps.logs.logger('sluice.herder.DistributedHerder');
    this.assignor = new IncrementalCooperativeAssignor(options.scheduledRebalanceMaxDelayMs);
    this.now = options.now ?? Date.now;
  }

  protected stored(name: string): StoredConnector | undefined {
    return this.options.configs.get(name);
  }

  protected storedNames(): string[] {
    return [...this.options.configs.snapshot().connectors.keys()];
  }

  /** Joins the group; resolves after the first assignment was applied. */
  async start(): Promise<void> {
    const { configs } = this.options;
    configs.onChange((names) => void this.serialized(() => this.onConfigChange(names)).catch((e) => this.fail(e)));
    configs.onControl((record) => void this.serialized(() => this.onControl(record)).catch((e) => this.fail(e)));
    this.membership = this.options.membership({
      metadata: () => this.metadata(),
      assign: (members, context) => this.assign(members, context),
      onAssign: (assignment, generation, isLeader) =>
        this.serialized(() => this.onAssign(assignment, generation, isLeader)),
      onFatalError: (err) => {
        this.ready = false;
        this.log.error('Group membership failed', { error: (err as Error).message });
        this.options.onFatalError?.(err);
      },
    });
    await this.membership.start();
    this.ready = true;
    this.log.info('Distributed herder started', { url: this.options.url, generation: this.generation });
  }

  /** Stops all work (tasks commit their offsets), then leaves the group at once. */
  async stop(): Promise<void> {
    this.ready = false;
    this.stopping = true;
    clearTimeout(this.delayTimer);
    await this.serialized(async () => {
      await this.deps.worker.stop();
      this.connectorsHeld.clear();
      this.tasksHeld.clear();
    });
    // Not inside serialized(): the membership may be waiting for an onAssign queued behind us.
    await this.membership?.stop();
  }

  override async health(): Promise<{ status: HealthState; message: string }> {
    if (this.membership?.state === 'failed')
      return { status: 'unhealthy', message: 'Worker lost its group membership.' };
    return super.health();
  }

  // ---- drain ---------------------------------------------------------------

  /** Hands this worker's work to the others: the leader gives a draining worker nothing. */
  drain(): DrainStatus {
    if (!this.draining) {
      this.draining = true;
      this.log.info('Draining: handing all work to the other workers');
      this.membership?.requestRejoin('drain requested');
    }
    return this.drainStatus();
  }

  /** Takes work again after a drain. */
  undrain(): DrainStatus {
    if (this.draining) {
      this.draining = false;
      this.log.info('Drain cancelled: taking work again');
      this.membership?.requestRejoin('drain cancelled');
    }
    return this.drainStatus();
  }

  drainStatus(): DrainStatus {
    const connectors = this.connectorsHeld.size;
    const tasks = this.tasksHeld.size;
    return {
      draining: this.draining,
      drained: this.draining && !this.rebalancing && connectors === 0 && tasks === 0,
      connectors,
      tasks,
    };
  }

  private rebalanceDone(): void {
    const s = this.rebalanceStats;
    const ms = Date.now() - s.startedAt;
    s.completed++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    s.endedAt = Date.now();
    this.rebalancing = false;
  }

  /** Kafka's connect-worker-rebalance-metrics and connect-coordinator-metrics of this worker. */
  rebalanceMetrics(): RebalanceMetrics {
    const s = this.rebalanceStats;
    return {
      completed: s.completed,
      epoch: this.generation,
      rebalancing: this.rebalancing,
      leaderName: this.leaderUrl,
      protocol: 'sessioned',
      avgMs: s.completed ? s.totalMs / s.completed : 0,
      maxMs: s.maxMs,
      sinceLastMs: s.endedAt ? Date.now() - s.endedAt : -1,
      assignedConnectors: this.connectorsHeld.size,
      assignedTasks: this.tasksHeld.size,
    };
  }

  /** What this worker holds, for tests and the drain endpoint. */
  heldWork(): {
    connectors: string[];
    tasks: TaskId[];
    generation: number;
    leaderUrl: string;
    taskStarts: Record<string, number>;
  } {
    return {
      connectors: [...this.connectorsHeld].sort(),
      tasks: [...this.tasksHeld.values()].sort(compareTaskIds),
      generation: this.generation,
      leaderUrl: this.leaderUrl,
      taskStarts: Object.fromEntries(this.taskStarts),
    };
  }

  // ---- group membership ----------------------------------------------------

  private metadata(): Buffer {
    if (!this.rebalancing) this.rebalanceStats.startedAt = Date.now();
    this.rebalancing = true;
    const configOffset = this.options.configs.snapshot().offset;
    const allocation: ConnectAssignment = {
      version: CONNECT_PROTOCOL_V2,
      error: ASSIGNMENT_NO_ERROR,
      leader: this.leaderId,
      leaderUrl: this.leaderUrl,
      configOffset,
      assigned: groupByConnector([...this.connectorsHeld], [...this.tasksHeld.values()]),
      revoked: [],
      delay: 0,
    };
    return encodeMetadata({
      version: CONNECT_PROTOCOL_V2,
      url: this.options.url,
      configOffset,
      allocation: this.generation < 0 ? null : allocation,
      ...(this.draining ? { draining: true } : {}),
    });
  }

  /** The leader's job: catch up with the config topic, then run the assignor. */
  private async assign(members: GroupMember[], context: AssignContext): Promise<Map<string, Buffer>> {
    const decoded = members.map((m) => ({ memberId: m.memberId, metadata: decodeMetadata(m.metadata) }));
    const wanted = decoded.reduce((max, m) => (m.metadata.configOffset > max ? m.metadata.configOffset : max), -1n);
    await this.options.configs.refresh();
    if (this.options.configs.snapshot().offset < wanted) await this.options.configs.refresh();
    const snapshot = this.options.configs.snapshot();
    const header = {
      version: CONNECT_PROTOCOL_V2,
      leader: context.leaderId,
      leaderUrl: this.options.url,
      configOffset: snapshot.offset,
    };
    const out = new Map<string, Buffer>();
    if (snapshot.offset < wanted) {
      this.log.warn('Leader is behind a member on the config topic: members re-read it and rejoin', {
        leaderOffset: String(snapshot.offset),
        memberOffset: String(wanted),
      });
      for (const m of decoded)
        out.set(
          m.memberId,
          encodeAssignment({ ...header, error: ASSIGNMENT_CONFIG_MISMATCH, assigned: [], revoked: [], delay: 0 }),
        );
      return out;
    }
    // The previous rounds are only ours to remember if we led them.
    if (!this.wasLeader) this.assignor.reset();
    const work = configuredWork(snapshot);
    const reports = decoded.map(({ memberId, metadata }) => {
      const held = splitConnectorTasks(metadata.allocation?.assigned ?? []);
      return {
        memberId,
        url: metadata.url,
        connectors: held.connectors,
        tasks: held.tasks,
        draining: metadata.draining ?? false,
      };
    });
    const result = this.assignor.assign(reports, work, this.now());
    this.assignedWork = workSignature(work);
    for (const [memberId, a] of result) {
      out.set(memberId, encodeAssignment({ ...header, error: ASSIGNMENT_NO_ERROR, ...a }));
    }
    this.log.info('Computed assignments', {
      generation: context.generationId,
      members: members.length,
      connectors: work.connectors.length,
      tasks: work.tasks.length,
      assignments: Object.fromEntries(
        [...result].map(([id, a]) => [
          reports.find((r) => r.memberId === id)?.url ?? id,
          { assigned: a.assigned, revoked: a.revoked, delay: a.delay },
        ]),
      ),
    });
    return out;
  }

  private async onAssign(bytes: Buffer, generation: number, isLeader: boolean): Promise<void> {
    if (this.stopping) return;
    const assignment = bytes.length === 0 ? undefined : decodeAssignment(bytes);
    this.generation = generation;
    this.wasLeader = isLeader;
    this.deps.worker.setGeneration(generation);
    if (!assignment) {
      this.rebalanceDone();
      return;
    }
    this.leaderId = assignment.leader;
    this.leaderUrl = assignment.leaderUrl;
    if (assignment.error === ASSIGNMENT_CONFIG_MISMATCH) {
      await this.options.configs.refresh();
      this.membership?.requestRejoin('config mismatch');
      return;
    }
    if (this.options.configs.snapshot().offset < assignment.configOffset) await this.options.configs.refresh();

    const revoked = splitConnectorTasks(assignment.revoked);
    const added = splitConnectorTasks(assignment.assigned);
    if (revoked.tasks.length > 0) await this.stopTasks(revoked.tasks);
    for (const c of revoked.connectors) await this.stopHeld(c);
    for (const c of added.connectors) {
      this.connectorsHeld.add(c);
      await this.startConnector(c);
    }
    const newTasks = added.tasks.filter((t) => !this.tasksHeld.has(taskKey(t)));
    for (const t of newTasks) this.tasksHeld.set(taskKey(t), t);
    // A source task moved here continues from the offsets its last worker committed.
    if (newTasks.some((t) => this.isSource(t.connector))) await this.options.offsets.refresh();
    for (const t of newTasks) await this.startTask(t);
    this.rebalanceDone();

    const moved = revoked.connectors.length + revoked.tasks.length + added.connectors.length + added.tasks.length;
    if (moved > 0)
      this.log.info('Applied assignment', {
        generation,
        revoked: assignment.revoked,
        assigned: assignment.assigned,
        holds: { connectors: this.connectorsHeld.size, tasks: this.tasksHeld.size },
      });
    if (revoked.connectors.length + revoked.tasks.length > 0) this.membership?.requestRejoin('revoked work stopped');
    clearTimeout(this.delayTimer);
    if (assignment.delay > 0) {
      this.delayTimer = setTimeout(
        () => this.membership?.requestRejoin('scheduled rebalance'),
        assignment.delay,
      ).unref();
    }
    // Configs read while the leader was assigning may need another round.
    if (isLeader && workSignature(configuredWork(this.options.configs.snapshot())) !== this.assignedWork)
      this.membership?.requestRejoin('config changed');
  }

  // ---- reacting to the config topic ------------------------------------------

  private async onConfigChange(names: string[]): Promise<void> {
    if (this.stopping) return;
    for (const name of names) {
      const s = this.options.configs.get(name);
      if (!s) {
        await this.stopTasks([...this.tasksHeld.values()].filter((t) => t.connector === name));
        if (this.connectorsHeld.has(name)) {
          await this.stopHeld(name);
          this.deps.statuses.remove(name);
        }
        this.activeTopics.delete(name);
        continue;
      }
      const started = this.connectorStartedWith.get(name);
      if (this.connectorsHeld.has(name) && started) {
        if (started.config !== JSON.stringify(s.config)) {
          await this.startConnector(name); // a new config: restart, and new task configs
        } else if (started.target !== s.targetState) {
          const from = started.target;
          this.connectorStartedWith.set(name, { ...started, target: s.targetState });
          if (from === 'STOPPED') await this.startConnector(name);
          else {
            await this.deps.worker.setConnectorTargetState(name, s.targetState);
            // A connector created paused has no task configs yet: generate them now.
            if (s.targetState === 'STARTED') await this.generateTaskConfigs(name);
          }
        }
      }
      for (const t of [...this.tasksHeld.values()].filter((x) => x.connector === name)) {
        const config = s.taskConfigs[t.task];
        if (!config) {
          await this.stopTasks([t]); // the leader revokes it too
          continue;
        }
        if (this.taskStartedWith.get(taskKey(t)) !== JSON.stringify(config)) await this.startTask(t);
        else this.deps.worker.setTaskTargetState(t, s.targetState);
      }
    }
    if (this.wasLeader && workSignature(configuredWork(this.options.configs.snapshot())) !== this.assignedWork)
      this.membership?.requestRejoin('config changed');
  }

  private async onControl(record: ControlRecord): Promise<void> {
    if (this.stopping) return;
    if (record.kind === 'logger') {
      try {
        this.deps.logs.setLevel(record.namespace, record.level);
      } catch (err) {
        this.log.warn('Ignoring a cluster logger level', {
          namespace: record.namespace,
          error: (err as Error).message,
        });
      }
      return;
    }
    const { connector, includeTasks, onlyFailed } = record;
    if (!this.options.configs.get(connector)) return;
    const failed = (state: string | undefined) => state === 'FAILED';
    if (this.connectorsHeld.has(connector)) {
      const state = this.deps.statuses.getConnector(connector)?.state;
      if (!onlyFailed || failed(state)) {
        this.log.info('Restarting connector on request', { connector });
        await this.startConnector(connector);
      }
    }
    if (!includeTasks) return;
    const statuses = this.deps.statuses.getTasks(connector);
    for (const t of [...this.tasksHeld.values()].filter((x) => x.connector === connector)) {
      if (!onlyFailed || failed(statuses.get(t.task)?.state)) {
        this.log.info('Restarting task on request', { connector, task: t.task });
        await this.startTask(t);
      }
    }
  }

  // ---- running work ----------------------------------------------------------

  private isSource(connector: string): boolean {
    const s = this.options.configs.get(connector);
    return s ? this.deps.worker.connectorType(s.config) === 'source' : false;
  }

  private async startConnector(name: string): Promise<void> {
    const s = this.options.configs.get(name);
    if (!s) return; // deleted meanwhile: the leader revokes it
    try {
      await this.deps.worker.startConnector(name, s.config, s.targetState, () => void this.reconfigure(name));
    } catch (err) {
      // The worker reports a connector that cannot start as FAILED; nothing it throws may stop the herder.
      this.log.error('Failed to start connector', { connector: name, error: (err as Error).message });
    }
    this.connectorStartedWith.set(name, { config: JSON.stringify(s.config), target: s.targetState });
    if (s.targetState === 'STARTED') await this.generateTaskConfigs(name);
  }

  private async stopHeld(name: string): Promise<void> {
    this.connectorsHeld.delete(name);
    this.connectorStartedWith.delete(name);
    await this.deps.worker.stopConnector(name);
  }

  /** The connector's owner writes its task configs when they changed. */
  private async generateTaskConfigs(name: string): Promise<void> {
    const s = this.options.configs.get(name);
    if (!s || s.targetState !== 'STARTED' || !this.deps.worker.isConnectorRunning(name)) return;
    let next: ConnectorConfig[];
    try {
      next = await this.deps.worker.connectorTaskConfigs(name, s.config);
    } catch (err) {
      this.log.error('Connector failed to generate task configs', { connector: name, error: (err as Error).message });
      return;
    }
    // Canonical: configs another runtime wrote (Apache's HashMap order) are the same configs.
    if (canonicalJson(next) === canonicalJson(s.taskConfigs)) return;
    this.log.info('Writing new task configs', { connector: name, tasks: next.length });
    // Exactly-once source: fence the tasks of the generation being replaced first (KIP-618).
    let fenced: boolean;
    try {
      fenced = await this.deps.worker.fenceSourceTasks(name, s.config, s.taskConfigs, next);
    } catch (err) {
      this.log.error('Failed to fence the previous task generation; task configs not written', {
        connector: name,
        error: (err as Error).message,
      });
      return;
    }
    await this.options.configs.putTaskConfigs(name, next);
    if (fenced) await this.options.configs.putTaskCount(name, next.length);
  }

  /** The connector asked for new task configs (e.g. it found new tables or files). */
  private reconfigure(name: string): Promise<void> {
    return this.serialized(async () => {
      if (this.connectorsHeld.has(name)) await this.generateTaskConfigs(name);
    }).catch((err: unknown) =>
      this.log.error('Task reconfiguration failed', { connector: name, error: (err as Error).message }),
    );
  }

  private async startTask(t: TaskId): Promise<void> {
    const s = this.options.configs.get(t.connector);
    const config = s?.taskConfigs[t.task];
    if (!s || !config) {
      // Its config is not committed (yet): it starts once it is, through onConfigChange.
      this.taskStartedWith.delete(taskKey(t));
      return;
    }
    this.taskStartedWith.set(taskKey(t), JSON.stringify(config));
    this.taskStarts.set(taskKey(t), (this.taskStarts.get(taskKey(t)) ?? 0) + 1);
    await this.deps.worker.startTask(t, s.config, config, s.targetState);
  }

  private async stopTasks(tasks: TaskId[]): Promise<void> {
    for (const t of tasks) {
      this.tasksHeld.delete(taskKey(t));
      this.taskStartedWith.delete(taskKey(t));
    }
    await this.deps.worker.stopTasks(tasks);
  }

  // ---- REST writes ------------------------------------------------------------

  /** Writes are refused (409) while the group rebalances, as Kafka Connect does. */
  private checkWritable(): void {
    if (!this.ready || this.rebalancing || this.membership?.state !== 'stable')
      throw new RebalanceInProgressError(REBALANCE_MESSAGE);
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
    if (this.tasksHeld.has(taskKey(id))) {
      await this.serialized(() => this.startTask(id));
      return;
    }
    const owner = this.deps.statuses.getTasks(name).get(task)?.workerId;
    if (!owner || owner === this.deps.worker.workerId) throw new RebalanceInProgressError(REBALANCE_MESSAGE);
    const url = `${this.options.restScheme ?? 'http'}://${owner}/connectors/${encodeURIComponent(name)}/tasks/${task}/restart`;
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
    } catch {
      throw new RebalanceInProgressError(REBALANCE_MESSAGE);
    }
    if (res.status >= 300) throw new RebalanceInProgressError(REBALANCE_MESSAGE);
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

  // ---- internals ------------------------------------------------------------

  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private fail(err: unknown): void {
    this.log.error('Reacting to the config topic failed', { error: (err as Error).message });
  }
}

/** Every connector and every committed task of the config topic. */
export function configuredWork(snapshot: ConfigSnapshot): ConfiguredWork {
  const connectors: string[] = [];
  const tasks: TaskId[] = [];
  for (const [connector, s] of snapshot.connectors) {
    connectors.push(connector);
    for (let task = 0; task < s.taskConfigs.length; task++) tasks.push({ connector, task });
  }
  return { connectors, tasks };
}

function workSignature(work: ConfiguredWork): string {
  return JSON.stringify([work.connectors, work.tasks.map(taskKey)]);
}
