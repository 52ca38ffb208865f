import { expect } from 'chai';
import { createKafka } from '../kafka/client.js';
import { kafkaJsLogCluster } from '../distributed/kafkajs-internals.js';
import { topicProblem } from './kafka-based-log.js';

describe('Kafka-based log topic checks', () => {
  it('accepts only cleanup.policy=compact, naming the topic and setting otherwise', () => {
    expect(topicProblem('t', 'offset.storage.topic', 'compact', 25, false)).to.equal(undefined);
    expect(topicProblem('t', 'offset.storage.topic', 'delete', 25, false)).to.match(
      /Topic 't' supplied via the 'offset.storage.topic' property .*cleanup.policy=compact.*'cleanup.policy=delete'/,
    );
    expect(topicProblem('t', 'offset.storage.topic', 'compact,delete', 1, false)).to.match(/compact,delete/);
    expect(topicProblem('t', 'offset.storage.topic', undefined, 1, false)).to.match(/delete/);
  });

  it('requires a single partition for the config topic', () => {
    expect(topicProblem('cfg', 'config.storage.topic', 'compact', 1, true)).to.equal(undefined);
    expect(topicProblem('cfg', 'config.storage.topic', 'compact', 2, true)).to.match(
      /Topic 'cfg' .*'config.storage.topic'.*single partition.*found 2 partitions/,
    );
  });
});

describe('kafkajs internals for the log reader', () => {
  it("builds a cluster from the client's private factory, with the broker-level read API", () => {
    const silent = { error() {}, warn() {}, info() {}, debug() {}, child: () => silent };
    const kafka = createKafka({ clientId: 't', props: { 'bootstrap.servers': '127.0.0.1:1' }, logger: silent });
    const cluster = kafkaJsLogCluster(kafka);
    for (const method of [
      'connect',
      'disconnect',
      'addTargetTopic',
      'refreshMetadata',
      'findTopicPartitionMetadata',
      'findBroker',
    ])
      expect(typeof (cluster as unknown as Record<string, unknown>)[method], method).to.equal('function');
    expect(() => kafkaJsLogCluster(kafka, '2.2.5')).to.throw(/Kafka-based log reader .*kafkajs 2\.2\.5 is installed/);
  });
});
