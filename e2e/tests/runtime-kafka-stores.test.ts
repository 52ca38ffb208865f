// The Kafka-backed stores (runtime/src/storage/kafka-*.ts) against the real
// broker: two stores on the same topics stand for two workers; the bytes on
// the topics are compared with Kafka Connect's formats, and records written in
// Apache's exact format are read back through the stores.
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { createTopic, produce, readTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import { createKafka } from '../../runtime/src/kafka/client.js';
import { createTopicsAndWait } from '../../runtime/src/kafka/topics.js';
import type { ConfigStore } from '../../runtime/src/storage/config-store.js';
import { configStoreContract } from '../../runtime/src/storage/config-store.contract.test-support.js';
import { KafkaConfigStore } from '../../runtime/src/storage/kafka-config-store.js';
import { KafkaOffsetStore } from '../../runtime/src/storage/kafka-offset-store.js';
import { KafkaStatusStore } from '../../runtime/src/storage/kafka-status-store.js';
import type { Logger } from '../../runtime/src/util/logging.js';

const silent: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silent,
};

describe('runtime Kafka-backed stores @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  let kafka: Kafka;
  let raw: Kafka;
  const topics: string[] = [];
  const stops: Array<() => Promise<void>> = [];

  const topic = (prefix: string) => {
    const t = randomName(`sluice-${prefix}`);
    topics.push(t);
    return t;
  };
  const started = async <T extends { start(): Promise<unknown>; stop(): Promise<void> }>(store: T): Promise<T> => {
    await store.start();
    stops.push(() => store.stop());
    return store;
  };
  const offsetStore = (t: string) => new KafkaOffsetStore({ kafka, topic: t, partitions: 3, logger: silent });
  const configStore = (t: string) => new KafkaConfigStore({ kafka, topic: t, logger: silent });
  const statusStore = (t: string) => new KafkaStatusStore({ kafka, topic: t, partitions: 2, logger: silent });

  before(() => {
    kafka = createKafka({
      clientId: 'sluice-stores-test',
      props: { 'bootstrap.servers': env().kafka.bootstrapServers },
      logger: silent,
    });
    raw = testKafka(env().kafka.bootstrapServers);
  });

  // The contract memory and file stores pass (runtime/src/storage/config-store.test.ts), on the config topic.
  const configTopics = new Map<ConfigStore, string>();
  const openConfigStore = async (t: string) => {
    const store = await started(configStore(t));
    configTopics.set(store, t);
    return store;
  };
  configStoreContract('Kafka', {
    create: () => openConfigStore(topic('contract-configs')),
    reopen: (store) => openConfigStore(configTopics.get(store)!),
  });

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  });

  after(async () => {
    if (!raw || topics.length === 0) return;
    const admin = raw.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  describe('offsets', () => {
    it("two workers see each other's offsets; a new instance reads them back; Connect's bytes", async () => {
      const t = topic('offsets');
      const a = await started(offsetStore(t));
      const b = await started(offsetStore(t));
      await a.set('src', [
        { partition: { filename: 'a.txt' }, offset: { position: 30 } },
        { partition: { filename: 'b.txt' }, offset: { position: 7 } },
      ]);
      await b.set('other', [{ partition: { shard: 1 }, offset: { seq: 'x' } }]);
      await a.refresh();
      await b.refresh();
      expect(await b.get('src', [{ filename: 'a.txt' }, { filename: 'b.txt' }, { filename: 'c' }])).to.deep.equal([
        { position: 30 },
        { position: 7 },
        null,
      ]);
      expect(await a.get('other', [{ shard: 1 }])).to.deep.equal([{ seq: 'x' }]);

      // A reset (tombstone) from b, then a restart.
      await b.set('src', [{ partition: { filename: 'b.txt' }, offset: null }]);
      await a.stop();
      const c = await started(offsetStore(t));
      expect(await c.get('src', [{ filename: 'a.txt' }, { filename: 'b.txt' }])).to.deep.equal([
        { position: 30 },
        null,
      ]);
      expect(await c.connectorOffsets('src')).to.deep.equal([
        { partition: { filename: 'a.txt' }, offset: { position: 30 } },
      ]);

      const records = await readTopic(raw, t, 4);
      const pairs = records.map((r) => [r.key, r.value]);
      expect(pairs).to.deep.include.members([
        ['["src",{"filename":"a.txt"}]', '{"position":30}'],
        ['["src",{"filename":"b.txt"}]', '{"position":7}'],
        ['["other",{"shard":1}]', '{"seq":"x"}'],
        ['["src",{"filename":"b.txt"}]', null],
      ]);
      // The same key always lands on the same partition (default partitioner over the key bytes).
      const bKey = records.filter((r) => r.key === '["src",{"filename":"b.txt"}]').map((r) => r.partition);
      expect(new Set(bKey).size).to.equal(1);
    });

    it('reads offsets Apache Kafka Connect wrote (its key order, spacing-free JSON, tombstones)', async () => {
      const t = topic('offsets-apache');
      const store = await started(offsetStore(t));
      // Exactly what Apache's OffsetStorageWriter produces via JsonConverter (schemas off).
      await produce(raw, t, [
        { key: '["local-file-source",{"filename":"test.txt"}]', value: '{"position":30}' },
        { key: '["jdbc",{"table":"t1","protocol":"1"}]', value: '{"incrementing":42,"timestamp_nanos":0}' },
        { key: '["jdbc",{"table":"gone","protocol":"1"}]', value: '{"incrementing":1}' },
        { key: '["jdbc",{"table":"gone","protocol":"1"}]', value: null },
        { key: 'not-a-connect-key', value: '{"junk":true}' },
      ]);
      await store.refresh();
      expect(await store.get('local-file-source', [{ filename: 'test.txt' }])).to.deep.equal([{ position: 30 }]);
      // Our partition map has its keys in another order: found through the canonical lookup.
      expect(
        await store.get('jdbc', [
          { protocol: '1', table: 't1' },
          { protocol: '1', table: 'gone' },
        ]),
      ).to.deep.equal([{ incrementing: 42, timestamp_nanos: 0 }, null]);
    });

    it('refuses an existing topic that is not compacted, naming it', async () => {
      const t = topic('offsets-delete');
      await createTopic(raw, t, 1);
      const store = offsetStore(t);
      try {
        await store.start();
        expect.fail('start() should have failed');
      } catch (err) {
        expect((err as Error).message).to.contain(`Topic '${t}'`);
        expect((err as Error).message).to.contain("'offset.storage.topic'");
        expect((err as Error).message).to.contain('cleanup.policy=delete');
      }
    });
  });

  describe('configs', () => {
    it("two workers see each other's configs, target states and tasks; Connect's bytes", async () => {
      const t = topic('configs');
      const a = await started(configStore(t));
      const b = await started(configStore(t));
      const changes: string[][] = [];
      b.onChange((names) => changes.push(names));

      await a.putConnectorConfig('c1', { 'connector.class': 'FileStreamSource', 'tasks.max': '2' });
      await a.putTaskConfigs('c1', [{ file: 'a' }, { file: 'b' }]);
      await a.putTargetState('c1', 'STOPPED');
      await a.putConnectorConfig('c2', { 'connector.class': 'X' }, 'PAUSED');

      await b.refresh();
      const snap = b.snapshot();
      expect([...snap.connectors.keys()]).to.deep.equal(['c1', 'c2']);
      expect(snap.connectors.get('c1')).to.deep.equal({
        config: { 'connector.class': 'FileStreamSource', 'tasks.max': '2' },
        targetState: 'STOPPED',
        taskConfigs: [{ file: 'a' }, { file: 'b' }],
      });
      expect(snap.connectors.get('c2')?.targetState).to.equal('PAUSED');
      expect(snap.offset).to.equal(a.snapshot().offset);
      expect(snap.offset).to.equal(7n); // 7 records, next offset 7
      expect(changes.flat()).to.include.members(['c1', 'c2']);

      await a.removeConnector('c2');
      await b.refresh();
      expect(b.names()).to.deep.equal(['c1']);

      // A restarted worker sees the same, including the STOPPED target state.
      await a.stop();
      const c = await started(configStore(t));
      expect(c.get('c1')?.targetState).to.equal('STOPPED');
      expect(c.get('c1')?.taskConfigs).to.have.length(2);

      const records = await readTopic(raw, t, 9);
      expect(records.map((r) => [r.key, r.value])).to.deep.equal([
        ['connector-c1', '{"properties":{"connector.class":"FileStreamSource","tasks.max":"2"}}'],
        ['task-c1-0', '{"properties":{"file":"a"}}'],
        ['task-c1-1', '{"properties":{"file":"b"}}'],
        ['commit-c1', '{"tasks":2}'],
        ['target-state-c1', '{"state":"PAUSED","state.v2":"STOPPED"}'],
        ['target-state-c2', '{"state":"PAUSED","state.v2":"PAUSED"}'],
        ['connector-c2', '{"properties":{"connector.class":"X"}}'],
        ['connector-c2', null],
        ['target-state-c2', null],
      ]);
    });

    it('keeps task configs invisible until the commit record (records in Apache format)', async () => {
      const t = topic('configs-commit');
      const store = await started(configStore(t));
      const changes: string[][] = [];
      store.onChange((names) => changes.push(names));
      // Written as an Apache worker would, including an old worker's target state without state.v2.
      await produce(raw, t, [
        { key: 'connector-jdbc', value: '{"properties":{"connector.class":"io.x.Jdbc","tasks.max":"2"}}' },
        { key: 'target-state-jdbc', value: '{"state":"PAUSED"}' },
        { key: 'session-key', value: '{"key":"abc","algorithm":"HmacSHA256","creation-timestamp":1}' },
        { key: 'task-jdbc-0', value: '{"properties":{"table":"a"}}' },
        { key: 'task-jdbc-1', value: '{"properties":{"table":"b"}}' },
      ]);
      await store.refresh();
      expect(store.get('jdbc')).to.deep.equal({
        config: { 'connector.class': 'io.x.Jdbc', 'tasks.max': '2' },
        targetState: 'PAUSED',
        taskConfigs: [],
      });
      changes.length = 0;
      await produce(raw, t, [{ key: 'commit-jdbc', value: '{"tasks":2}' }]);
      await store.refresh();
      expect(store.get('jdbc')?.taskConfigs).to.deep.equal([{ table: 'a' }, { table: 'b' }]);
      expect(changes).to.deep.equal([['jdbc']]);
    });

    it('refuses a config topic with 2 partitions, naming it', async () => {
      const t = topic('configs-2p');
      const admin = raw.admin();
      await admin.connect();
      await createTopicsAndWait(admin, [
        { topic: t, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ]);
      await admin.disconnect();
      const store = configStore(t);
      try {
        await store.start();
        expect.fail('start() should have failed');
      } catch (err) {
        expect((err as Error).message).to.match(
          new RegExp(`Topic '${t}' .*'config.storage.topic'.*single partition.*found 2 partitions`),
        );
      }
    });
  });

  describe('status', () => {
    it("two workers see each other's statuses, in Connect's bytes; lower generations do not override", async () => {
      const t = topic('status');
      const a = await started(statusStore(t));
      const b = await started(statusStore(t));
      a.connector('c', { state: 'RUNNING', workerId: 'w1:8083', generation: 3 });
      a.task('c', 0, { state: 'FAILED', workerId: 'w1:8083', generation: 3, trace: 'boom\n\tat x' });
      a.task('c', 1, { state: 'RUNNING', workerId: 'w1:8083', generation: 3 });
      expect(a.getConnector('c')?.state).to.equal('RUNNING'); // local at once
      await a.flush();
      await b.refresh();
      expect(b.getConnector('c')).to.deep.equal({ state: 'RUNNING', workerId: 'w1:8083', generation: 3 });
      expect(b.getTasks('c').get(0)).to.deep.equal({
        state: 'FAILED',
        workerId: 'w1:8083',
        generation: 3,
        trace: 'boom\n\tat x',
      });

      // A zombie worker with an older generation: its record does not replace the newer one.
      await produce(raw, t, [
        { key: 'status-task-c-1', value: '{"state":"UNASSIGNED","trace":null,"worker_id":"w2:8083","generation":2}' },
      ]);
      await a.refresh();
      expect(a.getTasks('c').get(1)?.state).to.equal('RUNNING');
      // Apache's record for a newer generation does.
      await produce(raw, t, [
        { key: 'status-task-c-1', value: '{"state":"RUNNING","trace":null,"worker_id":"w2:8083","generation":4}' },
      ]);
      await a.refresh();
      expect(a.getTasks('c').get(1)?.workerId).to.equal('w2:8083');

      b.dropTasks('c', 1);
      b.remove('c');
      await b.flush();
      await a.refresh();
      expect(a.getConnector('c')).to.equal(undefined);
      expect(a.getTasks('c').size).to.equal(0);

      const records = await readTopic(raw, t, 8);
      expect(records.map((r) => [r.key, r.value])).to.deep.include.members([
        ['status-connector-c', '{"state":"RUNNING","trace":null,"worker_id":"w1:8083","generation":3,"version":null}'],
        [
          'status-task-c-0',
          '{"state":"FAILED","trace":"boom\\n\\tat x","worker_id":"w1:8083","generation":3,"version":null}',
        ],
        ['status-task-c-1', '{"state":"RUNNING","trace":null,"worker_id":"w1:8083","generation":3,"version":null}'],
        ['status-task-c-1', null],
        ['status-task-c-0', null],
        ['status-connector-c', null],
      ]);
    });
  });
});
