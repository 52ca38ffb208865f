import { expect } from 'chai';
import { ConfigError, ConnectError, Schemas, type SourceRecord } from '../sdk/index.js';
import { DataGenConnector } from './datagen-connector.js';
import { DATAGEN_VALUE_SCHEMA, DataGenTask } from './datagen-task.js';
import { InMemoryOffsetStorageReader, pollRecords, sourceContext } from './connector-context.test-support.js';

const noContext = { requestTaskReconfiguration: () => {}, raiseError: () => {} };

/** Keys and values only: the record timestamp is the wall clock by design. */
const data = (records: SourceRecord[]) => records.map((r) => [r.key, r.value, r.sourceOffset]);

describe('DataGenConnector', () => {
  let running: DataGenTask[] = [];
  afterEach(async () => {
    for (const task of running) await task.stop();
    running = [];
  });

  async function startTask(props: Record<string, string>, offsets = new InMemoryOffsetStorageReader()) {
    const task = new DataGenTask();
    running.push(task);
    await task.start(props, sourceContext(props, offsets));
    return task;
  }

  it('documents every config key and reports a missing topic and bad choices through validation', () => {
    const def = new DataGenConnector().config();
    for (const key of def.keys()) expect(key.documentation, key.name).to.not.equal('');
    const errors = Object.fromEntries(
      def
        .validate({ 'key.type': 'uuid', 'value.shape': 'xml', 'records.per.second': '-1' })
        .filter((v) => v.errors.length)
        .map((v) => [v.name, v.errors[0]]),
    );
    expect(errors).to.have.keys('topic', 'key.type', 'value.shape', 'records.per.second');
    expect(errors.topic).to.match(/Missing required configuration "topic"/);
    expect(errors['key.type']).to.match(/none, sequence, random/);
    expect(() => new DataGenConnector().start({}, noContext)).to.throw(ConfigError);
  });

  it('gives each task its own number and the task count', async () => {
    const connector = new DataGenConnector();
    connector.start({ topic: 't', seed: '1' }, noContext);
    const configs = await connector.taskConfigs(3);
    expect(configs.map((c) => [c['datagen.task.id'], c['datagen.task.count'], c.topic])).to.deep.equal([
      ['0', '3', 't'],
      ['1', '3', 't'],
      ['2', '3', 't'],
    ]);
  });

  it('generates the same keys and values from the same seed, and different ones from another seed', async () => {
    const props = { topic: 't', seed: '42', 'key.type': 'random', 'value.shape': 'string', 'value.size': '20' };
    const a = await pollRecords(await startTask(props), 50);
    const b = await pollRecords(await startTask(props), 50);
    const c = await pollRecords(await startTask({ ...props, seed: '43' }), 50);
    expect(data(a)).to.deep.equal(data(b));
    expect(data(a)).to.not.deep.equal(data(c));
    for (const r of a) {
      expect(r.value).to.be.a('string').with.length(20);
      expect(Buffer.byteLength(r.value as string)).to.equal(20);
      expect(r.keySchema).to.equal(Schemas.INT64);
      expect(r.topic).to.equal('t');
    }
  });

  it('resumes the sequence from a committed offset and continues exactly as an uninterrupted run', async () => {
    const props = { topic: 't', seed: '7', 'key.type': 'sequence', 'value.shape': 'json', 'batch.size': '10' };
    const whole = await pollRecords(await startTask(props), 30);

    const offsets = new InMemoryOffsetStorageReader();
    const first = await startTask(props, offsets);
    offsets.commit((await pollRecords(first, 10)).slice(0, 10));
    await first.stop();
    const resumed = await pollRecords(await startTask(props, offsets), 20);

    expect(data(resumed)).to.deep.equal(data(whole.slice(10, 30)));
    expect(resumed[0]!.sourcePartition).to.deep.equal({ task: 0 });
    expect(resumed[0]!.sourceOffset).to.deep.equal({ seq: 11 });
  });

  it('generates struct values with ids unique across tasks', async () => {
    const base = { topic: 't', seed: '1', 'value.shape': 'json', 'key.type': 'sequence', 'datagen.task.count': '2' };
    const t0 = (await pollRecords(await startTask({ ...base, 'datagen.task.id': '0' }), 5)).slice(0, 5);
    const t1 = (await pollRecords(await startTask({ ...base, 'datagen.task.id': '1' }), 5)).slice(0, 5);
    expect(t0.map((r) => r.key)).to.deep.equal([0, 2, 4, 6, 8]);
    expect(t1.map((r) => r.key)).to.deep.equal([1, 3, 5, 7, 9]);
    expect(t1[0]!.sourcePartition).to.deep.equal({ task: 1 });
    const value = t0[1]!.value as Record<string, unknown>;
    expect(t0[1]!.valueSchema).to.equal(DATAGEN_VALUE_SCHEMA);
    expect(DATAGEN_VALUE_SCHEMA.fields!.map((f) => [f.name, f.schema.type])).to.deep.equal([
      ['id', 'int64'],
      ['name', 'string'],
      ['amount', 'float64'],
      ['created', 'int64'],
    ]);
    expect(value.id).to.equal(2);
    expect(value.name).to.be.a('string');
    expect(value.amount).to.be.a('number');
    expect(value.created).to.be.instanceOf(Date);
  });

  it('stops at max.records per task, counting records produced before a restart', async () => {
    const props = { topic: 't', 'max.records': '25', 'batch.size': '10' };
    const offsets = new InMemoryOffsetStorageReader().set({ task: 0 }, { seq: 20 });
    const task = await startTask(props, offsets);
    const batch = await task.poll();
    expect(batch).to.have.length(5);
    expect(batch!.at(-1)!.sourceOffset).to.deep.equal({ seq: 25 });
    expect(await task.poll()).to.equal(null);
  });

  it('roughly honours records.per.second', async function () {
    this.timeout(10_000);
    const task = await startTask({ topic: 't', 'records.per.second': '10', 'batch.size': '100' });
    const started = Date.now();
    const records = await pollRecords(task, 20);
    const elapsed = Date.now() - started;
    expect(records).to.have.length(20);
    expect(elapsed).to.be.at.least(1000);
    expect(elapsed).to.be.below(5000);
  });

  it('accepts only non-negative integer seq offsets', () => {
    const connector = new DataGenConnector();
    expect(connector.alterOffsets({}, new Map([[{ task: 0 }, { seq: 5 }]]))).to.equal(true);
    expect(connector.alterOffsets({}, new Map([[{ task: 1 }, null]]))).to.equal(true);
    expect(() => connector.alterOffsets({}, new Map([[{ task: 0 }, { seq: -1 }]]))).to.throw(ConnectError, /seq/);
    expect(() => connector.alterOffsets({}, new Map([[{ filename: 'x' }, { seq: 1 }]]))).to.throw(ConnectError, /task/);
  });
});
