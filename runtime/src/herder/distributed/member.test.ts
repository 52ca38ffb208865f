// The member's side of a rebalance against a fake worker and config topic,
// with the real HeldWork and Leader: the metadata it joins with, revoked work
// stopped before new work starts, the rejoins it asks for, and its
// rebalance state and metrics.
import { expect } from 'chai';
import {
  ASSIGNMENT_CONFIG_MISMATCH,
  ASSIGNMENT_NO_ERROR,
  CONNECT_PROTOCOL_V2,
  decodeMetadata,
  encodeAssignment,
  type ConnectorTasks,
} from '../../distributed/connect-protocol.js';
import type { KafkaOffsetStore } from '../../storage/kafka-offset-store.js';
import {
  FakeConfigStore,
  FakeWorker,
  SINK,
  SOURCE,
  asConfigs,
  asWorker,
  rejoins,
  silentLog,
} from './fakes.test-support.js';
import { HeldWork } from './held-work.js';
import { Leader } from './leader.js';
import { Member } from './member.js';

const SELF = 'http://self:8083';
const LEADER_URL = 'http://leader:8083';

function setup(o: { draining?: boolean } = {}) {
  const worker = new FakeWorker();
  const configs = new FakeConfigStore();
  configs.offset = 5n;
  configs
    .set('src', { 'connector.class': SOURCE }, 'STARTED', [{ n: '0' }, { n: '1' }])
    .set('snk', { 'connector.class': SINK }, 'STARTED', [{ n: '0' }]);
  const offsets = { refreshes: 0, refresh: async () => void offsets.refreshes++ };
  const { reasons, rejoin } = rejoins();
  const held = new HeldWork({
    worker: asWorker(worker),
    configs: asConfigs(configs),
    log: silentLog,
    reconfigure() {},
  });
  const leader = new Leader({
    configs: asConfigs(configs),
    log: silentLog,
    url: SELF,
    scheduledRebalanceMaxDelayMs: 1000,
    now: () => 0,
  });
  const member = new Member({
    configs: asConfigs(configs),
    offsets: offsets as unknown as KafkaOffsetStore,
    worker: asWorker(worker),
    held,
    leader,
    url: SELF,
    draining: () => o.draining ?? false,
    rejoin,
    log: silentLog,
  });
  return { worker, configs, offsets, reasons, held, leader, member };
}

function assignment(
  o: { assigned?: ConnectorTasks[]; revoked?: ConnectorTasks[]; delay?: number; error?: number; offset?: bigint } = {},
): Buffer {
  return encodeAssignment({
    version: CONNECT_PROTOCOL_V2,
    error: o.error ?? ASSIGNMENT_NO_ERROR,
    leader: 'leader-id',
    leaderUrl: LEADER_URL,
    configOffset: o.offset ?? 5n,
    assigned: o.assigned ?? [],
    revoked: o.revoked ?? [],
    delay: o.delay ?? 0,
  });
}

describe('distributed herder: member', () => {
  it('joins first with its URL and config offset and no allocation, and is rebalancing', () => {
    const { member } = setup();
    expect(decodeMetadata(member.metadata())).to.deep.equal({
      version: CONNECT_PROTOCOL_V2,
      url: SELF,
      configOffset: 5n,
      allocation: null,
    });
    expect(member.state).to.deep.equal({ generation: -1, leaderUrl: '', rebalancing: true });
  });

  it('a draining worker says so in its metadata', () => {
    const { member } = setup({ draining: true });
    expect(decodeMetadata(member.metadata()).draining).to.equal(true);
  });

  it('starts the work assigned, ends the rebalance, and joins next time with what it holds', async () => {
    const { member, worker, held } = setup();
    member.metadata();
    await member.onAssign(assignment({ assigned: [{ connector: 'snk', tasks: [-1, 0] }] }), 7, false);
    expect(worker.callsOf('setGeneration')).to.deep.equal([[7]]);
    expect(worker.callsOf('startConnector').map((c) => c[0])).to.deep.equal(['snk']);
    expect(worker.callsOf('startTask').map((c) => c[0])).to.deep.equal(['snk-0']);
    expect(held.view()).to.deep.include({ connectors: ['snk'], tasks: [{ connector: 'snk', task: 0 }] });
    expect(member.state).to.deep.equal({ generation: 7, leaderUrl: LEADER_URL, rebalancing: false });

    const next = decodeMetadata(member.metadata());
    expect(member.state.rebalancing).to.equal(true);
    expect(next.allocation).to.deep.include({
      leader: 'leader-id',
      leaderUrl: LEADER_URL,
      configOffset: 5n,
      assigned: [{ connector: 'snk', tasks: [-1, 0] }],
      revoked: [],
    });
  });

  it('stops revoked work before it starts new work, and asks to rejoin after a revocation', async () => {
    const { member, worker, reasons } = setup();
    await member.onAssign(assignment({ assigned: [{ connector: 'snk', tasks: [-1, 0] }] }), 1, false);
    expect(reasons).to.deep.equal([]);
    worker.calls.length = 0;
    await member.onAssign(
      assignment({ revoked: [{ connector: 'snk', tasks: [-1, 0] }], assigned: [{ connector: 'src', tasks: [1] }] }),
      2,
      false,
    );
    expect(worker.methods().filter((m) => m !== 'setGeneration')).to.deep.equal([
      'stopTasks',
      'stopConnector',
      'startTask',
    ]);
    expect(worker.callsOf('stopTasks')).to.deep.equal([[['snk-0']]]);
    expect(reasons).to.deep.equal(['revoked work stopped']);
  });

  it('re-reads the offsets topic before a source task moved here starts, not for sink tasks', async () => {
    const sink = setup();
    await sink.member.onAssign(assignment({ assigned: [{ connector: 'snk', tasks: [0] }] }), 1, false);
    expect(sink.offsets.refreshes).to.equal(0);
    const source = setup();
    await source.member.onAssign(assignment({ assigned: [{ connector: 'src', tasks: [0] }] }), 1, false);
    expect(source.offsets.refreshes).to.equal(1);
  });

  it('re-reads the config topic when the assignment was made at a newer config offset', async () => {
    const { member, configs } = setup();
    await member.onAssign(assignment({ offset: 5n }), 1, false);
    expect(configs.refreshes).to.equal(0);
    await member.onAssign(assignment({ offset: 6n }), 2, false);
    expect(configs.refreshes).to.equal(1);
  });

  it('on a config mismatch it re-reads the config topic and rejoins, starting nothing and still rebalancing', async () => {
    const { member, configs, worker, reasons } = setup();
    member.metadata();
    await member.onAssign(
      assignment({ error: ASSIGNMENT_CONFIG_MISMATCH, assigned: [{ connector: 'snk', tasks: [-1] }] }),
      3,
      false,
    );
    expect(configs.refreshes).to.equal(1);
    expect(reasons).to.deep.equal(['config mismatch']);
    expect(worker.callsOf('startConnector')).to.deep.equal([]);
    expect(member.state.rebalancing).to.equal(true);
  });

  it('an empty assignment ends the rebalance and changes nothing', async () => {
    const { member, worker, reasons } = setup();
    member.metadata();
    await member.onAssign(Buffer.alloc(0), 4, false);
    expect(member.state).to.deep.equal({ generation: 4, leaderUrl: '', rebalancing: false });
    expect(worker.methods()).to.deep.equal(['setGeneration']);
    expect(reasons).to.deep.equal([]);
  });

  it('rejoins after the delay the leader asked for; stop() cancels it', async () => {
    const later = setup();
    await later.member.onAssign(assignment({ delay: 10 }), 1, false);
    expect(later.reasons).to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(later.reasons).to.deep.equal(['scheduled rebalance']);

    const stopped = setup();
    await stopped.member.onAssign(assignment({ delay: 10 }), 1, false);
    stopped.member.stop();
    await new Promise((r) => setTimeout(r, 60));
    expect(stopped.reasons).to.deep.equal([]);
  });

  it('as leader, rejoins when the configured work changed while it assigned', async () => {
    const { member, leader, reasons } = setup();
    // The leader assigned the two connectors and their three tasks...
    await leader.assign([], { generationId: 1, protocol: 'sessioned', leaderId: 'self' });
    await member.onAssign(assignment(), 1, true);
    expect(reasons).to.deep.equal([]);
    // ...and a follower, whatever changed, leaves that to the leader.
    const follower = setup();
    follower.configs.set('new', { 'connector.class': SOURCE });
    await follower.member.onAssign(assignment(), 1, false);
    expect(follower.reasons).to.deep.equal([]);
    // A connector created meanwhile needs another round.
    const { member: m2, leader: l2, configs: c2, reasons: r2 } = setup();
    await l2.assign([], { generationId: 1, protocol: 'sessioned', leaderId: 'self' });
    c2.set('new', { 'connector.class': SOURCE });
    await m2.onAssign(assignment(), 1, true);
    expect(r2).to.deep.equal(['config changed']);
  });

  it('reports the rebalance metrics of its rounds', async () => {
    const { member } = setup();
    expect(member.rebalanceMetrics()).to.deep.include({ completed: 0, epoch: -1, rebalancing: true, sinceLastMs: -1 });
    member.metadata();
    await member.onAssign(assignment({ assigned: [{ connector: 'src', tasks: [-1, 0, 1] }] }), 9, false);
    expect(member.rebalanceMetrics()).to.deep.include({
      completed: 1,
      epoch: 9,
      rebalancing: false,
      leaderName: LEADER_URL,
      protocol: 'sessioned',
      assignedConnectors: 1,
      assignedTasks: 2,
    });
    expect(member.rebalanceMetrics().sinceLastMs).to.be.at.least(0);
  });
});
