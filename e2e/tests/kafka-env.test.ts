// The foundation's proof that the test broker is real and usable from kafkajs.
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { createTopicsAndWait } from '../../runtime/src/kafka/topics.js';

describe('test environment: Kafka broker @env', () => {
  const env = withEnv();
  let kafka: Kafka;

  before(() => {
    kafka = new Kafka({
      clientId: 'sluice-env-test',
      brokers: [env().kafka.bootstrapServers],
      logLevel: logLevel.NOTHING,
    });
  });

  it('creates a compacted topic that the broker reports as compacted', async () => {
    const topic = randomName('compacted');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await createTopicsAndWait(admin, [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ]);
      expect(created).to.equal(true);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['cleanup.policy'] }],
      });
      const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
      expect(entry?.configValue).to.equal('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('produces records and consumes them back in order', async () => {
    const topic = randomName('roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `value-${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: randomName('group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} records arrived`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '');
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(received).to.deep.equal(sent.map((m) => m.value));
  });
});
