// A worker's role as a group member: the metadata it joins with (what it
// holds, how far it read the config topic, whether it drains), applying the
// assignment it gets (stop what is revoked, start what is new, rejoin after
// a revocation or when the leader asks for a delay), and the rebalance
// state and metrics (connect-worker-rebalance-metrics).
import {
  ASSIGNMENT_CONFIG_MISMATCH,
  ASSIGNMENT_NO_ERROR,
  CONNECT_PROTOCOL_V2,
  decodeAssignment,
  encodeMetadata,
  groupByConnector,
  splitConnectorTasks,
  type ConnectAssignment,
} from '../../distributed/connect-protocol.js';
import type { RebalanceMetrics } from '../../metrics/prometheus.js';
import type { KafkaConfigStore } from '../../storage/kafka-config-store.js';
import type { KafkaOffsetStore } from '../../storage/kafka-offset-store.js';
import type { Logger } from '../../util/logging.js';
import type { Worker } from '../../worker/worker.js';
import type { HeldWork } from './held-work.js';
import type { Leader } from './leader.js';

export interface MemberDeps {
  readonly configs: KafkaConfigStore;
  readonly offsets: KafkaOffsetStore;
  readonly worker: Worker;
  readonly held: HeldWork;
  readonly leader: Leader;
  /** This worker's REST URL as the others reach it. */
  readonly url: string;
  readonly draining: () => boolean;
  readonly rejoin: (reason: string) => void;
  readonly log: Logger;
}

export class Member {
  /** The round this worker is in: its generation, the leader, and whether a rebalance is under way. */
  private readonly round = { generation: -1, leaderId: '', leaderUrl: '', rebalancing: true };
  /** completed rebalances, their durations, when the last one ended */
  private readonly stats = { completed: 0, startedAt: Date.now(), totalMs: 0, maxMs: 0, endedAt: 0 };
  private delayTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: MemberDeps) {}

  /** A copy of the round's state; `rebalancing` from joining until the assignment was applied. */
  get state(): Readonly<{ generation: number; leaderUrl: string; rebalancing: boolean }> {
    const { generation, leaderUrl, rebalancing } = this.round;
    return { generation, leaderUrl, rebalancing };
  }

  /** Cancels a scheduled rejoin. */
  stop(): void {
    clearTimeout(this.delayTimer);
  }

  /** The metadata this worker joins with; a join starts a rebalance. */
  metadata(): Buffer {
    const { configs, held, url } = this.deps;
    if (!this.round.rebalancing) this.stats.startedAt = Date.now();
    this.round.rebalancing = true;
    const configOffset = configs.snapshot().offset;
    const allocation: ConnectAssignment = {
      version: CONNECT_PROTOCOL_V2,
      error: ASSIGNMENT_NO_ERROR,
      leader: this.round.leaderId,
      leaderUrl: this.round.leaderUrl,
      configOffset,
      assigned: groupByConnector(held.connectorNames(), held.taskIds()),
      revoked: [],
      delay: 0,
    };
    return encodeMetadata({
      version: CONNECT_PROTOCOL_V2,
      url,
      configOffset,
      allocation: this.round.generation < 0 ? null : allocation,
      ...(this.deps.draining() ? { draining: true } : {}),
    });
  }

  /** Applies the assignment of a generation: revoked work stops first, then new work starts. */
  async onAssign(bytes: Buffer, generation: number, isLeader: boolean): Promise<void> {
    const { configs, offsets, worker, held, leader, rejoin, log } = this.deps;
    const assignment = bytes.length === 0 ? undefined : decodeAssignment(bytes);
    this.round.generation = generation;
    leader.led(isLeader);
    worker.setGeneration(generation);
    if (!assignment) {
      this.rebalanceDone();
      return;
    }
    this.round.leaderId = assignment.leader;
    this.round.leaderUrl = assignment.leaderUrl;
    if (assignment.error === ASSIGNMENT_CONFIG_MISMATCH) {
      await configs.refresh();
      rejoin('config mismatch');
      return;
    }
    if (configs.snapshot().offset < assignment.configOffset) await configs.refresh();

    const revoked = splitConnectorTasks(assignment.revoked);
    const added = splitConnectorTasks(assignment.assigned);
    if (revoked.tasks.length > 0) await held.releaseTasks(revoked.tasks);
    for (const c of revoked.connectors) await held.releaseConnector(c);
    for (const c of added.connectors) await held.takeConnector(c);
    const newTasks = held.takeTasks(added.tasks);
    // A source task moved here continues from the offsets its last worker committed.
    if (newTasks.some((t) => held.isSource(t.connector))) await offsets.refresh();
    for (const t of newTasks) await held.startTask(t);
    this.rebalanceDone();

    const moved = revoked.connectors.length + revoked.tasks.length + added.connectors.length + added.tasks.length;
    if (moved > 0)
      log.info('Applied assignment', {
        generation,
        revoked: assignment.revoked,
        assigned: assignment.assigned,
        holds: { connectors: held.connectorCount, tasks: held.taskCount },
      });
    if (revoked.connectors.length + revoked.tasks.length > 0) rejoin('revoked work stopped');
    clearTimeout(this.delayTimer);
    if (assignment.delay > 0) {
      this.delayTimer = setTimeout(() => rejoin('scheduled rebalance'), assignment.delay).unref();
    }
    // Configs read while the leader was assigning may need another round.
    if (leader.workChanged()) rejoin('config changed');
  }

  /** Kafka's connect-worker-rebalance-metrics and connect-coordinator-metrics of this worker. */
  rebalanceMetrics(): RebalanceMetrics {
    const s = this.stats;
    return {
      completed: s.completed,
      epoch: this.round.generation,
      rebalancing: this.round.rebalancing,
      leaderName: this.round.leaderUrl,
      protocol: 'sessioned',
      avgMs: s.completed ? s.totalMs / s.completed : 0,
      maxMs: s.maxMs,
      sinceLastMs: s.endedAt ? Date.now() - s.endedAt : -1,
      assignedConnectors: this.deps.held.connectorCount,
      assignedTasks: this.deps.held.taskCount,
    };
  }

  private rebalanceDone(): void {
    const s = this.stats;
    const ms = Date.now() - s.startedAt;
    s.completed++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    s.endedAt = Date.now();
    this.round.rebalancing = false;
  }
}
