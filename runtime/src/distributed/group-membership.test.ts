// GroupMembership's state machine against a scripted coordinator and a
// manual clock; e2e/tests/runtime-group.test.ts runs it against a real broker.
import { expect } from 'chai';
import type { Clock } from './clock.js';
import { GroupMembership, type GroupMembershipOptions } from './group-membership.js';
import type { GroupCluster, GroupCoordinator, JoinGroupResult } from './kafkajs-internals.js';
import type { Logger } from '../util/logging.js';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {}, child: () => silent };

const flush = () => new Promise<void>((r) => setImmediate(r));

class ManualClock implements Clock {
  private time = 0;
  private timers: Array<{ at: number; fire: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = { at: this.time + ms, fire: resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      });
    });
  }

  /** Moves time forward, firing due timers one by one and letting their work run. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fire();
    }
    this.time = until;
    await flush();
  }
}

const protocolError = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });

type Call = { api: string; memberId: string; generationId?: number };

/** A one-member coordinator whose answers tests can script per API. */
class FakeCoordinator implements GroupCoordinator {
  readonly calls: Call[] = [];
  generation = 0;
  readonly failures: Record<string, unknown[]> = { join: [], sync: [], heartbeat: [], leave: [] };
  pendingJoin?: { release: () => void };
  holdJoins = false;

  async joinGroup(request: Parameters<GroupCoordinator['joinGroup']>[0]): Promise<JoinGroupResult> {
    this.calls.push({ api: 'join', memberId: request.memberId });
    const failure = this.failures.join?.shift();
    if (failure) throw failure;
    if (this.holdJoins) await new Promise<void>((release) => (this.pendingJoin = { release }));
    const memberId = request.memberId || 'member-1';
    this.generation += 1;
    return {
      generationId: this.generation,
      groupProtocol: request.groupProtocols[0]?.name ?? '',
      leaderId: memberId,
      memberId,
      members: [{ memberId, memberMetadata: request.groupProtocols[0]?.metadata ?? Buffer.alloc(0) }],
    };
  }

  async syncGroup(request: Parameters<GroupCoordinator['syncGroup']>[0]): Promise<{ memberAssignment: Buffer }> {
    this.calls.push({ api: 'sync', memberId: request.memberId, generationId: request.generationId });
    const failure = this.failures.sync?.shift();
    if (failure) throw failure;
    const mine = request.groupAssignment.find((a) => a.memberId === request.memberId);
    return { memberAssignment: mine?.memberAssignment ?? Buffer.alloc(0) };
  }

  async heartbeat(request: Parameters<GroupCoordinator['heartbeat']>[0]): Promise<unknown> {
    this.calls.push({ api: 'heartbeat', memberId: request.memberId, generationId: request.groupGenerationId });
    const failure = this.failures.heartbeat?.shift();
    if (failure) throw failure;
    return {};
  }

  async leaveGroup(request: Parameters<GroupCoordinator['leaveGroup']>[0]): Promise<unknown> {
    this.calls.push({ api: 'leave', memberId: request.memberId });
    return {};
  }

  apis(): string[] {
    return this.calls.map((c) => c.api);
  }
}

class FakeCluster implements GroupCluster {
  lookups = 0;
  lookupFailures: unknown[] = [];
  disconnected = false;
  constructor(readonly coordinator: GroupCoordinator) {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
  async refreshMetadataIfNecessary(): Promise<void> {}
  async findGroupCoordinator(): Promise<GroupCoordinator> {
    this.lookups += 1;
    const failure = this.lookupFailures.shift();
    if (failure) throw failure;
    return this.coordinator;
  }
}

function setUp(overrides: Partial<GroupMembershipOptions> = {}) {
  const clock = new ManualClock();
  const coordinator = new FakeCoordinator();
  const clusters: FakeCluster[] = [];
  const assigned: Array<{ assignment: string; generationId: number; isLeader: boolean }> = [];
  const membership = new GroupMembership({
    clusters: () => {
      const cluster = new FakeCluster(coordinator);
      clusters.push(cluster);
      return cluster;
    },
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 60_000,
    heartbeatIntervalMs: 3_000,
    metadata: () => Buffer.from('meta'),
    assign: async (members, { generationId }) =>
      new Map(members.map((m) => [m.memberId, Buffer.from(`${m.memberId}@${generationId}`)])),
    onAssign: async (assignment, generationId, isLeader) => {
      assigned.push({ assignment: assignment.toString(), generationId, isLeader });
    },
    logger: silent,
    clock,
    ...overrides,
  });
  return { clock, coordinator, clusters, assigned, membership };
}

describe('GroupMembership (scripted coordinator)', () => {
  it('joins with the member id a MEMBER_ID_REQUIRED answer hands out, assigns as leader and heartbeats', async () => {
    const { clock, coordinator, assigned, membership } = setUp();
    coordinator.failures.join?.push(
      Object.assign(protocolError('MEMBER_ID_REQUIRED'), { name: 'KafkaJSMemberIdRequired', memberId: 'given-id' }),
    );
    await membership.start();
    expect(coordinator.calls.slice(0, 2)).to.deep.equal([
      { api: 'join', memberId: '' },
      { api: 'join', memberId: 'given-id' },
    ]);
    expect(assigned).to.deep.equal([{ assignment: 'given-id@1', generationId: 1, isLeader: true }]);
    expect(membership.memberId).to.equal('given-id');
    expect(membership.isLeader).to.equal(true);
    await clock.advance(9_000);
    expect(coordinator.apis().filter((a) => a === 'heartbeat')).to.have.length(3);
    await membership.stop();
  });

  it('rejoins with its member id on REBALANCE_IN_PROGRESS and with an empty one on UNKNOWN_MEMBER_ID', async () => {
    const { clock, coordinator, assigned, membership } = setUp();
    await membership.start();
    coordinator.failures.heartbeat?.push(protocolError('REBALANCE_IN_PROGRESS'));
    await clock.advance(3_000);
    expect(membership.generationId).to.equal(2);
    expect(coordinator.calls.filter((c) => c.api === 'join').map((c) => c.memberId)).to.deep.equal(['', 'member-1']);

    coordinator.failures.heartbeat?.push(protocolError('UNKNOWN_MEMBER_ID'));
    await clock.advance(3_000);
    expect(coordinator.calls.filter((c) => c.api === 'join').map((c) => c.memberId)).to.deep.equal([
      '',
      'member-1',
      '',
    ]);
    expect(assigned.map((a) => a.generationId)).to.deep.equal([1, 2, 3]);
    await membership.stop();
  });

  it('rejoins on ILLEGAL_GENERATION from SyncGroup and on requestRejoin()', async () => {
    const { coordinator, assigned, membership } = setUp();
    coordinator.failures.sync?.push(protocolError('ILLEGAL_GENERATION'));
    await membership.start();
    expect(assigned.map((a) => a.generationId)).to.deep.equal([2]);
    membership.requestRejoin('revoked work');
    await flush();
    await flush();
    expect(assigned.map((a) => a.generationId)).to.deep.equal([2, 3]);
    await membership.stop();
  });

  it('finds the coordinator again, with growing backoff, after NOT_COORDINATOR and lookup failures', async () => {
    const { clock, coordinator, clusters, membership } = setUp({ retryBackoffMs: 100, maxRetryBackoffMs: 1_000 });
    coordinator.failures.join?.push(protocolError('NOT_COORDINATOR_FOR_GROUP'));
    const started = membership.start();
    await flush();
    const cluster = clusters[0]!;
    cluster.lookupFailures.push(Object.assign(new Error('down'), { name: 'KafkaJSConnectionError' }));
    await clock.advance(99);
    expect(cluster.lookups).to.equal(1);
    await clock.advance(1); // 100 ms: lookup fails again
    expect(cluster.lookups).to.equal(2);
    await clock.advance(199);
    expect(cluster.lookups).to.equal(2);
    await clock.advance(1); // then 200 ms
    await started;
    expect(cluster.lookups).to.equal(3);
    expect(membership.generationId).to.equal(1);
    await membership.stop();
  });

  it('keeps heartbeating through a coordinator change without rejoining', async () => {
    const { clock, coordinator, clusters, membership } = setUp();
    await membership.start();
    coordinator.failures.heartbeat?.push(protocolError('NOT_COORDINATOR_FOR_GROUP'));
    await clock.advance(3_000 + 100 + 10);
    expect(clusters[0]!.lookups).to.equal(2);
    expect(coordinator.apis().filter((a) => a === 'heartbeat')).to.have.length(2);
    expect(membership.generationId).to.equal(1);
    await membership.stop();
  });

  it('leaves on stop(), and through a fresh connection while a JoinGroup is pending', async () => {
    const one = setUp();
    await one.membership.start();
    await one.membership.stop();
    expect(one.coordinator.calls.at(-1)).to.deep.equal({ api: 'leave', memberId: 'member-1' });
    expect(one.clusters).to.have.length(1);
    expect(one.clusters[0]!.disconnected).to.equal(true);
    expect(one.membership.state).to.equal('stopped');

    const two = setUp();
    await two.membership.start();
    two.coordinator.holdJoins = true;
    two.membership.requestRejoin();
    await flush();
    expect(two.coordinator.pendingJoin).to.not.equal(undefined);
    const stopped = two.membership.stop();
    await flush();
    expect(two.clusters).to.have.length(2);
    expect(two.coordinator.calls.at(-1)).to.deep.equal({ api: 'leave', memberId: 'member-1' });
    two.coordinator.pendingJoin?.release();
    await stopped;
    expect(two.coordinator.apis().filter((a) => a === 'sync')).to.have.length(1);
  });

  it('crash() stops heartbeats without leaving', async () => {
    const { clock, coordinator, membership } = setUp();
    await membership.start();
    await membership.crash();
    await clock.advance(10_000);
    expect(coordinator.apis()).to.deep.equal(['join', 'sync']);
  });

  it('rejects start() and reports a fatal error', async () => {
    let fatal: unknown;
    const { coordinator, membership } = setUp({ onFatalError: (err) => (fatal = err) });
    coordinator.failures.join?.push(protocolError('INCONSISTENT_GROUP_PROTOCOL'));
    let rejected: unknown;
    await membership.start().catch((err: unknown) => (rejected = err));
    expect((rejected as { type?: string }).type).to.equal('INCONSISTENT_GROUP_PROTOCOL');
    await flush();
    expect(fatal).to.equal(rejected);
    expect(membership.state).to.equal('failed');
  });
});
