import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createKafka } from './client.js';

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
