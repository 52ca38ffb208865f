// Reading and writing the real test broker from tests.
//
// kafkajs comes from the runtime's client module, which loads it with its
// fixes: kafkajs 2.2.4's own READ_COMMITTED filter lets records of an aborted
// transaction through when the broker lists the aborted transactions out of
// first-offset order (see filterAbortedMessages in runtime/src/kafka/client.ts),
// which made the exactly-once tests count aborted records as duplicates.
import type { IHeaders, Kafka } from 'kafkajs';
import { kafkaJs, kafkaJsPatched } from '../../runtime/src/kafka/client.js';
import { createTopicsAndWait } from '../../runtime/src/kafka/topics.js';
import { silenceKafkaJsTimerWarnings } from '../../runtime/src/util/warnings.js';

// The same kafkajs timer warning the worker drops (runtime/src/util/warnings.ts).
silenceKafkaJsTimerWarnings();

const { Kafka: KafkaClient, logLevel } = kafkaJs;

export function testKafka(bootstrapServers: string): Kafka {
  return new KafkaClient({ clientId: 'sluice-test', brokers: [bootstrapServers], logLevel: logLevel.NOTHING });
}

export interface ReadRecord {
  key: string | null;
  value: string | null;
  headers: IHeaders;
  partition: number;
  offset: string;
}

/** Reads a topic from the beginning until `count` records arrived or `timeoutMs` passed. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60_000,
  isolation?: 'read_committed',
): Promise<ReadRecord[]> {
  if (isolation === 'read_committed' && !kafkaJsPatched)
    throw new Error(
      'kafkajs was loaded before runtime/src/kafka/client.ts, so its READ_COMMITTED filter is the unfixed one ' +
        '(it can pass records of aborted transactions): load kafkajs through that module first',
    );
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: isolation !== 'read_committed',
  });
  await consumer.connect();
  // The topic may not exist yet when a connector has not produced its first record.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const out: ReadRecord[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const timer = setTimeout(done, timeoutMs);
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      out.push({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: message.headers ?? {},
        partition,
        offset: message.offset,
      });
      if (out.length >= count) done();
    },
  });
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

export async function createTopic(
  kafka: Kafka,
  topic: string,
  partitions = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndWait(admin, [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ]);
  } finally {
    await admin.disconnect();
  }
}

export async function produce(
  kafka: Kafka,
  topic: string,
  messages: Array<{ key?: string | null; value: string | Buffer | null }>,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000)
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  } finally {
    await producer.disconnect();
  }
}

/** A distributed group's config topic holding `records` before any worker of the group starts (as Apache's and ours read it). */
export async function seedConfigTopic(
  kafka: Kafka,
  group: string,
  records: Array<{ key: string; value: string }>,
): Promise<void> {
  await createTopic(kafka, `${group}-configs`, 1, { 'cleanup.policy': 'compact' });
  await produce(kafka, `${group}-configs`, records);
}
