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
