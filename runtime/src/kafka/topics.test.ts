import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import { kafkaJs } from './client.js';
import { createTopicsAndWait, waitForTopicLeaders } from './topics.js';

const { KafkaJSProtocolError } = kafkaJs as unknown as Record<string, new (...args: unknown[]) => Error>;

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;

/** An Admin whose metadata answers are scripted: an Error is thrown, anything else returned. */
function scriptedAdmin(answers: Array<Metadata | Error>, created = true) {
  const calls = { create: [] as unknown[], metadata: 0 };
  const admin = {
    createTopics: async (req: unknown) => {
      calls.create.push(req);
      return created;
    },
    fetchTopicMetadata: async () => {
      const next = answers[Math.min(calls.metadata++, answers.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as Admin;
  return { admin, calls };
}

const unknownTopic = () =>
  new KafkaJSProtocolError!({
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    code: 3,
    message: 'This server does not host this topic-partition',
  });
const topicWithLeaders = (name: string, ...leaders: number[]): Metadata => ({
  topics: [{ name, partitions: leaders.map((leader, partitionId) => ({ partitionId, leader }) as never) }],
});

describe('createTopicsAndWait', () => {
  it('waits through UNKNOWN_TOPIC_OR_PARTITION and leaderless partitions (a KRaft broker catching up)', async () => {
    const { admin, calls } = scriptedAdmin([
      unknownTopic(),
      unknownTopic(),
      topicWithLeaders('t', 1, -1),
      topicWithLeaders('t', 1, 1),
    ]);
    const retries: unknown[] = [];
    const created = await createTopicsAndWait(admin, [{ topic: 't', numPartitions: 2 }], {
      onRetry: (r) => retries.push(r),
    });
    expect(created).to.equal(true);
    expect(calls.metadata).to.equal(4);
    expect(retries).to.have.length(3);
    // kafkajs's own wait is off: it gives up on the first UNKNOWN_TOPIC_OR_PARTITION.
    expect(calls.create).to.deep.equal([{ waitForLeaders: false, topics: [{ topic: 't', numPartitions: 2 }] }]);
  });

  it('says false when the topics existed, after checking their leaders', async () => {
    const { admin, calls } = scriptedAdmin([topicWithLeaders('t', 1)], false);
    expect(await createTopicsAndWait(admin, [{ topic: 't' }])).to.equal(false);
    expect(calls.metadata).to.equal(1);
  });

  it('fails at once on an answer that is not about a new topic', async () => {
    const denied = new KafkaJSProtocolError!({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 });
    const { admin, calls } = scriptedAdmin([denied]);
    const err = await createTopicsAndWait(admin, [{ topic: 't' }]).catch((e: unknown) => e);
    expect(err).to.equal(denied);
    expect(calls.metadata).to.equal(1);
  });

  it('gives up after its timeout, naming the topics and the last answer', async () => {
    const { admin } = scriptedAdmin([unknownTopic()]);
    const err = (await waitForTopicLeaders(admin, ['a', 'b'], { timeoutMs: 300 }).catch((e: unknown) => e)) as Error;
    expect(err.message).to.match(/Timed out after 300 ms waiting for the leaders of a, b/);
    expect((err.cause as Error).message).to.match(/does not host this topic-partition/);
  });
});
