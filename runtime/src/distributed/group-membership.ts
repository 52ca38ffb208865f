// A worker's membership in the Connect group: JoinGroup, SyncGroup,
// Heartbeat and LeaveGroup with protocolType "connect", driven by us through
// kafkajs's broker layer.
//
// Why this way (DESIGN "Distributed coordination", option 2): Kafka's group
// coordinator stays the only distributed engine, and the leader's assignment
// reaches every member as SyncGroup bytes, byte-compatible with Apache Kafka
// Connect's protocol (connect-protocol.ts). kafkajs's public consumer cannot
// do this: it fixes protocolType to "consumer" and drops the assignment's
// userData before followers see it. Option 1 (the leader writing assignments
// to the config topic) would add a second channel that must be fenced by
// generation; here the coordinator fences stale generations for us.
//
// kafkajs internals used (all in kafkajs-internals.ts, guarded by a check
// that kafkajs is exactly 2.2.4): the client's private cluster factory
// (Symbol "private:Kafka:createCluster"), Cluster#connect/#disconnect/
// #refreshMetadataIfNecessary/#findGroupCoordinator, and Broker#joinGroup/
// #syncGroup/#heartbeat/#leaveGroup; errors are told apart by their `type`
// (group-errors.ts).
//
// Lifecycle: a driver loop joins (JoinGroup; the leader, the member whose id
// is the response's leaderId, turns the members' metadata into assignments
// with `assign`), syncs (SyncGroup returns this member's raw assignment),
// then hands it to `onAssign` while a heartbeat loop keeps the session alive.
// It rejoins when the heartbeat reports a rebalance (REBALANCE_IN_PROGRESS /
// ILLEGAL_GENERATION: keep the member id), when the coordinator forgot us
// (UNKNOWN_MEMBER_ID: rejoin with an empty id), or when requestRejoin() is
// called (revocations done, a scheduled delay expired). Coordinator and
// network errors send it back to FindCoordinator with exponential backoff.
// stop() sends LeaveGroup at once, so the others rebalance without waiting
// for our session to expire.
//
// Constraints worth knowing:
// - `assign` runs between JoinGroup and SyncGroup, when no heartbeats are
//   sent: it must finish well within the session timeout.
// - `onAssign` runs while heartbeats continue; a rebalance seen meanwhile is
//   joined only after it returns (so metadata() reflects what it applied),
//   so it must finish within the rebalance timeout.
// - kafkajs sends a broker's requests over one connection and Kafka answers
//   them in order, so a LeaveGroup behind a pending JoinGroup would wait for
//   it: stop() then leaves through a fresh connection.
import type { Logger } from '../util/logging.js';
import { Backoff, systemClock, type Clock } from './clock.js';
import { CONNECT_PROTOCOL_NAMES, CONNECT_PROTOCOL_TYPE, CONNECT_PROTOCOL_V2 } from './connect-protocol.js';
import { classifyGroupError, errorType, requiredMemberId } from './group-errors.js';
import type { GroupCluster, GroupClusterFactory, GroupCoordinator } from './kafkajs-internals.js';

export interface GroupMember {
  readonly memberId: string;
  /** The member's metadata for the protocol the coordinator chose. */
  readonly metadata: Buffer;
}

export interface AssignContext {
  readonly generationId: number;
  /** The protocol the coordinator chose (e.g. "sessioned"). */
  readonly protocol: string;
  /** This member's id, which is the leader's. */
  readonly leaderId: string;
}

export interface GroupMembershipOptions {
  /** Each call builds a kafkajs cluster with its own connections: see kafkaJsGroupClusters(kafka). */
  readonly clusters: GroupClusterFactory;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Defaults to "connect". */
  readonly protocolType?: string;
  /** The single protocol we offer; defaults to "sessioned" (Connect protocol V2). */
  readonly protocolName?: string;
  /** This member's metadata, asked for at each join (it carries the current assignment). */
  metadata(): Buffer;
  /** The leader's job: one assignment per member. Members left out get an empty one. */
  assign(members: GroupMember[], context: AssignContext): Promise<Map<string, Buffer>>;
  /** Every member, every generation: the raw assignment the leader computed for it. */
  onAssign(assignment: Buffer, generationId: number, isLeader: boolean): Promise<void>;
  /** Called once when membership ends on an error retrying cannot fix (after it left the group). */
  onFatalError?(err: unknown): void;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** First backoff before finding the coordinator again; doubled up to maxRetryBackoffMs. */
  readonly retryBackoffMs?: number;
  readonly maxRetryBackoffMs?: number;
  /** How long stop() waits for LeaveGroup and for the driver to wind down. */
  readonly leaveTimeoutMs?: number;
}

export type MembershipState = 'new' | 'joining' | 'stable' | 'stopped' | 'failed';

const NO_GENERATION = -1;

export class GroupMembership {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly protocolType: string;
  private readonly protocolName: string;

  private cluster?: GroupCluster;
  private coordinator?: GroupCoordinator;
  private currentState: MembershipState = 'new';
  private currentMemberId = '';
  private currentGenerationId = NO_GENERATION;
  private currentLeaderId = '';

  /** Aborted by stop()/crash(): cuts every sleep and wait short. */
  private readonly lifetime = new AbortController();
  private stopping = false;
  private stopped?: Promise<void>;
  private driver?: Promise<void>;
  /** A JoinGroup or SyncGroup is waiting at the coordinator (it may wait up to the rebalance timeout). */
  private blockingCall = false;
  /** Why the next rejoin is needed; undefined while the generation is good. */
  private rejoinReason?: string;
  private wake?: () => void;
  private firstAssignment = deferred<void>();

  constructor(private readonly options: GroupMembershipOptions) {
    if (options.heartbeatIntervalMs >= options.sessionTimeoutMs)
      throw new Error(
        `heartbeat interval (${options.heartbeatIntervalMs} ms) must be below the session timeout (${options.sessionTimeoutMs} ms)`,
      );
    this.clock = options.clock ?? systemClock;
    this.protocolType = options.protocolType ?? CONNECT_PROTOCOL_TYPE;
    this.protocolName = options.protocolName ?? CONNECT_PROTOCOL_NAMES[CONNECT_PROTOCOL_V2];
    this.log = options.logger.child({ groupId: options.groupId });
    // start() may be left unawaited by a caller that stops first.
    this.firstAssignment.promise.catch(() => undefined);
  }

  get memberId(): string {
    return this.currentMemberId;
  }

  get generationId(): number {
    return this.currentGenerationId;
  }

  get leaderId(): string {
    return this.currentLeaderId;
  }

  get isLeader(): boolean {
    return this.currentMemberId !== '' && this.currentMemberId === this.currentLeaderId;
  }

  get state(): MembershipState {
    return this.currentState;
  }

  /**
   * Joins the group; resolves once the first assignment was handed to
   * onAssign. Network and coordinator errors are retried for as long as it
   * takes (bound it with your own timeout); fatal errors reject.
   */
  async start(): Promise<void> {
    if (this.driver) throw new Error('group membership already started');
    if (this.stopping) throw new Error('group membership already stopped');
    this.cluster = this.options.clusters();
    // A bug in the loop must not leave start() waiting forever.
    this.driver = this.drive().catch((err: unknown) => this.fail(err));
    await this.firstAssignment.promise;
  }

  /** Rejoin soon (after revoking work, or when a scheduled delay expired); joins once onAssign returned. */
  requestRejoin(reason = 'requested'): void {
    if (this.stopping) return;
    this.rejoinReason ??= reason;
    this.wake?.();
  }

  /** Leaves the group promptly (LeaveGroup), stops heartbeats and closes connections. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown(true);
    return this.stopped;
  }

  /** Test hook: vanish without LeaveGroup, as a killed process would; the group notices after the session timeout. */
  crash(): Promise<void> {
    this.stopped ??= this.shutDown(false);
    return this.stopped;
  }

  // ---- driver loop -------------------------------------------------------

  private async drive(): Promise<void> {
    const backoff = new Backoff(this.options.retryBackoffMs ?? 100, this.options.maxRetryBackoffMs ?? 10_000);
    let failure: unknown;
    while (!this.stopping) {
      let assignment: Buffer;
      try {
        assignment = await this.joinAndSync();
        backoff.reset();
      } catch (err) {
        if (this.stopping) break;
        const memberId = requiredMemberId(err);
        if (memberId !== undefined) {
          // JoinGroup v4+: the first join only hands out an id (kafkajs
          // normally retries this itself; this covers a second refusal).
          this.currentMemberId = memberId;
          continue;
        }
        const action = classifyGroupError(err);
        const fields = { error: describe(err), memberId: this.currentMemberId, action };
        if (action === 'fatal') {
          this.log.error('group membership failed', fields);
          failure = err;
          break;
        }
        if (action === 'reset-member') this.resetMember();
        if (action === 'coordinator') {
          this.coordinator = undefined;
          const wait = backoff.next();
          this.log.warn('group coordinator unavailable, finding it again', { ...fields, backoffMs: wait });
          await this.clock.sleep(wait, this.lifetime.signal);
        } else {
          this.log.info('rejoining the group', fields);
        }
        continue;
      }
      if (this.stopping) break;
      await this.runGeneration(assignment);
    }
    if (failure !== undefined) this.fail(failure);
  }

  /** One JoinGroup + SyncGroup round; returns this member's raw assignment. */
  private async joinAndSync(): Promise<Buffer> {
    const { groupId } = this.options;
    this.currentState = 'joining';
    const coordinator = await this.findCoordinator();
    // Requests made before this join are answered by it.
    this.rejoinReason = undefined;
    const started = this.clock.now();
    const joined = await this.blocking(() =>
      coordinator.joinGroup({
        groupId,
        sessionTimeout: this.options.sessionTimeoutMs,
        rebalanceTimeout: this.options.rebalanceTimeoutMs,
        memberId: this.currentMemberId,
        protocolType: this.protocolType,
        groupProtocols: [{ name: this.protocolName, metadata: this.options.metadata() }],
      }),
    );
    // stop() may have left the group meanwhile: keep its reset state.
    if (this.stopping) throw new Error('stopped');
    this.currentMemberId = joined.memberId;
    this.currentGenerationId = joined.generationId;
    this.currentLeaderId = joined.leaderId;

    let groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }> = [];
    if (this.isLeader) {
      const members = joined.members.map((m) => ({ memberId: m.memberId, metadata: m.memberMetadata }));
      const assignments = await this.options.assign(members, {
        generationId: joined.generationId,
        protocol: joined.groupProtocol,
        leaderId: joined.leaderId,
      });
      const known = new Set(members.map((m) => m.memberId));
      for (const memberId of assignments.keys())
        if (!known.has(memberId)) this.log.warn('assignment for a member not in this generation', { memberId });
      for (const memberId of known)
        if (!assignments.has(memberId)) this.log.warn('no assignment for member: it gets an empty one', { memberId });
      groupAssignment = [...assignments]
        .filter(([memberId]) => known.has(memberId))
        .map(([memberId, memberAssignment]) => ({ memberId, memberAssignment }));
    }
    if (this.stopping) throw new Error('stopped');

    const synced = await this.blocking(() =>
      coordinator.syncGroup({
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        groupAssignment,
      }),
    );
    this.log.info('joined group', {
      generationId: joined.generationId,
      memberId: joined.memberId,
      leaderId: joined.leaderId,
      isLeader: this.isLeader,
      protocol: joined.groupProtocol,
      members: joined.members.length,
      rebalanceMs: this.clock.now() - started,
    });
    return synced.memberAssignment ?? Buffer.alloc(0);
  }

  /** The stable phase of one generation: heartbeats run until a rejoin is needed or we stop. */
  private async runGeneration(assignment: Buffer): Promise<void> {
    this.currentState = 'stable';
    const generationId = this.currentGenerationId;
    const heartbeatsDone = new AbortController();
    const heartbeats = this.heartbeatLoop(generationId, heartbeatsDone.signal);
    try {
      await this.options.onAssign(assignment, generationId, this.isLeader);
    } catch (err) {
      // The herder owns what an assignment means; membership goes on.
      this.log.error('onAssign failed', { generationId, error: describe(err) });
    }
    this.firstAssignment.resolve();
    while (this.rejoinReason === undefined && !this.stopping) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    heartbeatsDone.abort();
    await heartbeats;
    if (!this.stopping) this.log.info('rejoining the group', { generationId, reason: this.rejoinReason });
  }

  private async heartbeatLoop(generationId: number, done: AbortSignal): Promise<void> {
    const { groupId, heartbeatIntervalMs } = this.options;
    const signal = AbortSignal.any([done, this.lifetime.signal]);
    const backoff = new Backoff(this.options.retryBackoffMs ?? 100, this.options.maxRetryBackoffMs ?? 10_000);
    let wait = heartbeatIntervalMs;
    for (;;) {
      await this.clock.sleep(wait, signal);
      if (signal.aborted) return;
      try {
        const coordinator = await this.findCoordinator();
        if (signal.aborted) return;
        await coordinator.heartbeat({ groupId, groupGenerationId: generationId, memberId: this.currentMemberId });
        backoff.reset();
        wait = heartbeatIntervalMs;
      } catch (err) {
        if (signal.aborted) return;
        const action = classifyGroupError(err);
        switch (action) {
          case 'rejoin':
            this.requestRejoin(`heartbeat: ${errorType(err)}`);
            return;
          case 'reset-member':
            this.resetMember();
            this.requestRejoin(`heartbeat: ${errorType(err)}`);
            return;
          case 'fatal':
            this.log.error('heartbeat failed', { generationId, error: describe(err) });
            this.fail(err);
            return;
          case 'coordinator':
            // The generation may still be good: find the coordinator and
            // keep heartbeating; it tells us if we must rejoin.
            this.coordinator = undefined;
            wait = Math.min(backoff.next(), heartbeatIntervalMs);
            this.log.warn('heartbeat failed, finding the coordinator again', {
              generationId,
              error: describe(err),
              backoffMs: wait,
            });
        }
      }
    }
  }

  // ---- coordinator and shutdown -----------------------------------------

  private async findCoordinator(cluster = this.requireCluster()): Promise<GroupCoordinator> {
    if (cluster === this.cluster && this.coordinator) return this.coordinator;
    await cluster.connect();
    await cluster.refreshMetadataIfNecessary();
    const coordinator = await cluster.findGroupCoordinator({ groupId: this.options.groupId });
    if (cluster === this.cluster) this.coordinator = coordinator;
    return coordinator;
  }

  private async blocking<T>(call: () => Promise<T>): Promise<T> {
    this.blockingCall = true;
    try {
      return await call();
    } finally {
      this.blockingCall = false;
    }
  }

  private resetMember(): void {
    this.currentMemberId = '';
    this.currentGenerationId = NO_GENERATION;
    this.currentLeaderId = '';
  }

  private fail(err: unknown): void {
    if (this.stopping) return;
    this.firstAssignment.reject(err);
    void this.stop().then(() => {
      this.currentState = 'failed';
      this.options.onFatalError?.(err);
    });
  }

  private async shutDown(leave: boolean): Promise<void> {
    this.stopping = true;
    this.lifetime.abort();
    this.wake?.();
    const timeoutMs = this.options.leaveTimeoutMs ?? 5_000;
    const memberId = this.currentMemberId;
    if (leave && memberId !== '' && this.cluster) {
      try {
        await this.withTimeout(this.leave(memberId), timeoutMs, 'LeaveGroup');
        this.log.info('left group', { memberId, generationId: this.currentGenerationId });
      } catch (err) {
        // Not fatal: the coordinator drops us after the session timeout.
        this.log.warn('LeaveGroup failed', { memberId, error: describe(err) });
      }
    }
    this.resetMember();
    this.firstAssignment.reject(new Error('group membership stopped before its first assignment'));
    try {
      if (this.driver) await this.withTimeout(this.driver, timeoutMs, 'membership shutdown');
    } catch (err) {
      this.log.warn('membership did not wind down in time', { error: describe(err) });
    }
    // kafkajs's disconnect waits for pending requests: do not let one hold stop() up.
    const cluster = this.cluster;
    if (cluster) await this.withTimeout(cluster.disconnect(), timeoutMs, 'disconnect').catch(() => undefined);
    this.coordinator = undefined;
    if (this.currentState !== 'failed') this.currentState = 'stopped';
  }

  private async leave(memberId: string): Promise<void> {
    // Behind a pending JoinGroup/SyncGroup on our connection, LeaveGroup
    // would wait for it; a fresh connection is heard at once.
    if (!this.blockingCall) {
      const coordinator = await this.findCoordinator();
      await coordinator.leaveGroup({ groupId: this.options.groupId, memberId });
      return;
    }
    const fresh = this.options.clusters();
    try {
      const coordinator = await this.findCoordinator(fresh);
      await coordinator.leaveGroup({ groupId: this.options.groupId, memberId });
    } finally {
      await fresh.disconnect().catch(() => undefined);
    }
  }

  private requireCluster(): GroupCluster {
    if (!this.cluster) throw new Error('group membership not started');
    return this.cluster;
  }

  private async withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
    const timer = new AbortController();
    try {
      return await Promise.race([
        work,
        this.clock.sleep(ms, timer.signal).then(() => {
          // Aborted below once `work` settled: nobody listens any more.
          if (!timer.signal.aborted) throw new Error(`${what} timed out after ${ms} ms`);
          return undefined as never;
        }),
      ]);
    } finally {
      timer.abort();
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const type = errorType(err);
    return type ? `${err.name} ${type}: ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
