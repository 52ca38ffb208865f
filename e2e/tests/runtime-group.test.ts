// Worker group membership (runtime/src/distributed) against a real broker:
// JoinGroup/SyncGroup/Heartbeat/LeaveGroup with protocolType "connect"
// through kafkajs's broker layer, and Connect's own assignment bytes reaching
// every member.
//
// The broker is the test environment's (withEnv), unless
// SLUICE_GROUP_TEST_BOOTSTRAP names another, e.g. a private one:
//   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 SLUICE_STATE=/tmp/sluice-group-state bash e2e/env/kafka.sh up
//   SLUICE_GROUP_TEST_BOOTSTRAP=127.0.0.1:19092 npx mocha dist/e2e/tests/runtime-group.test.js
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import {
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  type ConnectAssignment,
} from '../../runtime/src/distributed/connect-protocol.js';
import { GroupMembership } from '../../runtime/src/distributed/group-membership.js';
import { kafkaJsGroupClusters } from '../../runtime/src/distributed/kafkajs-internals.js';
import type { Logger } from '../../runtime/src/util/logging.js';

const HEARTBEAT_INTERVAL_MS = 500;

/** Prints membership logs when SLUICE_GROUP_TEST_LOG is set; silent otherwise. */
function testLogger(fields: Record<string, unknown> = {}): Logger {
  const print = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    if (process.env.SLUICE_GROUP_TEST_LOG)
      console.error(JSON.stringify({ t: new Date().toISOString(), level, message, ...fields, ...extra }));
  };
  return {
    error: print('ERROR'),
    warn: print('WARN'),
    info: print('INFO'),
    debug: print('DEBUG'),
    child: (more) => testLogger({ ...fields, ...more }),
  };
}

/** What each group's leaders computed, per generation: memberId -> assignment bytes. */
const computed = new Map<string, Map<string, Buffer>>();

interface Worker {
  readonly url: string;
  readonly membership: GroupMembership;
  /** Assignment bytes this worker received, per generation. */
  readonly received: Map<number, Buffer>;
  current: ConnectAssignment | null;
}

function worker(kafka: Kafka, groupId: string, name: string, sessionTimeoutMs: number): Worker {
  const url = `http://${name}:8083/`;
  const w: Worker = {
    url,
    received: new Map(),
    current: null,
    membership: new GroupMembership({
      clusters: kafkaJsGroupClusters(kafka),
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs: 20_000,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      logger: testLogger({ worker: name }),
      metadata: () => encodeMetadata({ version: 2, url, configOffset: 0n, allocation: w.current }),
      // Each member gets a connector named after the URL in its own metadata,
      // so a member finding its URL proves both directions went through.
      assign: async (members, { generationId, leaderId }) => {
        const out = new Map<string, Buffer>();
        for (const member of members) {
          const { url: memberUrl } = decodeMetadata(member.metadata);
          out.set(
            member.memberId,
            encodeAssignment({
              version: 2,
              error: 0,
              leader: leaderId,
              leaderUrl: url,
              configOffset: 0n,
              assigned: [{ connector: `run-on-${memberUrl}`, tasks: [-1, generationId] }],
              revoked: [],
              delay: 0,
            }),
          );
        }
        computed.set(`${groupId}/${generationId}`, out);
        return out;
      },
      onAssign: async (assignment, generationId) => {
        w.received.set(generationId, Buffer.from(assignment));
        w.current = decodeAssignment(assignment);
      },
    }),
  };
  return w;
}

/** Waits until all workers are in one generation after `after` and each got its assignment for it. */
async function settled(workers: Worker[], what: string, timeoutMs = 60_000, after = 0): Promise<number> {
  return eventually(
    what,
    () => {
      const generation = workers[0]?.membership.generationId ?? -1;
      const same = workers.every(
        (w) =>
          w.membership.state === 'stable' && w.membership.generationId === generation && w.received.has(generation),
      );
      return same && generation > after ? generation : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

function leaderOf(workers: Worker[]): Worker {
  const leaders = workers.filter((w) => w.membership.isLeader);
  expect(leaders, 'exactly one leader').to.have.length(1);
  return leaders[0]!;
}

describe('runtime: worker group membership with protocolType connect @env', function () {
  this.timeout(180_000);
  const fromEnv = process.env.SLUICE_GROUP_TEST_BOOTSTRAP;
  const env = fromEnv ? undefined : withEnv();
  let kafka: Kafka;
  const started: Worker[] = [];

  before(() => {
    kafka = testKafka(fromEnv ?? env!().kafka.bootstrapServers);
  });

  after(async () => {
    await Promise.all(started.map((w) => w.membership.stop()));
  });

  async function startAll(workers: Worker[]): Promise<void> {
    started.push(...workers);
    await Promise.all(workers.map((w) => w.membership.start()));
  }

  it('uses group API versions the broker accepts (JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3)', async () => {
    const cluster = kafkaJsGroupClusters(kafka)();
    await cluster.connect();
    try {
      await cluster.refreshMetadataIfNecessary();
      const coordinator = await cluster.findGroupCoordinator({ groupId: randomName('versions') });
      const versions = (
        coordinator as unknown as { versions: Record<number, { minVersion: number; maxVersion: number }> }
      ).versions;
      // apiKey: kafkajs's highest implemented version; kafkajs sends min(that, broker max).
      const kafkajsMax: Record<string, [number, number]> = {
        FindCoordinator: [10, 2],
        JoinGroup: [11, 5],
        Heartbeat: [12, 3],
        LeaveGroup: [13, 3],
        SyncGroup: [14, 3],
      };
      for (const [api, [key, max]] of Object.entries(kafkajsMax)) {
        const broker = versions[key];
        expect(broker, api).to.not.equal(undefined);
        const used = Math.min(max, broker!.maxVersion);
        expect(used, `${api}: kafkajs sends v${used}, broker accepts v${broker!.minVersion}-v${broker!.maxVersion}`)
          .to.equal(max)
          .and.to.be.at.least(broker!.minVersion);
      }
    } finally {
      await cluster.disconnect();
    }
  });

  describe('a group of workers', () => {
    const groupId = randomName('connect-group');
    // Long on purpose: a rebalance after stop() well within it can only come from LeaveGroup.
    const sessionTimeoutMs = 45_000;
    let workers: Worker[];

    it('three members join: one leader, and every member receives what the leader computed for it', async () => {
      workers = ['w1', 'w2', 'w3'].map((name) => worker(kafka, groupId, name, sessionTimeoutMs));
      await startAll(workers);
      const generation = await settled(workers, 'three members in one generation');

      const leader = leaderOf(workers);
      for (const w of workers) expect(w.membership.leaderId).to.equal(leader.membership.memberId);
      const forGeneration = computed.get(`${groupId}/${generation}`);
      expect([...(forGeneration?.keys() ?? [])].sort()).to.deep.equal(workers.map((w) => w.membership.memberId).sort());
      const followers = workers.filter((w) => w !== leader);
      expect(followers).to.have.length(2);
      for (const w of workers) {
        const bytes = w.received.get(generation)!;
        expect(bytes.equals(forGeneration!.get(w.membership.memberId)!), `bytes of ${w.url}`).to.equal(true);
        const assignment = decodeAssignment(bytes);
        expect(assignment.assigned).to.deep.equal([{ connector: `run-on-${w.url}`, tasks: [-1, generation] }]);
        expect(assignment.leader).to.equal(leader.membership.memberId);
        expect(assignment.leaderUrl).to.equal(leader.url);
      }

      const admin = kafka.admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0]!;
        expect(group.protocolType).to.equal('connect');
        expect(group.protocol).to.equal('sessioned');
        expect(group.state).to.equal('Stable');
        expect(group.members.map((m) => m.memberId).sort()).to.deep.equal(
          workers.map((w) => w.membership.memberId).sort(),
        );
        // The coordinator holds the same bytes the members got.
        for (const m of group.members) {
          const w = workers.find((x) => x.membership.memberId === m.memberId)!;
          expect(m.memberAssignment.equals(w.received.get(generation)!)).to.equal(true);
          expect(decodeMetadata(m.memberMetadata).url).to.equal(w.url);
        }
      } finally {
        await admin.disconnect();
      }
    });

    it('a fourth member makes every member go through a new generation', async () => {
      const previous = await settled(workers, 'three members settled');
      const fourth = worker(kafka, groupId, 'w4', sessionTimeoutMs);
      await startAll([fourth]);
      workers = [...workers, fourth];
      const next = await settled(workers, 'four members in one generation', 60_000, previous);
      expect(next).to.be.greaterThan(previous);
      leaderOf(workers);
      expect(computed.get(`${groupId}/${next}`)?.size).to.equal(4);
      for (const w of workers)
        expect(decodeAssignment(w.received.get(next)!).assigned[0]?.connector).to.equal(`run-on-${w.url}`);
    });

    it('stop() leaves at once: the others rebalance well within the session timeout', async () => {
      const previous = await settled(workers, 'four members settled');
      // Stopping the leader also makes the coordinator pick a new one.
      const leaving = leaderOf(workers);
      const leftId = leaving.membership.memberId;
      const stoppedAt = Date.now();
      await leaving.membership.stop();
      expect(leaving.membership.state).to.equal('stopped');
      expect(leaving.membership.memberId).to.equal('');
      const rest = workers.filter((w) => w !== leaving);
      // A third of the session timeout: without LeaveGroup this would take all of it.
      const next = await settled(rest, 'the three others in a new generation', sessionTimeoutMs / 3, previous);
      expect(next).to.be.greaterThan(previous);
      console.error(
        `      rebalance after stop(): ${Date.now() - stoppedAt} ms (session timeout ${sessionTimeoutMs} ms)`,
      );
      const members = [...(computed.get(`${groupId}/${next}`)?.keys() ?? [])];
      expect(members).to.have.length(3).and.not.include(leftId);
      const leader = leaderOf(rest);
      expect(leader.membership.memberId).to.not.equal(leftId);
      workers = rest;
    });
  });

  it('a member that vanishes without LeaveGroup is dropped after the session timeout', async () => {
    const groupId = randomName('connect-crash');
    const sessionTimeoutMs = 6_000;
    const workers = ['c1', 'c2', 'c3'].map((name) => worker(kafka, groupId, name, sessionTimeoutMs));
    await startAll(workers);
    const previous = await settled(workers, 'three members in one generation');
    const victim = workers.find((w) => !w.membership.isLeader)!;
    const victimId = victim.membership.memberId;
    const crashedAt = Date.now();
    await victim.membership.crash();
    const rest = workers.filter((w) => w !== victim);
    const next = await settled(rest, 'the two others in a new generation', 30_000, previous);
    const elapsed = Date.now() - crashedAt;
    console.error(`      rebalance after crash: ${elapsed} ms (session timeout ${sessionTimeoutMs} ms)`);
    expect(next).to.be.greaterThan(previous);
    expect([...(computed.get(`${groupId}/${next}`)?.keys() ?? [])])
      .to.have.length(2)
      .and.not.include(victimId);
    // The coordinator cannot expire a session sooner than the timeout after its last heartbeat.
    expect(elapsed).to.be.at.least(sessionTimeoutMs - HEARTBEAT_INTERVAL_MS - 250);
  });
});
