import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { classifyGroupError } from './group-errors.js';
import { SUPPORTED_KAFKAJS_VERSION, installedKafkaJsVersion, kafkaJsGroupClusters } from './kafkajs-internals.js';

describe('kafkajs internals for group membership', () => {
  const kafka = new Kafka({ clientId: 't', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });

  it('is installed at the exact version whose internals were checked', () => {
    expect(installedKafkaJsVersion()).to.equal(SUPPORTED_KAFKAJS_VERSION);
  });

  it("builds clusters from the client's private factory, each with the group API", () => {
    const clusters = kafkaJsGroupClusters(kafka);
    const a = clusters();
    const b = clusters();
    expect(a).to.not.equal(b);
    for (const method of ['connect', 'disconnect', 'refreshMetadataIfNecessary', 'findGroupCoordinator'])
      expect(typeof (a as unknown as Record<string, unknown>)[method], method).to.equal('function');
  });

  it('refuses any other kafkajs version, and a client without the factory', () => {
    expect(() => kafkaJsGroupClusters(kafka, '2.2.5')).to.throw(/kafkajs 2\.2\.5 is installed/);
    expect(() => kafkaJsGroupClusters({} as Kafka)).to.throw(/createCluster/);
  });

  it('classifies coordinator answers the way a member must react to them', () => {
    const e = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });
    expect(classifyGroupError(e('REBALANCE_IN_PROGRESS'))).to.equal('rejoin');
    expect(classifyGroupError(e('ILLEGAL_GENERATION'))).to.equal('rejoin');
    expect(classifyGroupError(e('UNKNOWN_MEMBER_ID'))).to.equal('reset-member');
    expect(classifyGroupError(e('NOT_COORDINATOR_FOR_GROUP'))).to.equal('coordinator');
    expect(classifyGroupError(e('INCONSISTENT_GROUP_PROTOCOL'))).to.equal('fatal');
    const wrapped = Object.assign(new Error('retries'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: e('GROUP_AUTHORIZATION_FAILED'),
    });
    expect(classifyGroupError(wrapped)).to.equal('fatal');
    expect(classifyGroupError(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).to.equal(
      'coordinator',
    );
  });
});
