import { expect } from 'chai';
import { createRequire } from 'node:module';
import { createKafka } from './client.js';

const require = createRequire(import.meta.url);
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
  it('runs with the linear partition grouping in place of kafkajs 2.2.4 quadratic one', () => {
    createKafka({ clientId: 't', props: { 'bootstrap.servers': '127.0.0.1:1' }, logger: silent });
    const group = require('kafkajs/src/producer/groupMessagesPerPartition.js') as (
      a: unknown,
    ) => Record<number, unknown[]>;
    expect(group.name).to.equal('groupMessagesPerPartition');
    const messages = Array.from({ length: 5 }, (_, i) => ({ value: String(i) }));
    const out = group({
      topic: 't',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }],
      messages,
      partitioner: ({ message }: { message: { value: string } }) => Number(message.value) % 2,
    });
    expect(out).to.deep.equal({ 0: [messages[0], messages[2], messages[4]], 1: [messages[1], messages[3]] });
    // kafkajs's own version is an arrow function assigned to module.exports: its source differs.
    expect(group.toString()).to.include('push');
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
