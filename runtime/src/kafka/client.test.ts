import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { abortedRecordFilter, createKafka } from './client.js';

const run = promisify(execFile);
const silent = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silent;
  },
};

describe('kafkajs client', () => {
  it('runs with the linear partition grouping in place of kafkajs 2.2.4 quadratic one', async () => {
    // A fresh process: in this one other tests may have loaded kafkajs first,
    // which is exactly when the replacement cannot apply (the runtime loads
    // kafkajs only through client.ts).
    const script = `
      const { createKafka } = await import(${JSON.stringify(new URL('./client.js', import.meta.url).href)});
      const { createRequire } = await import('node:module');
      const silent = { error() {}, warn() {}, info() {}, debug() {}, child() { return silent; } };
      createKafka({ clientId: 't', props: { 'bootstrap.servers': '127.0.0.1:1' }, logger: silent });
      const group = createRequire(${JSON.stringify(import.meta.url)})('kafkajs/src/producer/groupMessagesPerPartition.js');
      const messages = [0, 1, 2, 3, 4].map((i) => ({ value: String(i) }));
      const out = group({ topic: 't', partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }], messages, partitioner: ({ message }) => Number(message.value) % 2 });
      console.log(JSON.stringify({ name: group.name, out }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const { name, out } = JSON.parse(stdout) as { name: string; out: Record<string, Array<{ value: string }>> };
    expect(name).to.equal('groupMessagesPerPartition');
    expect(out).to.deep.equal({
      0: [{ value: '0' }, { value: '2' }, { value: '4' }],
      1: [{ value: '1' }, { value: '3' }],
    });
  });

  it("finds the messages of a send whose partition is missing from kafkajs's answer (it skipped that partition on a retry)", async () => {
    const script = `
      const { createKafka, unacknowledged } = await import(${JSON.stringify(new URL('./client.js', import.meta.url).href)});
      const { createRequire } = await import('node:module');
      const silent = { error() {}, warn() {}, info() {}, debug() {}, child() { return silent; } };
      createKafka({ clientId: 't', props: { 'bootstrap.servers': '127.0.0.1:1' }, logger: silent });
      const group = createRequire(${JSON.stringify(import.meta.url)})('kafkajs/src/producer/groupMessagesPerPartition.js');
      const messages = [0, 1, 2, 3, 4].map((i) => ({ value: String(i) }));
      group({ topic: 't', partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }], messages, partitioner: ({ message }) => Number(message.value) % 2 });
      const sent = [{ topic: 't', messages }];
      const onlyZero = unacknowledged(sent, [{ topicName: 't', partition: 0, errorCode: 0 }]);
      const both = unacknowledged(sent, [{ topicName: 't', partition: 0, errorCode: 0 }, { topicName: 't', partition: 1, errorCode: 0 }]);
      console.log(JSON.stringify({ onlyZero, both }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const { onlyZero, both } = JSON.parse(stdout);
    expect(onlyZero).to.deep.equal([{ topic: 't', messages: [{ value: '1' }, { value: '3' }] }]);
    expect(both).to.deep.equal([]);
  });

  it('drops every aborted record in a READ_COMMITTED consumer fetch, whatever order the broker lists the transactions in', async () => {
    // What a SIGKILLed worker left: producer 44's transaction began at 2404, producer 45's at 2412,
    // and the coordinator aborted 45's first, so the broker lists [45@2412, 44@2404]. kafkajs's own
    // filter let 44's records at 2404..2411 through (8 "duplicates" in the exactly-once e2e test).
    const script = `
      const { kafkaJsPatched } = await import(${JSON.stringify(new URL('./client.js', import.meta.url).href)});
      const { createRequire } = await import('node:module');
      const Batch = createRequire(${JSON.stringify(import.meta.url)})('kafkajs/src/consumer/batch.js');
      const ctx = (producerId, control = false) => ({ producerId, inTransaction: true, isControlBatch: control });
      const rec = (offset, producerId) => ({ offset: String(offset), key: Buffer.from('k'), isControlRecord: false, batchContext: ctx(producerId) });
      const abort = (offset, producerId) => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 0]), isControlRecord: true, batchContext: ctx(producerId, true) });
      const commit = (offset, producerId) => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 1]), isControlRecord: true, batchContext: ctx(producerId, true) });
      const messages = [rec(2400, '45'), commit(2403, '45')];
      for (let o = 2404; o < 2412; o++) messages.push(rec(o, '44'));
      for (let o = 2412; o < 2416; o++) messages.push(rec(o, '45'));
      messages.push(rec(2416, '41'), commit(2417, '41'), abort(2418, '45'), abort(2419, '44'), rec(2420, '44'), commit(2421, '44'));
      const abortedTransactions = [{ producerId: '45', firstOffset: '2412' }, { producerId: '44', firstOffset: '2404' }];
      const batch = new Batch('t', '2400', { partition: 0, highWatermark: '2422', abortedTransactions, messages });
      console.log(JSON.stringify({ kafkaJsPatched, kept: batch.messages.map((m) => Number(m.offset)) }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const { kafkaJsPatched, kept } = JSON.parse(stdout) as { kafkaJsPatched: boolean; kept: number[] };
    expect(kafkaJsPatched).to.equal(true);
    expect(kept).to.deep.equal([2400, 2416, 2420]);
  });

  it('builds SASL and TLS settings from Kafka keys, failing clearly on a bad JAAS line', () => {
    expect(() =>
      createKafka({
        clientId: 't',
        props: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'nothing' },
        logger: silent,
      }),
    ).to.throw(/sasl.jaas.config/);
    expect(() =>
      createKafka({
        clientId: 't',
        props: {
          'security.protocol': 'SASL_SSL',
          'sasl.mechanism': 'SCRAM-SHA-512',
          'sasl.jaas.config': 'x required username="u" password="p";',
          'ssl.truststore.certificates': '-----BEGIN CERTIFICATE-----',
        },
        logger: silent,
      }),
    ).to.not.throw();
  });
});

describe('aborted transactions in a READ_COMMITTED fetch', () => {
  const txn = (producerId: string) => ({ producerId, inTransaction: true });
  const record = (offset: number, batchContext: object, key: string | null = 'k', isControlRecord = false) => ({
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    isControlRecord,
    batchContext,
  });
  const marker = (offset: number, producerId: string, type: 'abort' | 'commit') => ({
    offset: String(offset),
    key: Buffer.from([0, 0, 0, type === 'abort' ? 0 : 1]),
    isControlRecord: true,
    batchContext: txn(producerId),
  });

  it('drops the records of aborted transactions and keeps committed and non-transactional ones', () => {
    const records = [
      record(0, { producerId: '-1', inTransaction: false }),
      record(1, txn('7')), // aborted
      record(2, txn('8')), // committed, interleaved
      record(3, txn('7')), // aborted
      marker(4, '7', 'abort'),
      marker(5, '8', 'commit'),
      record(6, txn('7')), // a later transaction of the same producer, committed
      marker(7, '7', 'commit'),
    ];
    const aborted = abortedRecordFilter([{ producerId: '7', firstOffset: '1' }]);
    // The filter sees every record, control records included (they end aborted transactions).
    const kept = records.filter((r) => !aborted(r) && !r.isControlRecord).map((r) => Number(r.offset));
    expect(kept).to.deep.equal([0, 2, 6]);
  });

  it('drops an aborted transaction that began before the fetch position', () => {
    const aborted = abortedRecordFilter([{ producerId: '3', firstOffset: '10' }]);
    expect(aborted(record(15, txn('3')))).to.equal(true);
    expect(aborted(marker(16, '3', 'abort'))).to.equal(false);
    expect(aborted(record(17, txn('3')))).to.equal(false);
  });

  it('keeps everything when no transaction was aborted', () => {
    const aborted = abortedRecordFilter(undefined);
    expect(aborted(record(0, txn('1')))).to.equal(false);
    expect(aborted(record(1, { producerId: '1', inTransaction: false }))).to.equal(false);
  });
});
