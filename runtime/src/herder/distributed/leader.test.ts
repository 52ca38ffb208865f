// The leader's decisions against a fake config topic: who gets what (every
// configured connector and task exactly once, nothing to a draining worker),
// the config-mismatch answer when a member read further than the leader can,
// when the configured work changed since it assigned, and that it forgets
// the previous rounds when another worker led meanwhile.
import { expect } from 'chai';
import {
  ASSIGNMENT_CONFIG_MISMATCH,
  ASSIGNMENT_NO_ERROR,
  CONNECT_PROTOCOL_V2,
  decodeAssignment,
  encodeMetadata,
  splitConnectorTasks,
  type ConnectAssignment,
  type ConnectorTasks,
} from '../../distributed/connect-protocol.js';
import type { GroupMember } from '../../distributed/group-membership.js';
import { taskKey } from '../../vocabulary/task-id.js';
import { FakeConfigStore, SOURCE, asConfigs, silentLog, task } from './fakes.test-support.js';
import { Leader, configuredWork } from './leader.js';

const URL = 'http://leader:8083';
const context = { generationId: 3, protocol: 'sessioned', leaderId: 'm1' };

function setup(maxDelayMs = 1000) {
  const configs = new FakeConfigStore();
  configs.offset = 10n;
  configs
    .set('a', { 'connector.class': SOURCE }, 'STARTED', [{ n: '0' }, { n: '1' }])
    .set('b', { 'connector.class': SOURCE }, 'STARTED', [{ n: '0' }]);
  const leader = new Leader({
    configs: asConfigs(configs),
    log: silentLog,
    url: URL,
    scheduledRebalanceMaxDelayMs: maxDelayMs,
    now: () => 0,
  });
  return { configs, leader };
}

/** A member's join metadata: its URL, how far it read, what it holds, whether it drains. */
function member(
  memberId: string,
  o: { url?: string; offset?: bigint; holds?: readonly ConnectorTasks[]; draining?: boolean } = {},
): GroupMember {
  const allocation: ConnectAssignment | null = o.holds
    ? {
        version: CONNECT_PROTOCOL_V2,
        error: ASSIGNMENT_NO_ERROR,
        leader: 'm1',
        leaderUrl: URL,
        configOffset: o.offset ?? 10n,
        assigned: o.holds,
        revoked: [],
        delay: 0,
      }
    : null;
  const metadata = encodeMetadata({
    version: CONNECT_PROTOCOL_V2,
    url: o.url ?? `http://${memberId}:8083`,
    configOffset: o.offset ?? 10n,
    allocation,
    ...(o.draining ? { draining: true } : {}),
  });
  return { memberId, metadata };
}

const decodeAll = (out: Map<string, Buffer>) => new Map([...out].map(([id, b]) => [id, decodeAssignment(b)]));

/** Every connector ("c:<name>") and task ("<connector>-<n>") a list names, sorted. */
function units(list: readonly ConnectorTasks[]): string[] {
  const { connectors, tasks } = splitConnectorTasks(list);
  return [...connectors.map((c) => `c:${c}`), ...tasks.map(taskKey)].sort();
}

describe('distributed herder: leader', () => {
  it('configuredWork lists every connector and one task per committed task config', () => {
    const { configs } = setup();
    expect(configuredWork(configs.snapshot())).to.deep.equal({
      connectors: ['a', 'b'],
      tasks: [task('a', 0), task('a', 1), task('b', 0)],
    });
  });

  it('assigns every connector and task exactly once, with its URL and config offset in the header', async () => {
    const { leader } = setup();
    const out = decodeAll(await leader.assign([member('m1'), member('m2')], context));
    expect([...out.keys()].sort()).to.deep.equal(['m1', 'm2']);
    for (const a of out.values()) {
      expect(a).to.deep.include({
        error: ASSIGNMENT_NO_ERROR,
        leader: 'm1',
        leaderUrl: URL,
        configOffset: 10n,
        delay: 0,
      });
      expect(a.revoked).to.deep.equal([]);
    }
    const all = [...out.values()].flatMap((a) => units(a.assigned));
    expect(all.sort()).to.deep.equal(['a-0', 'a-1', 'b-0', 'c:a', 'c:b']);
    // Balanced: each worker gets one connector, and the tasks split 2/1.
    for (const a of out.values()) expect(splitConnectorTasks(a.assigned).connectors).to.have.length(1);
  });

  it('gives a draining worker nothing and revokes what it holds', async () => {
    const { leader } = setup();
    const holds = [{ connector: 'a', tasks: [-1, 0, 1] }];
    const out = decodeAll(await leader.assign([member('m1'), member('m2', { holds, draining: true })], context));
    expect(out.get('m2')!.assigned).to.deep.equal([]);
    expect(units(out.get('m2')!.revoked)).to.deep.equal(['a-0', 'a-1', 'c:a']);
    // Revoked work moves in the next round, after its worker stopped it: m1 gets only the rest now.
    expect(units(out.get('m1')!.assigned)).to.deep.equal(['b-0', 'c:b']);
  });

  it('revokes work that is no longer configured', async () => {
    const { leader } = setup();
    const holds = [{ connector: 'gone', tasks: [-1, 0] }];
    const out = decodeAll(await leader.assign([member('m1', { holds })], context));
    expect(units(out.get('m1')!.revoked)).to.deep.equal(['c:gone', 'gone-0']);
  });

  it('re-reads the config topic once more when a member read further; still behind, all get CONFIG_MISMATCH', async () => {
    const { leader, configs } = setup();
    const out = decodeAll(await leader.assign([member('m1'), member('m2', { offset: 12n })], context));
    expect(configs.refreshes).to.equal(2);
    for (const a of out.values()) {
      expect(a).to.deep.include({ error: ASSIGNMENT_CONFIG_MISMATCH, configOffset: 10n, assigned: [], revoked: [] });
    }
  });

  it('assigns normally when the second read catches up with the member', async () => {
    const { leader, configs } = setup();
    configs.onRefresh = () => {
      if (configs.refreshes === 2) configs.offset = 12n;
    };
    const out = decodeAll(await leader.assign([member('m1', { offset: 12n })], context));
    expect(out.get('m1')).to.deep.include({ error: ASSIGNMENT_NO_ERROR, configOffset: 12n });
    expect(units(out.get('m1')!.assigned)).to.have.length(5);
  });

  it('work changed: only when it led and the configured connectors or tasks differ from those it assigned', async () => {
    const { leader, configs } = setup();
    expect(leader.workChanged()).to.equal(false);
    await leader.assign([member('m1')], context);
    leader.led(true);
    expect(leader.workChanged()).to.equal(false);
    // A new config of the same connector, same tasks: nothing to rebalance.
    configs.set('a', { 'connector.class': SOURCE, topic: 'x' }, 'PAUSED', [{ n: '0' }, { n: '9' }]);
    expect(leader.workChanged()).to.equal(false);
    configs.connectors.get('b')!.taskConfigs = [];
    expect(leader.workChanged()).to.equal(true);
    leader.led(false);
    expect(leader.workChanged()).to.equal(false);
    configs.connectors.get('b')!.taskConfigs = [{ n: '0' }];
    configs.set('c', { 'connector.class': SOURCE });
    leader.led(true);
    expect(leader.workChanged()).to.equal(true);
  });

  describe('memory of previous rounds', () => {
    /** Round 1 with m1 and m2; returns what m1 holds afterwards. */
    async function firstRound(leader: Leader) {
      const out = decodeAll(await leader.assign([member('m1'), member('m2')], context));
      return out.get('m1')!.assigned;
    }

    it("after leading, a departed worker's work waits for it (scheduled rebalance delay)", async () => {
      const { leader } = setup(1000);
      const holds = await firstRound(leader);
      leader.led(true);
      const out = decodeAll(await leader.assign([member('m1', { holds })], context));
      expect(out.get('m1')!.assigned).to.deep.equal([]);
      expect(out.get('m1')!.delay).to.equal(1000);
    });

    it('after another worker led, it forgets the previous rounds and hands out the missing work at once', async () => {
      const { leader } = setup(1000);
      const holds = await firstRound(leader);
      leader.led(false);
      const out = decodeAll(await leader.assign([member('m1', { holds })], context));
      expect(out.get('m1')!.delay).to.equal(0);
      expect([...units(holds), ...units(out.get('m1')!.assigned)].sort()).to.deep.equal([
        'a-0',
        'a-1',
        'b-0',
        'c:a',
        'c:b',
      ]);
    });
  });
});
